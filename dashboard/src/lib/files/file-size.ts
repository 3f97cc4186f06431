/** A file size for people: "512 B", "84,2 kB", "1,5 MB" (in the language's notation). */
export function formatBytes(size: number, locale: string): string {
  const [value, unit] =
    size < 1024
      ? [size, 'byte']
      : size < 1024 * 1024
        ? [size / 1024, 'kilobyte']
        : [size / 1024 / 1024, 'megabyte'];
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : 1,
  }).format(value);
}
