import type { PgBoss } from 'pg-boss';
import type { PrismaClient } from './db.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/metrics.ts';

/** What every resolver receives. Built per request (HTTP) or per operation (WebSocket). */
export interface Context {
  prisma: PrismaClient;
  jobs: PgBoss;
  logger: Logger;
  /** Events from every process (LISTEN/NOTIFY), for subscriptions and awaitScoring. */
  events: EventBus;
  /** This process's Prometheus metrics. */
  metrics?: Metrics;
  /** The HTTP request, for headers such as Idempotency-Key; absent for WebSocket operations. */
  request?: Request;
}
