import { describe, expect, test } from 'vitest';
import { canWithdrawConsent, standingConsents } from './consent-withdrawal';

const given = { id: 'c1', withdrawnAt: null };
const withdrawn = { id: 'c2', withdrawnAt: '2026-03-05T12:00:00.000Z' };
const unread: { id: string; withdrawnAt?: string | null } = { id: 'c3' };

describe('consent withdrawal', () => {
  test('keeps only the consents not withdrawn', () => {
    expect(standingConsents([given, withdrawn, unread])).toEqual([given, unread]);
  });

  test('offers a withdrawal while a consent stands', () => {
    expect(canWithdrawConsent({ erasedAt: null, consents: [withdrawn, given] })).toBe(true);
  });

  test('offers none once every consent was withdrawn, or with no consent at all', () => {
    expect(canWithdrawConsent({ erasedAt: null, consents: [withdrawn] })).toBe(false);
    expect(canWithdrawConsent({ erasedAt: null, consents: [] })).toBe(false);
  });

  test('offers none for an erased lead', () => {
    expect(canWithdrawConsent({ erasedAt: '2026-03-05T12:00:00.000Z', consents: [given] })).toBe(
      false,
    );
  });
});
