// A page on another site can make the browser send "simple" requests (GET, form posts, text/plain)
// without a CORS preflight. The session cookie is SameSite=Strict; on top of that such requests
// are refused unless they carry a header no form can set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';

let database: TestDatabase;
let app: TestApp;
let cookie: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  ({ cookie } = await signedInUser(database.prisma, 'ADMIN'));
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const viewerPath = `/graphql?query=${encodeURIComponent('{ viewer { kind user { role } } }')}`;
const createKey =
  'mutation { createApiKey(input: { name: "planted", scopes: [ADMIN] }) { __typename } }';
const plantedKeys = () => database.prisma.apiKey.count({ where: { name: 'planted' } });

const post = (contentType: string, body: string | FormData) =>
  app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType, cookie } : { cookie },
    body,
  });

describe('CSRF prevention', () => {
  it('refuses a cookie-authenticated GET without the CSRF header with 403', async () => {
    const response = await app.yoga.fetch(`http://test${viewerPath}`, { headers: { cookie } });
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('ADMIN');
  });

  it('answers the same GET with the x-graphql-yoga-csrf header', async () => {
    const response = await app.yoga.fetch(`http://test${viewerPath}`, {
      headers: { cookie, 'x-graphql-yoga-csrf': '1' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { viewer: { kind: 'USER', user: { role: 'ADMIN' } } },
    });
  });

  it.each([
    ['text/plain', () => JSON.stringify({ query: createKey })],
    ['text/plain;charset=UTF-8', () => JSON.stringify({ query: createKey })],
    [
      'application/x-www-form-urlencoded',
      () => new URLSearchParams({ query: createKey }).toString(),
    ],
  ])('refuses a %s POST with 403 and changes nothing', async (contentType, body) => {
    const response = await post(contentType, body());
    expect(response.status).toBe(403);
    expect(await plantedKeys()).toBe(0);
  });

  it('refuses a multipart/form-data POST with 403 and changes nothing', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: createKey }));
    form.set('map', '{}');
    const response = await post('', form);
    expect(response.status).toBe(403);
    expect(await plantedKeys()).toBe(0);
  });

  it('runs the same mutation sent as JSON, which a browser preflights', async () => {
    const response = await post('application/json', JSON.stringify({ query: createKey }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { createApiKey: { __typename: 'CreateApiKeyPayload' } },
    });
    expect(await plantedKeys()).toBe(1);
  });
});
