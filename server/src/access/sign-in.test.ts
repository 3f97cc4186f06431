import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodes,
  postGraphql,
  sessionCookieHeader,
  sessionTokenOf,
  testPassword,
  type Fetcher,
} from '../../test/access.ts';
import { generousRateLimits, startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import type { UserRole } from '../generated/prisma/enums.ts';
import { createUser } from './users.ts';

let database: TestDatabase;
let app: TestApp;
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);
const maxFailures = generousRateLimits.signInFailures;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

async function newUser(role: UserRole = 'SALES') {
  return createUser(database.prisma, {
    email: `user-${randomUUID()}@example.com`,
    name: 'Dora Alves',
    role,
    password: testPassword,
  });
}

const signInMutation = `mutation ($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    __typename
    ... on SignInPayload { user { email role } }
    ... on Error { message }
  }
}`;

async function signIn(email: string, password: string, base = 'http://test') {
  const response = await fetcher(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'vitest' },
    body: JSON.stringify({ query: signInMutation, variables: { email, password } }),
  });
  const body = (await response.json()) as {
    data?: { signIn: { __typename: string; message?: string; user?: { email: string } } } | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  return { response, body, token: sessionTokenOf(response) };
}

const viewerQuery = '{ viewer { kind user { email role } } }';

async function viewerWith(cookie: string) {
  const response = await postGraphql<{
    viewer: { kind: string; user: { email: string; role: string } | null };
  }>(fetcher, 'http://test', { query: viewerQuery }, { cookie });
  return response.data?.viewer;
}

