import { describe, expect, test } from 'vitest';
import { formatBytes } from './file-size';

describe('file sizes', () => {
  test('says a size in bytes, kilobytes or megabytes in the language’s notation', () => {
    expect(formatBytes(512, 'en')).toBe('512 byte');
    expect(formatBytes(86_221, 'pt-BR')).toBe('84,2 kB');
    expect(formatBytes(2 * 1024 * 1024, 'en')).toBe('2 MB');
  });
});
