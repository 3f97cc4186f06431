import { chmod, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runScript } from '../../test/processes.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';

let root: string;
const started: EmbeddedPostgres[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'streamleads-embedded-'));
  // mkdtemp makes it 0700; run as root, PostgreSQL runs as `postgres` and must enter it.
  await chmod(root, 0o755);
});

afterAll(async () => {
  for (const server of started) await server.stop();
  await rm(root, { recursive: true, force: true });
});

async function start(dataDir: string, port: number) {
  const server = await startEmbeddedPostgres({ dataDir, port, database: 'streamleads' });
  started.push(server);
  return server;
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, unknown>>(sql);
    return rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  it('initialises a cluster that keeps its data across a restart', async () => {
    const dataDir = path.join(root, 'restart', 'pg');
    const port = await freePort();
    const first = await start(dataDir, port);
    await query(
      first.url,
      "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')",
    );
    await first.stop();

    const second = await start(dataDir, port);
    expect(second.adopted).toBe(false);
    expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
    await second.stop();
  });

  it('takes over the server left running by a process killed with SIGKILL', async () => {
    const dataDir = path.join(root, 'killed', 'pg');
    const port = await freePort();
    const owner = runScript(
      'test/fixtures/hold-embedded-postgres.ts',
      [dataDir, String(port)],
      process.env,
    );
    await owner.waitFor('ready');
    owner.child.kill('SIGKILL');
    await owner.exited;

    const adopter = await start(dataDir, port);
    expect(adopter.adopted).toBe(true);
    expect(await query(adopter.url, 'SELECT 1 AS answer')).toEqual([{ answer: 1 }]);
    await adopter.stop();
    await expect(query(adopter.url, 'SELECT 1')).rejects.toThrow();
  });

  it('explains what to do when the password file is gone', async () => {
    const dataDir = path.join(root, 'lost-password', 'pg');
    const port = await freePort();
    await (await start(dataDir, port)).stop();
    await unlink(`${dataDir}.password`);
    await expect(start(dataDir, port)).rejects.toThrow(/pg\.password is missing/);
  });
});
