import { createContext, untrack } from 'svelte';

/**
 * - `connecting`: the first attempt is under way; nothing has failed yet.
 * - `connected`: the WebSocket is open and the server acknowledged it.
 * - `disconnected`: the connection failed or dropped; retries go on until it is back.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

/** What the graphql-ws client reports; `failed` is a fatal error after which it gives up. */
export type ConnectionEvent = 'connecting' | 'connected' | 'closed' | 'failed';

export function nextConnectionStatus(
  current: ConnectionStatus,
  event: ConnectionEvent,
): ConnectionStatus {
  switch (event) {
    case 'connected':
      return 'connected';
    case 'closed':
    case 'failed':
      return 'disconnected';
    case 'connecting':
      // A retry after a drop is still an outage for the user: keep the banner up until the
      // server acknowledges the new connection, rather than flickering between states.
      return current === 'disconnected' ? 'disconnected' : 'connecting';
  }
}

/** The live state of the dashboard's WebSocket to the API, readable reactively. */
export class ApiConnection {
  status: ConnectionStatus = $state('connecting');
  /** How many times the server acknowledged a socket: each one re-sent every subscription. */
  acknowledgements = $state(0);

  receive(event: ConnectionEvent): void {
    this.status = nextConnectionStatus(this.status, event);
    if (event === 'connected') this.acknowledgements += 1;
  }

  /** A fresh socket (after signing in again) starts over: the old one's outage is not news. */
  reset(): void {
    this.status = 'connecting';
  }
}

export const [getApiConnection, setApiConnection] = createContext<ApiConnection>();

/**
 * Calls `reread` each time the server acknowledges the live socket after the calling component
 * was created. A page that reads data and then follows changes misses those committed before its
 * subscription was registered (the page's first read races the socket's start) or while the
 * socket was down; the API does not replay them, so the page reads again once the socket is back.
 * While `busy` says a read is under way, the reread waits for it to finish: re-issuing it would
 * throw away its answer, and on a first load the rows would wait for a second round trip.
 * Call it while the component initialises.
 */
export function rereadWhenLive(
  connection: ApiConnection,
  reread: () => void,
  busy: () => boolean = () => false,
): void {
  let seen = untrack(() => connection.acknowledgements);
  let pending = false;
  $effect(() => {
    const acknowledgements = connection.acknowledgements;
    if (acknowledgements !== seen) {
      seen = acknowledgements;
      pending = true;
    }
    if (!pending || busy()) return;
    pending = false;
    untrack(reread);
  });
}
