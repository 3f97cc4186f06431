/**
 * Prisma migrations without Prisma's native schema engine.
 *
 * Prisma's CLI downloads a native schema-engine binary before any `migrate` command, and this
 * project runs where that download is impossible. So we drive the same engine compiled to
 * WebAssembly (`@prisma/schema-engine-wasm`) through the pg driver adapter. That is an internal
 * Prisma API with no stability promise: both packages are pinned exactly in package.json and
 * migrations.test.ts covers every function here. We keep Prisma's folder layout and its
 * `_prisma_migrations` table, so the stock CLI can take over wherever the binary is available.
 *
 * Authoring needs no database and no shadow database: each migration folder keeps
 * `schema.prisma.snapshot`, the schema it brings the database to, and a new migration is the diff
 * between the last snapshot and schema.prisma.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

const prismaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma');
const snapshotFile = 'schema.prisma.snapshot';
const lockfile = 'migration_lock.toml';
const noFilters = { externalTables: [], externalEnums: [] };

/** Where migrations live and which schema they follow; both default to the repository's prisma/. */
export type MigrationPaths = { migrationsDir?: string; schemaPath?: string };

/** A database to migrate, as a postgres:// URL, plus where its migrations live. */
export type DatabaseOptions = { databaseUrl: string; migrationsDir?: string };

/**
 * Applies the pending migrations, each in one transaction, and returns their names. Idempotent,
 * and concurrent callers apply each migration once: the engine serialises them with an advisory
 * lock, but gives up with an error after waiting 10 s for it. Throws on a failed migration.
 */
export async function deployMigrations(options: DatabaseOptions): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrations(migrationsDirOf(options));
  return withDatabaseEngine(options.databaseUrl, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList,
      filters: noFilters,
    });
    return { applied: appliedMigrationNames };
  });
}

/** Compares the migrations folder with the database's `_prisma_migrations`, for humans. */
export async function migrationStatus(
  options: DatabaseOptions,
): Promise<{ pending: string[]; applied: string[]; problems: string[] }> {
  const migrationsList = await readMigrations(migrationsDirOf(options));
  return withDatabaseEngine(options.databaseUrl, async (engine, pool) => {
    const diagnosis = await engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: noFilters,
    });
    const history = diagnosis.history;
    const pending =
      history && 'unappliedMigrationNames' in history ? history.unappliedMigrationNames : [];
    const missing =
      history && 'unpersistedMigrationNames' in history ? history.unpersistedMigrationNames : [];
    const problems = [
      ...diagnosis.failedMigrationNames.map(
        (name) =>
          `${name} failed and blocks later migrations; fix it, then mark it rolled back: UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${name}' AND finished_at IS NULL`,
      ),
      ...diagnosis.editedMigrationNames.map(
        (name) => `${name} was edited after it was applied (checksum differs)`,
      ),
      ...missing.map(
        (name) => `${name} is applied to the database but missing from ${migrationsList.baseDir}`,
      ),
    ];
    const applied = diagnosis.hasMigrationsTable ? await readAppliedNames(pool) : [];
    return { pending, applied, problems };
  });
}

/**
 * Writes `<yyyymmddhhmmss>_<name>/migration.sql` with the SQL from the last migration's snapshot
 * to schema.prisma, and the new snapshot beside it. Needs no database.
 */
export async function createMigration(
  options: MigrationPaths & { name: string; now?: Date },
): Promise<{ directory: string } | { directory: null; reason: 'no-changes' }> {
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(options.name)) {
    throw new Error(
      `Migration name "${options.name}" must be snake_case: lowercase letters, digits, _`,
    );
  }
  const migrationsDir = migrationsDirOf(options);
  const schema = await readFile(schemaPathOf(options), 'utf8');
  const { last, empty, sql } = await diffFromLastSnapshot(migrationsDir, schema);
  if (empty) return { directory: null, reason: 'no-changes' };

  const name = `${migrationTimestamp(options.now ?? new Date())}_${options.name}`;
  // Prisma applies migrations in name order; a folder sorting before the last would run too early.
  if (last !== undefined && name <= last) throw new Error(`${name} does not sort after ${last}`);
  const directory = path.join(migrationsDir, name);
  await mkdir(directory, { recursive: true });
  await writeFile(path.join(directory, 'migration.sql'), sql);
  await writeFile(path.join(directory, snapshotFile), schema);
  await writeFile(
    path.join(migrationsDir, lockfile),
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
  );
  return { directory };
}

/** Whether schema.prisma matches the last migration's snapshot; `sql` is what is missing. */
export async function checkMigrations(
  options: MigrationPaths = {},
): Promise<{ upToDate: boolean; sql: string }> {
  const schema = await readFile(schemaPathOf(options), 'utf8');
  const { empty, sql } = await diffFromLastSnapshot(migrationsDirOf(options), schema);
  return { upToDate: empty, sql };
}

function migrationsDirOf(options: MigrationPaths): string {
  return path.resolve(options.migrationsDir ?? path.join(prismaDir, 'migrations'));
}

function schemaPathOf(options: MigrationPaths): string {
  return path.resolve(options.schemaPath ?? path.join(prismaDir, 'schema.prisma'));
}

/** UTC yyyymmddhhmmss, as Prisma names migration folders. */
function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

async function migrationFolders(baseDir: string): Promise<string[]> {
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  return entries.flatMap((entry) => (entry.isDirectory() ? [entry.name] : [])).sort();
}

