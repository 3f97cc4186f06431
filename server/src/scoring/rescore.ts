// Bulk rescore: the API records a RescoreRun and one planner job, and returns. The planner pages
// the matching leads by id and enqueues one batch job per page; each batch scores its leads with
// the run's rule set and adds to the run's counts. The planner and every batch complete their own
// job in the transaction that does their work, so a retry after a commit finds the job done and
// nothing is enqueued or counted twice.
import type { JobAttempt, PgBoss } from 'pg-boss';
import { z } from 'zod';
import { jobsExecutor, type PrismaClient, type Transaction } from '../db.ts';
import { ValidationError } from '../errors.ts';
import { publishEvent } from '../events.ts';
import type { Prisma, RescoreRun } from '../generated/prisma/client.ts';
import { leadFilterProblems, leadWhere, type LeadFilter } from '../leads/lead-filter.ts';
import { compiledRuleSet, ensureActiveRuleSet } from './rule-sets.ts';
import { scoreLeads } from './scoring.ts';

/** Lists a run's leads and enqueues their batches. */
export const planRescoreQueue = 'scoring.plan-rescore';

/** Rescores one batch of a run's leads. */
export const rescoreBatchQueue = 'scoring.rescore-batch';

/** Payload of `scoring.plan-rescore`. */
export interface PlanRescoreJob {
  runId: string;
}

/** Payload of `scoring.rescore-batch`: the run and the ids of its leads in this batch. */
export interface RescoreBatchJob {
  runId: string;
  leadIds: string[];
}

/** Leads per batch job: one transaction each, a few hundred milliseconds of row locks. */
export const RESCORE_BATCH_SIZE = 500;

// A run over a whole table pages it in one transaction: minutes, not the default 5 seconds.
const PLAN_TRANSACTION = { maxWait: 10_000, timeout: 10 * 60_000 };
const BATCH_TRANSACTION = { maxWait: 10_000, timeout: 60_000 };

interface RescoreDependencies {
  prisma: PrismaClient;
  jobs: PgBoss;
}

/**
 * Starts rescoring the leads `filter` selects with the active rule set and returns the run at
 * once; `total` is the count now, corrected by the planner to the leads it actually enqueued.
 */
export async function startRescore(
  dependencies: RescoreDependencies,
  filter: LeadFilter | null | undefined,
  requestedBy: string,
): Promise<RescoreRun> {
  const problems = leadFilterProblems(filter);
  if (problems.length > 0) {
    throw new ValidationError(
      problems.map(({ path, message }) => ({ path: `filter.${path}`, message })),
    );
  }
  const { prisma, jobs } = dependencies;
  const ruleSet = await ensureActiveRuleSet(prisma);
  const createdAt = new Date();
  const total = await prisma.lead.count({ where: leadWhere(filter, createdAt) });
  return prisma.$transaction(async (tx) => {
    const run = await tx.rescoreRun.create({
      data: {
        ruleSetId: ruleSet.id,
        filter: storableFilter(filter),
        total,
        requestedBy,
        createdAt,
      },
    });
    const job: PlanRescoreJob = { runId: run.id };
    await jobs.send(planRescoreQueue, job, { db: jobsExecutor(tx) });
    return run;
  });
}

/**
 * Enqueues a batch job per page of the run's leads and sets the run's total to their number, in
 * one transaction with the planner job's completion. A run with no leads succeeds here.
 */
export async function planRescore(
  dependencies: RescoreDependencies,
  job: JobAttempt & { data: PlanRescoreJob },
): Promise<void> {
  const { prisma, jobs } = dependencies;
  const { runId } = job.data;
  const run = await prisma.rescoreRun.findUnique({
    where: { id: runId },
    select: { state: true, filter: true, createdAt: true },
  });
  if (!run || run.state !== 'RUNNING') return;
  // The run's creation time stands for "now", so the planner selects what the caller counted.
  const where = leadWhere(storedFilter(run.filter), run.createdAt);
  await prisma.$transaction(async (tx) => {
    let total = 0;
    let after: string | null = null;
    for (;;) {
      const page: { id: string }[] = await tx.lead.findMany({
        where: after === null ? where : { AND: [where, { id: { gt: after } }] },
        orderBy: { id: 'asc' },
        take: RESCORE_BATCH_SIZE,
        select: { id: true },
      });
      if (page.length === 0) break;
      const batch: RescoreBatchJob = { runId, leadIds: page.map(({ id }) => id) };
      await jobs.insert(rescoreBatchQueue, [{ data: batch }], { db: jobsExecutor(tx) });
      total += page.length;
      after = page[page.length - 1]!.id;
      if (page.length < RESCORE_BATCH_SIZE) break;
    }
    await completeWithin(jobs, tx, planRescoreQueue, job);
    await tx.rescoreRun.update({
      where: { id: runId },
      data: total === 0 ? { total, state: 'SUCCEEDED', finishedAt: new Date() } : { total },
    });
    await publishEvent(tx, { type: 'rescore.progress', runId });
  }, PLAN_TRANSACTION);
}

