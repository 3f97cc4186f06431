import { z } from 'zod';
import type { RateLimitSettings } from './access/access-control.ts';

const port = z.coerce.number().int().min(1).max(65535);

/** Every environment variable StreamLeads reads. This module is the only reader of process.env. */
const envSchema = z.object({
  /** development, test or production. Production hides GraphiQL's defaults and tightens logs. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /**
   * PostgreSQL connection string. Unset: `pnpm start` runs an embedded PostgreSQL under
   * STREAMLEADS_DATA_DIR. The api and worker entry points require it.
   */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Connections in the API's / worker's Prisma pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Connections pg-boss keeps for sending, fetching and its maintenance. */
  JOBS_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(4),
  /**
   * How often worker processes return the jobs of a dead worker (one killed mid-batch) to the
   * queue: a job whose heartbeat stopped is retried at the next sweep after its heartbeat timeout.
   */
  JOBS_SUPERVISE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** Interface the API listens on. Docker images set 0.0.0.0. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the GraphQL API (HTTP and WebSocket on the same port). */
  PORT: port.default(4000),
  /**
   * Browser origins allowed to call the API with credentials (comma-separated), e.g. the
   * dashboard's. Default: the dashboard under `pnpm start` (localhost and 127.0.0.1 on
   * DASHBOARD_PORT) and the dashboard's dev server (localhost:5173).
   */
  CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ })))
    .optional(),
  /**
   * Port where a worker-only process (role worker) serves Prometheus metrics on /metrics, on
   * HOST. API processes serve /metrics on PORT instead.
   */
  METRICS_PORT: port.default(9464),
  /** Port of the dashboard started by `pnpm start`. */
  DASHBOARD_PORT: port.default(3000),
  /** Where `pnpm start` keeps the embedded PostgreSQL's data. Default: <repo>/.data/pg. */
  STREAMLEADS_DATA_DIR: z.string().min(1).optional(),
  /** Port of the embedded PostgreSQL (not 5432, which a system server may hold). */
  EMBEDDED_PG_PORT: port.default(54329),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Tests only: a PostgreSQL server where the test run may create and drop databases. Falls back
   * to DATABASE_URL, then to an embedded PostgreSQL under <repo>/.data/test-pg.
   */
  TEST_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** How long SIGTERM waits for in-flight requests and jobs before closing anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * Scoring jobs a worker fetches at once. Each batch is scored in one transaction, so larger
   * batches mean fewer round trips and longer row locks.
   */
  SCORING_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(50),
  /**
   * Scoring batches one worker process runs at the same time (and as many bulk-rescore batches).
   * Each holds a database connection while it writes: keep it below DATABASE_POOL_SIZE.
   */
  SCORING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * The shortest time between two live stats messages (the leadStatsUpdated subscription) while
   * leads change: a burst of scored leads is coalesced into one message per interval.
   */
  LIVE_METRICS_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /**
   * Key that encrypts integration secrets (Slack webhook URL, n8n signing secret, WhatsApp token)
   * with AES-256-GCM: 32 random bytes in base64 (`openssl rand -base64 32`). Required in
   * production; `pnpm start` creates one under the data directory when unset (.data/secret-key).
   */
  STREAMLEADS_SECRET_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, {
      message: 'must be 32 bytes in base64 (openssl rand -base64 32)',
    })
    .optional(),
  /** Automation runs (Slack, n8n, WhatsApp deliveries) one worker process runs at the same time. */
  AUTOMATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * The first admin, created on start when no user exists yet (then these are ignored). Nothing
   * ships with a default password: without them, create one with `pnpm user:create`.
   */
  STREAMLEADS_ADMIN_EMAIL: z.email().optional(),
  /** The first admin's password: at least 12 characters. Change it after the first sign-in. */
  STREAMLEADS_ADMIN_PASSWORD: z.string().min(12).max(256).optional(),
  /** Requests per minute one API key may send, across every API instance. */
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(600),
  /** Requests per minute one signed-in person may send, across every API instance. */
  RATE_LIMIT_PER_USER: z.coerce.number().int().min(1).default(600),
  /**
   * Requests per minute from one address without credentials or with a publishable
   * (leads:create only) key: a form's visitors, sign-in attempts.
   */
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(60),
  /** Failed sign-ins in a row that lock an account's email... */
  SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** ...for this many minutes. */
  SIGN_IN_LOCKOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /**
   * Reverse proxies (load balancers) in front of the API. With 1 or more, the client address for
   * per-IP limits comes from X-Forwarded-For, and X-Forwarded-Proto: https marks cookies Secure.
   * Leave 0 when clients reach the API directly, or they could forge their address.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Larger GraphQL request bodies are refused with 413. 4 MiB leaves room for a 2 MiB nurture PDF
   * sent base64-encoded; ordinary operations are a few kilobytes.
   */
  MAX_REQUEST_BODY_BYTES: z.coerce.number().int().min(1_024).default(4_194_304),
  /**
   * Larger multipart uploads (CSV imports) are refused with 413. Only requests carrying
   * credentials get more than MAX_REQUEST_BODY_BYTES. 100,000 CSV rows take about 10 MB.
   */
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1_024).default(67_108_864),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses the given variables (process.env by default) or throws one message per bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const blankAsUnset = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(blankAsUnset);
  if (
    parsed.success &&
    parsed.data.NODE_ENV === 'production' &&
    !parsed.data.STREAMLEADS_SECRET_KEY
  ) {
    throw new EnvError(
      'Invalid environment:\n  STREAMLEADS_SECRET_KEY: required in production (openssl rand -base64 32)',
    );
  }
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
}

/** The origins allowed by CORS: CORS_ORIGINS, or the dashboard's local addresses. */
export function corsOrigins(env: Env): string[] {
  return (
    env.CORS_ORIGINS ?? [
      `http://localhost:${env.DASHBOARD_PORT}`,
      `http://127.0.0.1:${env.DASHBOARD_PORT}`,
      'http://localhost:5173',
    ]
  );
}

/** Rate limits as the app takes them. */
export function rateLimits(env: Env): RateLimitSettings {
  return {
    perKeyPerMinute: env.RATE_LIMIT_PER_KEY,
    perUserPerMinute: env.RATE_LIMIT_PER_USER,
    perIpPerMinute: env.RATE_LIMIT_PER_IP,
    signInFailures: env.SIGN_IN_MAX_FAILURES,
    signInLockoutMinutes: env.SIGN_IN_LOCKOUT_MINUTES,
  };
}

/** The names of every variable, for documentation checks. */
export const envVariableNames = Object.keys(envSchema.shape);
