import { describe, expect, test } from 'vitest';
import { base64Of, MAX_PDF_BYTES, pdfProblem } from './nurture-pdf';

describe('nurture PDF', () => {
  test('accepts a PDF within the limit', () => {
    expect(pdfProblem({ name: 'guia.pdf', type: 'application/pdf', size: 1000 })).toBeUndefined();
    expect(pdfProblem({ name: 'GUIA.PDF', type: '', size: MAX_PDF_BYTES })).toBeUndefined();
  });

  test('refuses another kind of file, an empty one and one over 2 MiB', () => {
    expect(pdfProblem({ name: 'foto.png', type: 'image/png', size: 10 })).toBe('notPdf');
    expect(pdfProblem({ name: 'guia.pdf', type: 'application/pdf', size: 0 })).toBe('empty');
    expect(pdfProblem({ name: 'guia.pdf', type: 'application/pdf', size: MAX_PDF_BYTES + 1 })).toBe(
      'tooLarge',
    );
  });

  test('reads a file as base64, however large', async () => {
    const bytes = new Uint8Array(100_000).map((_, index) => index % 256);
    const encoded = await base64Of(new Blob([bytes]));
    expect(Buffer.from(encoded, 'base64').equals(Buffer.from(bytes))).toBe(true);
    expect(await base64Of(new Blob(['%PDF-1.4']))).toBe('JVBERi0xLjQ=');
  });
});
