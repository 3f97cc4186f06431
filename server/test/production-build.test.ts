// The compiled server as production runs it: `pnpm build`, then plain `node dist/...` with no
// TypeScript loader. Fails when the build breaks, when an emitted import still names a .ts file,
// or when a path a module resolves from its own location (migrations, package.json, the
// dashboard build) no longer resolves from dist.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/access/api-keys.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { freePort, serverDir } from './processes.ts';
import { waitUntil } from './server-processes.ts';

let database: TestDatabase;
const running: CompiledProcess[] = [];

beforeAll(async () => {
  // Incremental: 3-9 s when dist is up to date (CI builds it first), 13-28 s from nothing here.
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: serverDir, encoding: 'utf8' });
  expect(build.stdout + build.stderr, 'pnpm build').not.toMatch(/error TS/);
  expect(build.status).toBe(0);
  database = await createTestDatabase();
}, 240_000);

afterAll(async () => {
  for (const script of running) {
    script.child.kill('SIGKILL');
    await script.exited;
  }
  await database?.drop();
});

interface CompiledProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

/** `node <file> <args>` in server/, as the start scripts and the Dockerfile run it. */
function runCompiled(file: string, args: string[], env: NodeJS.ProcessEnv): CompiledProcess {
  const child = spawn(process.execPath, [file, ...args], {
    cwd: serverDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const started = { child, output: () => output, exited };
  running.push(started);
  return started;
}

function waitForOutput(started: CompiledProcess, text: string, timeoutMs: number) {
  return waitUntil(
    `"${text}" in the output`,
    () => {
      const ended = started.child.exitCode ?? started.child.signalCode;
      if (ended !== null) throw new Error(`exited (${ended}) first:\n${started.output()}`);
      return started.output();
    },
    (output) => output.includes(text),
    timeoutMs,
  );
}

function baseEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _unset, TEST_DATABASE_URL: _alsoUnset, ...inherited } = process.env;
  // No loader may sneak in through NODE_OPTIONS: the point is plain node.
  return { ...inherited, NODE_OPTIONS: '', NODE_ENV: 'production', LOG_LEVEL: 'warn' };
}

async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

describe('the compiled server (pnpm build)', () => {
  it('loads every module of main.js with plain node', async () => {
    const script = runCompiled('dist/main.js', ['no-such-role'], baseEnv());
    // The role is checked after the static imports: every module of the process has loaded.
    expect(await script.exited).toBe(2);
    expect(script.output()).toContain('Unknown role "no-such-role". Use one of: api, worker, all.');
  });

  it('runs start-all.js against a database: migrations, API, workers and dashboard', async () => {
    const ports = { api: await freePort(), dashboard: await freePort() };
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const script = runCompiled('dist/start-all.js', [], {
      ...baseEnv(),
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(ports.api),
      DASHBOARD_PORT: String(ports.dashboard),
      STREAMLEADS_SECRET_KEY: randomBytes(32).toString('base64'),
      STREAMLEADS_ADMIN_EMAIL: 'admin@build.example.com',
      STREAMLEADS_ADMIN_PASSWORD: 'correct horse battery staple',
    });
    // start-all applies migrations first (prisma/migrations and the schema engine's wasm).
    await waitForOutput(script, 'StreamLeads is running', 120_000);

    // Readiness compares the applied migrations with the folder it finds from its own file.
    const readiness = await fetch(`${apiUrl}/readyz`);
    expect(await readiness.json()).toEqual({
      ready: true,
      checks: { database: true, migrations: true, jobs: true },
    });

    const manifest = JSON.parse(await readFile(path.join(serverDir, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { key } = await createApiKey(database.prisma, { name: 'build', scopes: ['leads:write'] });
    const withKey = { authorization: `Bearer ${key}` };
    expect(await graphql(apiUrl, '{ version }', {}, withKey)).toEqual({
      data: { version: manifest.version },
    });

    const embed = await fetch(`${apiUrl}/embed.js`);
    expect(embed.status).toBe(200);
    expect(await embed.text()).toContain('data-streamleads');

    // The generated Prisma client (compiled from src/generated) writes, the worker scores.
    const created = await graphql(
      apiUrl,
      `
        mutation ($input: CreateLeadInput!) {
          createLead(input: $input) {
            __typename
            ... on CreateLeadPayload {
              leadId
            }
          }
        }
      `,
      { input: { name: 'Built Lead', email: 'built@example.com', origin: 'SITE' } },
      withKey,
    );
    const { leadId } = created.data?.createLead as { leadId: string };
    const scored = await waitUntil(
      'the lead scored by the compiled worker',
      () => database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } }),
      (lead) => lead.processedAt !== null,
    );
    expect(scored.status).not.toBe('PROCESSING');

    // The dashboard's adapter-node build, found from dist/start-all.js, when it has been built
    // (CI builds it before the tests; pnpm start does too).
    if (existsSync(path.join(serverDir, '..', 'dashboard', 'build', 'handler.js'))) {
      expect((await fetch(`http://127.0.0.1:${ports.dashboard}/`)).status).toBe(200);
    } else {
      expect(script.output()).toContain('dashboard not built');
    }

    script.child.kill('SIGTERM');
    expect(await script.exited).toBe(0);
    running.splice(running.indexOf(script), 1);
  }, 180_000);
});
