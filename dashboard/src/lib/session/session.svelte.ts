import type { Client, OperationResult } from '@urql/core';
import { createContext } from 'svelte';
import { graphql } from '$lib/graphql/generated/gql';
import type { UserRole, ViewerQuery } from '$lib/graphql/generated/graphql';

/** What the API lets a caller do (`Viewer.permissions`); roles map onto them on the server. */
export const PERMISSIONS = [
  'leads:create',
  'leads:read',
  'leads:write',
  'pipeline:write',
  'rules:write',
  'admin',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: UserRole;
}

/**
 * - `unknown`: not asked yet (server rendering, the first moment in the browser).
 * - `unreachable`: asked, and the API did not answer; asked again shortly.
 * - `signed-out`: nobody is signed in, or the session ended.
 * - `signed-in`: a person, with what their role allows.
 */
export type SessionState =
  | { status: 'unknown' }
  | { status: 'unreachable'; reason: string }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: SessionUser; permissions: readonly Permission[] };

const viewerQuery = graphql(`
  query Viewer {
    viewer {
      kind
      user {
        id
        name
        email
        role
      }
      permissions
    }
  }
`);

const signOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

/**
 * The state a `viewer` answer means. Only a person counts as signed in: the dashboard has no use
 * for an API key, and a browser never sends one.
 */
export function sessionFromViewer(
  result: Pick<OperationResult<ViewerQuery>, 'data' | 'error'>,
): SessionState {
  const viewer = result.data?.viewer;
  if (!viewer) {
    return { status: 'unreachable', reason: result.error?.message ?? 'No answer' };
  }
  if (viewer.kind !== 'USER' || !viewer.user) return { status: 'signed-out' };
  const known = new Set<string>(PERMISSIONS);
  return {
    status: 'signed-in',
    user: viewer.user,
    permissions: viewer.permissions.filter((permission): permission is Permission =>
      known.has(permission),
    ),
  };
}

/** Who is signed in, readable reactively; one per app, handed down through context. */
export class Session {
  state: SessionState = $state({ status: 'unknown' });
  readonly user: SessionUser | undefined = $derived(
    this.state.status === 'signed-in' ? this.state.user : undefined,
  );

  constructor(initial: SessionState = { status: 'unknown' }) {
    this.state = initial;
  }

  /** Whether the signed-in person may do this; always false when nobody is. */
  can(permission: Permission): boolean {
    return this.state.status === 'signed-in' && this.state.permissions.includes(permission);
  }

  /**
   * Asks the API who is signed in. When it does not answer, what was known stays (a signed-in
   * person is not thrown out by a network blip); only a first answer still missing becomes
   * `unreachable`.
   */
  async refresh(client: Client): Promise<SessionState> {
    const result = await client
      .query(viewerQuery, {}, { requestPolicy: 'network-only' })
      .toPromise();
    const next = sessionFromViewer(result);
    const known = this.state.status === 'signed-in' || this.state.status === 'signed-out';
    if (next.status !== 'unreachable' || !known) this.state = next;
    return this.state;
  }

  /** The API refused an operation as UNAUTHENTICATED: the session is over. */
  expire(): void {
    this.state = { status: 'signed-out' };
  }
}

/** Ends the session on the API (and clears its cookie); resolves with the reason it failed. */
export async function signOut(client: Client): Promise<string | undefined> {
  const result = await client.mutation(signOutMutation, {}).toPromise();
  // false means there was no session to end: signed out either way.
  if (result.data) return undefined;
  return result.error?.message ?? 'No answer';
}

export const [getSession, setSession] = createContext<Session>();
