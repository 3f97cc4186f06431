// Sales pipeline figures about the leads created in a range: conversion by origin and by class,
// the funnel, time to first contact, automation effectiveness and nurture versus no nurture.
import type { PrismaClient } from '../db.ts';
import { LeadOrigin, LeadStage, LeadStatus } from '../generated/prisma/enums.ts';
import { statsRangeProblem } from '../leads/lead-stats.ts';

/** Leads in a group, and how many of them are WON and LOST now. */
export interface Conversion {
  total: number;
  won: number;
  lost: number;
  /** won / total; null when the group is empty. */
  conversionRate: number | null;
}

export interface OriginConversion extends Conversion {
  origin: LeadOrigin;
}

export interface ClassConversion extends Conversion {
  status: LeadStatus;
}

/** One step of the funnel. */
export interface FunnelStep {
  stage: LeadStage;
  /** Leads at this stage now. */
  current: number;
  /**
   * Leads that ever reached it: for NEW, CONTACTED, QUALIFIED and WON, the leads that were at it or
   * at a later one of these (a lead moved from NEW straight to WON was contacted and qualified);
   * for LOST, the leads that were ever lost, reopened ones included.
   */
  reached: number;
}

/** Time from a lead's creation to its first move out of NEW, for one class. */
export interface FirstContactTime {
  status: LeadStatus;
  /** Leads of the class with a first contact. */
  contacted: number;
  /** Leads of the class still never moved out of NEW. */
  notContacted: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** The runs of one action and how they ended. */
export interface ActionEffectiveness {
  action: string;
  total: number;
  succeeded: number;
  skipped: number;
  dead: number;
  /** PENDING, RUNNING or FAILED (a retry is scheduled): not ended yet. */
  inProgress: number;
  /** Each of the three over total; null when there is no run. */
  succeededShare: number | null;
  skippedShare: number | null;
  deadShare: number | null;
}

export interface PipelineStats {
  from: Date;
  to: Date;
  /** Every lead created in the range. */
  overall: Conversion;
  /** Every origin, in LeadOrigin order, zeros included. */
  byOrigin: OriginConversion[];
  /** Every class (current status), in LeadStatus order, zeros included. */
  byClass: ClassConversion[];
  /** Every stage, in LeadStage order. */
  funnel: FunnelStep[];
  /** Every class (current status), in LeadStatus order. */
  firstContact: FirstContactTime[];
  /** Actions with at least one run, by name. */
  automations: ActionEffectiveness[];
  /** Leads that were sent at least one nurture or sequence email. */
  nurtured: Conversion;
  /** Leads that were sent none. */
  notNurtured: Conversion;
}

const ORIGINS = Object.values(LeadOrigin);
const STATUSES = Object.values(LeadStatus);
const STAGES = Object.values(LeadStage);
/** The forward stages in order; LOST is a branch off any of them. */
const FORWARD: LeadStage[] = ['NEW', 'CONTACTED', 'QUALIFIED', 'WON'];
/** Runs that put a nurture email in the lead's inbox. */
export const NURTURE_ACTIONS = ['nurture-email', 'sequence-email'] as const;

/** One group of leads: every combination that occurs, counted. */
interface LeadGroup {
  origin: LeadOrigin;
  status: LeadStatus;
  stage: LeadStage;
  /** The furthest forward stage ever reached, as an index into FORWARD. */
  reached: number;
  everLost: boolean;
  nurtured: boolean;
  count: number;
}

interface FirstContactRow {
  status: LeadStatus;
  contacted: number;
  notContacted: number;
  median: number | null;
  p90: number | null;
}

interface RunRow {
  action: string;
  state: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'DEAD';
  count: number;
}

interface StatsRow {
  groups: LeadGroup[];
  firstContact: FirstContactRow[];
  runs: RunRow[];
}

/**
 * Every pipeline figure for the leads created in [from, to), in one SQL statement, so they all
 * come from one snapshot and agree with each other. The range is read once through the createdAt
 * index; each lead's stage history and nurture runs are looked up by their leadId indexes. The
 * automation figures count the runs of these leads, so a range describes one cohort throughout.
 */
export async function computePipelineStats(
  prisma: PrismaClient,
  range: { from: Date; to: Date },
): Promise<PipelineStats> {
  const { from, to } = range;
  const problem = statsRangeProblem(from, to);
  if (problem) throw new RangeError(problem);
  // Timestamps as ISO strings with their Z (see lead-stats.ts). Seconds as float8: JSON numbers.
  const [row] = await prisma.$queryRaw<StatsRow[]>`
    WITH ranged AS (
      SELECT lead.id, lead.origin, lead.status, lead.stage, lead."createdAt",
        lead."firstContactedAt",
        greatest(
          array_position(${FORWARD}::text[], lead.stage::text),
          coalesce(history.reached, 1)
        ) - 1 AS reached,
        (lead.stage = 'LOST' OR coalesce(history."everLost", false)) AS "everLost",
        EXISTS (
          SELECT 1 FROM automation_runs AS run
          WHERE run."leadId" = lead.id AND run.state = 'SUCCEEDED'
            AND run.action = ANY(${[...NURTURE_ACTIONS]}::text[])
        ) AS nurtured
      FROM leads AS lead
      LEFT JOIN LATERAL (
        SELECT max(array_position(${FORWARD}::text[], change."toStage"::text)) AS reached,
          bool_or(change."toStage" = 'LOST') AS "everLost"
        FROM lead_stage_changes AS change
        WHERE change."leadId" = lead.id
      ) AS history ON true
      WHERE lead."createdAt" >= ${from.toISOString()}::timestamptz
        AND lead."createdAt" < ${to.toISOString()}::timestamptz
    )
    SELECT
      (
        SELECT coalesce(json_agg(grouped), '[]')
        FROM (
          SELECT origin, status, stage, reached, "everLost", nurtured, count(*)::int AS count
          FROM ranged
          GROUP BY origin, status, stage, reached, "everLost", nurtured
        ) AS grouped
      ) AS groups,
      (
        SELECT coalesce(json_agg(contact), '[]')
        FROM (
          SELECT status,
            count("firstContactedAt")::int AS contacted,
            (count(*) - count("firstContactedAt"))::int AS "notContacted",
            percentile_cont(0.5) WITHIN GROUP (
              ORDER BY extract(epoch FROM "firstContactedAt" - "createdAt")
            )::float8 AS median,
            percentile_cont(0.9) WITHIN GROUP (
              ORDER BY extract(epoch FROM "firstContactedAt" - "createdAt")
            )::float8 AS p90
          FROM ranged
          GROUP BY status
        ) AS contact
      ) AS "firstContact",
      (
        SELECT coalesce(json_agg(counted), '[]')
        FROM (
          SELECT run.action, run.state, count(*)::int AS count
          FROM automation_runs AS run
          JOIN ranged ON ranged.id = run."leadId"
          GROUP BY run.action, run.state
        ) AS counted
      ) AS runs
  `;
  if (!row) throw new Error('the pipeline stats query returned no row');
  const { groups } = row;
  return {
    from,
    to,
    overall: conversionOf(groups),
    byOrigin: ORIGINS.map((origin) => ({
      origin,
      ...conversionOf(groups.filter((group) => group.origin === origin)),
    })),
    byClass: STATUSES.map((status) => ({
      status,
      ...conversionOf(groups.filter((group) => group.status === status)),
    })),
    funnel: STAGES.map((stage) => ({
      stage,
      current: sum(groups, (group) => (group.stage === stage ? group.count : 0)),
      reached: sum(groups, (group) =>
        (stage === 'LOST' ? group.everLost : group.reached >= FORWARD.indexOf(stage))
          ? group.count
          : 0,
      ),
    })),
    firstContact: STATUSES.map((status) => {
      const found = row.firstContact.find((contact) => contact.status === status);
      return {
        status,
        contacted: found?.contacted ?? 0,
        notContacted: found?.notContacted ?? 0,
        medianSeconds: found?.median ?? null,
        p90Seconds: found?.p90 ?? null,
      };
    }),
    automations: effectivenessOf(row.runs),
    nurtured: conversionOf(groups.filter((group) => group.nurtured)),
    notNurtured: conversionOf(groups.filter((group) => !group.nurtured)),
  };
}

const sum = <T>(items: readonly T[], value: (item: T) => number): number =>
  items.reduce((total, item) => total + value(item), 0);

function conversionOf(groups: readonly LeadGroup[]): Conversion {
  const total = sum(groups, (group) => group.count);
  const won = sum(groups, (group) => (group.stage === 'WON' ? group.count : 0));
  const lost = sum(groups, (group) => (group.stage === 'LOST' ? group.count : 0));
  return { total, won, lost, conversionRate: total === 0 ? null : won / total };
}

function effectivenessOf(rows: readonly RunRow[]): ActionEffectiveness[] {
  const actions = [...new Set(rows.map((run) => run.action))].sort();
  return actions.map((action) => {
    const ofAction = rows.filter((run) => run.action === action);
    const count = (...states: RunRow['state'][]) =>
      sum(ofAction, (run) => (states.includes(run.state) ? run.count : 0));
    const total = count('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'DEAD');
    const share = (part: number) => (total === 0 ? null : part / total);
    const succeeded = count('SUCCEEDED');
    const skipped = count('SKIPPED');
    const dead = count('DEAD');
    return {
      action,
      total,
      succeeded,
      skipped,
      dead,
      inProgress: count('PENDING', 'RUNNING', 'FAILED'),
      succeededShare: share(succeeded),
      skippedShare: share(skipped),
      deadShare: share(dead),
    };
  });
}
