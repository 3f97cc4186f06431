import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestSocket, signedInUser, type TestSocket } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createApiKey } from './api-keys.ts';

let database: TestDatabase;
let app: TestApp;
let url: string;
let cookie: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  url = await app.listen(0, '127.0.0.1');
  ({ cookie } = await signedInUser(database.prisma, 'SALES'));
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

function open(options: Parameters<typeof openTestSocket>[1]): TestSocket {
  const socket = openTestSocket(url, options);
  sockets.push(socket);
  return socket;
}

async function expectRefused(socket: TestSocket) {
  expect(await socket.acknowledged).toBe(false);
  expect((await socket.closed).code).toBe(4403);
}

async function replyTo(socket: TestSocket, id: string) {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const reply = socket.messages.find((message) => message.id === id);
    if (reply) return reply;
    await sleep(20);
  }
  throw new Error(`no reply to ${id}: ${JSON.stringify(socket.messages)}`);
}

describe('WebSocket connections', () => {
  it('refuses a connection without credentials with 4403', async () => {
    await expectRefused(open({}));
  });

  it('refuses an unknown API key', async () => {
    await expectRefused(open({ connectionParams: { apiKey: 'slk_unknown' } }));
  });

  it('refuses a session cookie sent from a page outside the dashboard origins', async () => {
    await expectRefused(open({ headers: { cookie, origin: 'https://evil.example' } }));
  });

  it('accepts the session cookie from the dashboard origin', async () => {
    const socket = open({ headers: { cookie, origin: 'http://dashboard.test' } });
    expect(await socket.acknowledged).toBe(true);
    socket.subscribe('viewer', '{ viewer { kind user { role } } }');
    expect(await replyTo(socket, 'viewer')).toEqual({
      id: 'viewer',
      type: 'next',
      payload: { data: { viewer: { kind: 'USER', user: { role: 'SALES' } } } },
    });
  });

  it('refuses an API key from a browser origin the key does not list', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'server', scopes: ['leads:read'] });
    await expectRefused(
      open({ headers: { origin: 'https://evil.example' }, connectionParams: { apiKey: key } }),
    );
  });

  it('checks each operation against the socket’s permissions', async () => {
    const { key } = await createApiKey(database.prisma, {
      name: 'form',
      scopes: ['leads:create'],
    });
    const socket = open({ connectionParams: { apiKey: key } });
    expect(await socket.acknowledged).toBe(true);
    socket.subscribe('updates', 'subscription { leadUpdated { leadId } }');
    expect(await replyTo(socket, 'updates')).toMatchObject({
      type: 'next',
      payload: { errors: [{ extensions: { code: 'FORBIDDEN' } }] },
    });
  });
});
