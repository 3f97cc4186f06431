// Scoring leads against the database: shared by the scoring job, the bulk rescore and the API
// (enqueueScoring). Leads are scored in batches, one transaction per batch: the rows are locked,
// only leads whose result differs are written, and exactly those publish 'scored' at commit.
import { isDeepStrictEqual } from 'node:util';
import type { PgBoss } from 'pg-boss';
import { createAutomationRuns } from '../automations/automations.ts';
import { jobsExecutor, type Transaction } from '../db.ts';
import { eventsChannel, serializeEvent } from '../events.ts';
import type { LeadStatus } from '../generated/prisma/enums.ts';
import { assignOwners } from '../pipeline/owners.ts';
import type { CompiledRuleSet } from './rule-sets.ts';
import type { ScoreResult, ScoringLead } from './rules.ts';

/** Scores one lead with the active rule set. */
export const scoreLeadQueue = 'scoring.score-lead';

/** Payload of `scoring.score-lead`: the id only; the handler re-reads the lead. */
export interface ScoreLeadJob {
  leadId: string;
}

/**
 * Enqueues the lead's scoring in the caller's transaction: the job commits with the lead, so an
 * acknowledged lead is never left unscored, even if the process dies right after the commit.
 */
export async function enqueueScoring(jobs: PgBoss, tx: Transaction, leadId: string): Promise<void> {
  const job: ScoreLeadJob = { leadId };
  await jobs.send(scoreLeadQueue, job, { db: jobsExecutor(tx) });
}

/** The lead's scoring jobs that have not started yet. */
export async function queuedScoringJobIds(jobs: PgBoss, leadId: string): Promise<string[]> {
  const queued = await jobs.findJobs<ScoreLeadJob>(scoreLeadQueue, {
    data: { leadId },
    queued: true,
  });
  return queued.map((job) => job.id);
}

/** What scoring did to one lead. */
export type LeadScoring =
  | {
      leadId: string;
      /** 'scored': the row was written; 'unchanged': it already held this exact result. */
      outcome: 'scored' | 'unchanged';
      previousStatus: LeadStatus;
      status: LeadStatus;
      /** The lead's class changed: only such leads run their class's automations. */
      classChanged: boolean;
    }
  | { leadId: string; outcome: 'deleted' }
  | { leadId: string; outcome: 'failed'; error: unknown };

interface LockedLead extends ScoringLead {
  id: string;
  score: number;
  status: LeadStatus;
  statusOverride: LeadStatus | null;
  scoreExplanation: unknown;
  scoredWithId: string | null;
}

interface LeadWrite {
  id: string;
  score: number;
  status: LeadStatus;
  explanation: ScoreResult['explanation'];
}

/**
 * Scores leads with one rule set inside the caller's transaction and reports each lead's outcome,
 * in the order of `leadIds` (duplicates are scored once). A lead that no longer exists is
 * 'deleted'; a lead the rules cannot score is 'failed' and leaves the others alone.
 *
 * Idempotent: a lead already holding this result (score, status, explanation and version) is not
 * written and publishes nothing, so running a scoring twice gives one event.
 */
export async function scoreLeads(
  tx: Transaction,
  jobs: PgBoss,
  leadIds: readonly string[],
  ruleSet: CompiledRuleSet,
): Promise<LeadScoring[]> {
  const leads = await lockLeads(tx, [...new Set(leadIds)]);
  const byId = new Map<string, LeadScoring>();
  const writes: LeadWrite[] = [];
  for (const lead of leads) {
    const scored = scoreOne(lead, ruleSet);
    byId.set(lead.id, scored.scoring);
    if (scored.write) writes.push(scored.write);
  }
  await writeScores(tx, writes, ruleSet.id);
  // Automations enqueue here, in this transaction, for the leads whose scoring has classChanged:
  // their jobs then commit with the new class, and unchanged leads run nothing.
  await createAutomationRuns(tx, jobs, byId.values());
  // Owners too, in the same commit: a HOT lead is never seen without the owner it gets, and the
  // round-robin turn it took rolls back with it.
  await assignOwners(tx, jobs, byId.values());
  return leadIds.map((leadId) => byId.get(leadId) ?? { leadId, outcome: 'deleted' });
}

function scoreOne(
  lead: LockedLead,
  ruleSet: CompiledRuleSet,
): { scoring: LeadScoring; write: LeadWrite | null } {
  let result: ScoreResult;
  try {
    result = ruleSet.score(lead);
  } catch (error) {
    return { scoring: { leadId: lead.id, outcome: 'failed', error }, write: null };
  }
  // A status set by a person stays; the score and explanation still follow the rules.
  const status = lead.statusOverride ?? result.status;
  const unchanged =
    lead.score === result.score &&
    lead.status === status &&
    lead.scoredWithId === ruleSet.id &&
    isDeepStrictEqual(lead.scoreExplanation, result.explanation);
  const scoring: LeadScoring = {
    leadId: lead.id,
    outcome: unchanged ? 'unchanged' : 'scored',
    previousStatus: lead.status,
    status,
    classChanged: lead.status !== status,
  };
  const write = unchanged
    ? null
    : { id: lead.id, score: result.score, status, explanation: result.explanation };
  return { scoring, write };
}

/**
 * Reads and locks the leads in id order: two batches sharing leads lock them in the same order,
 * so they wait for each other instead of deadlocking, and a lead edited meanwhile is read as
 * committed.
 *
 * Erased leads are left out, so they score as 'deleted': their placeholder fields would give a
 * new score and class (changing the stats erasure keeps) and run automations for nobody.
 */
async function lockLeads(tx: Transaction, ids: string[]): Promise<LockedLead[]> {
  if (ids.length === 0) return [];
  return tx.$queryRaw<LockedLead[]>`
    SELECT id::text, name, email, phone, origin::text, interest,
      "approximateIncome"::text AS "approximateIncome", city, score, status::text,
      "statusOverride"::text AS "statusOverride", "scoreExplanation", "scoredWithId"::text
    FROM leads
    WHERE id = ANY(${ids}::uuid[]) AND "erasedAt" IS NULL
    ORDER BY id
    FOR UPDATE`;
}

/** One statement for the rows and one for their events, whatever the batch size. */
async function writeScores(tx: Transaction, writes: LeadWrite[], ruleSetId: string): Promise<void> {
  if (writes.length === 0) return;
  await tx.$executeRaw`
    UPDATE leads AS lead
    SET score = changed.score,
      status = changed.status::"LeadStatus",
      "scoreExplanation" = changed.explanation,
      "scoredWithId" = ${ruleSetId}::uuid,
      "processedAt" = clock_timestamp(),
      "updatedAt" = clock_timestamp()
    FROM jsonb_to_recordset(${JSON.stringify(writes)}::jsonb)
      AS changed(id uuid, score integer, status text, explanation jsonb)
    WHERE lead.id = changed.id`;
  // publishEvent's NOTIFY, once for the whole batch; delivered at commit, dropped on rollback.
  const events = writes.map(({ id }) =>
    serializeEvent({ type: 'lead.changed', leadId: id, change: 'scored' }),
  );
  await tx.$executeRaw`SELECT pg_notify(${eventsChannel}, event) FROM unnest(${events}::text[]) AS event`;
}
