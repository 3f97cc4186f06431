/** Makes Excel (pt-BR included) read the file as UTF-8 rather than Windows-1252. */
export const UTF8_BOM = '\uFEFF';

/**
 * One CSV field (RFC 4180): quoted when it holds the delimiter, a quote or a line break, with
 * quotes doubled. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is
 * prefixed with an apostrophe (OWASP's CSV injection advice); numbers pass as they are.
 */
export function csvField(value: string | number | null | undefined, delimiter: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(delimiter) || /["\r\n]/.test(safe) || safe !== safe.trim()
    ? `"${safe.replaceAll('"', '""')}"`
    : safe;
}

/** Rows as CSV lines, each ending in CRLF as RFC 4180 asks. */
export function csvLines(
  rows: readonly (readonly (string | number | null | undefined)[])[],
  delimiter: string,
): string {
  return rows
    .map((row) => `${row.map((value) => csvField(value, delimiter)).join(delimiter)}\r\n`)
    .join('');
}

/**
 * The list separator a spreadsheet expects in a locale: Excel in Portuguese (and most languages
 * with a decimal comma) splits CSV on semicolons.
 */
export function csvDelimiter(locale: string): ';' | ',' {
  return locale.startsWith('en') ? ',' : ';';
}
