// A run whose worker died mid-attempt stays RUNNING. pg-boss repeats that attempt once (the job's
// heartbeat stops, see automations.jobs.ts); if the repeat dies too, or its job is gone, nothing
// would ever touch the run again. This sweep finds such runs and gives them their next attempt
// (same delivery id), or ends them DEAD when they have none left.
import type { PgBoss } from 'pg-boss';
import type { PrismaClient } from '../db.ts';
import { publishEvent } from '../events.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { jobsSchema } from '../jobs.ts';
import { bilingualTemplate } from '../localization/catalog.ts';
import { runAutomationQueue, sendRunJob } from './automations.ts';

/** Queue of the periodic sweep (a pg-boss schedule, every minute). */
export const repairStuckRunsQueue = 'automations.repair-stuck-runs';

/**
 * How long a run may stay RUNNING before the sweep looks at it: past the delivery job's expiry
 * (300 s), so a slow attempt whose worker is alive is never taken for a dead one.
 */
export const stuckAfterSeconds = 360;

/** The lastError of a repaired run, shown to people in their language. */
const workerStopped = bilingualTemplate<'attempt'>(
  'The worker stopped during attempt {attempt}; no answer was recorded',
  'O processo de envio parou durante a tentativa {attempt}; nenhuma resposta foi registrada',
);

/** What the sweep did, per run. */
export interface StuckRunRepair {
  runId: string;
  outcome: 'requeued' | 'dead';
}

/**
 * Repairs runs RUNNING since before `stuckAfterSeconds` ago that no delivery job will pick up
 * again (none created, waiting for a retry or active). Safe to run twice and from several
 * workers: each run is locked and re-checked, and a repaired run is no longer RUNNING.
 */
export async function repairStuckRuns(
  prisma: PrismaClient,
  jobs: PgBoss,
  now = new Date(),
): Promise<StuckRunRepair[]> {
  const cutoff = new Date(now.getTime() - stuckAfterSeconds * 1_000);
  const candidates = await prisma.automationRun.findMany({
    where: { state: 'RUNNING', startedAt: { lt: cutoff } },
    select: { id: true },
    orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
    take: 500,
  });
  const repairs: StuckRunRepair[] = [];
  for (const { id } of candidates) {
    const repair = await repairRun(prisma, jobs, id, cutoff);
    if (repair) repairs.push(repair);
  }
  return repairs;
}

async function repairRun(
  prisma: PrismaClient,
  jobs: PgBoss,
  runId: string,
  cutoff: Date,
): Promise<StuckRunRepair | null> {
  return prisma.$transaction(async (tx) => {
    // SKIP LOCKED: a worker finishing this very run holds the lock, and then it is not stuck.
    const [run] = await tx.$queryRaw<
      { attempts: number; maxAttempts: number; leadId: string; live: boolean }[]
    >`
      SELECT r.attempts, r."maxAttempts", r."leadId"::text,
             EXISTS (
               SELECT 1 FROM ${Prisma.raw(`${jobsSchema}.job`)} j
               WHERE j.name = ${runAutomationQueue} AND j.data->>'runId' = r.id::text
                 AND j.state IN ('created', 'retry', 'active')
             ) AS live
      FROM automation_runs r
      WHERE r.id = ${runId}::uuid AND r.state = 'RUNNING' AND r."startedAt" < ${cutoff}
      FOR UPDATE OF r SKIP LOCKED`;
    if (!run || run.live) return null;
    const lastError = workerStopped({ attempt: run.attempts });
    const now = new Date();
    let outcome: StuckRunRepair['outcome'];
    if (run.attempts < run.maxAttempts) {
      await tx.automationRun.update({
        where: { id: runId },
        data: { state: 'FAILED', lastError, nextAttemptAt: now },
      });
      await sendRunJob(jobs, tx, { runId, attempt: run.attempts + 1 });
      outcome = 'requeued';
    } else {
      await tx.automationRun.update({
        where: { id: runId },
        data: { state: 'DEAD', lastError, finishedAt: now },
      });
      outcome = 'dead';
    }
    await publishEvent(tx, { type: 'lead.changed', leadId: run.leadId, change: 'automation' });
    return { runId, outcome };
  });
}
