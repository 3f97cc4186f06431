import type { PgBoss } from 'pg-boss';
import type { PrismaClient } from './db.ts';
import type { Logger } from './logger.ts';

/** What every resolver receives. Built per request (HTTP) or per operation (WebSocket). */
export interface Context {
  prisma: PrismaClient;
  jobs: PgBoss;
  logger: Logger;
}
