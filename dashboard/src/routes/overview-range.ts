import type { LeadStatsPreset } from '$lib/graphql/generated/graphql';

/** The ranges the Overview offers, as they appear in its URL (`/?range=7d`). */
export const OVERVIEW_RANGES = {
  today: 'TODAY',
  '7d': 'LAST_7_DAYS',
  '30d': 'LAST_30_DAYS',
  '90d': 'LAST_90_DAYS',
} as const satisfies Record<string, LeadStatsPreset>;

export type OverviewRange = keyof typeof OVERVIEW_RANGES;

export const DEFAULT_OVERVIEW_RANGE: OverviewRange = '30d';

/** The range a URL asks for; an absent or unknown value means the default. */
export function parseOverviewRange(value: string | null): OverviewRange {
  return value !== null && Object.hasOwn(OVERVIEW_RANGES, value)
    ? (value as OverviewRange)
    : DEFAULT_OVERVIEW_RANGE;
}
