import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { startTestApp, type TestApp } from '../test/app.ts';

let database: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const post = (body: string, contentType = 'application/json') =>
  app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': contentType, ...app.adminHeaders },
    body,
  });

describe('HTTP API', () => {
  it('answers a JSON query', async () => {
    const response = await post(JSON.stringify({ query: '{ __typename version }' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query', version: '0.1.0' } });
  });

  it('answers a raw application/graphql body as n8n sends it', async () => {
    const response = await post('{ __typename }', 'application/graphql');
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a query sent with GET', async () => {
    const response = await app.yoga.fetch('http://test/graphql?query=%7B__typename%7D', {
      headers: app.adminHeaders,
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves GraphiQL to a browser', async () => {
    const response = await app.yoga.fetch('http://test/graphql', {
      headers: { accept: 'text/html' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('GraphiQL');
  });

  it('lets the dashboard origin call with credentials and no other origin', async () => {
    const preflight = (origin: string) =>
      app.yoga.fetch('http://test/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight('http://dashboard.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://dashboard.test');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('http://evil.test');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('http://evil.test');
  });

  it('reports a malformed body as a client error', async () => {
    const response = await post('{"query": ');
    expect(response.status).toBe(400);
  });
});

describe('health endpoints', () => {
  it('answers /healthz while the process is alive', async () => {
    expect((await app.yoga.fetch('http://test/healthz')).status).toBe(200);
  });

  it('answers /readyz with every check passing', async () => {
    const response = await app.yoga.fetch('http://test/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ready: true,
      checks: { database: true, migrations: true, jobs: true },
    });
  });

  it('answers /readyz with 503 when a shipped migration is not applied', async () => {
    const behind = await startTestApp(database, { expectedMigrations: ['29990101000000_future'] });
    try {
      const response = await behind.yoga.fetch('http://test/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ ready: false, checks: { migrations: false } });
    } finally {
      await behind.stop();
    }
  });
});

describe('WebSocket', () => {
  it('runs operations over graphql-ws on the same port and path', async () => {
    const url = await app.listen(0, '127.0.0.1');
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: app.adminKey },
    });
    try {
      const result = await new Promise((resolve, reject) => {
        client.subscribe(
          { query: '{ version }' },
          { next: resolve, error: reject, complete: () => {} },
        );
      });
      expect(result).toEqual({ data: { version: '0.1.0' } });
    } finally {
      await client.dispose();
    }
  });
});
