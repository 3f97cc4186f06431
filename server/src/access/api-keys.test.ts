import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, postGraphql, type Fetcher } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createApiKey } from './api-keys.ts';
import { hashToken } from './tokens.ts';

let database: TestDatabase;
let app: TestApp;
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const formOrigin = 'https://www.form.example';

const versionWith = (headers: Record<string, string>) =>
  postGraphql<{ version: string }>(fetcher, 'http://test', { query: '{ version }' }, headers);

describe('API keys', () => {
  it('returns a new key once and stores only its SHA-256', async () => {
    const response = await postGraphql<{
      createApiKey: { key: string; apiKey: { id: string; prefix: string; scopes: string[] } };
    }>(
      fetcher,
      'http://test',
      {
        query: `mutation ($input: CreateApiKeyInput!) {
          createApiKey(input: $input) {
            __typename
            ... on CreateApiKeyPayload { key apiKey { id prefix scopes } }
            ... on Error { message }
          }
        }`,
        variables: { input: { name: 'n8n', scopes: ['LEADS_READ'] } },
      },
      app.adminHeaders,
    );
    const { key, apiKey } = response.data!.createApiKey;
    expect(key).toMatch(/^slk_[\w-]{43}$/);
    expect(apiKey).toEqual({
      id: expect.any(String) as string,
      prefix: key.slice(0, 12),
      scopes: ['LEADS_READ'],
    });

    const row = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.keyHash).toBe(hashToken(key));
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key.slice(12));

    // No query gives it back: the listing has no field for it.
    const listed = await postGraphql(
      fetcher,
      'http://test',
      { query: '{ apiKeys { id prefix } }' },
      app.adminHeaders,
    );
    expect(JSON.stringify(listed)).not.toContain(key.slice(12));

    expect((await versionWith({ authorization: `Bearer ${key}` })).data).toEqual({
      version: '0.1.0',
    });
  });

  it('refuses a key without name, scope or valid origins, in the language asked for', async () => {
    const create = (headers: Record<string, string>) =>
      postGraphql<{ createApiKey: Record<string, unknown> }>(
        fetcher,
        'http://test',
        {
          query: `mutation ($input: CreateApiKeyInput!) {
            createApiKey(input: $input) {
              __typename
              ... on ValidationError { fieldErrors { path message } }
            }
          }`,
          variables: { input: { name: ' ', scopes: [], allowedOrigins: ['ftp://files.example'] } },
        },
        { ...app.adminHeaders, ...headers },
      );
    const keysBefore = await database.prisma.apiKey.count();

    expect((await create({})).data?.createApiKey).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'name', message: 'Name is required' },
        { path: 'scopes', message: 'Give the key at least one scope' },
        { path: 'allowedOrigins.0', message: 'Enter an origin like https://www.example.com' },
      ],
    });
    expect((await create({ 'accept-language': 'pt-BR' })).data?.createApiKey).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'name', message: 'Informe o nome' },
        { path: 'scopes', message: 'Escolha pelo menos um escopo para a chave' },
        {
          path: 'allowedOrigins.0',
          message: 'Informe uma origem como https://www.exemplo.com.br',
        },
      ],
    });
    expect(await database.prisma.apiKey.count()).toBe(keysBefore);
  });

  it('accepts a key in X-API-Key as well as Authorization: Bearer', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'script', scopes: ['leads:read'] });
    expect((await versionWith({ 'x-api-key': key })).data).toEqual({ version: '0.1.0' });
  });

  it('records when a key was last used', async () => {
    const { key, record } = await createApiKey(database.prisma, {
      name: 'crm',
      scopes: ['leads:read'],
    });
    expect(record.lastUsedAt).toBeNull();
    const before = Date.now();
    await versionWith({ authorization: `Bearer ${key}` });
    const used = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: record.id } });
    expect(used.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('refuses an unknown key with UNAUTHENTICATED and 401', async () => {
    const response = await versionWith({ authorization: 'Bearer slk_not-a-real-key' });
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data ?? null).toBeNull();
  });

  it('refuses a key from an origin it does not list and accepts it from its own', async () => {
    const { key } = await createApiKey(database.prisma, {
      name: 'site form',
      scopes: ['leads:create'],
      allowedOrigins: [formOrigin],
    });
    const viewer = (origin: string) =>
      postGraphql<{ viewer: { kind: string } }>(
        fetcher,
        'http://test',
        { query: '{ viewer { kind } }' },
        { authorization: `Bearer ${key}`, origin },
      );
    const elsewhere = await viewer('https://copycat.example');
    expect(elsewhere.status).toBe(403);
    expect(errorCodes(elsewhere)).toEqual(['FORBIDDEN']);
    expect(elsewhere.data ?? null).toBeNull();

    const own = await viewer(formOrigin);
    expect(own.errors).toBeUndefined();
    expect(own.data).toEqual({ viewer: { kind: 'API_KEY' } });
    expect(own.headers.get('access-control-allow-origin')).toBe(formOrigin);
  });

  it('refuses a key without allowed origins from any browser', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'server', scopes: ['leads:read'] });
    const response = await versionWith({
      authorization: `Bearer ${key}`,
      origin: 'http://dashboard.test',
    });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});

describe('CORS for form origins', () => {
  const preflight = (origin: string) =>
    app.yoga.fetch('http://test/graphql', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('allows an origin an active key lists, without credentials', async () => {
    const origin = 'https://landing.example';
    await createApiKey(database.prisma, {
      name: 'landing form',
      scopes: ['leads:create'],
      allowedOrigins: [origin],
    });
    const response = await preflight(origin);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).not.toBe('true');
  });

  it('allows no unknown origin', async () => {
    const response = await preflight('https://unknown.example');
    expect(response.headers.get('access-control-allow-origin')).not.toBe('https://unknown.example');
    expect(response.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('stops allowing the origin of a revoked key', async () => {
    const origin = 'https://retired.example';
    const { record } = await createApiKey(database.prisma, {
      name: 'retired form',
      scopes: ['leads:create'],
      allowedOrigins: [origin],
    });
    expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBe(origin);
    await database.prisma.apiKey.update({
      where: { id: record.id },
      data: { revokedAt: new Date() },
    });
    expect((await preflight(origin)).headers.get('access-control-allow-origin')).not.toBe(origin);
  });

  it('keeps credentials for the dashboard origin only', async () => {
    const response = await preflight('http://dashboard.test');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://dashboard.test');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });
});
