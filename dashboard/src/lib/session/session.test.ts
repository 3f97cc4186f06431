import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { Session, sessionFromViewer } from './session.svelte';

const ana = { id: 'u1', name: 'Ana Souza', email: 'ana@example.com', role: 'SALES' as const };

describe('sessionFromViewer', () => {
  it('signs in a person with the permissions the API lists', () => {
    const state = sessionFromViewer({
      data: {
        viewer: { kind: 'USER', user: ana, permissions: ['leads:read', 'pipeline:write'] },
      },
    });
    expect(state).toEqual({
      status: 'signed-in',
      user: ana,
      permissions: ['leads:read', 'pipeline:write'],
    });
  });

  it('ignores permissions this dashboard does not know', () => {
    const state = sessionFromViewer({
      data: { viewer: { kind: 'USER', user: ana, permissions: ['leads:read', 'reports:read'] } },
    });
    expect(state.status === 'signed-in' && state.permissions).toEqual(['leads:read']);
  });

  it('treats nobody and an API key as signed out', () => {
    for (const kind of ['ANONYMOUS', 'API_KEY'] as const) {
      const state = sessionFromViewer({ data: { viewer: { kind, user: null, permissions: [] } } });
      expect(state, kind).toEqual({ status: 'signed-out' });
    }
  });

  it('calls an API that did not answer unreachable', () => {
    const error = new CombinedError({ networkError: new Error('Failed to fetch') });
    expect(sessionFromViewer({ error })).toEqual({
      status: 'unreachable',
      reason: '[Network] Failed to fetch',
    });
  });
});

describe('Session', () => {
  it('allows what the signed-in role allows and nothing when signed out', () => {
    const session = new Session({
      status: 'signed-in',
      user: ana,
      permissions: ['leads:read', 'pipeline:write'],
    });
    expect(session.user).toEqual(ana);
    expect(session.can('pipeline:write')).toBe(true);
    expect(session.can('leads:write')).toBe(false);
    expect(session.can('admin')).toBe(false);

    session.expire();
    expect(session.state).toEqual({ status: 'signed-out' });
    expect(session.user).toBeUndefined();
    expect(session.can('leads:read')).toBe(false);
  });

  it('starts unknown, allowing nothing', () => {
    const session = new Session();
    expect(session.state.status).toBe('unknown');
    expect(session.can('leads:read')).toBe(false);
  });
});
