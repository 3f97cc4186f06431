// Entry point of one StreamLeads process: `node dist/main.js [api|worker|all]` (default all), or
// `tsx src/main.ts` in development.
// Requires DATABASE_URL; `pnpm start` (start-all.ts) also brings an embedded PostgreSQL.
import { EnvError, loadEnv } from './env.ts';
import { createLogger } from './logger.ts';
import { roles, startServer, stopOnSignals, type Role } from './runtime.ts';

const requested = process.argv[2] ?? 'all';
if (!roles.includes(requested as Role)) {
  console.error(`Unknown role "${requested}". Use one of: ${roles.join(', ')}.`);
  process.exit(2);
}

try {
  const env = loadEnv();
  if (!env.DATABASE_URL)
    throw new EnvError('DATABASE_URL is required (e.g. postgres://user@host:5432/streamleads).');
  const logger = createLogger(env.LOG_LEVEL);
  const server = await startServer({
    env,
    databaseUrl: env.DATABASE_URL,
    role: requested as Role,
    logger,
  });
  stopOnSignals(() => server.stop(), logger);
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  console.error(error.message);
  process.exit(2);
}
