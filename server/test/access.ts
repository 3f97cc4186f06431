import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { sessionCookieName } from '../src/access/access-control.ts';
import { startSession } from '../src/access/sessions.ts';
import { createUser } from '../src/access/users.ts';
import type { PrismaClient } from '../src/db.ts';
import type { UserRole } from '../src/generated/prisma/enums.ts';

/** A password every test user gets; long enough for the password rules. */
export const testPassword = 'correct horse battery staple';

/** A user of this role with a started session, and the Cookie header that carries it. */
export async function signedInUser(prisma: PrismaClient, role: UserRole) {
  const user = await createUser(prisma, {
    email: `${role.toLowerCase()}-${randomUUID()}@example.com`,
    name: `Test ${role}`,
    role,
    password: testPassword,
  });
  const session = await startSession(prisma, user.id, { ip: null, userAgent: 'vitest' });
  return { user, sessionId: session.sessionId, cookie: sessionCookieHeader(session.token) };
}

export function sessionCookieHeader(token: string): string {
  return `${sessionCookieName}=${token}`;
}

/** The session token in a response's Set-Cookie, or null. */
export function sessionTokenOf(response: Response): string | null {
  const cookie = response.headers
    .getSetCookie()
    .find((value) => value.startsWith(`${sessionCookieName}=`));
  const token = cookie?.slice(sessionCookieName.length + 1).split(';')[0];
  return token ? token : null;
}

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphqlResponse<Data = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: GraphqlError[];
}

/** Anything that answers fetch-style requests: yoga.fetch, or fetch against a listening app. */
export type Fetcher = (url: string, init: RequestInit) => Response | Promise<Response>;

/** POSTs one operation as JSON and reads the answer, whatever its status. */
export async function postGraphql<Data = Record<string, unknown>>(
  fetcher: Fetcher,
  base: string,
  operation: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<Data>> {
  const response = await fetcher(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(operation),
  });
  const text = await response.text();
  const body = (text ? JSON.parse(text) : {}) as { data?: Data | null; errors?: GraphqlError[] };
  return { status: response.status, headers: response.headers, ...body };
}

/**
 * POSTs one operation to a listening app from a chosen local address (any of 127.0.0.0/8 on
 * Linux), so per-address limits can be met by several "clients" in one test.
 */
export function postGraphqlFrom(
  base: string,
  localAddress: string,
  operation: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<GraphqlResponse> {
  const body = JSON.stringify(operation);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${base}/graphql`,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') responseHeaders.set(name, value);
          }
          const parsed = (text ? JSON.parse(text) : {}) as Omit<GraphqlResponse, 'status'>;
          resolve({ ...parsed, status: response.statusCode ?? 0, headers: responseHeaders });
        });
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

export function errorCodes(response: { errors?: GraphqlError[] }): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

/** What a raw graphql-ws socket did: acknowledged the connection, or closed (with its code). */
export interface TestSocket {
  socket: WebSocket;
  /** Resolves true on connection_ack, false when the socket closes first. */
  acknowledged: Promise<boolean>;
  closed: Promise<{ code: number; reason: string }>;
  /** Everything the server sent, parsed. */
  messages: { type: string; id?: string; payload?: unknown }[];
  subscribe(id: string, query: string): void;
  close(): Promise<void>;
}

/**
 * Opens a graphql-transport-ws socket by hand, so a test sees the exact close code and can send
 * the headers a browser would (Origin, Cookie).
 */
export function openTestSocket(
  url: string,
  options: { headers?: Record<string, string>; connectionParams?: Record<string, unknown> } = {},
): TestSocket {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
    headers: options.headers,
  });
  const messages: TestSocket['messages'] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  const acknowledged = new Promise<boolean>((resolve, reject) => {
    socket.once('open', () => {
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: options.connectionParams ?? {} }),
      );
    });
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as TestSocket['messages'][number];
      messages.push(message);
      if (message.type === 'connection_ack') resolve(true);
    });
    // An HTTP-level refusal (no upgrade) surfaces as an error before any close frame.
    socket.once('error', reject);
    void closed.then(() => resolve(false));
  });
  return {
    socket,
    acknowledged,
    closed,
    messages,
    subscribe(id, query) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close(1000);
      await closed;
    },
  };
}

/** Resolves with the close code, or with 'open' if the socket is still open after timeoutMs. */
export async function closeCodeWithin(socket: TestSocket, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'open'>((resolve) => {
    timer = setTimeout(() => resolve('open'), timeoutMs);
  });
  const result = await Promise.race([socket.closed.then(({ code }) => code), timeout]);
  clearTimeout(timer);
  return result;
}
