import { buildApp, graphqlPath } from './app.ts';
import { openDatabase } from './db.ts';
import { corsOrigins, rateLimits, type Env } from './env.ts';
import { shippedMigrations } from './health/readiness.ts';
import { createJobs } from './jobs.ts';
import { createMetrics, serveMetrics } from './metrics/metrics.ts';
import type { Logger } from './logger.ts';
import { startEventBus } from './events.ts';
import { createQueues, startWorkers } from './worker.ts';
import { ensureFirstAdmin } from './access/users.ts';

/** api: HTTP + WebSocket; worker: pg-boss handlers; all: both in one process (the default). */
export const roles = ['api', 'worker', 'all'] as const;
export type Role = (typeof roles)[number];

export interface RunningServer {
  /** Base URL of the API (absent for a worker-only process). */
  apiUrl: string | null;
  graphqlUrl: string | null;
  /** Graceful stop: stop accepting, finish in-flight requests and jobs, close pools. */
  stop(): Promise<void>;
}

export async function startServer(options: {
  env: Env;
  databaseUrl: string;
  role: Role;
  logger: Logger;
}): Promise<RunningServer> {
  const { env, role, logger } = options;
  const servesApi = role !== 'worker';
  const runsWorkers = role !== 'api';

  const database = openDatabase({
    url: options.databaseUrl,
    poolSize: env.DATABASE_POOL_SIZE,
    logger,
  });
  const jobs = createJobs({
    url: options.databaseUrl,
    poolSize: env.JOBS_POOL_SIZE,
    logger,
    maintain: runsWorkers,
    superviseIntervalSeconds: env.JOBS_SUPERVISE_INTERVAL_SECONDS,
  });
  // One registry per process: in role all, the API's /metrics also shows the worker's counters.
  const metrics = createMetrics({ pool: database.pool });
  let jobsStarted = false;
  jobs.on('stopped', () => (jobsStarted = false));
  await jobs.start();
  jobsStarted = true;
  await createQueues(jobs);
  if (runsWorkers)
    await startWorkers({
      prisma: database.prisma,
      pool: database.pool,
      jobs,
      logger,
      env,
      metrics,
    });

  if (servesApi) {
    await ensureFirstAdmin(
      database.prisma,
      { email: env.STREAMLEADS_ADMIN_EMAIL, password: env.STREAMLEADS_ADMIN_PASSWORD },
      logger,
    );
  }
  const events = servesApi ? await startEventBus({ url: options.databaseUrl, logger }) : null;
  const app = events
    ? buildApp({
        database,
        jobs,
        events,
        jobsStarted: () => jobsStarted,
        expectedMigrations: await shippedMigrations(),
        logger,
        exploration: env.NODE_ENV === 'production' ? 'authenticated' : 'open',
        corsOrigins: corsOrigins(env),
        rateLimits: rateLimits(env),
        trustProxyHops: env.TRUST_PROXY,
        maxRequestBodyBytes: env.MAX_REQUEST_BODY_BYTES,
        maxUploadBytes: env.MAX_UPLOAD_BYTES,
        metrics,
      })
    : null;
  const apiUrl = app ? await app.listen(env.PORT, env.HOST) : null;
  const metricsServer = app ? null : await serveMetrics(metrics, env.METRICS_PORT, env.HOST);
  logger.info({ role, apiUrl, metricsUrl: metricsServer?.url }, 'StreamLeads started');

  return {
    apiUrl,
    graphqlUrl: apiUrl && `${apiUrl}${graphqlPath}`,
    async stop() {
      logger.info({ role }, 'StreamLeads stopping');
      await app?.close(env.SHUTDOWN_TIMEOUT_MS);
      await metricsServer?.close();
      await events?.close();
      // graceful: active jobs get the timeout to finish; unfinished ones return to the queue.
      await jobs.stop({ graceful: true, timeout: env.SHUTDOWN_TIMEOUT_MS, close: true });
      await database.close();
      logger.info({ role }, 'StreamLeads stopped');
    },
  };
}

/** Runs `stop` on the first SIGINT/SIGTERM and exits 0; a second signal exits at once. */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