describe('signIn', () => {
  it('sets an httpOnly, SameSite=Strict session cookie for the whole site', async () => {
    const user = await newUser();
    const { response, body } = await signIn(user.email, testPassword);
    expect(body.data?.signIn).toEqual({
      __typename: 'SignInPayload',
      user: { email: user.email, role: 'SALES' },
    });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^streamleads_session=sls_[\w-]+;/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    // Over plain HTTP a Secure cookie would never come back.
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });

  it('marks the cookie Secure when the request came over HTTPS', async () => {
    const user = await newUser();
    const { response } = await signIn(user.email, testPassword, 'https://test');
    expect(response.headers.getSetCookie()[0]).toMatch(/;\s*Secure/i);
  });

  it('authenticates later requests with the session cookie', async () => {
    const user = await newUser('MANAGER');
    const { token } = await signIn(user.email, testPassword);
    expect(await viewerWith(sessionCookieHeader(token!))).toEqual({
      kind: 'USER',
      user: { email: user.email, role: 'MANAGER' },
    });
  });

  it('ends the session on signOut: the same cookie is anonymous afterwards', async () => {
    const user = await newUser();
    const { token } = await signIn(user.email, testPassword);
    const cookie = sessionCookieHeader(token!);
    const other = await signIn(user.email, testPassword);

    const signOut = await fetcher('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query: 'mutation { signOut }' }),
    });
    expect(await signOut.json()).toEqual({ data: { signOut: true } });
    expect(signOut.headers.getSetCookie()[0]).toMatch(/^streamleads_session=;.*Max-Age=0/i);

    expect(await viewerWith(cookie)).toEqual({ kind: 'ANONYMOUS', user: null });
    // Only this session ended: the user's other one still works.
    expect((await viewerWith(sessionCookieHeader(other.token!)))?.kind).toBe('USER');
  });

  it('answers a wrong password and an unknown email with the same InvalidCredentialsError', async () => {
    const user = await newUser();
    const wrongPassword = await signIn(user.email, 'not the password at all');
    const unknownEmail = await signIn(`nobody-${randomUUID()}@example.com`, testPassword);
    for (const attempt of [wrongPassword, unknownEmail]) {
      expect(attempt.body.data?.signIn).toEqual({
        __typename: 'InvalidCredentialsError',
        message: 'Email or password is wrong.',
      });
      expect(attempt.token).toBeNull();
    }
  });

  it('words the refusal in Portuguese for a dashboard in Portuguese', async () => {
    const user = await newUser();
    const response = await postGraphql<{ signIn: Record<string, unknown> }>(
      fetcher,
      'http://test',
      { query: signInMutation, variables: { email: user.email, password: 'not the password' } },
      { 'accept-language': 'pt-BR,pt;q=0.9' },
    );
    expect(response.data?.signIn).toEqual({
      __typename: 'InvalidCredentialsError',
      message: 'E-mail ou senha incorretos.',
    });
  });

  it('locks an email after the maximum failures: even the right password gets 429 with Retry-After', async () => {
    const user = await newUser();
    const neighbour = await newUser();
    for (let attempt = 0; attempt < maxFailures; attempt++) {
      const { body } = await signIn(user.email, 'not the password at all');
      expect(body.data?.signIn.__typename).toBe('InvalidCredentialsError');
    }

    const locked = await signIn(user.email, testPassword);
    expect(locked.response.status).toBe(429);
    expect(Number(locked.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorCodes(locked.body)).toEqual(['RATE_LIMITED']);
    expect(locked.token).toBeNull();
    // The email is the lock's key, whatever its case.
    const shouted = await signIn(user.email.toUpperCase(), testPassword);
    expect(shouted.response.status).toBe(429);

    // Another account is not locked with it.
    expect((await signIn(neighbour.email, testPassword)).body.data?.signIn.__typename).toBe(
      'SignInPayload',
    );
  });

  it('counts concurrent failed attempts against the lock', async () => {
    const user = await newUser();
    const attempts = await Promise.all(
      Array.from({ length: maxFailures * 3 }, () => signIn(user.email, 'not the password at all')),
    );
    const checked = attempts.filter(
      (attempt) => attempt.body.data?.signIn.__typename === 'InvalidCredentialsError',
    );
    const refused = attempts.filter((attempt) => attempt.response.status === 429);
    // Guesses sent all at once must not each get a password check before the first one counts.
    expect(checked.length).toBeLessThanOrEqual(maxFailures);
    expect(checked.length + refused.length).toBe(attempts.length);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const user = await newUser();
    for (let round = 0; round < 2; round++) {
      for (let attempt = 0; attempt < maxFailures - 1; attempt++) {
        await signIn(user.email, 'not the password at all');
      }
      expect((await signIn(user.email, testPassword)).body.data?.signIn.__typename).toBe(
        'SignInPayload',
      );
    }
  });

  it('records auth.sign-in and auth.sign-in-failed in the audit log without the password', async () => {
    const user = await newUser();
    await signIn(user.email, 'a wrong guess here');
    await signIn(user.email, testPassword);
    const events = await database.prisma.auditEvent.findMany({
      where: {
        OR: [{ targetId: user.id }, { details: { path: ['email'], equals: user.email } }],
      },
      orderBy: { id: 'asc' },
    });
    expect(events).toMatchObject([
      {
        action: 'auth.sign-in-failed',
        actorKind: 'anonymous',
        details: { email: user.email, reason: 'password' },
      },
      {
        action: 'auth.sign-in',
        actorKind: 'user',
        actorId: user.id,
        actorLabel: user.email,
        targetType: 'user',
        targetId: user.id,
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('a wrong guess here');
  });

  describe('a disabled user', () => {
    const disable = (id: string) =>
      postGraphql(
        fetcher,
        'http://test',
        {
          query: `mutation ($id: ID!) { updateUser(id: $id, input: { disabled: true }) { __typename } }`,
          variables: { id },
        },
        app.adminHeaders,
      );

    it('cannot sign in, even with the right password', async () => {
      const user = await newUser();
      expect((await disable(user.id)).data).toEqual({ updateUser: { __typename: 'User' } });
      const { body, token } = await signIn(user.email, testPassword);
      expect(body.data?.signIn).toEqual({
        __typename: 'InvalidCredentialsError',
        message: 'Email or password is wrong.',
      });
      expect(token).toBeNull();
    });

    it('loses the sessions they had', async () => {
      const user = await newUser();
      const colleague = await newUser();
      const { token } = await signIn(user.email, testPassword);
      const { token: colleagueToken } = await signIn(colleague.email, testPassword);
      expect((await viewerWith(sessionCookieHeader(token!)))?.kind).toBe('USER');

      await disable(user.id);
      expect(await viewerWith(sessionCookieHeader(token!))).toEqual({
        kind: 'ANONYMOUS',
        user: null,
      });
      expect((await viewerWith(sessionCookieHeader(colleagueToken!)))?.kind).toBe('USER');
    });
  });
});
