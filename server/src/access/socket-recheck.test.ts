// Sockets whose access ends without a revocation event: a session that expires, a changed role.
// The API checks open sockets on an interval (shortened here) and closes those with 4403.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closeCodeWithin,
  openTestSocket,
  signedInUser,
  type TestSocket,
} from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createApiKey } from './api-keys.ts';

let database: TestDatabase;
let app: TestApp;
let url: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database, { socketRecheckMs: 100 });
  url = await app.listen(0, '127.0.0.1');
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

async function openAs(options: Parameters<typeof openTestSocket>[1]): Promise<TestSocket> {
  const socket = openTestSocket(url, options);
  sockets.push(socket);
  expect(await socket.acknowledged).toBe(true);
  return socket;
}

describe('open sockets', () => {
  it('close when their session expires, and only those', async () => {
    const expiring = await signedInUser(database.prisma, 'SALES');
    const staying = await signedInUser(database.prisma, 'SALES');
    const expiringSocket = await openAs({ headers: { cookie: expiring.cookie } });
    const stayingSocket = await openAs({ headers: { cookie: staying.cookie } });
    await database.prisma.session.update({
      where: { id: expiring.sessionId },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    expect(await closeCodeWithin(expiringSocket, 3_000)).toBe(4403);
    expect(await closeCodeWithin(stayingSocket, 500)).toBe('open');
  });

  it("close when their user's role changes, so the client reconnects with the new rights", async () => {
    const manager = await signedInUser(database.prisma, 'MANAGER');
    const socket = await openAs({ headers: { cookie: manager.cookie } });
    expect(await closeCodeWithin(socket, 400)).toBe('open');
    await database.prisma.user.update({ where: { id: manager.user.id }, data: { role: 'SALES' } });
    expect(await closeCodeWithin(socket, 3_000)).toBe(4403);
  });

  it('close when their API key is revoked without an event reaching this instance', async () => {
    const { key, record } = await createApiKey(database.prisma, {
      name: 'reader',
      scopes: ['leads:read'],
    });
    const socket = await openAs({ connectionParams: { apiKey: key } });
    await database.prisma.apiKey.update({
      where: { id: record.id },
      data: { revokedAt: new Date() },
    });
    expect(await closeCodeWithin(socket, 3_000)).toBe(4403);
  });
});
