import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createLogger } from '../logger.ts';
import { verifyPassword } from './passwords.ts';
import { createUser, ensureFirstAdmin } from './users.ts';

let database: TestDatabase;
const logger = createLogger('silent');

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await database.prisma.user.deleteMany();
});

afterAll(async () => {
  await database?.drop();
});

const admin = { email: 'Owner@Example.com', password: 'the first admin password' };

describe('ensureFirstAdmin', () => {
  it('creates an ADMIN with the given email and password when no user exists', async () => {
    await ensureFirstAdmin(database.prisma, admin, logger);
    const users = await database.prisma.user.findMany();
    expect(users).toMatchObject([{ email: 'owner@example.com', role: 'ADMIN', disabledAt: null }]);
    expect(users[0]!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(users[0]!.passwordHash, admin.password)).toBe(true);
  });

  it('does nothing when a user exists', async () => {
    const existing = await createUser(database.prisma, {
      email: 'sales@example.com',
      name: 'Sales',
      role: 'SALES',
      password: 'a sales password here',
    });
    await ensureFirstAdmin(database.prisma, admin, logger);
    expect(await database.prisma.user.findMany()).toEqual([existing]);
  });

  it('does nothing on a second start with the same settings', async () => {
    await ensureFirstAdmin(database.prisma, admin, logger);
    const [first] = await database.prisma.user.findMany();
    await ensureFirstAdmin(
      database.prisma,
      { ...admin, password: 'a changed password now' },
      logger,
    );
    expect(await database.prisma.user.findMany()).toEqual([first]);
  });

  it('creates one admin when several instances start at once', async () => {
    await Promise.all(
      Array.from({ length: 4 }, () => ensureFirstAdmin(database.prisma, admin, logger)),
    );
    expect(await database.prisma.user.count()).toBe(1);
  });

  it('creates nobody without an email and password', async () => {
    await ensureFirstAdmin(database.prisma, { email: admin.email }, logger);
    await ensureFirstAdmin(database.prisma, {}, logger);
    expect(await database.prisma.user.count()).toBe(0);
  });
});
