/** The largest nurture PDF the API takes (server/src/automations/email/email.schema.ts). */
export const MAX_PDF_BYTES = 2 * 1024 * 1024;

export type PdfProblem = 'notPdf' | 'tooLarge' | 'empty';

/**
 * Why a chosen file cannot be the nurture PDF, or undefined when it can be sent. The API checks
 * the content too (it must start with %PDF-); this spares a 2 MiB upload that would be refused.
 */
export function pdfProblem(file: {
  name: string;
  type: string;
  size: number;
}): PdfProblem | undefined {
  const looksLikePdf = file.type === 'application/pdf' || /\.pdf$/i.test(file.name);
  if (!looksLikePdf) return 'notPdf';
  if (file.size === 0) return 'empty';
  if (file.size > MAX_PDF_BYTES) return 'tooLarge';
  return undefined;
}

/** The file's content in base64, as uploadNurturePdf takes it. */
export async function base64Of(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // In chunks: String.fromCharCode with 2 MiB of arguments overflows the call stack.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}
