import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { signInOutcome } from './sign-in';

describe('signInOutcome', () => {
  it('is signed in when the API returns the session payload', () => {
    expect(
      signInOutcome({ data: { signIn: { __typename: 'SignInPayload', user: { id: 'u1' } } } }),
    ).toEqual({ kind: 'signed-in' });
  });

  it('reports wrong credentials without saying which one was wrong', () => {
    expect(
      signInOutcome({
        data: {
          signIn: { __typename: 'InvalidCredentialsError', message: 'Email or password is wrong.' },
        },
      }),
    ).toEqual({ kind: 'invalid' });
  });

  it('reports a lockout with the wait the API asks for', () => {
    const error = new CombinedError({
      graphQLErrors: [
        {
          message: 'Too many requests: try again in 840 s.',
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 840 },
        },
      ],
    });
    expect(signInOutcome({ error })).toEqual({ kind: 'locked', retryAfterSeconds: 840 });
  });

  it('passes on the message of refused input and of a failed request', () => {
    expect(
      signInOutcome({
        data: { signIn: { __typename: 'ValidationError', message: 'email: Invalid email' } },
      }),
    ).toEqual({ kind: 'failed', message: 'email: Invalid email' });
    const error = new CombinedError({ networkError: new Error('Failed to fetch') });
    expect(signInOutcome({ error })).toEqual({
      kind: 'failed',
      message: '[Network] Failed to fetch',
    });
  });
});
