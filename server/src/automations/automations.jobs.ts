import type { Job, JobResult, PgBoss, Queue } from 'pg-boss';
import type { PrismaClient, Transaction } from '../db.ts';
import type { AutomationSettings } from '../generated/prisma/client.ts';
import { publishEvent } from '../events.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Logger } from '../logger.ts';
import { jobContext, runInContext } from '../observability/request-context.ts';
import { erasedRunSkipReason } from '../privacy/privacy.ts';
import type { FeatureJobs, WorkerDependencies } from '../worker.ts';
import {
  followUpDue,
  followUpDueQueue,
  readSettings,
  runAutomationQueue,
  scheduleFollowUp,
  sendRunJob,
  skipReason,
  type FollowUpDueJob,
  type RunAction,
  type RunAutomationJob,
  type RunPayload,
} from './automations.ts';
import { deliver, type DeliveryResult } from './delivery.ts';
import { isEmailAction, runEmailAction } from './email/email.ts';
import { sequenceStepDue, sequenceStepQueue, type SequenceStepJob } from './email/sequence.ts';
import { joinAudience } from './remarketing/remarketing.ts';
import { repairStuckRuns, repairStuckRunsQueue } from './stuck-runs.ts';

// Delivery retries are our own jobs, not pg-boss's retry: pg-boss's back-off has jitter and cannot
// wait for a receiver's Retry-After, so a failed attempt completes its job and sends the next
// attempt with startAfter, in the transaction that records the failure. pg-boss's single retry
// only covers a worker that died mid-attempt (its heartbeat stops): that attempt is repeated
// once, with the same delivery id. A run whose repeat died too is left RUNNING with no job;
// repairStuckRuns (below) finds it.
const queues: Queue[] = [
  {
    name: runAutomationQueue,
    retryLimit: 1,
    retryDelay: 5,
    // A live worker refreshes the heartbeat every 5 s while it delivers; a killed one stops, and
    // the next supervise sweep after 10 s hands the attempt to another worker. Expiry only bounds
    // a live attempt that hangs: WhatsApp sends one request per sales number, each up to the
    // request timeout.
    heartbeatSeconds: 10,
    expireInSeconds: 300,
    notify: true,
  },
  // The stuck-run sweep, every minute (one worker at a time runs each scheduled job).
  { name: repairStuckRunsQueue, retryLimit: 0, expireInSeconds: 120 },
  // Sent with startAfter = the follow-up time; the check is one short transaction.
  {
    name: followUpDueQueue,
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 60,
  },
  // Sent with startAfter = when a sequence step falls due; records the step's run and its job.
  {
    name: sequenceStepQueue,
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 60,
  },
];

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Automations' queue and handler (see worker.ts). */
export const automationsJobs: FeatureJobs = {
  queues,
  async register({ prisma, jobs, logger, env, metrics }: WorkerDependencies) {
    await jobs.work(
      runAutomationQueue,
      {
        // A retry's job waits in the queue with startAfter and no NOTIFY wakes anyone when that
        // time comes: the poll picks it up, so it stays short.
        pollingIntervalSeconds: 1,
        notifyPollingIntervalSeconds: 1,
        localConcurrency: env.AUTOMATIONS_CONCURRENCY,
        perJobResults: true,
      },
      async (batch: Job<RunAutomationJob>[]) => {
        const results: JobResult[] = [];
        for (const job of batch) {
          // Each attempt's log lines and next attempt carry the request its run came from.
          const run = () => runJob(prisma, jobs, logger, job, metrics);
          results.push(await runInContext(jobContext(job), run));
        }
        return results;
      },
    );
    await jobs.work(repairStuckRunsQueue, { pollingIntervalSeconds: 30 }, async () => {
      const repairs = await repairStuckRuns(prisma, jobs);
      if (repairs.length > 0) logger.warn({ repairs }, 'repaired automation runs left RUNNING');
      return { repaired: repairs.length };
    });
    await jobs.schedule(repairStuckRunsQueue, '* * * * *');
    await jobs.work(
      followUpDueQueue,
      { pollingIntervalSeconds: 5, notifyPollingIntervalSeconds: 5 },
      async ([job]: Job<FollowUpDueJob>[]) => {
        const outcome = await followUpDue(prisma, jobs, job!.data);
        logger.info({ leadId: job!.data.leadId, outcome }, 'follow-up due');
        return { outcome };
      },
    );
    await jobs.work(
      sequenceStepQueue,
      { pollingIntervalSeconds: 5, notifyPollingIntervalSeconds: 5 },
      async ([job]: Job<SequenceStepJob>[]) => {
        const { leadId, trigger, step } = job!.data ?? {};
        if (!uuid.test(String(leadId)) || typeof trigger !== 'string' || !Number.isInteger(step)) {
          logger.error(
            { jobId: job!.id, keys: Object.keys(job!.data ?? {}) },
            'email sequence job without a lead; dropped',
          );
          return { outcome: 'malformed payload' };
        }
        const outcome = await sequenceStepDue(prisma, jobs, job!.data);
        logger.info(
          { leadId: job!.data.leadId, step: job!.data.step, outcome },
          'email sequence step due',
        );
        return { outcome };
      },
    );
  },
};

