// `pnpm user:create` as an operator runs it: the password arrives on standard input.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { serverDir } from '../../test/processes.ts';
import { verifyPassword } from './passwords.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

function createUserCommand(args: string[], stdin: string) {
  const { TEST_DATABASE_URL: _unset, ...inherited } = process.env;
  const child = spawn('node', ['--import', 'tsx', 'src/access/user-command.ts', ...args], {
    cwd: serverDir,
    env: { ...inherited, DATABASE_URL: database.url },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
}

describe('pnpm user:create', () => {
  it('creates a user with the password read from standard input, hashed', async () => {
    const result = await createUserCommand(
      ['--email', 'Rita@Example.com', '--name', 'Rita Sales', '--role', 'sales'],
      'a long enough password\n',
    );
    expect(result).toMatchObject({
      code: 0,
      output: expect.stringContaining('Created SALES rita@example.com') as unknown,
    });
    const user = await database.prisma.user.findUniqueOrThrow({
      where: { email: 'rita@example.com' },
    });
    expect(user).toMatchObject({ name: 'Rita Sales', role: 'SALES' });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.passwordHash, 'a long enough password')).toBe(true);
  });

  it('refuses a short password and a taken email, creating nothing', async () => {
    const short = await createUserCommand(
      ['--email', 'short@example.com', '--name', 'Short', '--role', 'ADMIN'],
      'short',
    );
    expect(short.code).toBe(1);
    expect(short.output).toContain('at least 12 characters');
    const taken = await createUserCommand(
      ['--email', 'rita@example.com', '--name', 'Rita Again', '--role', 'ADMIN'],
      'another long password',
    );
    expect(taken.code).toBe(1);
    expect(taken.output).toContain('exists');
    expect(await database.prisma.user.count()).toBe(1);
  });

  it('names what is missing from the command line', async () => {
    const result = await createUserCommand(['--email', 'x@example.com'], '');
    expect(result.code).toBe(1);
    expect(result.output).toContain('Usage: pnpm user:create');
  });
});
