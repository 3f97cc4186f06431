// Request limits are counted in PostgreSQL, so two API instances share them: a caller cannot get
// twice the limit by being balanced over two.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodes,
  openTestSocket,
  postGraphql,
  postGraphqlFrom,
  signedInUser,
  type GraphqlResponse,
} from '../../test/access.ts';
import { generousRateLimits, startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createAccessControl, type RateLimitSettings } from './access-control.ts';
import { createApiKey } from './api-keys.ts';

const limits: RateLimitSettings = {
  ...generousRateLimits,
  perKeyPerMinute: 5,
  perUserPerMinute: 5,
  // Lower than the others, so a per-address limit shows apart from a per-key one.
  perIpPerMinute: 3,
};

let database: TestDatabase;
let appA: TestApp;
let appB: TestApp;
let urlA: string;
let urlB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  [appA, appB] = await Promise.all([
    startTestApp(database, { rateLimits: limits }),
    startTestApp(database, { rateLimits: limits }),
  ]);
  [urlA, urlB] = await Promise.all([appA.listen(0, '127.0.0.1'), appB.listen(0, '127.0.0.1')]);
});

afterAll(async () => {
  await appA?.stop();
  await appB?.stop();
  await database?.drop();
});

/** Sends `count` requests alternating between the instances; returns their statuses in order. */
async function alternate(
  count: number,
  send: (app: TestApp, base: string) => Promise<GraphqlResponse>,
): Promise<GraphqlResponse[]> {
  const responses: GraphqlResponse[] = [];
  for (let index = 0; index < count; index++) {
    responses.push(await (index % 2 === 0 ? send(appA, urlA) : send(appB, urlB)));
  }
  return responses;
}

