import { PrismaPg } from '@prisma/adapter-pg';
import type { Db } from 'pg-boss';
import pg from 'pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';
import type { Logger } from './logger.ts';

export type { PrismaClient };
/** A Prisma interactive transaction. */
export type Transaction = Prisma.TransactionClient;

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
    // Prisma's pg adapter sends and reads timestamps without a zone, so a session in another
    // TimeZone would shift every date by its offset. Pin UTC whatever the server's default.
    // JIT off: our statements are short, but per-lead lookups over a range (pipelineStats) are
    // costed high enough to be compiled, and at 100,000 leads compiling took 0.5-0.7 s of a
    // statement that runs in 0.1-0.26 s without it.
    options: '-c TimeZone=UTC -c jit=off',
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

/**
 * Lets pg-boss write its job rows through a Prisma transaction (its `db` option), so a job is
 * enqueued in the same commit as the rows it is about: never a job without its row, never a row
 * without its job.
 */
export function jobsExecutor(tx: Transaction): Db {
  return {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values),
    }),
  };
}
