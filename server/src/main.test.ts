// The process entry point as operators run it: configuration errors, roles, graceful stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { freePort, runScript } from '../test/processes.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _unset, TEST_DATABASE_URL: _alsoUnset, ...inherited } = process.env;
  return { ...inherited, LOG_LEVEL: 'info', ...extra };
}

describe('server entry point', () => {
  it('refuses to start with a bad variable and names it', async () => {
    const script = runScript(
      'src/main.ts',
      ['api'],
      baseEnv({ DATABASE_URL: database.url, PORT: 'eighty' }),
    );
    expect(await script.exited).toBe(2);
    expect(script.output()).toMatch(/PORT/);
  });

  it('refuses to start without DATABASE_URL and says how to set it', async () => {
    const script = runScript('src/main.ts', ['api'], baseEnv({}));
    expect(await script.exited).toBe(2);
    expect(script.output()).toMatch(/DATABASE_URL is required/);
  });

  it('refuses an unknown role', async () => {
    const script = runScript('src/main.ts', ['scheduler'], baseEnv({ DATABASE_URL: database.url }));
    expect(await script.exited).toBe(2);
    expect(script.output()).toMatch(/Unknown role "scheduler"/);
  });

  it('runs a worker without the API, serving only its metrics', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const script = runScript(
      'src/main.ts',
      ['worker'],
      baseEnv({
        DATABASE_URL: database.url,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
      }),
    );
    await script.waitFor('StreamLeads started');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('streamleads_leads_scored_total');
    script.child.kill('SIGTERM');
    expect(await script.exited).toBe(0);
  });

  it('stops gracefully on SIGTERM, closing WebSockets with "going away"', async () => {
    const port = await freePort();
    const script = runScript(
      'src/main.ts',
      ['api'],
      baseEnv({ DATABASE_URL: database.url, PORT: String(port) }),
    );
    await script.waitFor('StreamLeads started');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    script.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await script.exited).toBe(0);
    expect(script.output()).toContain('StreamLeads stopped');
  });
});
