// The one-command start as a user runs it: no DATABASE_URL, so an embedded PostgreSQL.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runScript, serverDir, type RunningScript } from '../test/processes.ts';

let root: string;
let env: NodeJS.ProcessEnv;
let ports: { api: number; dashboard: number; database: number };
const running: RunningScript[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'streamleads-start-'));
  // mkdtemp makes it 0700; run as root, PostgreSQL runs as `postgres` and must enter it.
  await chmod(root, 0o755);
  ports = { api: await freePort(), dashboard: await freePort(), database: await freePort() };
  const { DATABASE_URL: _unset, TEST_DATABASE_URL: _alsoUnset, ...inherited } = process.env;
  env = {
    ...inherited,
    STREAMLEADS_DATA_DIR: path.join(root, 'pg'),
    PORT: String(ports.api),
    DASHBOARD_PORT: String(ports.dashboard),
    EMBEDDED_PG_PORT: String(ports.database),
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  for (const script of running) {
    script.child.kill('SIGTERM');
    await script.exited;
  }
  // A killed run leaves PostgreSQL behind on purpose; stop it so the run ends clean.
  const pid = await readFile(path.join(root, 'pg', 'postmaster.pid'), 'utf8').catch(() => null);
  if (pid) process.kill(Number(pid.split('\n')[0]), 'SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await rm(root, { recursive: true, force: true });
});

async function startAll(): Promise<RunningScript> {
  const script = runScript('src/start-all.ts', [], env);
  running.push(script);
  await script.waitFor('StreamLeads is running', 60_000);
  return script;
}

async function stop(script: RunningScript): Promise<number | string> {
  script.child.kill('SIGTERM');
  const code = await script.exited;
  running.splice(running.indexOf(script), 1);
  return code;
}

const api = (pathname: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${ports.api}${pathname}`, init);

async function databaseUrl(): Promise<string> {
  const password = (await readFile(path.join(root, 'pg.password'), 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${ports.database}/streamleads`;
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: await databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('pnpm start without DATABASE_URL', () => {
  it('serves GraphQL and readiness on an embedded, migrated PostgreSQL', async () => {
    const script = await startAll();
    expect(script.output()).toContain(`GraphiQL   http://127.0.0.1:${ports.api}/graphql`);
    const response = await api('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect((await api('/readyz')).status).toBe(200);
    if (existsSync(path.join(serverDir, '..', 'dashboard', 'build', 'index.js'))) {
      expect((await fetch(`http://127.0.0.1:${ports.dashboard}/`)).status).toBe(200);
    }
    await sql(
      "INSERT INTO leads (id, name, email, origin, \"updatedAt\") VALUES (gen_random_uuid(), 'Kept Lead', 'kept@example.com', 'SITE', now())",
    );
    expect(await stop(script)).toBe(0);
  });

  it('creates the first admin with a random password kept beside the data', async () => {
    const passwordFile = path.join(root, 'admin-password');
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(password).toHaveLength(24);
    const script = await startAll();
    expect(script.output()).toContain(
      `Sign in    admin@streamleads.local, password in ${passwordFile}`,
    );
    const signIn = async (secret: string) => {
      const response = await api('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation ($password: String!) {
            signIn(email: "admin@streamleads.local", password: $password) {
              __typename ... on SignInPayload { user { role } }
            }
          }`,
          variables: { password: secret },
        }),
      });
      return {
        body: (await response.json()) as unknown,
        cookie: response.headers.get('set-cookie'),
      };
    };
    expect(await signIn('not-the-password')).toMatchObject({
      body: { data: { signIn: { __typename: 'InvalidCredentialsError' } } },
      cookie: null,
    });
    const signedIn = await signIn(password);
    expect(signedIn.body).toEqual({
      data: { signIn: { __typename: 'SignInPayload', user: { role: 'ADMIN' } } },
    });
    expect(signedIn.cookie).toMatch(/^streamleads_session=sls_.*HttpOnly.*SameSite=Strict/i);
    expect(await stop(script)).toBe(0);
  });

  it('keeps the data and its secret key when started again', async () => {
    const keyFile = path.join(root, 'secret-key');
    const key = await readFile(keyFile, 'utf8');
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const script = await startAll();
    expect(await sql('SELECT email FROM leads')).toEqual([{ email: 'kept@example.com' }]);
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    expect(await stop(script)).toBe(0);
  });

  it('starts again after being killed with SIGKILL', async () => {
    const killed = await startAll();
    killed.child.kill('SIGKILL');
    await killed.exited;
    running.splice(running.indexOf(killed), 1);

    const script = await startAll();
    expect((await api('/readyz')).status).toBe(200);
    expect(await sql('SELECT count(*)::int AS leads FROM leads')).toEqual([{ leads: 1 }]);
    expect(await stop(script)).toBe(0);
    await expect(sql('SELECT 1')).rejects.toThrow();
  });
});
