import { describe, expect, test } from 'vitest';
import { fieldErrorMap } from './field-errors';

describe('fieldErrorMap', () => {
  test('maps field errors by path', () => {
    expect(
      fieldErrorMap([
        { path: 'phone', message: 'Enter a valid phone.' },
        { path: '', message: 'Give at least one field.' },
      ]),
    ).toEqual({ phone: 'Enter a valid phone.', '': 'Give at least one field.' });
  });

  test('joins several messages for one path', () => {
    expect(
      fieldErrorMap([
        { path: 'password', message: 'Too short.' },
        { path: 'password', message: 'Too common.' },
      ]),
    ).toEqual({ password: 'Too short. Too common.' });
  });
});
