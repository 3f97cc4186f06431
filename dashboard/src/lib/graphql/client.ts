import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWebSocketClient, type Client as WebSocketClient } from 'graphql-ws';
import { ApiConnection } from './connection.svelte';

/** Where the API listens in development; `PUBLIC_API_URL` overrides it. */
export const DEFAULT_API_URL = 'http://localhost:4000/graphql';

const MAX_RETRY_DELAY_MS = 30_000;
const KEEP_ALIVE_MS = 15_000;
const PONG_TIMEOUT_MS = 5_000;
/** graphql-ws retries this close code; we use it when the server stops answering pings. */
const REQUEST_TIMEOUT_CLOSE_CODE = 4408;

export interface ApiClientOptions {
  /** The API's HTTP URL; relative URLs resolve against `base` (the page's origin in a browser). */
  url: string;
  /** WebSockets (and so subscriptions) exist only in the browser; SSR gets queries only. */
  browser: boolean;
  base?: string;
  /** A WebSocket class where the global one will not do (tests); the global one otherwise. */
  webSocketImpl?: unknown;
}

export interface ApiClient {
  client: Client;
  connection: ApiConnection;
  /** Closes the WebSocket for good; call it when the app unmounts. */
  dispose(): void;
}

/** `PUBLIC_API_URL` when set, the development default otherwise. */
export function resolveApiUrl(configured: string | undefined): string {
  const url = configured?.trim();
  return url ? url : DEFAULT_API_URL;
}

/** The API serves graphql-ws on the same path as HTTP: only the scheme changes. */
export function toWebSocketUrl(apiUrl: string, base?: string): string {
  const url = new URL(apiUrl, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Exponential back-off capped at 30 s, with jitter so many tabs do not reconnect in step. */
export function retryDelay(retries: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** retries);
  return Math.round(exponential * (0.5 + random() / 2));
}

export function createApiClient({
  url,
  browser,
  base,
  webSocketImpl,
}: ApiClientOptions): ApiClient {
  const connection = new ApiConnection();
  const httpUrl = new URL(url, base).toString();

  if (!browser) {
    const client = new Client({
      url: httpUrl,
      // Node 20 has no global WebSocket, and a subscription cannot finish within one SSR
      // render anyway: on the server subscriptions stay paused until the browser takes over.
      exchanges: [cacheExchange, pausedSubscriptionExchange(), fetchExchange],
      fetchOptions: { credentials: 'include' },
    });
    return { client, connection, dispose: () => {} };
  }

  const webSocket = createLiveWebSocket(toWebSocketUrl(url, base), connection, webSocketImpl);
  const client = new Client({
    url: httpUrl,
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe: (sink) => ({ unsubscribe: webSocket.subscribe(input, sink) }),
          };
        },
      }),
      fetchExchange,
    ],
    fetchOptions: { credentials: 'include' },
  });
  return { client, connection, dispose: () => void webSocket.dispose() };
}

interface LiveWebSocket {
  subscribe: WebSocketClient['subscribe'];
  dispose(): void;
}

/**
 * A socket opened eagerly (not on first subscription) so the dashboard learns at once when the
 * API goes away, and retried forever: an operator leaves this screen open for days.
 */
function createLiveWebSocket(
  url: string,
  connection: ApiConnection,
  webSocketImpl: unknown,
): LiveWebSocket {
  let restarts = 0;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  let current = createRetryingClient(url, connection, webSocketImpl, restartAfterFatalError);

  // graphql-ws stops for good on a close code it deems fatal (say a proxy answering 1011); a
  // fresh client after a back-off keeps the promise that the dashboard always comes back.
  function restartAfterFatalError() {
    if (disposed) return;
    restartTimer = setTimeout(() => {
      disposeQuietly(current);
      current = createRetryingClient(url, connection, webSocketImpl, restartAfterFatalError);
    }, retryDelay(restarts++));
  }

  return {
    subscribe: (payload, sink) => current.subscribe(payload, sink),
    dispose() {
      disposed = true;
      clearTimeout(restartTimer);
      disposeQuietly(current);
    },
  };
}

function createRetryingClient(
  url: string,
  connection: ApiConnection,
  webSocketImpl: unknown,
  onFatalError: () => void,
): WebSocketClient {
  let pongTimeout: ReturnType<typeof setTimeout> | undefined;
  let socket: WebSocket | undefined;

  return createWebSocketClient({
    url,
    webSocketImpl,
    lazy: false,
    retryAttempts: Infinity,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelay(retries))),
    // By default only close events are retried; a socket that cannot even be created must be
    // retried too.
    shouldRetry: () => true,
    // A half-open TCP connection (laptop asleep, Wi-Fi gone) never emits `close`; a missing
    // pong is the only sign of it.
    keepAlive: KEEP_ALIVE_MS,
    on: {
      connecting: () => connection.receive('connecting'),
      connected: (connected) => {
        socket = connected as WebSocket;
        connection.receive('connected');
      },
      closed: () => {
        clearTimeout(pongTimeout);
        socket = undefined;
        connection.receive('closed');
      },
      ping: (received) => {
        if (received) return;
        pongTimeout = setTimeout(() => {
          if (socket && socket.readyState === socket.OPEN) {
            socket.close(REQUEST_TIMEOUT_CLOSE_CODE, 'Request Timeout');
          }
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimeout);
      },
    },
    onNonLazyError: () => {
      connection.receive('failed');
      onFatalError();
    },
  });
}

/** Disposing during a failing connection attempt rejects with that failure; nobody needs it. */
function disposeQuietly(client: WebSocketClient): void {
  void Promise.resolve(client.dispose()).catch(() => {});
}

function pausedSubscriptionExchange() {
  return subscriptionExchange({
    forwardSubscription: () => ({ subscribe: () => ({ unsubscribe: () => {} }) }),
  });
}
