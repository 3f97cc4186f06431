// In production (exploration 'authenticated') the schema is shown only to signed-in people and
// API keys: anonymous callers get neither introspection, nor GraphiQL, nor field suggestions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, postGraphql, signedInUser, type Fetcher } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';

let database: TestDatabase;
let app: TestApp;
let cookie: string;
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database, { exploration: 'authenticated' });
  ({ cookie } = await signedInUser(database.prisma, 'SALES'));
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const schemaQuery = { query: '{ __schema { queryType { name } } }' };
const typeQuery = { query: '{ __type(name: "Lead") { name } }' };

const graphiql = (headers: Record<string, string> = {}) =>
  app.yoga.fetch('http://test/graphql', { headers: { accept: 'text/html', ...headers } });

describe('schema exploration for signed-in callers only', () => {
  it('refuses __schema and __type introspection to an anonymous caller', async () => {
    for (const operation of [schemaQuery, typeQuery]) {
      const response = await postGraphql(fetcher, 'http://test', operation);
      expect(response.data ?? null).toBeNull();
      expect(JSON.stringify(response.errors)).toMatch(/introspection/i);
    }
  });

  it('answers introspection to a signed-in person and to an API key', async () => {
    for (const headers of [{ cookie }, app.adminHeaders]) {
      const response = await postGraphql(fetcher, 'http://test', schemaQuery, headers);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    }
  });

  it('does not serve GraphiQL to an anonymous browser', async () => {
    const response = await graphiql();
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('GraphiQL');
  });

  it('serves GraphiQL to a signed-in browser', async () => {
    const response = await graphiql({ cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('GraphiQL');
  });

  it('does not serve GraphiQL for a revoked or unknown key', async () => {
    const response = await graphiql({ authorization: 'Bearer slk_unknown' });
    expect(await response.text()).not.toContain('GraphiQL');
  });

  it('suggests no field names in validation errors', async () => {
    const response = await postGraphql(fetcher, 'http://test', { query: '{ leds { id } }' });
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|"leads"/i);
  });
});
