import { describe, expect, test } from 'vitest';
import { emptyNewUser, newUserErrors, newUserInput } from './users';

describe('new user form', () => {
  test('starts as a sales user with nothing typed', () => {
    expect(emptyNewUser()).toEqual({ name: '', email: '', role: 'SALES', password: '' });
  });

  test('trims the name and email but keeps the password as typed', () => {
    expect(
      newUserInput({
        name: '  Vera Lúcia ',
        email: ' vera@example.com ',
        role: 'MANAGER',
        password: ' senha com espaços ',
      }),
    ).toEqual({
      name: 'Vera Lúcia',
      email: 'vera@example.com',
      role: 'MANAGER',
      password: ' senha com espaços ',
    });
  });

  test('places messages beside known fields and the rest above the form', () => {
    expect(
      newUserErrors({
        email: 'This email has a user',
        password: 'At least 12 characters',
        '': 'Something else',
        'input.extra': 'Unknown field',
      }),
    ).toEqual({
      email: 'This email has a user',
      password: 'At least 12 characters',
      '': 'Something else Unknown field',
    });
  });
});
