/** A consent as the privacy card reads it: whether and when it was withdrawn. */
export interface ConsentState {
  withdrawnAt?: string | null;
}

/** Consents that still stand: what a withdrawal would change. */
export function standingConsents<T extends ConsentState>(consents: readonly T[]): T[] {
  return consents.filter((consent) => !consent.withdrawnAt);
}

/**
 * Whether recording a withdrawal would change anything: the lead still holds its data and at
 * least one consent stands (the only way into a remarketing audience).
 */
export function canWithdrawConsent(lead: {
  erasedAt?: string | null;
  consents: readonly ConsentState[];
}): boolean {
  return !lead.erasedAt && standingConsents(lead.consents).length > 0;
}
