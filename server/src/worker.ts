import type pg from 'pg';
import type { PgBoss, Queue } from 'pg-boss';
import type { PrismaClient } from './db.ts';
import type { Env } from './env.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/metrics.ts';
import { automationsJobs } from './automations/automations.jobs.ts';
import { inboundJobs } from './inbound/inbound.jobs.ts';
import { leadStatsJobs } from './leads/lead-stats.jobs.ts';
import { scoringJobs } from './scoring/scoring.jobs.ts';

/** What job handlers receive besides their job. */
export interface WorkerDependencies {
  prisma: PrismaClient;
  /** The pool under Prisma, for the hot paths written in plain SQL (see leads/submission-write.ts). */
  pool: pg.Pool;
  jobs: PgBoss;
  logger: Logger;
  /** The validated environment, for the features' worker settings (batch sizes, concurrency). */
  env: Env;
  /** This process's Prometheus metrics, counted where the work happens. */
  metrics?: Metrics;
}

/** A feature's background work: its queues (created by every process) and its handlers. */
export interface FeatureJobs {
  queues: Queue[];
  /** Registers the handlers; runs only in worker processes. */
  register(dependencies: WorkerDependencies): Promise<void>;
}

/** Every feature with background work adds its `*.jobs.ts` export here. */
const features: FeatureJobs[] = [automationsJobs, inboundJobs, leadStatsJobs, scoringJobs];

/**
 * Creates every queue (idempotent). API processes need them too: pg-boss refuses to send to a
 * queue that does not exist.
 */
export async function createQueues(jobs: PgBoss): Promise<void> {
  const existing = new Set((await jobs.getQueues()).map((queue) => queue.name));
  for (const {
    name,
    policy: _fixedAtCreation,
    partition: _alsoFixed,
    ...options
  } of features.flatMap((feature) => feature.queues)) {
    if (existing.has(name)) await jobs.updateQueue(name, options);
    else
      await jobs.createQueue(name, { policy: _fixedAtCreation, partition: _alsoFixed, ...options });
  }
}

export async function startWorkers(dependencies: WorkerDependencies): Promise<void> {
  for (const feature of features) await feature.register(dependencies);
}
