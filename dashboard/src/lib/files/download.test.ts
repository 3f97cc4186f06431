import { describe, expect, test } from 'vitest';
import { base64ToBytes, formatFileSize } from './download';

describe('file helpers', () => {
  test('decodes base64 into the original bytes', () => {
    const bytes = base64ToBytes(btoa('%PDF-1.7\n\u00ff'));
    expect([...bytes.slice(0, 5)]).toEqual([0x25, 0x50, 0x44, 0x46, 0x2d]);
    expect(bytes[bytes.length - 1]).toBe(0xff);
  });

  test('states sizes in bytes, kilobytes and megabytes in the locale', () => {
    expect(formatFileSize(512, 'en')).toBe('512 bytes');
    expect(formatFileSize(1536, 'en')).toBe('1.5 kB');
    expect(formatFileSize(1536, 'pt-BR')).toBe('1,5 kB');
    expect(formatFileSize(2 * 1024 * 1024, 'pt-BR')).toBe('2 MB');
  });
});