async function runJob(
  prisma: PrismaClient,
  jobs: PgBoss,
  logger: Logger,
  job: Job<RunAutomationJob>,
  metrics?: Metrics,
): Promise<JobResult> {
  const { runId, attempt } = job.data ?? {};
  if (!uuid.test(String(runId)) || !Number.isInteger(attempt)) {
    // The keys only: a payload that is not ours may hold anything, personal data included.
    logger.error(
      { jobId: job.id, keys: Object.keys(job.data ?? {}) },
      'automation job without a run; dropped',
    );
    return { id: job.id, status: 'deadletter', output: { message: 'malformed payload' } };
  }
  const outcome = await runAutomation(
    prisma,
    jobs,
    { runId, attempt },
    job.retryCount > 0,
    metrics,
  );
  logger.info({ runId, attempt, outcome }, 'automation run attempt');
  return { id: job.id, status: 'completed', output: { outcome } };
}

/**
 * One attempt of a run: claim it, deliver, record the answer, schedule the next attempt or end
 * it. Safe to run twice: a run already claimed for this attempt is left alone, unless this job is
 * pg-boss's repeat of an attempt whose worker died (`repeat`), which delivers again with the same
 * delivery id.
 */
export async function runAutomation(
  prisma: PrismaClient,
  jobs: PgBoss,
  job: RunAutomationJob,
  repeat = false,
  metrics?: Metrics,
): Promise<string> {
  const claimed = await prisma.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ state: string; attempts: number; leadId: string }[]>`
      SELECT state::text, attempts, "leadId"::text FROM automation_runs
      WHERE id = ${job.runId}::uuid FOR UPDATE`;
    if (!run) return null;
    const fresh =
      (run.state === 'PENDING' || run.state === 'FAILED') && run.attempts === job.attempt - 1;
    const crashed = repeat && run.state === 'RUNNING' && run.attempts === job.attempt;
    if (!fresh && !crashed) return null;
    const updated = await tx.automationRun.update({
      where: { id: job.runId },
      data: {
        state: 'RUNNING',
        attempts: job.attempt,
        startedAt: new Date(),
        nextAttemptAt: null,
      },
    });
    await publishEvent(tx, { type: 'lead.changed', leadId: run.leadId, change: 'automation' });
    return updated;
  });
  if (!claimed) return 'nothing to do';

  const settings = await readSettings(prisma);
  const action = claimed.action as RunAction;
  const reason = skipReason(action, settings);
  let result: DeliveryResult | { kind: 'skipped'; reason: string };
  // What a delivered email commits with its SUCCEEDED state (the stored message, the next step).
  let afterDelivery: ((tx: Transaction) => Promise<void>) | null = null;
  if (reason) {
    result = { kind: 'skipped', reason };
  } else if (action === 'remarketing-list') {
    const outcome = await finishRemarketing(prisma, claimed.id, claimed.leadId, claimed.payload);
    metrics?.automationRuns.inc({
      action,
      outcome: outcome === 'skipped' ? 'SKIPPED' : 'SUCCEEDED',
    });
    return outcome;
  } else if (action === 'schedule-follow-up') {
    const outcome = await finishFollowUp(
      prisma,
      jobs,
      claimed.id,
      claimed.leadId,
      claimed.payload,
      settings,
    );
    metrics?.automationRuns.inc({
      action,
      outcome: outcome === 'skipped' ? 'SKIPPED' : 'SUCCEEDED',
    });
    return outcome;
  } else if (isEmailAction(action)) {
    try {
      ({ result, afterDelivery } = await runEmailAction({ prisma, jobs, run: claimed, settings }));
    } catch (error) {
      // The SMTP password no longer decrypts, or the template cannot render: not for a retry.
      result = {
        kind: 'rejected',
        status: 0,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  } else {
    try {
      result = await deliver({
        action,
        deliveryId: claimed.deliveryId,
        payload: claimed.payload as unknown as RunPayload,
        settings,
        alreadyDelivered: claimed.deliveredTo,
        onDelivered: (to) => recordDeliveredTo(prisma, claimed.id, to),
      });
    } catch (error) {
      // A secret that no longer decrypts (the key changed): retrying will not fix it.
      result = {
        kind: 'rejected',
        status: 0,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  const now = new Date();
  const state = await prisma.$transaction(async (tx) => {
    // eraseLead may have run while this attempt was out: the error of a failed attempt can quote
    // the lead, and a retry would send erased data. The share lock orders us with an erasure in
    // progress, which then clears what we write.
    const [lead] = await tx.$queryRaw<{ erased: boolean }[]>`
      SELECT "erasedAt" IS NOT NULL AS erased FROM leads
      WHERE id = ${claimed.leadId}::uuid FOR SHARE`;
    if (lead?.erased && result.kind !== 'delivered') {
      result = { kind: 'skipped', reason: erasedRunSkipReason };
    }
    let state: 'SKIPPED' | 'SUCCEEDED' | 'DEAD' | 'FAILED';
    const base = { responseStatus: 'status' in result ? result.status || null : null };
    if (result.kind === 'skipped') {
      await tx.automationRun.update({
        where: { id: claimed.id },
        data: { state: 'SKIPPED', skipReason: result.reason, finishedAt: now },
      });
      state = 'SKIPPED';
    } else if (result.kind === 'delivered') {
      await tx.automationRun.update({
        where: { id: claimed.id },
        data: { ...base, state: 'SUCCEEDED', lastError: null, finishedAt: now },
      });
      await afterDelivery?.(tx);
      state = 'SUCCEEDED';
    } else if (result.kind === 'rejected' || claimed.attempts >= claimed.maxAttempts) {
      await tx.automationRun.update({
        where: { id: claimed.id },
        data: { ...base, state: 'DEAD', lastError: result.error, finishedAt: now },
      });
      state = 'DEAD';
    } else {
      const delayMs =
        result.retryAfterMs ?? settings.retryDelaySeconds * 1_000 * 2 ** (claimed.attempts - 1);
      const nextAttemptAt = new Date(now.getTime() + delayMs);
      await tx.automationRun.update({
        where: { id: claimed.id },
        data: { ...base, state: 'FAILED', lastError: result.error, nextAttemptAt },
      });
      await sendRunJob(
        jobs,
        tx,
        { runId: claimed.id, attempt: claimed.attempts + 1 },
        nextAttemptAt,
      );
      state = 'FAILED';
    }
    await publishEvent(tx, { type: 'lead.changed', leadId: claimed.leadId, change: 'automation' });
    return state;
  });
  metrics?.automationRuns.inc({ action, outcome: state });
  return result.kind;
}

async function finishFollowUp(
  prisma: PrismaClient,
  jobs: PgBoss,
  runId: string,
  leadId: string,
  payload: unknown,
  settings: AutomationSettings,
): Promise<string> {
  return prisma.$transaction(async (tx) => {
    const outcome = await scheduleFollowUp(tx, jobs, payload as RunPayload, settings);
    const now = new Date();
    await tx.automationRun.update({
      where: { id: runId },
      data:
        'skipped' in outcome
          ? { state: 'SKIPPED', skipReason: outcome.skipped, finishedAt: now }
          : { state: 'SUCCEEDED', lastError: null, finishedAt: now },
    });
    await publishEvent(tx, { type: 'lead.changed', leadId, change: 'automation' });
    return 'skipped' in outcome ? 'skipped' : 'delivered';
  });
}

/** The remarketing-list action: joins the audience (or records why not) with its outcome. */
async function finishRemarketing(
  prisma: PrismaClient,
  runId: string,
  leadId: string,
  payload: unknown,
): Promise<string> {
  return prisma.$transaction(async (tx) => {
    const outcome = await joinAudience(tx, runId, payload as RunPayload);
    const now = new Date();
    await tx.automationRun.update({
      where: { id: runId },
      data:
        'skipped' in outcome
          ? { state: 'SKIPPED', skipReason: outcome.skipped, finishedAt: now }
          : { state: 'SUCCEEDED', lastError: null, finishedAt: now },
    });
    await publishEvent(tx, { type: 'lead.changed', leadId, change: 'automation' });
    return 'skipped' in outcome ? 'skipped' : 'delivered';
  });
}

/** Adds a WhatsApp number to the run's deliveredTo (once), committed on its own. */
async function recordDeliveredTo(prisma: PrismaClient, runId: string, to: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE automation_runs SET "deliveredTo" = array_append(coalesce("deliveredTo", '{}'), ${to})
    WHERE id = ${runId}::uuid AND NOT (${to} = ANY(coalesce("deliveredTo", '{}')))`;
}
