// Runs once per `vitest run`: finds a PostgreSQL server (TEST_DATABASE_URL, DATABASE_URL, or an
// embedded one), builds a migrated template database, and hands its URL to every test file,
// which clones it (CREATE DATABASE ... TEMPLATE takes milliseconds; migrating takes seconds).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/database/embedded-postgres.ts';
import { deployMigrations } from '../src/database/migrations.ts';
import { loadEnv } from '../src/env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated database marked as a template; clone it, never connect to it. */
    templateDatabaseUrl: string;
  }
}

let embedded: EmbeddedPostgres | null = null;
let templateUrl: URL | null = null;

export async function setup(project: TestProject): Promise<void> {
  const env = loadEnv();
  const serverUrl =
    env.TEST_DATABASE_URL ?? env.DATABASE_URL ?? (await startTestPostgres()).adminUrl;
  templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/streamleads_template_${randomBytes(4).toString('hex')}`;
  const name = templateUrl.pathname.slice(1);

  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  await deployMigrations({ databaseUrl: templateUrl.href });
  await withAdmin(serverUrl, (admin) =>
    admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  );
  project.provide('templateDatabaseUrl', templateUrl.href);
}

export async function teardown(): Promise<void> {
  if (templateUrl) {
    const name = templateUrl.pathname.slice(1);
    const admin = new URL(templateUrl);
    admin.pathname = '/postgres';
    await withAdmin(admin.href, async (client) => {
      await client.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  }
  await embedded?.stop();
}

async function startTestPostgres(): Promise<EmbeddedPostgres> {
  embedded = await startEmbeddedPostgres({
    dataDir: fileURLToPath(new URL('../../.data/test-pg', import.meta.url)),
    port: 54330,
    database: 'postgres',
  });
  return embedded;
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
