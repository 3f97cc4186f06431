import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkMigrations,
  createMigration,
  deployMigrations,
  migrationStatus,
} from './migrations.ts';

const prismaDir = fileURLToPath(new URL('../../../prisma', import.meta.url));
// Set by the global test setup: a server where CREATE DATABASE is allowed.
const adminUrl = process.env.TEST_DATABASE_URL ?? '';
if (!adminUrl)
  throw new Error('TEST_DATABASE_URL must name a server where CREATE DATABASE is allowed');
const admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
const scratchDatabases: string[] = [];
const tempDirs: string[] = [];

afterAll(async () => {
  for (const name of scratchDatabases)
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** An empty database of our own on the test server, dropped after the file. */
async function scratchDatabase(): Promise<string> {
  const name = `migrations_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  scratchDatabases.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A copy of prisma/ (schema.prisma and migrations/) that a test may change. */
async function prismaCopy(): Promise<{ schemaPath: string; migrationsDir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-test-'));
  tempDirs.push(dir);
  await cp(prismaDir, dir, { recursive: true });
  return {
    schemaPath: path.join(dir, 'schema.prisma'),
    migrationsDir: path.join(dir, 'migrations'),
  };
}

async function realMigrationNames(): Promise<string[]> {
  const entries = await readdir(path.join(prismaDir, 'migrations'), { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function query<Row extends pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

const noteModel = '\nmodel Note {\n  id   Int    @id\n  text String\n}\n';

describe('migrations', () => {
  it('applies every migration to a fresh database, whose leads trigger derives the search keys', async () => {
    const databaseUrl = await scratchDatabase();
    expect(await deployMigrations({ databaseUrl })).toEqual({
      applied: await realMigrationNames(),
    });

    await query(
      databaseUrl,
      `INSERT INTO leads (id, name, email, phone, origin, city, "updatedAt") VALUES
         (gen_random_uuid(), 'José ÁLVARES', 'jose@example.com', '+5511999999999', 'SITE', 'São Paulo', now()),
         (gen_random_uuid(), 'Maria', 'maria@example.com', NULL, 'OTHER', NULL, now());
       UPDATE leads SET city = 'Florianópolis' WHERE email = 'jose@example.com'`,
    );
    const rows = await query(
      databaseUrl,
      `SELECT email, "cityKey", "searchText" FROM leads ORDER BY email`,
    );
    expect(rows).toEqual([
      {
        email: 'jose@example.com',
        cityKey: 'florianopolis',
        searchText: 'jose alvares jose@example.com +5511999999999',
      },
      { email: 'maria@example.com', cityKey: null, searchText: 'maria maria@example.com ' },
    ]);
  });

  it('rejects an upper-case email and a negative income but accepts a negative score', async () => {
    const databaseUrl = await scratchDatabase();
    await deployMigrations({ databaseUrl });
    const insert = (values: string) =>
      query(
        databaseUrl,
        `INSERT INTO leads (id, name, email, origin, "approximateIncome", score, "updatedAt") VALUES (gen_random_uuid(), 'Ana', ${values}, now())`,
      );

    await expect(insert(`'Ana@example.com', 'SITE', NULL, 0`)).rejects.toThrow(
      /leads_email_lower_case_check/,
    );
    await expect(insert(`'ana@example.com', 'SITE', -1, 0`)).rejects.toThrow(
      /approximateIncome_not_negative/,
    );
    await insert(`'ana@example.com', 'SITE', 0, -5`);
  });

  it('applies nothing when run again', async () => {
    const databaseUrl = await scratchDatabase();
    await deployMigrations({ databaseUrl });
    expect(await deployMigrations({ databaseUrl })).toEqual({ applied: [] });
  });

  it('applies each migration once when two deploys run at once', async () => {
    const databaseUrl = await scratchDatabase();
    const results = await Promise.all([
      deployMigrations({ databaseUrl }),
      deployMigrations({ databaseUrl }),
    ]);

    const names = await realMigrationNames();
    expect(results.flatMap((result) => result.applied).sort()).toEqual(names);
    const rows = await query<{ migration_name: string }>(
      databaseUrl,
      'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((row) => row.migration_name)).toEqual(names);
  });

  it('reports pending migrations, then none once they are deployed', async () => {
    const databaseUrl = await scratchDatabase();
    const names = await realMigrationNames();
    expect(await migrationStatus({ databaseUrl })).toEqual({
      pending: names,
      applied: [],
      problems: [],
    });

    await deployMigrations({ databaseUrl });
    expect(await migrationStatus({ databaseUrl })).toEqual({
      pending: [],
      applied: names,
      problems: [],
    });
  });

  it('fails the check when schema.prisma changes without a migration', async () => {
    const { schemaPath, migrationsDir } = await prismaCopy();
    expect((await checkMigrations({ schemaPath, migrationsDir })).upToDate).toBe(true);

    await writeFile(schemaPath, (await readFile(schemaPath, 'utf8')) + noteModel);
    const check = await checkMigrations({ schemaPath, migrationsDir });
    expect(check.upToDate).toBe(false);
    expect(check.sql).toContain('CREATE TABLE "Note"');
  });

  it('creates a migration folder whose SQL applies after the existing ones', async () => {
    const { schemaPath, migrationsDir } = await prismaCopy();
    await writeFile(schemaPath, (await readFile(schemaPath, 'utf8')) + noteModel);
    const now = new Date('2099-01-02T03:04:05Z');

    const created = await createMigration({ name: 'add_notes', schemaPath, migrationsDir, now });
    expect(created.directory).toBe(path.join(migrationsDir, '20990102030405_add_notes'));
    expect(
      await readFile(
        path.join(migrationsDir, '20990102030405_add_notes', 'schema.prisma.snapshot'),
        'utf8',
      ),
    ).toBe(await readFile(schemaPath, 'utf8'));
    expect(await createMigration({ name: 'again', schemaPath, migrationsDir, now })).toEqual({
      directory: null,
      reason: 'no-changes',
    });
    expect((await checkMigrations({ schemaPath, migrationsDir })).upToDate).toBe(true);

    const databaseUrl = await scratchDatabase();
    await deployMigrations({ databaseUrl });
    expect(await deployMigrations({ databaseUrl, migrationsDir })).toEqual({
      applied: ['20990102030405_add_notes'],
    });
    expect(await query(databaseUrl, 'SELECT count(*)::int AS notes FROM "Note"')).toEqual([
      { notes: 0 },
    ]);
  });

  it('refuses a migration name that is not snake_case', async () => {
    const { schemaPath, migrationsDir } = await prismaCopy();
    await expect(createMigration({ name: 'Add-Notes', schemaPath, migrationsDir })).rejects.toThrow(
      /snake_case/,
    );
  });

  it('runs a migration in one transaction, so a failing one leaves nothing applied', async () => {
    const { migrationsDir } = await prismaCopy();
    const databaseUrl = await scratchDatabase();
    await deployMigrations({ databaseUrl, migrationsDir });
    // Semicolons inside a comment and a function body must not split the script either.
    const failing = path.join(migrationsDir, '20990101000000_failing');
    await mkdir(failing);
    await writeFile(
      path.join(failing, 'migration.sql'),
      `CREATE TABLE "half" (id int);
       -- a comment; with a semicolon
       CREATE FUNCTION "noop"() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END; $$;
       SELECT 1 / 0;`,
    );

    await expect(deployMigrations({ databaseUrl, migrationsDir })).rejects.toThrow(
      /division by zero/,
    );
    expect(await query(databaseUrl, `SELECT to_regclass('half') AS half`)).toEqual([
      { half: null },
    ]);
    const status = await migrationStatus({ databaseUrl, migrationsDir });
    expect(status.problems).toEqual([expect.stringContaining('20990101000000_failing failed')]);
  });
});
