import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { hasErrorCode, retryAfterSeconds } from './api-errors';

const refused = (extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [{ message: 'Refused', extensions }] });

describe('hasErrorCode', () => {
  it('finds the code among the GraphQL errors', () => {
    expect(hasErrorCode(refused({ code: 'UNAUTHENTICATED' }), 'UNAUTHENTICATED')).toBe(true);
    expect(hasErrorCode(refused({ code: 'FORBIDDEN' }), 'UNAUTHENTICATED')).toBe(false);
  });

  it('is false without an error or for a network error', () => {
    expect(hasErrorCode(undefined, 'FORBIDDEN')).toBe(false);
    const network = new CombinedError({ networkError: new Error('offline') });
    expect(hasErrorCode(network, 'FORBIDDEN')).toBe(false);
  });
});

describe('retryAfterSeconds', () => {
  it('reads the wait of a RATE_LIMITED error, rounded up', () => {
    expect(retryAfterSeconds(refused({ code: 'RATE_LIMITED', retryAfterSeconds: 900 }))).toBe(900);
    expect(retryAfterSeconds(refused({ code: 'RATE_LIMITED', retryAfterSeconds: 2.2 }))).toBe(3);
  });

  it('waits a second when the limit names no wait', () => {
    expect(retryAfterSeconds(refused({ code: 'RATE_LIMITED' }))).toBe(1);
  });

  it('is undefined for other errors', () => {
    expect(retryAfterSeconds(refused({ code: 'FORBIDDEN' }))).toBeUndefined();
    expect(retryAfterSeconds(undefined)).toBeUndefined();
  });
});
