// The whole product as the end-to-end tests (and the page measurements) use it: a scratch
// database (on TEST_DATABASE_URL, or an embedded PostgreSQL when it is unset), migrated; the real
// API and scoring worker; and the built dashboard served by `node build`, pointed at that API.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { signInToApi } from './api';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../server/src/database/embedded-postgres';

export interface Stack {
  /** The API's GraphQL endpoint (HTTP and graphql-ws). */
  apiUrl: string;
  /** The origin of the built dashboard. */
  dashboardUrl: string;
  /** The scratch database, for tests and measurements that seed it directly. */
  databaseUrl: string;
  /** The first admin, created by the API on start. */
  adminEmail: string;
  adminPassword: string;
  /** A session of that admin, for tests that do not sign in through the page themselves. */
  adminSessionToken: string;
}

const dashboardDir = fileURLToPath(new URL('..', import.meta.url));
const serverDir = fileURLToPath(new URL('../../server/', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
const ADMIN_EMAIL = 'admin@streamleads.test';

let embedded: EmbeddedPostgres | undefined;
let databaseUrl: URL | undefined;
const processes: ChildProcess[] = [];

/** Starts everything; `stopStack` tears it down (one stack per process). */
export async function startStack(): Promise<Stack> {
  try {
    const serverUrl = process.env.TEST_DATABASE_URL?.trim() || (await startTestPostgres());
    databaseUrl = new URL(serverUrl);
    databaseUrl.pathname = `/streamleads_e2e_${randomBytes(4).toString('hex')}`;
    await withAdmin(serverUrl, (admin) =>
      admin.query(`CREATE DATABASE ${databaseUrl!.pathname.slice(1)}`),
    );

    const [apiPort, dashboardPort] = await Promise.all([freePort(), freePort()]);
    // One host for both: the API's session cookie is host-only, and the browser sends it to the
    // API from the dashboard's pages because they are the same site (ports do not count).
    const apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
    const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
    const adminPassword = randomBytes(18).toString('base64url');

    // The build and the migrations do not depend on each other.
    await Promise.all([
      run('node', ['--import', 'tsx', 'src/database/migrate-command.ts', 'deploy'], {
        cwd: serverDir,
        env: { DATABASE_URL: databaseUrl.href },
      }),
      run('node', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
        cwd: dashboardDir,
        env: { NODE_ENV: 'production' },
      }),
    ]);

    start('node', ['--import', 'tsx', 'src/main.ts', 'all'], {
      cwd: serverDir,
      env: {
        DATABASE_URL: databaseUrl.href,
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        CORS_ORIGINS: dashboardUrl,
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT_MS: '2000',
        // Lets the tests store an integration secret (a Slack webhook URL).
        STREAMLEADS_SECRET_KEY: randomBytes(32).toString('base64'),
        // The API creates this admin on start, the database having no user yet.
        STREAMLEADS_ADMIN_EMAIL: ADMIN_EMAIL,
        STREAMLEADS_ADMIN_PASSWORD: adminPassword,
        // One admin drives every test file, and every browser comes from 127.0.0.1: limits sized
        // for one person and one address would fail the suite, not guard anything.
        RATE_LIMIT_PER_USER: '100000',
        RATE_LIMIT_PER_IP: '100000',
      },
    });
    start('node', ['build'], {
      cwd: dashboardDir,
      env: {
        HOST: '127.0.0.1',
        PORT: String(dashboardPort),
        ORIGIN: dashboardUrl,
        PUBLIC_API_URL: apiUrl,
      },
    });

    await Promise.all([
      waitFor(apiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Public: every other field needs a session.
        body: JSON.stringify({ query: '{ viewer { kind } }' }),
      }),
      waitFor(dashboardUrl, {}),
    ]);
    return {
      apiUrl,
      dashboardUrl,
      databaseUrl: databaseUrl.href,
      adminEmail: ADMIN_EMAIL,
      adminPassword,
      adminSessionToken: await signInToApi(apiUrl, ADMIN_EMAIL, adminPassword),
    };
  } catch (error) {
    await stopStack();
    throw error;
  }
}

export async function stopStack(): Promise<void> {
  await Promise.all(processes.splice(0).map(stop));
  if (databaseUrl) {
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const name = databaseUrl.pathname.slice(1);
    databaseUrl = undefined;
    await withAdmin(admin.href, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    );
  }
  await embedded?.stop();
  embedded = undefined;
}

/**
 * Without TEST_DATABASE_URL the tests bring their own PostgreSQL, as the server's tests do (its
 * own data directory and port, so both suites can run at once).
 */
async function startTestPostgres(): Promise<string> {
  embedded = await startEmbeddedPostgres({
    dataDir: fileURLToPath(new URL('../../.data/e2e-pg', import.meta.url)),
    port: 54331,
    database: 'postgres',
  });
  return embedded.adminUrl;
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

interface RunOptions {
  cwd: string;
  env: Record<string, string>;
}

function spawnWithOutput(command: string, args: string[], { cwd, env }: RunOptions) {
  const child = spawn(command, args, {
    cwd,
    env: { ...outsideVitest(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/**
 * The environment without what Vitest adds: a build that sees VITEST or NODE_ENV=test bundles
 * Svelte's test flavour, which fails in a real browser.
 */
function outsideVitest(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV' && name !== 'TEST',
    ),
  );
}

function run(command: string, args: string[], options: RunOptions): Promise<void> {
  const { child, output } = spawnWithOutput(command, args, options);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output()}`)),
    );
  });
}

function start(command: string, args: string[], options: RunOptions): void {
  const { child, output } = spawnWithOutput(command, args, options);
  child.on('exit', (code, signal) => {
    if (processes.includes(child)) {
      console.error(`${command} ${args.join(' ')} stopped (${code ?? signal}):\n${output()}`);
    }
  });
  processes.push(child);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitFor(url: string, init: RequestInit): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const exited = processes.find((child) => child.exitCode !== null);
    if (exited) throw new Error(`${exited.spawnargs.join(' ')} exited while starting`);
    try {
      const response = await fetch(url, init);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${STARTUP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