function expectRateLimited(response: GraphqlResponse) {
  expect(response.status).toBe(429);
  expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

const statuses = (responses: GraphqlResponse[]) => responses.map((response) => response.status);
const viewerQuery = { query: '{ viewer { kind } }' };

describe('rate limits shared by two instances', () => {
  it('refuses an API key with 429 and Retry-After once the requests to both exceed its limit', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'busy', scopes: ['leads:read'] });
    const { key: otherKey } = await createApiKey(database.prisma, {
      name: 'quiet',
      scopes: ['leads:read'],
    });
    const headers = { authorization: `Bearer ${key}` };
    const responses = await alternate(7, (app) =>
      postGraphql((url, init) => app.yoga.fetch(url, init), 'http://test', viewerQuery, headers),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expectRateLimited(responses[5]!);
    expect(responses[5]!.data ?? null).toBeNull();

    // Another key has its own count.
    const other = await postGraphql(
      (url, init) => appB.yoga.fetch(url, init),
      'http://test',
      viewerQuery,
      { authorization: `Bearer ${otherKey}` },
    );
    expect(other.status).toBe(200);
  });

  it('refuses a signed-in person once the requests to both exceed their limit', async () => {
    const { cookie } = await signedInUser(database.prisma, 'SALES');
    const colleague = await signedInUser(database.prisma, 'SALES');
    const responses = await alternate(6, (app) =>
      postGraphql((url, init) => app.yoga.fetch(url, init), 'http://test', viewerQuery, {
        cookie,
      }),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429]);
    expectRateLimited(responses[5]!);
    expect(
      (
        await postGraphql((url, init) => appA.yoga.fetch(url, init), 'http://test', viewerQuery, {
          cookie: colleague.cookie,
        })
      ).status,
    ).toBe(200);
  });

  it('refuses an anonymous address once its requests to both exceed the limit', async () => {
    const responses = await alternate(4, (_app, base) =>
      postGraphqlFrom(base, '127.0.0.2', viewerQuery),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 429]);
    expectRateLimited(responses[3]!);
    // Another address has its own count.
    expect((await postGraphqlFrom(urlB, '127.0.0.3', viewerQuery)).status).toBe(200);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const responses = await alternate(4, (_app, base) =>
      postGraphqlFrom(base, '127.0.0.4', viewerQuery, {
        'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}`,
      }),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 429]);
  });

  it('limits a publishable key per visitor address as well as per key', async () => {
    const { key } = await createApiKey(database.prisma, {
      name: 'site form',
      scopes: ['leads:create'],
    });
    const headers = { authorization: `Bearer ${key}` };
    const responses = await alternate(4, (_app, base) =>
      postGraphqlFrom(base, '127.0.0.5', viewerQuery, headers),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 429]);
    // A second visitor of the same form still gets through, until the key's own limit.
    expect((await postGraphqlFrom(urlA, '127.0.0.6', viewerQuery, headers)).status).toBe(200);
    expect((await postGraphqlFrom(urlB, '127.0.0.6', viewerQuery, headers)).status).toBe(429);
  });

  it('does not limit a server key per address', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'n8n', scopes: ['leads:read'] });
    const responses = await alternate(6, (_app, base) =>
      postGraphqlFrom(base, '127.0.0.7', viewerQuery, { authorization: `Bearer ${key}` }),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('does not limit a leads:write key per address: servers use it', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'crm', scopes: ['leads:write'] });
    const responses = await alternate(6, (_app, base) =>
      postGraphqlFrom(base, '127.0.0.8', viewerQuery, { authorization: `Bearer ${key}` }),
    );
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts requests with a refused key against the address', async () => {
    const responses = await alternate(4, (_app, base) =>
      postGraphqlFrom(base, '127.0.0.9', viewerQuery, {
        authorization: `Bearer slk_made-up-${Math.random()}`,
      }),
    );
    expect(statuses(responses)).toEqual([401, 401, 401, 429]);
    expectRateLimited(responses[3]!);
  });

  it('counts WebSocket operations against the same limit as HTTP requests', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'tv', scopes: ['leads:read'] });
    const socket = openTestSocket(urlB, { connectionParams: { apiKey: key } });
    try {
      expect(await socket.acknowledged).toBe(true);
      await alternate(5, (app) =>
        postGraphql((url, init) => app.yoga.fetch(url, init), 'http://test', viewerQuery, {
          authorization: `Bearer ${key}`,
        }),
      );
      socket.subscribe('one', '{ viewer { kind } }');
      const deadline = Date.now() + 5_000;
      while (!socket.messages.some((message) => message.id === 'one') && Date.now() < deadline) {
        await sleep(20);
      }
      expect(socket.messages.find((message) => message.id === 'one')).toMatchObject({
        type: 'error',
        payload: [{ extensions: { code: 'RATE_LIMITED' } }],
      });
    } finally {
      await socket.close();
    }
  });
});

describe('the client address', () => {
  const headers = (forwardedFor: string) => ({
    get: (name: string) => (name === 'x-forwarded-for' ? forwardedFor : null),
  });

  it('is the socket address when no proxy is trusted', () => {
    expect(appA.access.clientIp(headers('203.0.113.9'), '::ffff:10.0.0.5')).toBe('10.0.0.5');
  });

  it('is the entry the trusted proxies received from, whatever the client wrote before it', () => {
    const access = (trustProxyHops: number) =>
      createAccessControl({
        prisma: database.prisma,
        pool: database.pool,
        rateLimits: limits,
        trustProxyHops,
      });
    const forwarded = headers('6.6.6.6, 203.0.113.9, 10.0.0.2');
    expect(access(1).clientIp(forwarded, '10.0.0.3')).toBe('10.0.0.2');
    expect(access(2).clientIp(forwarded, '10.0.0.3')).toBe('203.0.113.9');
    // More hops trusted than entries present: the leftmost entry, never beyond it.
    expect(access(5).clientIp(headers('203.0.113.9'), '10.0.0.3')).toBe('203.0.113.9');
  });
});
