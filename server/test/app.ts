import type { RateLimitSettings } from '../src/access/access-control.ts';
import { createApiKey } from '../src/access/api-keys.ts';
import { buildApp, type App } from '../src/app.ts';
import { shippedMigrations } from '../src/health/readiness.ts';
import { createJobs } from '../src/jobs.ts';
import { startEventBus } from '../src/events.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { createQueues } from '../src/worker.ts';
import type { TestDatabase } from './database.ts';

export interface TestApp extends App {
  /** An API key with the admin scope, made for this app's database. */
  adminKey: string;
  /** How records name the admin key (statusOverrideBy, createdBy...). */
  adminLabel: string;
  /** `Authorization: Bearer <adminKey>`: spread into a request's headers to call as admin. */
  adminHeaders: { authorization: string };
  /** Stops the app and its job queue (not the database). */
  stop(): Promise<void>;
}

/** Limits high enough that no functional test meets them; limit tests pass their own. */
export const generousRateLimits: RateLimitSettings = {
  perKeyPerMinute: 1_000_000,
  perUserPerMinute: 1_000_000,
  perIpPerMinute: 1_000_000,
  signInFailures: 5,
  signInLockoutMinutes: 15,
};

/** The real API over a test database, with a started pg-boss, ready for yoga.fetch or listen(). */
export async function startTestApp(
  database: TestDatabase,
  options: {
    expectedMigrations?: string[];
    rateLimits?: RateLimitSettings;
    exploration?: 'open' | 'authenticated';
    logger?: Logger;
    socketRecheckMs?: number;
  } = {},
): Promise<TestApp> {
  const logger = options.logger ?? createLogger('silent');
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
    exploration: options.exploration ?? 'open',
    corsOrigins: ['http://dashboard.test'],
    rateLimits: options.rateLimits ?? generousRateLimits,
    trustProxyHops: 0,
    maxRequestBodyBytes: 1_048_576,
    maxUploadBytes: 67_108_864,
    socketRecheckMs: options.socketRecheckMs,
  });
  const { key: adminKey, record: adminRecord } = await createApiKey(database.prisma, {
    name: 'test admin',
    scopes: ['admin'],
  });
  return {
    ...app,
    adminKey,
    adminLabel: `key test admin (${adminRecord.prefix}…)`,
    adminHeaders: { authorization: `Bearer ${adminKey}` },
    async stop() {
      await app.close(1_000);
      await events.close();
      await jobs.stop({ graceful: false, close: true });
      jobsStarted = false;
    },
  };
}
