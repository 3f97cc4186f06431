// Revoking on one API instance takes effect on another: both read credentials from the database on
// every request, and sockets close when the revocation arrives through PostgreSQL NOTIFY.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closeCodeWithin,
  errorCodes,
  openTestSocket,
  postGraphql,
  signedInUser,
  testPassword,
  type Fetcher,
  type TestSocket,
} from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createApiKey } from './api-keys.ts';
import { startSession } from './sessions.ts';
import { sessionCookieHeader } from '../../test/access.ts';

let database: TestDatabase;
let appA: TestApp;
let appB: TestApp;
let urlB: string;
const fetchA: Fetcher = (url, init) => appA.yoga.fetch(url, init);
const fetchB: Fetcher = (url, init) => appB.yoga.fetch(url, init);
const sockets: TestSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  [appA, appB] = await Promise.all([startTestApp(database), startTestApp(database)]);
  urlB = await appB.listen(0, '127.0.0.1');
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await appA?.stop();
  await appB?.stop();
  await database?.drop();
});

const dashboardOrigin = 'http://dashboard.test';
const revokedWithin = 5_000;

/** A socket on instance B with a live subscription, as the dashboard holds one. */
async function subscribedSocketOnB(
  options: Parameters<typeof openTestSocket>[1],
): Promise<TestSocket> {
  const socket = openTestSocket(urlB, options);
  sockets.push(socket);
  expect(await socket.acknowledged).toBe(true);
  socket.subscribe('updates', 'subscription { leadUpdated { leadId } }');
  return socket;
}

const viewerKindOnB = async (headers: Record<string, string>) => {
  const response = await postGraphql<{ viewer: { kind: string } }>(
    fetchB,
    'http://test',
    { query: '{ viewer { kind } }' },
    headers,
  );
  return response.data?.viewer.kind;
};

describe('an API key revoked on another instance', () => {
  const revoke = (id: string) =>
    postGraphql(
      fetchA,
      'http://test',
      {
        query: `mutation ($id: ID!) { revokeApiKey(id: $id) { __typename ... on ApiKey { revokedAt } } }`,
        variables: { id },
      },
      appA.adminHeaders,
    );

  it('is refused by the next HTTP request with UNAUTHENTICATED', async () => {
    const { key, record } = await createApiKey(database.prisma, {
      name: 'crm',
      scopes: ['leads:read'],
    });
    expect(await viewerKindOnB({ authorization: `Bearer ${key}` })).toBe('API_KEY');
    expect((await revoke(record.id)).data).toMatchObject({
      revokeApiKey: { __typename: 'ApiKey', revokedAt: expect.any(String) as string },
    });
    const refused = await postGraphql(
      fetchB,
      'http://test',
      { query: '{ version }' },
      { authorization: `Bearer ${key}` },
    );
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
  });

  it('closes the sockets that use it with 4403, and no other', async () => {
    const { key, record } = await createApiKey(database.prisma, {
      name: 'dashboard tv',
      scopes: ['leads:read'],
    });
    const { key: otherKey } = await createApiKey(database.prisma, {
      name: 'other tv',
      scopes: ['leads:read'],
    });
    const revoked = await subscribedSocketOnB({ connectionParams: { apiKey: key } });
    const kept = await subscribedSocketOnB({ connectionParams: { apiKey: otherKey } });

    await revoke(record.id);
    expect(await closeCodeWithin(revoked, revokedWithin)).toBe(4403);
    expect(await closeCodeWithin(kept, 200)).toBe('open');
  });

  it('cannot open a new socket', async () => {
    const { key, record } = await createApiKey(database.prisma, {
      name: 'old',
      scopes: ['leads:read'],
    });
    await revoke(record.id);
    const socket = openTestSocket(urlB, { connectionParams: { apiKey: key } });
    sockets.push(socket);
    expect(await socket.acknowledged).toBe(false);
    expect((await socket.closed).code).toBe(4403);
  });
});

describe('a session ended on another instance', () => {
  it('closes the socket of a session signed out on instance A', async () => {
    const { user, cookie } = await signedInUser(database.prisma, 'SALES');
    const second = await startSession(database.prisma, user.id, { ip: null, userAgent: null });
    const secondCookie = sessionCookieHeader(second.token);
    const signedOut = await subscribedSocketOnB({
      headers: { cookie, origin: dashboardOrigin },
    });
    const otherSession = await subscribedSocketOnB({
      headers: { cookie: secondCookie, origin: dashboardOrigin },
    });

    const response = await postGraphql(
      fetchA,
      'http://test',
      { query: 'mutation { signOut }' },
      {
        cookie,
      },
    );
    expect(response.data).toEqual({ signOut: true });
    expect(await closeCodeWithin(signedOut, revokedWithin)).toBe(4403);
    expect(await closeCodeWithin(otherSession, 200)).toBe('open');
    expect(await viewerKindOnB({ cookie })).toBe('ANONYMOUS');
    expect(await viewerKindOnB({ cookie: secondCookie })).toBe('USER');
  });

  it('closes every socket of a user disabled on instance A, and no colleague’s', async () => {
    const { user, cookie } = await signedInUser(database.prisma, 'SALES');
    const colleague = await signedInUser(database.prisma, 'SALES');
    const disabledSocket = await subscribedSocketOnB({
      headers: { cookie, origin: dashboardOrigin },
    });
    const colleagueSocket = await subscribedSocketOnB({
      headers: { cookie: colleague.cookie, origin: dashboardOrigin },
    });

    const response = await postGraphql(
      fetchA,
      'http://test',
      {
        query: `mutation ($id: ID!) { updateUser(id: $id, input: { disabled: true }) { __typename } }`,
        variables: { id: user.id },
      },
      appA.adminHeaders,
    );
    expect(response.data).toEqual({ updateUser: { __typename: 'User' } });
    expect(await closeCodeWithin(disabledSocket, revokedWithin)).toBe(4403);
    expect(await closeCodeWithin(colleagueSocket, 200)).toBe('open');
    expect(await viewerKindOnB({ cookie })).toBe('ANONYMOUS');
  });

  it('closes the other sessions’ sockets when the password changes on instance A', async () => {
    const { user, cookie } = await signedInUser(database.prisma, 'MANAGER');
    const other = await startSession(database.prisma, user.id, { ip: null, userAgent: null });
    const otherCookie = sessionCookieHeader(other.token);
    const current = await subscribedSocketOnB({ headers: { cookie, origin: dashboardOrigin } });
    const elsewhere = await subscribedSocketOnB({
      headers: { cookie: otherCookie, origin: dashboardOrigin },
    });

    const response = await postGraphql(
      fetchA,
      'http://test',
      {
        query: `mutation ($current: String!, $next: String!) {
          changePassword(currentPassword: $current, newPassword: $next) {
            __typename ... on ChangePasswordPayload { endedSessions }
          }
        }`,
        variables: { current: testPassword, next: 'a brand new passphrase' },
      },
      { cookie },
    );
    expect(response.data).toEqual({
      changePassword: { __typename: 'ChangePasswordPayload', endedSessions: 1 },
    });
    expect(await closeCodeWithin(elsewhere, revokedWithin)).toBe(4403);
    expect(await closeCodeWithin(current, 200)).toBe('open');
    expect(await viewerKindOnB({ cookie: otherCookie })).toBe('ANONYMOUS');
  });
});
