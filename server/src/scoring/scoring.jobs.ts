import type { Job, JobResult, JobWithMetadata, PgBoss, Queue } from 'pg-boss';
import type { PrismaClient } from '../db.ts';
import type { Logger } from '../logger.ts';
import { recordScorings } from '../metrics/scoring-metrics.ts';
import { jobContext, runInContext, runWithLeadJobs } from '../observability/request-context.ts';
import type { FeatureJobs, WorkerDependencies } from '../worker.ts';
import {
  failRescore,
  planRescore,
  planRescoreQueue,
  rescoreBatch,
  rescoreBatchQueue,
  type PlanRescoreJob,
  type RescoreBatchJob,
} from './rescore.ts';
import { activeCompiledRuleSet, ensureActiveRuleSet, type CompiledRuleSet } from './rule-sets.ts';
import { scoreLeadQueue, scoreLeads, type LeadScoring, type ScoreLeadJob } from './scoring.ts';

// Transient failures (a database restart, a lock timeout) are retried with exponential back-off,
// 2-4 s, then 4-8 s, ... up to 32-64 s: five retries ride out one to two minutes of outage.
const retries = { retryLimit: 5, retryDelay: 2, retryBackoff: true, retryDelayMax: 120 };

const queues: Queue[] = [
  // A batch of SCORING_BATCH_SIZE leads takes milliseconds; two minutes means a stuck worker.
  // The heartbeat (pg-boss's minimum, refreshed every 5 s while a batch runs) hands the batch of a
  // worker killed mid-batch to another worker after 10 s plus a supervise sweep, not after the
  // expiry: scoring is idempotent, so a batch that had committed just rescores as unchanged.
  { name: scoreLeadQueue, ...retries, expireInSeconds: 120, heartbeatSeconds: 10, notify: true },
  // Paging a large table and enqueuing its batches can take a while.
  { name: planRescoreQueue, ...retries, expireInSeconds: 900, notify: true },
  { name: rescoreBatchQueue, ...retries, expireInSeconds: 300, notify: true },
];

// Jobs wake workers through NOTIFY; polling is the backstop, and the only way a retry whose delay
// has passed gets picked up, so it stays short.
const polling = { notifyPollingIntervalSeconds: 5, pollingIntervalSeconds: 2 };

/** Batch jobs of a rescore one worker fetches at once (each is RESCORE_BATCH_SIZE leads). */
const RESCORE_JOBS_PER_FETCH = 4;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Scoring's queues and handlers (see worker.ts). */
export const scoringJobs: FeatureJobs = {
  queues,
  async register({ prisma, jobs, logger, env, metrics }: WorkerDependencies) {
    // Version 1 exists before the first lead needs it.
    await ensureActiveRuleSet(prisma);
    await jobs.work(
      scoreLeadQueue,
      {
        ...polling,
        batchSize: env.SCORING_BATCH_SIZE,
        localConcurrency: env.SCORING_CONCURRENCY,
        // While fetches come back full there is a backlog: fetch again at once.
        burstWhenBatchFull: true,
        perJobResults: true,
      },
      async (batch: Job<ScoreLeadJob>[]) => {
        const results = await scoreLeadBatch({ prisma, jobs }, logger, batch);
        if (metrics) await recordScorings(prisma, metrics, logger, results.scorings);
        return results.jobs;
      },
    );
    await jobs.work(
      planRescoreQueue,
      { ...polling, includeMetadata: true, perJobResults: true },
      (batch: JobWithMetadata<PlanRescoreJob>[]) =>
        runRescoreJobs(prisma, logger, batch, (job) => planRescore({ prisma, jobs }, job)),
    );
    await jobs.work(
      rescoreBatchQueue,
      {
        ...polling,
        includeMetadata: true,
        perJobResults: true,
        // A worker sleeps for its polling interval after every fetch unless the fetch came back
        // full, so it fetches a few batch jobs at a time and bursts through a run's backlog.
        batchSize: RESCORE_JOBS_PER_FETCH,
        burstWhenBatchFull: true,
        localConcurrency: env.SCORING_CONCURRENCY,
      },
      (batch: JobWithMetadata<RescoreBatchJob>[]) =>
        runRescoreJobs(prisma, logger, batch, (job) => rescoreBatch({ prisma, jobs }, job)),
    );
  },
};

/**
 * Scores a batch of `scoring.score-lead` jobs with the active rule set and settles each job on its
 * own: a lead that cannot be scored fails (and is retried) alone. The batch is written in one
 * transaction; if that transaction fails, each lead gets a transaction of its own, so one lead
 * whose write fails does not hold back the others.
 */
/** What scoring writes through: the database, and pg-boss for the automations it enqueues. */
interface ScoringWrites {
  prisma: PrismaClient;
  jobs: PgBoss;
}

