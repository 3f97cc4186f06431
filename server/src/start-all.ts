// `pnpm start`: everything on one machine with one command. Without DATABASE_URL it runs an
// embedded PostgreSQL (data kept under .data/, git-ignored), applies migrations, then starts the
// API and workers in this process and the dashboard beside it.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.ts';
import { deployMigrations } from './database/migrations.ts';
import { EnvError, loadEnv, type Env } from './env.ts';
import { createLogger, type Logger } from './logger.ts';
import { startServer, stopOnSignals } from './runtime.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dashboardHandler = fileURLToPath(
  new URL('../../dashboard/build/handler.js', import.meta.url),
);

async function main(givenEnv: Env, logger: Logger): Promise<void> {
  const env = await withLocalAdmin(await withLocalSecretKey(givenEnv));
  const embedded = env.DATABASE_URL ? null : await startEmbedded(env, logger);
  const databaseUrl = env.DATABASE_URL ?? embedded!.url;
  try {
    const { applied } = await deployMigrations({ databaseUrl });
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  const server = await startServer({ env, databaseUrl, role: 'all', logger });
  const dashboard = await startDashboard(env, server.graphqlUrl!, logger);
  stopOnSignals(async () => {
    await stopDashboard(dashboard);
    await server.stop();
    await embedded?.stop();
  }, logger);

  const dashboardHost = env.HOST === '0.0.0.0' ? 'localhost' : env.HOST;
  console.log(
    [
      '',
      '  StreamLeads is running',
      `  Dashboard  http://${dashboardHost}:${env.DASHBOARD_PORT}`,
      `  GraphiQL   ${server.graphqlUrl}`,
      `  Database   ${embedded ? `embedded PostgreSQL on port ${env.EMBEDDED_PG_PORT}` : 'DATABASE_URL'}`,
      ...(givenEnv.STREAMLEADS_ADMIN_EMAIL
        ? []
        : [`  Sign in    ${localAdminEmail}, password in ${localAdminPasswordFile(env)}`]),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

function dataDirOf(env: Env): string {
  return env.STREAMLEADS_DATA_DIR ?? `${repoRoot}.data/pg`;
}

/**
 * Integration secrets are encrypted with STREAMLEADS_SECRET_KEY. On a machine that has none, make
 * a random one beside the data (kept across restarts, readable by this user only).
 */
async function withLocalSecretKey(env: Env): Promise<Env> {
  if (env.STREAMLEADS_SECRET_KEY) return env;
  const file = path.join(path.dirname(dataDirOf(env)), 'secret-key');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  const key = (await readFile(file, 'utf8')).trim();
  // secrets.ts reads the key through loadEnv(), i.e. from process.env.
  process.env.STREAMLEADS_SECRET_KEY = key;
  return { ...env, STREAMLEADS_SECRET_KEY: key };
}

const localAdminEmail = 'admin@streamleads.local';

function localAdminPasswordFile(env: Env): string {
  return path.join(path.dirname(dataDirOf(env)), 'admin-password');
}

/**
 * Nothing ships with a default password: on a machine without STREAMLEADS_ADMIN_EMAIL, the first
 * admin gets a random password kept beside the data, readable by this user only. It is used only
 * while no user exists.
 */
async function withLocalAdmin(env: Env): Promise<Env> {
  if (env.STREAMLEADS_ADMIN_EMAIL) return env;
  const file = localAdminPasswordFile(env);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, randomBytes(18).toString('base64url'), { flag: 'wx', mode: 0o600 }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  const password = (await readFile(file, 'utf8')).trim();
  return { ...env, STREAMLEADS_ADMIN_EMAIL: localAdminEmail, STREAMLEADS_ADMIN_PASSWORD: password };
}

async function startEmbedded(env: Env, logger: Logger): Promise<EmbeddedPostgres> {
  const dataDir = dataDirOf(env);
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: env.EMBEDDED_PG_PORT,
    database: 'streamleads',
    log: (message) => logger.info(message),
  });
  logger.info({ dataDir, adopted: embedded.adopted }, 'embedded PostgreSQL ready');
  return embedded;
}

/**
 * The dashboard's adapter-node handler, served from this process: one process to stop, and
 * nothing left holding its port if this process is killed.
 */
async function startDashboard(
  env: Env,
  graphqlUrl: string,
  logger: Logger,
): Promise<Server | null> {
  if (!existsSync(dashboardHandler)) {
    logger.warn(
      'dashboard not built: run `pnpm --filter @streamleads/dashboard build` (pnpm start does)',
    );
    return null;
  }
  // SvelteKit reads its public runtime variables from process.env when the handler loads.
  process.env.PUBLIC_API_URL = graphqlUrl;
  const { handler } = (await import(pathToFileURL(dashboardHandler).href)) as {
    handler: RequestListener;
  };
  const server = createServer(handler);
  server.listen(env.DASHBOARD_PORT, env.HOST);
  await once(server, 'listening');
  return server;
}

async function stopDashboard(server: Server | null): Promise<void> {
  if (!server) return;
  await new Promise((resolve) => server.close(resolve));
}

try {
  const env = loadEnv();
  await main(env, createLogger(env.LOG_LEVEL));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof EnvError ? 2 : 1);
}
