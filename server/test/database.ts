import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';

export interface TestDatabase extends Database {
  url: string;
  /** Closes the pools and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = new URL(inject('templateDatabaseUrl'));
  const url = new URL(template);
  url.pathname = `/streamleads_test_${randomBytes(6).toString('hex')}`;
  const admin = new URL(template);
  admin.pathname = '/postgres';
  const name = url.pathname.slice(1);

  await adminQuery(admin.href, `CREATE DATABASE ${name} TEMPLATE ${template.pathname.slice(1)}`);
  const database = openDatabase({ url: url.href, poolSize: 5, logger: createLogger('silent') });
  return {
    ...database,
    url: url.href,
    async drop() {
      await database.close();
      await adminQuery(admin.href, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