async function scoreLeadBatch(
  { prisma, jobs }: ScoringWrites,
  logger: Logger,
  batch: Job<ScoreLeadJob>[],
): Promise<{ jobs: JobResult[]; scorings: LeadScoring[] }> {
  const malformed = batch.filter((job) => !uuid.test(String(job.data?.leadId)));
  const valid = batch.filter((job) => !malformed.includes(job));
  const ruleSet = await activeCompiledRuleSet(prisma);
  const leadIds = valid.map((job) => job.data.leadId);
  // The batch holds leads of many requests: each lead's automations are sent under its own.
  const scorings = await runWithLeadJobs(
    valid,
    (job) => job.data.leadId,
    async () => {
      try {
        return await prisma.$transaction((tx) => scoreLeads(tx, jobs, leadIds, ruleSet));
      } catch (error) {
        logger.warn(
          { err: error, leads: leadIds.length },
          'scoring batch failed; scoring its leads one by one',
        );
        return scoreOneByOne({ prisma, jobs }, leadIds, ruleSet);
      }
    },
  );
  const byLead = new Map(scorings.map((scoring) => [scoring.leadId, scoring]));
  const results = [
    ...malformed.map((job): JobResult => {
      // The keys only: a payload that is not ours may hold anything, personal data included.
      logger.error(
        { jobId: job.id, keys: Object.keys(job.data ?? {}) },
        'scoring job without a lead id; dropped',
      );
      // Retrying cannot fix the payload: fail it for good.
      return { id: job.id, status: 'deadletter', output: { message: 'leadId is not a UUID' } };
    }),
    ...valid.map((job) =>
      runInContext(jobContext(job), () => settle(logger, job, byLead.get(job.data.leadId)!)),
    ),
  ];
  return { jobs: results, scorings };
}

// Several leads failing in a row point at the database rather than at the leads: the rest of the
// batch then fails at once instead of waiting for a connection lead by lead.
const CONSECUTIVE_FAILURES_TO_STOP = 3;

async function scoreOneByOne(
  { prisma, jobs }: ScoringWrites,
  leadIds: string[],
  ruleSet: CompiledRuleSet,
): Promise<LeadScoring[]> {
  const scorings: LeadScoring[] = [];
  let failuresInARow = 0;
  let lastError: unknown = null;
  for (const leadId of new Set(leadIds)) {
    if (failuresInARow >= CONSECUTIVE_FAILURES_TO_STOP) {
      scorings.push({ leadId, outcome: 'failed', error: lastError });
      continue;
    }
    try {
      const [scoring] = await prisma.$transaction((tx) => scoreLeads(tx, jobs, [leadId], ruleSet));
      scorings.push(scoring!);
      failuresInARow = 0;
    } catch (error) {
      scorings.push({ leadId, outcome: 'failed', error });
      failuresInARow += 1;
      lastError = error;
    }
  }
  return scorings;
}

function settle(logger: Logger, job: Job<ScoreLeadJob>, scoring: LeadScoring): JobResult {
  const { leadId } = job.data;
  switch (scoring.outcome) {
    case 'failed':
      logger.warn({ err: scoring.error, leadId, attempt: job.retryCount }, 'scoring a lead failed');
      // The message only: the job row is visible to operators, never to API clients.
      return { id: job.id, status: 'failed', output: { message: errorMessage(scoring.error) } };
    case 'deleted':
      logger.info({ leadId }, 'lead deleted before its scoring; nothing to do');
      return { id: job.id, status: 'completed', output: { outcome: 'deleted' } };
    default:
      logger.info(
        {
          leadId,
          outcome: scoring.outcome,
          previousStatus: scoring.previousStatus,
          status: scoring.status,
        },
        'lead scored',
      );
      return {
        id: job.id,
        status: 'completed',
        output: {
          outcome: scoring.outcome,
          previousStatus: scoring.previousStatus,
          status: scoring.status,
        },
      };
  }
}

/**
 * Runs planner or batch jobs one after another, each settled on its own. When a job's last attempt
 * fails, its run is marked FAILED with a message meant for people (the cause goes to the log, not
 * to API clients).
 */
async function runRescoreJobs<T extends PlanRescoreJob | RescoreBatchJob>(
  prisma: PrismaClient,
  logger: Logger,
  batch: JobWithMetadata<T>[],
  work: (job: JobWithMetadata<T>) => Promise<void>,
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const job of batch) {
    try {
      await runInContext(jobContext(job), () => work(job));
      results.push({ id: job.id, status: 'completed' });
    } catch (error) {
      const lastAttempt = job.retryCount >= job.retryLimit;
      logger.warn(
        {
          err: error,
          queue: job.name,
          runId: job.data.runId,
          attempt: job.retryCount,
          lastAttempt,
        },
        'rescore job failed',
      );
      if (lastAttempt) {
        await failRescore(
          prisma,
          job.data.runId,
          `Some leads could not be rescored after ${job.retryCount + 1} attempts; the worker log has the cause`,
        );
      }
      results.push({ id: job.id, status: 'failed', output: { message: errorMessage(error) } });
    }
  }
  return results;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
