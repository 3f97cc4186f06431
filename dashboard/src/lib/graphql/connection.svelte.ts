import { createContext } from 'svelte';

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

  receive(event: ConnectionEvent): void {
    this.status = nextConnectionStatus(this.status, event);
  }

  /** A fresh socket (after signing in again) starts over: the old one's outage is not news. */
  reset(): void {
    this.status = 'connecting';
  }
}

export const [getApiConnection, setApiConnection] = createContext<ApiConnection>();
