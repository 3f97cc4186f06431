import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
} from '@urql/core';
import { createClient as createWebSocketClient, type Client as WebSocketClient } from 'graphql-ws';
import { hasErrorCode } from './api-errors';
import { ApiConnection, type ConnectionEvent } from './connection.svelte';

/** Where the API listens in development; `PUBLIC_API_URL` overrides it. */
export const DEFAULT_API_URL = 'http://localhost:4000/graphql';

/**
 * The API refuses GET requests (and form-encoded POSTs) without this header: a "simple" request
 * skips the CORS preflight, so another site could send one with our cookie. urql sends queries
 * as GET, so every request carries it; its value does not matter.
 */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

const MAX_RETRY_DELAY_MS = 30_000;
const KEEP_ALIVE_MS = 15_000;
const PONG_TIMEOUT_MS = 5_000;
/** graphql-ws retries this close code; we use it when the server stops answering pings. */
const REQUEST_TIMEOUT_CLOSE_CODE = 4408;
/** The API refuses a socket without a valid session, and closes one whose session was revoked. */
const FORBIDDEN_CLOSE_CODE = 4403;

export interface ApiClientOptions {
  /** The API's HTTP URL; relative URLs resolve against `base` (the page's origin in a browser). */
  url: string;
  /** WebSockets (and so subscriptions) exist only in the browser; SSR gets queries only. */
  browser: boolean;
  base?: string;
  /** A WebSocket class where the global one will not do (tests); the global one otherwise. */
  webSocketImpl?: unknown;
  /** Called when an operation is refused because the caller is not signed in (UNAUTHENTICATED). */
  onUnauthenticated?: () => void;
  /**
   * Called when the API refuses or closes the live WebSocket as forbidden (4403): the session
   * may have ended (signed out in another tab, password changed, user disabled).
   */
  onSocketForbidden?: () => void;
  /**
   * The language the person reads (e.g. "pt-BR"), sent as Accept-Language on every request: the
   * API words field errors in it. Read per request, so a language switch applies at once.
   */
  language?: () => string;
}

export interface ApiClient {
  client: Client;
  connection: ApiConnection;
  /**
   * Opens the live WebSocket (the first subscription opens it too); a no-op while it is open.
   * The API refuses it without a session, so call it once signed in.
   */
  connectLive(): void;
  /** Closes the live WebSocket for good, e.g. on sign-out; `connectLive` opens a fresh one. */
  disconnectLive(): void;
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
  onUnauthenticated,
  onSocketForbidden,
  language,
}: ApiClientOptions): ApiClient {
  const connection = new ApiConnection();
  const httpUrl = new URL(url, base).toString();
  // Cookies go with every request: the session is an httpOnly cookie the API set at sign-in.
  const fetchOptions = (): RequestInit => ({
    credentials: 'include',
    headers: {
      [CSRF_HEADER]: '1',
      ...(language && { 'accept-language': language() }),
    },
  });
  const reportUnauthenticated = mapExchange({
    onError(error) {
      if (hasErrorCode(error, 'UNAUTHENTICATED')) onUnauthenticated?.();
    },
  });

  if (!browser) {
    const client = new Client({
      url: httpUrl,
      // Node 20 has no global WebSocket, and a subscription cannot finish within one SSR
      // render anyway: on the server subscriptions stay paused until the browser takes over.
      exchanges: [
        cacheExchange,
        reportUnauthenticated,
        pausedSubscriptionExchange(),
        fetchExchange,
      ],
      fetchOptions,
    });
    return {
      client,
      connection,
      connectLive: () => {},
      disconnectLive: () => {},
      dispose: () => {},
    };
  }

  const webSocketUrl = toWebSocketUrl(url, base);
  let live: LiveWebSocket | undefined;
  const openLive = () => {
    if (!live) {
      connection.reset();
      live = createLiveWebSocket(webSocketUrl, connection, webSocketImpl, onSocketForbidden);
    }
    return live;
  };
  const closeLive = () => {
    live?.dispose();
    live = undefined;
  };

  const client = new Client({
    url: httpUrl,
    exchanges: [
      cacheExchange,
      reportUnauthenticated,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe: (sink) => ({ unsubscribe: openLive().subscribe(input, sink) }),
          };
        },
      }),
      fetchExchange,
    ],
    fetchOptions,
  });
  return {
    client,
    connection,
    connectLive: () => void openLive(),
    disconnectLive: closeLive,
    dispose: closeLive,
  };
}

interface LiveWebSocket {
  subscribe: WebSocketClient['subscribe'];
  dispose(): void;
}

/** What one graphql-ws client reports to the socket that owns it. */
interface SocketEvents {
  receive(event: ConnectionEvent): void;
  forbidden(): void;
  fatal(): void;
}

/**
 * A socket opened eagerly (not on first subscription) so the dashboard learns at once when the
 * API goes away, and retried forever: an operator leaves this screen open for days.
 */
function createLiveWebSocket(
  url: string,
  connection: ApiConnection,
  webSocketImpl: unknown,
  onForbidden: (() => void) | undefined,
): LiveWebSocket {
  let restarts = 0;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  // A disposed client still reports its socket closing, after a newer one may have connected:
  // only this socket's live clients speak for the connection.
  const events: SocketEvents = {
    receive: (event) => {
      if (!disposed) connection.receive(event);
    },
    forbidden: () => {
      if (!disposed) onForbidden?.();
    },
    fatal: restartAfterFatalError,
  };
  let current = createRetryingClient(url, events, webSocketImpl);

  // graphql-ws stops for good on a close code it deems fatal (say a proxy answering 1011); a
  // fresh client after a back-off keeps the promise that the dashboard always comes back.
  function restartAfterFatalError() {
    if (disposed) return;
    restartTimer = setTimeout(() => {
      disposeQuietly(current);
      current = createRetryingClient(url, events, webSocketImpl);
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
  events: SocketEvents,
  webSocketImpl: unknown,
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
      connecting: () => events.receive('connecting'),
      connected: (connected) => {
        socket = connected as WebSocket;
        events.receive('connected');
      },
      closed: (event) => {
        clearTimeout(pongTimeout);
        socket = undefined;
        events.receive('closed');
        // graphql-ws retries 4403 (access might be granted later); whoever owns the session
        // decides whether it has ended.
        if (isCloseEvent(event) && event.code === FORBIDDEN_CLOSE_CODE) events.forbidden();
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
      events.receive('failed');
      events.fatal();
    },
  });
}

function isCloseEvent(value: unknown): value is { code: number } {
  return typeof value === 'object' && value !== null && 'code' in value;
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
