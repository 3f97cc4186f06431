import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import type { TestDatabase } from './database.ts';

/** A test database whose Prisma client records every SQL statement it sends. */
export interface CountingDatabase extends TestDatabase {
  /** The statements sent since the last reset, in order. */
  readonly statements: readonly string[];
  /**
   * The same without each request's authentication and rate-limit statements (api_keys,
   * sessions, rate_limits), which are a fixed cost of every request: what a resolver costs.
   */
  readonly resolverStatements: readonly string[];
  /** Forgets the statements recorded so far. */
  reset(): void;
}

type QueryArgument = string | { text: string };

/**
 * Wraps a test database with a Prisma client of its own over a pool that records each
 * statement, for N+1 guards. Statements are recorded where node-postgres sends them, so they
 * include Prisma's own (transactions, relation loads) and raw SQL alike. drop() closes this
 * client, then drops the database.
 */
export function countStatements(database: TestDatabase): CountingDatabase {
  const statements: string[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  // As db.ts's pool does: a connection the server ends while idle is an event, not a crash. At
  // drop(), DROP DATABASE … WITH (FORCE) can end a connection pool.end() is still closing.
  pool.on('error', () => {});
  // Every pooled client passes through 'connect' once, before its first query: wrapping there
  // sees pool.query and checked-out clients alike.
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (...args: unknown[]) => {
        const first = args[0] as QueryArgument;
        statements.push(typeof first === 'string' ? first : first.text);
        return query(...args);
      },
    });
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    ...database,
    prisma,
    pool,
    get statements() {
      return statements;
    },
    get resolverStatements() {
      return statements.filter((text) => !/"(api_keys|sessions|rate_limits)"/.test(text));
    },
    reset() {
      statements.length = 0;
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
    async drop() {
      await prisma.$disconnect();
      await pool.end();
      await database.drop();
    },
  };
}
