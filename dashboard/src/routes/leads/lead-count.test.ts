import { describe, expect, test } from 'vitest';
import { createFormatters } from '$lib/i18n/format';
import { translate } from '$lib/i18n/i18n.svelte';
import { formatLeadCount } from './lead-count';

describe('formatLeadCount', () => {
  const portuguese = createFormatters('pt-BR');
  const english = createFormatters('en');

  test('shows an exact count as a plain number in the locale', () => {
    expect(formatLeadCount({ count: 13_334, capped: false }, portuguese)).toBe('13.334');
    expect(formatLeadCount({ count: 13_334, capped: false }, english)).toBe('13,334');
    expect(formatLeadCount({ count: 1_000, capped: false }, english)).toBe('1,000');
  });

  test('marks a capped count as a lower bound', () => {
    const capped = { count: 1_000, capped: true };
    expect(translate('pt-BR', 'leads.count', { count: formatLeadCount(capped, portuguese) })).toBe(
      '1.000+ leads',
    );
    expect(translate('en', 'leads.count', { count: formatLeadCount(capped, english) })).toBe(
      '1,000+ leads',
    );
  });
});
