/** The file the customer-match export is saved as: which audience, and the day it was taken. */
export function remarketingExportFileName(audience: string, exportedAt: Date): string {
  return `remarketing-${audience}-${exportedAt.toISOString().slice(0, 10)}.csv`;
}

/** The downloaded CSV, or why the API refused it (its plain-text answer, with the status). */
export type ExportDownload = { ok: true; csv: Blob } | { ok: false; reason: string };

/**
 * Reads the answer to GET <link>. The link is short-lived and checked again on use (the session
 * must still be valid), so a refusal is possible and its text says why in the API's words.
 */
export async function readExportResponse(response: Response): Promise<ExportDownload> {
  if (response.ok) return { ok: true, csv: await response.blob() };
  const text = (await response.text().catch(() => '')).trim();
  return { ok: false, reason: text ? `${response.status} ${text}` : String(response.status) };
}
