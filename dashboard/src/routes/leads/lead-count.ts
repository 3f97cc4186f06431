import type { Formatters } from '$lib/i18n/format';

/** A count as the API's cappedCount gives it: exact, or capped when more leads match. */
export interface LeadCount {
  count: number;
  /** More leads match than `count` says. */
  capped: boolean;
}

/**
 * A lead count in the locale's digits, with "+" when the API stopped counting at its cap:
 * "13.334" for an exact count, "1.000+" in pt-BR ("1,000+" in English) for more than 1,000.
 */
export function formatLeadCount(total: LeadCount, format: Pick<Formatters, 'number'>): string {
  const digits = format.number(total.count);
  return total.capped ? `${digits}+` : digits;
}
