import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { ApiConnection, nextConnectionStatus, rereadWhenLive } from './connection.svelte';

describe('nextConnectionStatus', () => {
  it('starts connecting and becomes connected on acknowledgement', () => {
    expect(nextConnectionStatus('connecting', 'connecting')).toBe('connecting');
    expect(nextConnectionStatus('connecting', 'connected')).toBe('connected');
  });

  it('becomes disconnected when the socket closes or fails', () => {
    expect(nextConnectionStatus('connected', 'closed')).toBe('disconnected');
    expect(nextConnectionStatus('connecting', 'failed')).toBe('disconnected');
  });

  it('stays disconnected while a retry is under way', () => {
    expect(nextConnectionStatus('disconnected', 'connecting')).toBe('disconnected');
    expect(nextConnectionStatus('disconnected', 'connected')).toBe('connected');
  });
});

describe('ApiConnection', () => {
  it('applies each received event to its status', () => {
    const connection = new ApiConnection();
    connection.receive('connected');
    connection.receive('closed');
    connection.receive('connecting');
    expect(connection.status).toBe('disconnected');
  });

  it('starts over as connecting when reset', () => {
    const connection = new ApiConnection();
    connection.receive('closed');
    connection.reset();
    expect(connection.status).toBe('connecting');
  });
});

describe('rereadWhenLive', () => {
  function follow(connection: ApiConnection): { rereads: () => number; stop: () => void } {
    let rereads = 0;
    const stop = $effect.root(() => rereadWhenLive(connection, () => (rereads += 1)));
    flushSync();
    return { rereads: () => rereads, stop };
  }

  it('reads again when the socket a page loaded beside is acknowledged, and after each drop', () => {
    const connection = new ApiConnection();
    const page = follow(connection);
    expect(page.rereads()).toBe(0);

    connection.receive('connected');
    flushSync();
    expect(page.rereads()).toBe(1);

    connection.receive('closed');
    connection.receive('connecting');
    flushSync();
    expect(page.rereads()).toBe(1);
    connection.receive('connected');
    flushSync();
    expect(page.rereads()).toBe(2);
    page.stop();
  });

  it('waits for a read under way to finish before reading again', () => {
    const connection = new ApiConnection();
    const reading = $state({ busy: true });
    let rereads = 0;
    const stop = $effect.root(() =>
      rereadWhenLive(
        connection,
        () => (rereads += 1),
        () => reading.busy,
      ),
    );
    flushSync();

    connection.receive('connected');
    flushSync();
    expect(rereads).toBe(0);

    reading.busy = false;
    flushSync();
    expect(rereads).toBe(1);
    reading.busy = true;
    flushSync();
    reading.busy = false;
    flushSync();
    expect(rereads).toBe(1);
    stop();
  });

  it('does not read again for an acknowledgement that came before the page', () => {
    const connection = new ApiConnection();
    connection.receive('connected');
    const page = follow(connection);
    expect(page.rereads()).toBe(0);
    page.stop();
    connection.receive('connected');
    flushSync();
    expect(page.rereads()).toBe(0);
  });
});
