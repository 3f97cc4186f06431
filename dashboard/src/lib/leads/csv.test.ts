import { describe, expect, test } from 'vitest';
import { csvDelimiter, csvField, csvLines } from './csv';

describe('csvField', () => {
  test('leaves plain text and numbers as they are', () => {
    expect(csvField('São Paulo', ';')).toBe('São Paulo');
    expect(csvField(42, ';')).toBe('42');
    expect(csvField(-3, ';')).toBe('-3');
  });

  test('writes nothing for a missing value', () => {
    expect(csvField(null, ';')).toBe('');
    expect(csvField(undefined, ',')).toBe('');
  });

  test('quotes a field holding the delimiter, a quote or a line break', () => {
    expect(csvField('Silva; Ana', ';')).toBe('"Silva; Ana"');
    expect(csvField('Silva, Ana', ';')).toBe('Silva, Ana');
    expect(csvField('Silva, Ana', ',')).toBe('"Silva, Ana"');
    expect(csvField('o "melhor"', ';')).toBe('"o ""melhor"""');
    expect(csvField('linha 1\nlinha 2', ';')).toBe('"linha 1\nlinha 2"');
    expect(csvField('a\r\nb', ';')).toBe('"a\r\nb"');
  });

  test('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("x")', ';')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+5511999999999', ';')).toBe("'+5511999999999");
    expect(csvField('@SUM(A1)', ';')).toBe("'@SUM(A1)");
  });
});

describe('csvLines', () => {
  test('ends every row in CRLF', () => {
    expect(
      csvLines(
        [
          ['name', 'score'],
          ['Ana; Bia', 10],
        ],
        ';',
      ),
    ).toBe('name;score\r\n"Ana; Bia";10\r\n');
  });
});

describe('csvDelimiter', () => {
  test('uses semicolons for Portuguese and commas for English', () => {
    expect(csvDelimiter('pt-BR')).toBe(';');
    expect(csvDelimiter('en')).toBe(',');
  });
});
