/** The file an access request's export is saved as: which lead, and when it was taken. */
export function leadExportFileName(leadId: string, exportedAt: Date): string {
  return `lead-${leadId}-${exportedAt.toISOString().slice(0, 10)}.json`;
}

/** The export as the person receives it: indented, so it reads without a JSON viewer. */
export function leadExportJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
