import type { LeadStage } from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';

/** Every Sales pipeline stage, in funnel order (LOST, the exit, last). */
export const LEAD_STAGES = [
  'NEW',
  'CONTACTED',
  'QUALIFIED',
  'WON',
  'LOST',
] as const satisfies readonly LeadStage[];

export const STAGE_LABELS: Record<LeadStage, MessageKey> = {
  NEW: 'stage.NEW',
  CONTACTED: 'stage.CONTACTED',
  QUALIFIED: 'stage.QUALIFIED',
  WON: 'stage.WON',
  LOST: 'stage.LOST',
};

/** One colour per stage, each at least 3:1 against the chart surface: the path to a sale in blues
 * and green, the exit in grey. Labels always name the stage too. */
export const STAGE_COLORS: Record<LeadStage, string> = {
  NEW: '#3b82f6',
  CONTACTED: '#2563eb',
  QUALIFIED: '#1e40af',
  WON: '#15803d',
  LOST: '#6b7280',
};

export function isLeadStage(value: string): value is LeadStage {
  return (LEAD_STAGES as readonly string[]).includes(value);
}
