import type { LeadStage } from '$lib/graphql/generated/graphql';

/** One stage of the funnel as the chart draws it. */
export interface FunnelRow {
  stage: LeadStage;
  label: string;
  color: string;
  /** Leads that ever reached the stage: the bar's length. */
  reached: number;
  /** Leads at the stage now. */
  current: number;
  /** reached / the leads that entered the funnel (NEW's reached); null without leads. */
  share: number | null;
}

/** The funnel's rows in the order given, each with its share of the leads that entered it. */
export function funnelRows(
  steps: readonly { stage: LeadStage; reached: number; current: number }[],
  label: (stage: LeadStage) => string,
  color: (stage: LeadStage) => string,
): FunnelRow[] {
  // Every lead starts at NEW, so NEW's "reached" is every lead of the range.
  const entered = steps.find((step) => step.stage === 'NEW')?.reached ?? 0;
  return steps.map((step) => ({
    stage: step.stage,
    label: label(step.stage),
    color: color(step.stage),
    reached: step.reached,
    current: step.current,
    share: entered > 0 ? step.reached / entered : null,
  }));
}
