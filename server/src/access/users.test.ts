import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, signedInUser, type Fetcher } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createLogger } from '../logger.ts';
import { verifyPassword } from './passwords.ts';
import { createUser, ensureFirstAdmin } from './users.ts';

let database: TestDatabase;
let app: TestApp;
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);
const logger = createLogger('silent');

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
});

afterEach(async () => {
  await database.prisma.user.deleteMany();
});

afterAll(async () => {
  await app?.stop();
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

describe('user administration refusals', () => {
  const portuguese = { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' };

  const createUserMutation = `mutation ($input: CreateUserInput!) {
    createUser(input: $input) {
      __typename
      ... on ValidationError { message fieldErrors { path message } }
    }
  }`;

  const updateUserMutation = `mutation ($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
      ... on Error { message }
    }
  }`;

  const changePasswordMutation = `mutation ($current: String!, $new: String!) {
    changePassword(currentPassword: $current, newPassword: $new) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
    }
  }`;

  async function ask(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const response = await postGraphql(fetcher, 'http://test', { query, variables }, headers);
    expect(response.errors).toBeUndefined();
    return Object.values(response.data!)[0] as Record<string, unknown>;
  }

  const badUser = { email: 'not-an-email', name: '  ', role: 'SALES', password: 'short' };

  it('refuses a new user field by field, in English when no language is asked for', async () => {
    expect(await ask(createUserMutation, { input: badUser }, app.adminHeaders)).toEqual({
      __typename: 'ValidationError',
      message:
        'email: Enter a valid email address; name: Name is required; password: Use at least 12 characters',
      fieldErrors: [
        { path: 'email', message: 'Enter a valid email address' },
        { path: 'name', message: 'Name is required' },
        { path: 'password', message: 'Use at least 12 characters' },
      ],
    });
    expect(await database.prisma.user.count()).toBe(0);
  });

  it('refuses a new user field by field in Portuguese for a dashboard in Portuguese', async () => {
    const headers = { ...app.adminHeaders, ...portuguese };
    expect(await ask(createUserMutation, { input: badUser }, headers)).toEqual({
      __typename: 'ValidationError',
      message:
        'email: Informe um e-mail válido; name: Informe o nome; password: Use pelo menos 12 caracteres',
      fieldErrors: [
        { path: 'email', message: 'Informe um e-mail válido' },
        { path: 'name', message: 'Informe o nome' },
        { path: 'password', message: 'Use pelo menos 12 caracteres' },
      ],
    });
  });

  it('refuses a taken email and an admin demoting themselves, in either language', async () => {
    const admin = await signedInUser(database.prisma, 'ADMIN');
    const taken = { ...badUser, email: admin.user.email, name: 'Other', password: 'x'.repeat(12) };
    const demote = { id: admin.user.id, input: { role: 'SALES' } };
    const english = { cookie: admin.cookie };
    const inPortuguese = { cookie: admin.cookie, ...portuguese };

    expect(await ask(createUserMutation, { input: taken }, english)).toMatchObject({
      fieldErrors: [{ path: 'email', message: 'This email has a user' }],
    });
    expect(await ask(createUserMutation, { input: taken }, inPortuguese)).toMatchObject({
      fieldErrors: [{ path: 'email', message: 'Este e-mail já tem um usuário' }],
    });
    expect(await ask(updateUserMutation, demote, english)).toEqual({
      __typename: 'ValidationError',
      message: 'role: You cannot demote or disable yourself',
      fieldErrors: [{ path: 'role', message: 'You cannot demote or disable yourself' }],
    });
    expect(await ask(updateUserMutation, demote, inPortuguese)).toEqual({
      __typename: 'ValidationError',
      message: 'role: Você não pode rebaixar nem desativar a própria conta',
      fieldErrors: [
        { path: 'role', message: 'Você não pode rebaixar nem desativar a própria conta' },
      ],
    });
    const unchanged = await database.prisma.user.findUniqueOrThrow({
      where: { id: admin.user.id },
    });
    expect(unchanged.role).toBe('ADMIN');
    expect(await database.prisma.user.count()).toBe(1);
  });

  it('words a short new password and an unknown user in Portuguese', async () => {
    const sales = await signedInUser(database.prisma, 'SALES');
    const passwordChange = { current: 'correct horse battery staple', new: 'short' };
    expect(
      await ask(changePasswordMutation, passwordChange, { cookie: sales.cookie, ...portuguese }),
    ).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: 'newPassword', message: 'Use pelo menos 12 caracteres' }],
    });
    expect(await verifyPassword(sales.user.passwordHash, passwordChange.current)).toBe(true);

    const unknown = '01890000-0000-7000-8000-000000000000';
    const headers = { ...app.adminHeaders, ...portuguese };
    expect(await ask(updateUserMutation, { id: unknown, input: { name: 'X' } }, headers)).toEqual({
      __typename: 'UserNotFoundError',
      message: `Nenhum usuário tem o id ${unknown}.`,
    });
  });
});
