import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';
import type { Logger } from './logger.ts';

export type { PrismaClient };

export interface Database {
  prisma: PrismaClient;
  /** The pool under Prisma, for the few statements Prisma cannot express (readiness, NOTIFY). */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Opens the Prisma client over a node-postgres pool. Nothing connects until the first query. */
export function openDatabase(options: { url: string; poolSize: number; logger: Logger }): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // A database restart must surface as a fast error, not a request that hangs.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client that loses its server emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection lost'));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
