import { describe, expect, test } from 'vitest';
import { describedByIds, errorUnder, lines, wholeNumber } from './field-errors';

describe('settings form helpers', () => {
  test('collects the messages of a field and of its items, numbered from 1', () => {
    const errors = {
      whatsappRecipients: 'At most 20 numbers',
      'whatsappRecipients.2': 'Phone numbers in E.164',
      whatsappTemplate: 'Too long',
    };
    expect(errorUnder(errors, 'whatsappRecipients', (n) => `Number ${n}`)).toBe(
      'At most 20 numbers Number 3: Phone numbers in E.164',
    );
    expect(errorUnder(errors, 'whatsappLanguage', (n) => `${n}`)).toBeUndefined();
  });

  test('reads a whole number from a number field', () => {
    expect(wholeNumber(3)).toBe(3);
    expect(wholeNumber(2.5)).toBeUndefined();
    expect(wholeNumber(null)).toBeUndefined();
  });

  test('splits a text area into trimmed, non-blank lines', () => {
    expect(lines(' +5511999990000 \r\n\n+5521988887777\n ')).toEqual([
      '+5511999990000',
      '+5521988887777',
    ]);
  });
});

describe('describedByIds', () => {
  test('joins the ids that are shown, and gives undefined when none is', () => {
    expect(describedByIds('f-hint', 'f-error')).toBe('f-hint f-error');
    expect(describedByIds(false, 'f-error')).toBe('f-error');
    expect(describedByIds('f-hint', undefined, '')).toBe('f-hint');
    expect(describedByIds(false, undefined, null)).toBeUndefined();
  });
});
