import { buildApp, type App } from '../src/app.ts';
import { shippedMigrations } from '../src/health/readiness.ts';
import { createJobs } from '../src/jobs.ts';
import { startEventBus } from '../src/events.ts';
import { createLogger } from '../src/logger.ts';
import { createQueues } from '../src/worker.ts';
import type { TestDatabase } from './database.ts';

export interface TestApp extends App {
  /** Stops the app and its job queue (not the database). */
  stop(): Promise<void>;
}

/** The real API over a test database, with a started pg-boss, ready for yoga.fetch or listen(). */
export async function startTestApp(
  database: TestDatabase,
  options: { expectedMigrations?: string[] } = {},
): Promise<TestApp> {
  const logger = createLogger('silent');
  const jobs = createJobs({ url: database.url, poolSize: 2, logger, maintain: false });
  let jobsStarted = false;
  await jobs.start();
  jobsStarted = true;
  await createQueues(jobs);
  const events = await startEventBus({ url: database.url, logger });
  const app = buildApp({
    database,
    jobs,
    events,
    jobsStarted: () => jobsStarted,
    expectedMigrations: options.expectedMigrations ?? (await shippedMigrations()),
    logger,
    graphiql: true,
    corsOrigins: ['http://dashboard.test'],
  });
  return {
    ...app,
    async stop() {
      await app.close(1_000);
      await events.close();
      await jobs.stop({ graceful: false, close: true });
      jobsStarted = false;
    },
  };
}
