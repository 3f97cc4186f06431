// `tsx src/database/migrate-command.ts deploy | create <name> | status | check`, behind the
// `pnpm db:migrate*` scripts. Exits 1 when there is something to do (check, status) or on error.
import {
  checkMigrations,
  createMigration,
  deployMigrations,
  migrationStatus,
} from './migrations.ts';

const usage = 'Usage: migrate-command.ts deploy | create <name> | status | check';

const commands: Record<string, (args: string[]) => Promise<number>> = {
  async deploy() {
    const { applied } = await deployMigrations({ databaseUrl: databaseUrl() });
    console.log(applied.length ? `Applied:\n  ${applied.join('\n  ')}` : 'No pending migrations.');
    return 0;
  },

  async create([name]) {
    if (!name) throw new Error('Name the migration: pnpm db:migrate:create <snake_case_name>');
    const result = await createMigration({ name });
    if (result.directory === null) {
      console.log('schema.prisma matches the last migration: nothing to create.');
    } else {
      console.log(`Created ${result.directory}/migration.sql: review it (custom SQL is welcome).`);
    }
    return 0;
  },

  async status() {
    const { pending, applied, problems } = await migrationStatus({ databaseUrl: databaseUrl() });
    console.log(`Applied: ${applied.length}${applied.length ? ` (last: ${applied.at(-1)})` : ''}`);
    if (pending.length)
      console.log(`Pending (pnpm db:migrate applies them):\n  ${pending.join('\n  ')}`);
    if (problems.length) console.log(`Problems:\n  ${problems.join('\n  ')}`);
    if (!pending.length && !problems.length) console.log('The database is up to date.');
    return pending.length || problems.length ? 1 : 0;
  },

  async check() {
    const { upToDate, sql } = await checkMigrations();
    if (upToDate) {
      console.log('Every schema.prisma change has a migration.');
      return 0;
    }
    console.error('schema.prisma has changes with no migration: run pnpm db:migrate:create <name>');
    console.error(`The missing migration would be:\n${sql}`);
    return 1;
  },
};

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('DATABASE_URL is not set (e.g. postgres://user@127.0.0.1:5432/streamleads).');
  return url;
}

async function run([name, ...args]: string[]): Promise<number> {
  const command = name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(usage);
    return 2;
  }
  return command(args);
}

const exitCode = await run(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 1;
});
// Exit explicitly: the schema engine may leave timers behind (see migrations.ts), and a command
// line tool should end when its work is done.
process.exit(exitCode);
