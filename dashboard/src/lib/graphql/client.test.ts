import { gql, type OperationResult } from '@urql/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  NodeWebSocket,
  startGraphQLTestServer,
  type GraphQLTestServer,
} from '../../test/graphql-test-server';
import {
  DEFAULT_API_URL,
  createApiClient,
  resolveApiUrl,
  retryDelay,
  toWebSocketUrl,
  type ApiClient,
  type ApiClientOptions,
} from './client';

const greetingQuery = gql<{ greeting: string }>`
  query Greeting {
    greeting
  }
`;
const secretQuery = gql<{ secret: string | null }>`
  query Secret {
    secret
  }
`;
const countdownSubscription = gql<{ countdown: number }, { from: number }>`
  subscription Countdown($from: Int!) {
    countdown(from: $from)
  }
`;

const opened: { servers: GraphQLTestServer[]; clients: ApiClient[] } = {
  servers: [],
  clients: [],
};

async function startServer(port?: number) {
  const server = await startGraphQLTestServer(port);
  opened.servers.push(server);
  return server;
}

function openClient(
  url: string,
  browser: boolean,
  callbacks: Pick<ApiClientOptions, 'onUnauthenticated' | 'onSocketForbidden' | 'language'> = {},
) {
  const api = createApiClient({ url, browser, webSocketImpl: NodeWebSocket, ...callbacks });
  opened.clients.push(api);
  return api;
}

afterEach(async () => {
  for (const api of opened.clients.splice(0)) api.dispose();
  await Promise.all(opened.servers.splice(0).map((server) => server.stop()));
});

describe('resolveApiUrl', () => {
  it('uses PUBLIC_API_URL when it is set', () => {
    expect(resolveApiUrl(' https://api.example.com/graphql ')).toBe(
      'https://api.example.com/graphql',
    );
  });

  it('falls back to the local API when PUBLIC_API_URL is unset or blank', () => {
    expect(resolveApiUrl(undefined)).toBe(DEFAULT_API_URL);
    expect(resolveApiUrl('  ')).toBe('http://localhost:4000/graphql');
  });
});

describe('toWebSocketUrl', () => {
  it('keeps host and path and swaps http for ws', () => {
    expect(toWebSocketUrl('http://localhost:4000/graphql')).toBe('ws://localhost:4000/graphql');
  });

  it('swaps https for wss', () => {
    expect(toWebSocketUrl('https://api.example.com/graphql')).toBe('wss://api.example.com/graphql');
  });

  it('resolves a relative API path against the page origin', () => {
    expect(toWebSocketUrl('/graphql', 'https://app.example.com/leads')).toBe(
      'wss://app.example.com/graphql',
    );
  });
});

describe('retryDelay', () => {
  it('doubles with each retry and stays between half and all of the step', () => {
    expect(retryDelay(0, () => 0)).toBe(500);
    expect(retryDelay(0, () => 1)).toBe(1_000);
    expect(retryDelay(3, () => 1)).toBe(8_000);
  });

  it('never waits more than 30 seconds', () => {
    expect(retryDelay(20, () => 1)).toBe(30_000);
  });
});

