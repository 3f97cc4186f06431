// The worker half of StreamLeads inside a test process: a pg-boss instance on the test database
// running the handlers of the features a test needs, as `main.ts worker` runs all of them.
import type { PgBoss } from 'pg-boss';
import { loadEnv } from '../src/env.ts';
import { createJobs } from '../src/jobs.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import type { Metrics } from '../src/metrics/metrics.ts';
import type { FeatureJobs, WorkerDependencies } from '../src/worker.ts';
import type { TestDatabase } from './database.ts';

export interface TestWorkerOptions {
  /** Where handlers log; silent by default. */
  logger?: Logger;
  /** Environment overrides; scoring runs in batches of 50, two at a time, unless given. */
  env?: Record<string, string>;
  /** The registry handlers count into (an app's, to read both halves from one /metrics). */
  metrics?: Metrics;
}

/** What a feature's `register` receives in a test: the test database, `jobs`, and the options. */
export function testWorkerDependencies(
  database: TestDatabase,
  jobs: PgBoss,
  options: TestWorkerOptions = {},
): WorkerDependencies {
  return {
    prisma: database.prisma,
    pool: database.pool,
    jobs,
    logger: options.logger ?? createLogger('silent'),
    env: loadEnv({ SCORING_BATCH_SIZE: '50', SCORING_CONCURRENCY: '2', ...options.env }),
    ...(options.metrics && { metrics: options.metrics }),
  };
}

/**
 * Starts a pg-boss worker (no maintenance: the test's own schedule) running `features`' handlers.
 * Stop it with `stop({ graceful: false, close: true })`.
 */
export async function startTestWorker(
  database: TestDatabase,
  features: readonly FeatureJobs[],
  options: TestWorkerOptions & { poolSize?: number } = {},
): Promise<PgBoss> {
  const logger = options.logger ?? createLogger('silent');
  const jobs = createJobs({
    url: database.url,
    poolSize: options.poolSize ?? 4,
    logger,
    maintain: false,
  });
  await jobs.start();
  const dependencies = testWorkerDependencies(database, jobs, { ...options, logger });
  for (const feature of features) await feature.register(dependencies);
  return jobs;
}