/**
 * Scores one batch with the run's rule set and adds its counts to the run, in one transaction
 * with the batch job's completion. `changed` counts the leads whose class this batch changed; a
 * lead whose class stays is written if its score or version moved, but is not counted and runs no
 * automation. The batch that brings `processed` to `total` marks the run SUCCEEDED.
 */
export async function rescoreBatch(
  dependencies: RescoreDependencies,
  job: JobAttempt & { data: RescoreBatchJob },
): Promise<void> {
  const { prisma, jobs } = dependencies;
  const { runId, leadIds } = job.data;
  const run = await prisma.rescoreRun.findUnique({
    where: { id: runId },
    select: { ruleSetId: true },
  });
  if (!run) return;
  const ruleSet = await compiledRuleSet(prisma, run.ruleSetId);
  await prisma.$transaction(async (tx) => {
    const scorings = await scoreLeads(tx, jobs, leadIds, ruleSet);
    const failed = scorings.find((scoring) => scoring.outcome === 'failed');
    // The whole batch is retried: its counts must commit with all of its leads or with none.
    if (failed) throw failed.error;
    const changed = scorings.filter((scoring) => 'classChanged' in scoring && scoring.classChanged);
    await completeWithin(jobs, tx, rescoreBatchQueue, job);
    await tx.$executeRaw`
      UPDATE rescore_runs
      SET processed = processed + ${leadIds.length},
        changed = changed + ${changed.length},
        state = CASE WHEN state = 'RUNNING' AND processed + ${leadIds.length} >= total
          THEN 'SUCCEEDED'::"RescoreRunState" ELSE state END,
        "finishedAt" = CASE WHEN state = 'RUNNING' AND processed + ${leadIds.length} >= total
          THEN clock_timestamp() ELSE "finishedAt" END
      WHERE id = ${runId}::uuid`;
    await publishEvent(tx, { type: 'rescore.progress', runId });
  }, BATCH_TRANSACTION);
}

/**
 * Marks a run FAILED when one of its jobs gave up. Batches still queued go on and count, so the
 * run's numbers stay true; its state tells that some leads were not rescored.
 */
export async function failRescore(
  prisma: PrismaClient,
  runId: string,
  error: string,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.rescoreRun.updateMany({
      where: { id: runId, state: 'RUNNING' },
      data: { state: 'FAILED', error, finishedAt: new Date() },
    });
    if (count > 0) await publishEvent(tx, { type: 'rescore.progress', runId });
  });
}

/** The job's completion could not be recorded: this attempt no longer holds it. */
export class JobClaimLostError extends Error {
  override name = 'JobClaimLostError';
}

/**
 * Completes the attempt being run inside `tx`, so the work and the completion commit together.
 * Fenced to the attempt: if the job expired and was handed to another worker, nothing commits.
 */
async function completeWithin(
  jobs: PgBoss,
  tx: Transaction,
  queue: string,
  job: JobAttempt,
): Promise<void> {
  const attempt: JobAttempt = { id: job.id, retryCount: job.retryCount };
  const response = await jobs.complete(queue, attempt, null, { db: jobsExecutor(tx) });
  // pg-boss declares CommandResponse as {}; it resolves with { affected } (its docs' field).
  const { affected } = response as { affected?: number };
  if (affected !== 1) {
    throw new JobClaimLostError(`Job ${job.id} of ${queue} is no longer held by this attempt`);
  }
}

/** The filter as stored on the run: plain JSON, dates as ISO strings, absent fields left out. */
function storableFilter(filter: LeadFilter | null | undefined): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(filter ?? {})) as Prisma.InputJsonObject;
}

// Only the dates need reviving; every other LeadFilter field is JSON as it is, and passes through
// so that a filter field added later still reaches leadWhere.
const storedFilterSchema = z.looseObject({
  createdFrom: z.coerce.date().nullish(),
  createdTo: z.coerce.date().nullish(),
});

function storedFilter(json: Prisma.JsonValue): LeadFilter {
  return storedFilterSchema.parse(json);
}