describe('createApiClient in the browser', () => {
  it('opens no WebSocket until asked, then connects without waiting for a subscription', async () => {
    const server = await startServer();
    const api = openClient(server.url, true);
    await api.client.query(greetingQuery, {}).toPromise();
    expect(server.openSockets()).toBe(0);

    api.connectLive();
    expect(api.connection.status).toBe('connecting');
    await vi.waitFor(() => expect(api.connection.status).toBe('connected'));
    expect(server.openSockets()).toBe(1);
  });

  it('runs queries over HTTP and subscriptions over the WebSocket', async () => {
    const server = await startServer();
    const api = openClient(server.url, true);

    const query = await api.client.query(greetingQuery, {}).toPromise();
    expect(query.error).toBeUndefined();
    expect(query.data).toEqual({ greeting: 'olá' });

    const received: number[] = [];
    const subscription = api.client
      .subscription(countdownSubscription, { from: 2 })
      .subscribe((result) => {
        if (result.data) received.push(result.data.countdown);
      });
    await vi.waitFor(() => expect(received).toContain(0));
    // urql repeats the last result when the subscription completes.
    expect([...new Set(received)]).toEqual([2, 1, 0]);
    subscription.unsubscribe();
  });

  it('sends the CSRF header the API requires, GET queries included', async () => {
    const server = await startServer();
    const api = openClient(server.url, true);

    const query = await api.client.query(greetingQuery, {}).toPromise();
    expect(query.error).toBeUndefined();
    expect(server.requests.map((request) => request.method)).toEqual(['GET']);
    expect(server.requests[0]?.headers['x-graphql-yoga-csrf']).toBeDefined();
  });

  it("sends the person's language as Accept-Language, read again on every request", async () => {
    const server = await startServer();
    let language = 'pt-BR';
    const api = openClient(server.url, true, { language: () => language });

    await api.client.query(greetingQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    language = 'en';
    await api.client.query(greetingQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(server.requests.map((request) => request.headers['accept-language'])).toEqual([
      'pt-BR',
      'en',
    ]);
  });

  it('reports an operation refused as UNAUTHENTICATED', async () => {
    const server = await startServer();
    const onUnauthenticated = vi.fn();
    const api = openClient(server.url, true, { onUnauthenticated });

    const greeting = await api.client.query(greetingQuery, {}).toPromise();
    expect(greeting.data).toEqual({ greeting: 'olá' });
    expect(onUnauthenticated).not.toHaveBeenCalled();

    const secret = await api.client.query(secretQuery, {}).toPromise();
    expect(secret.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it('reports a socket the API closes as forbidden', async () => {
    const server = await startServer();
    const onSocketForbidden = vi.fn();
    const api = openClient(server.url, true, { onSocketForbidden });
    api.connectLive();
    await vi.waitFor(() => expect(api.connection.status).toBe('connected'));

    server.revokeSessions();
    await vi.waitFor(() => expect(onSocketForbidden).toHaveBeenCalled());
    expect(api.connection.status).toBe('disconnected');
  });

  it('closes the WebSocket when disconnected and opens a fresh one when asked again', async () => {
    const server = await startServer();
    const onSocketForbidden = vi.fn();
    const api = openClient(server.url, true, { onSocketForbidden });
    api.connectLive();
    await vi.waitFor(() => expect(api.connection.status).toBe('connected'));

    api.disconnectLive();
    await vi.waitFor(() => expect(server.openSockets()).toBe(0));
    // Long enough for a retry, had the old client kept trying.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(server.openSockets()).toBe(0);

    api.connectLive();
    await vi.waitFor(() => expect(server.openSockets()).toBe(1));
    expect(api.connection.status).toBe('connected');
    expect(onSocketForbidden).not.toHaveBeenCalled();
  });

  it('reports the outage when the API goes away and reconnects when it is back', async () => {
    const server = await startServer();
    const api = openClient(server.url, true);
    api.connectLive();
    await vi.waitFor(() => expect(api.connection.status).toBe('connected'));

    await server.stop();
    opened.servers.splice(opened.servers.indexOf(server), 1);
    await vi.waitFor(() => expect(api.connection.status).toBe('disconnected'));

    await startServer(server.port);
    // The first retry waits between 0.5 and 1 s; later ones longer.
    await vi.waitFor(() => expect(api.connection.status).toBe('connected'), { timeout: 8_000 });
  }, 15_000);

  it('reports an API that is down from the start as disconnected', async () => {
    const server = await startServer();
    await server.stop();
    opened.servers.splice(0);
    const api = openClient(server.url, true);
    api.connectLive();

    await vi.waitFor(() => expect(api.connection.status).toBe('disconnected'));
  });
});

describe('createApiClient on the server', () => {
  it('runs queries over HTTP', async () => {
    const server = await startServer();
    const api = openClient(server.url, false);

    const query = await api.client.query(greetingQuery, {}).toPromise();
    expect(query.data).toEqual({ greeting: 'olá' });
  });

  it('keeps subscriptions paused and opens no WebSocket', async () => {
    const server = await startServer();
    const api = openClient(server.url, false);

    const results: OperationResult[] = [];
    const subscription = api.client
      .subscription(countdownSubscription, { from: 2 })
      .subscribe((result) => results.push(result));
    // Long enough for a local countdown to have finished had it been sent.
    await new Promise((resolve) => setTimeout(resolve, 300));
    subscription.unsubscribe();

    expect(results).toEqual([]);
    expect(api.connection.status).toBe('connecting');
  });
});
