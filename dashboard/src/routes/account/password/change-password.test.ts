import { describe, expect, test } from 'vitest';
import { emptyPasswordDraft, localPasswordErrors, passwordOutcome } from './change-password';

describe('change password form', () => {
  test('asks for every field before sending anything', () => {
    expect(localPasswordErrors(emptyPasswordDraft())).toEqual({
      currentPassword: 'password.error.currentRequired',
      newPassword: 'password.error.newRequired',
    });
  });

  test('catches a mistyped repetition and an unchanged password', () => {
    expect(
      localPasswordErrors({
        currentPassword: 'velha-senha-123',
        newPassword: 'nova-senha-456',
        confirmation: 'nova-senha-465',
      }),
    ).toEqual({ confirmation: 'password.error.mismatch' });
    expect(
      localPasswordErrors({
        currentPassword: 'mesma-senha-123',
        newPassword: 'mesma-senha-123',
        confirmation: 'mesma-senha-123',
      }),
    ).toEqual({ newPassword: 'password.error.same' });
  });

  test('leaves the length to the API', () => {
    expect(
      localPasswordErrors({
        currentPassword: 'velha',
        newPassword: 'curta',
        confirmation: 'curta',
      }),
    ).toEqual({});
  });

  test('reads each answer of the API', () => {
    expect(passwordOutcome({ __typename: 'ChangePasswordPayload', endedSessions: 2 })).toEqual({
      kind: 'changed',
      endedSessions: 2,
    });
    expect(
      passwordOutcome({
        __typename: 'InvalidCredentialsError',
        message: 'Wrong email or password',
      }),
    ).toEqual({ kind: 'wrong-current' });
    expect(
      passwordOutcome({
        __typename: 'ValidationError',
        message: 'Too short',
        fieldErrors: [{ path: 'newPassword', message: 'At least 12 characters' }],
      }),
    ).toEqual({ kind: 'invalid', fieldErrors: { newPassword: 'At least 12 characters' } });
    expect(passwordOutcome(undefined, '[Network] Failed to fetch')).toEqual({
      kind: 'failed',
      reason: '[Network] Failed to fetch',
    });
  });
});
