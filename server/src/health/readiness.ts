import { readdir } from 'node:fs/promises';
import type pg from 'pg';

const migrationsDir = new URL('../../../prisma/migrations/', import.meta.url);

/** Names of the migrations this build ships, oldest first. */
export async function shippedMigrations(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; migrations: boolean; jobs: boolean };
}

/**
 * Ready means this process can serve: the database answers, every migration this build ships is
 * applied (an old schema under new code fails in odd ways), and the job queue is started.
 */
export async function checkReadiness(options: {
  pool: pg.Pool;
  expectedMigrations: string[];
  jobsStarted: () => boolean;
}): Promise<Readiness> {
  const applied = await appliedMigrations(options.pool);
  const database = applied !== null;
  const migrations =
    applied !== null && options.expectedMigrations.every((name) => applied.has(name));
  const jobs = options.jobsStarted();
  return { ready: database && migrations && jobs, checks: { database, migrations, jobs } };
}

async function appliedMigrations(pool: pg.Pool): Promise<Set<string> | null> {
  try {
    const result = await pool.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(result.rows.map((row) => row.migration_name));
  } catch (error) {
    // 42P01: no _prisma_migrations table yet. The database answered, nothing is applied.
    if ((error as { code?: string }).code === '42P01') return new Set();
    return null;
  }
}
