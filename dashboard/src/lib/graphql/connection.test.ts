import { describe, expect, it } from 'vitest';
import { ApiConnection, nextConnectionStatus } from './connection.svelte';

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