/** Reads the migrations folder the way Prisma's CLI does (sorted folders with a migration.sql). */
async function readMigrations(baseDir: string): Promise<MigrationList> {
  const folders = await migrationFolders(baseDir);
  const migrationDirectories = await Promise.all(
    folders.map(async (folder) => ({
      path: folder,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(path.join(baseDir, folder, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (error: Error) => ({ tag: 'error' as const, value: error.message }),
        ),
      },
    })),
  );
  const lockContent = await readFile(path.join(baseDir, lockfile), 'utf8').catch(() => null);
  return {
    baseDir,
    lockfile: { path: lockfile, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

async function diffFromLastSnapshot(
  migrationsDir: string,
  schema: string,
): Promise<{ last: string | undefined; empty: boolean; sql: string }> {
  const last = (await migrationFolders(migrationsDir)).at(-1);
  // A last folder without a snapshot (say, made by the stock CLI) would make us diff from an
  // older schema and repeat its changes, so refuse instead of guessing.
  const snapshot =
    last === undefined
      ? null
      : await readFile(path.join(migrationsDir, last, snapshotFile), 'utf8').catch(() => {
          throw new Error(`${last} has no ${snapshotFile}: copy the schema it migrates to there`);
        });
  return withEngine(offlineAdapterFactory(), async (engine) => {
    const result = await engine.diff({
      from:
        snapshot === null
          ? { tag: 'empty' }
          : { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: snapshot }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
      script: true,
      exitCode: true, // makes the engine answer 2 when the diff is not empty
      filters: noFilters,
    });
    return { last, empty: result.exitCode === 0, sql: result.stdout ?? '' };
  });
}

async function readAppliedNames(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ migration_name: string }>(
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
  );
  return rows.map((row) => row.migration_name);
}

async function withDatabaseEngine<T>(
  databaseUrl: string,
  work: (engine: SchemaEngine, pool: pg.Pool) => Promise<T>,
): Promise<T> {
  // One connection, never closed while idle: the engine takes a session-level advisory lock
  // (pg_advisory_lock(72707369)) so concurrent deploys apply once, and relies on every later
  // query running in that session. The lock goes when pool.end() closes the connection.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 0 });
  const connections: pg.PoolClient[] = [];
  pool.on('connect', (connection) => connections.push(connection));
  try {
    return await withEngine(wholeScripts(new PrismaPg(pool)), (engine) => work(engine, pool));
  } catch (error) {
    // The engine gives up waiting for the lock after 10 s but leaves pg_advisory_lock running,
    // and pool.end() would wait for it, forever if the holder is stuck: close the connection.
    await Promise.all(connections.map((connection) => connection.end().catch(() => {})));
    throw error;
  } finally {
    await pool.end();
  }
}

/**
 * adapter-pg runs a script by splitting it on every `;`, which breaks function bodies and
 * comments and runs statements one by one. A query without parameters goes over Postgres's
 * simple protocol instead, which runs the whole script in one implicit transaction, as Prisma's
 * native engine does: a failed migration leaves nothing half-applied.
 */
function wholeScripts(factory: PrismaPg): SqlMigrationAwareDriverAdapterFactory {
  const connect = async () => {
    const adapter = await factory.connect();
    adapter.executeScript = async (sql) =>
      void (await adapter.executeRaw({ sql, args: [], argTypes: [] }));
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect,
    connectToShadowDb: connect,
  };
}

/**
 * Diffing two datamodels needs no database, but the engine still asks for the server version on
 * connect. Answer that one query and refuse the rest, so authoring works offline.
 */
function offlineAdapterFactory(): SqlMigrationAwareDriverAdapterFactory {
  const refuse = (what: string) =>
    Promise.reject(new Error(`The offline schema engine cannot ${what}`));
  const adapter: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: 'streamleads-offline',
    queryRaw: (query) =>
      query.sql.includes('server_version_num')
        ? Promise.resolve({
            columnNames: ['exists', 'version', 'numeric_version'],
            columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
            rows: [[true, 'PostgreSQL 15.0', 150000]],
          })
        : refuse(`run ${query.sql}`),
    executeRaw: () => refuse('execute'),
    executeScript: () => refuse('run scripts'),
    startTransaction: () => refuse('start transactions'),
    dispose: () => Promise.resolve(),
  };
  const connect = () => Promise.resolve(adapter);
  return {
    provider: 'postgres',
    adapterName: adapter.adapterName,
    connect,
    connectToShadowDb: connect,
  };
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngine();
  // The engine logs progress as JSON lines; its errors come back as rejections, so drop the logs.
  const engine = await SchemaEngine.new(
    { datamodels: undefined },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
  }
}

let engineLoaded: Promise<typeof engineBindings> | undefined;

/** Instantiates the wasm once per process, as the package's own entry would with wasm ESM imports. */
function loadEngine(): Promise<typeof engineBindings> {
  engineLoaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require
      .resolve('@prisma/schema-engine-wasm/schema_engine_bg')
      .replace(/\.js$/, '.wasm');
    // The engine races pg_advisory_lock against a 10 s timer and leaves the timer pending once the
    // lock is taken, which kept every caller alive for 10 s. Unref it: while the engine still
    // waits for the lock, its open connection keeps the process alive anyway.
    const unrefTimeout = (callback: () => void, ms: number) => setTimeout(callback, ms).unref();
    const imports = Object.fromEntries(
      Object.entries(engineBindings).map(([name, value]) => [
        name,
        name.startsWith('__wbg_setTimeout_') ? unrefTimeout : value,
      ]),
    );
    const wasm = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': imports });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return engineBindings;
  })();
  return engineLoaded;
}
