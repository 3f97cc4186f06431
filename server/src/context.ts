import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { AccessControl } from './access/access-control.ts';
import type { Principal } from './access/principal.ts';
import type { PrismaClient } from './db.ts';
import type { EventBus } from './events.ts';
import type { Locale } from './localization/locale.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/metrics.ts';

/** What every resolver receives. Built per request (HTTP) or per operation (WebSocket). */
export interface Context {
  prisma: PrismaClient;
  /** The pool under Prisma, for the hot paths written in plain SQL (see leads/submission-write.ts). */
  pool: pg.Pool;
  jobs: PgBoss;
  logger: Logger;
  /** Events from every process (LISTEN/NOTIFY), for subscriptions and awaitScoring. */
  events: EventBus;
  /** This process's Prometheus metrics. */
  metrics?: Metrics;
  /** The HTTP request, for headers such as Idempotency-Key; absent for WebSocket operations. */
  request?: Request;
  /** Who is calling, resolved from the session cookie or API key of this request or socket. */
  principal: Principal;
  /** The language messages for people are worded in, from Accept-Language (English by default). */
  locale: Locale;
  /** The caller's address (the proxy's client address when TRUST_PROXY says so). */
  ip: string | null;
  /** Sessions, cookies, rate limits: what access-related resolvers need beyond the principal. */
  access: AccessControl;
  /** Sets (token) or clears (null) the session cookie on the HTTP response; no-op over WebSocket. */
  setSessionCookie(token: string | null): void;
}
