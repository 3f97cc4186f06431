// `pnpm user:create --email <email> --name <name> --role ADMIN|MANAGER|SALES`: creates a user in
// the database at DATABASE_URL, reading the password from standard input (typed, or piped:
// `printf %s "$PASSWORD" | pnpm user:create ...`), so it never sits in shell history.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { openDatabase } from '../db.ts';
import { loadEnv } from '../env.ts';
import { createLogger } from '../logger.ts';
import { createUser, newUserSchema } from './users.ts';

const usage =
  'Usage: pnpm user:create --email <email> --name <name> --role ADMIN|MANAGER|SALES (password on stdin)';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Hide what is typed: readline echoes through _writeToOutput, which we silence after the prompt.
  const echo = prompt as unknown as { _writeToOutput(text: string): void };
  process.stdout.write('Password: ');
  echo._writeToOutput = () => {};
  const password = await prompt.question('');
  prompt.close();
  process.stdout.write('\n');
  return password;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  });
  const env = loadEnv();
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set.');
  const input = { email: values.email, name: values.name, role: values.role?.toUpperCase() };
  const checked = newUserSchema.omit({ password: true }).safeParse(input);
  if (!checked.success) {
    throw new Error(`${z.prettifyError(checked.error)}\n${usage}`);
  }
  const password = await readPassword();
  const database = openDatabase({
    url: env.DATABASE_URL,
    poolSize: 1,
    logger: createLogger('silent'),
  });
  try {
    const user = await createUser(database.prisma, { ...checked.data, password });
    console.log(`Created ${user.role} ${user.email} (${user.id}).`);
    return 0;
  } finally {
    await database.close();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(
    error instanceof z.ZodError
      ? z.prettifyError(error)
      : error instanceof Error
        ? error.message
        : error,
  );
  return 1;
});
