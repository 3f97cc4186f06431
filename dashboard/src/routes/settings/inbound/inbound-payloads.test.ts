import { describe, expect, test } from 'vitest';
import type { InboundPayloadToFixFragment } from '$lib/graphql/generated/graphql';
import { filtered, formIdOf, newestFirst, reprocessProgress } from './inbound-payloads';

const payload = (
  id: string,
  values: Partial<InboundPayloadToFixFragment>,
): InboundPayloadToFixFragment => ({
  id,
  channel: 'GOOGLE_ADS',
  externalId: null,
  status: 'UNMAPPABLE',
  reason: null,
  attempts: 1,
  receivedAt: '2026-11-29T10:00:00.000Z',
  payload: {},
  fetched: null,
  ...values,
});

const older = payload('a', { receivedAt: '2026-11-28T10:00:00.000Z' });
const newer = payload('b', { channel: 'META_ADS', status: 'FAILED' });
const newest = payload('c', { receivedAt: '2026-11-29T11:00:00.000Z' });

describe('payloads that need attention', () => {
  test('merges both states newest first', () => {
    expect(newestFirst([older, newest], [newer]).map((item) => item.id)).toEqual(['c', 'b', 'a']);
  });

  test('filters by state and by channel', () => {
    const all = [older, newer, newest];
    expect(filtered(all, { status: 'ALL', channel: 'ALL' })).toHaveLength(3);
    expect(filtered(all, { status: 'FAILED', channel: 'ALL' }).map((item) => item.id)).toEqual([
      'b',
    ]);
    expect(
      filtered(all, { status: 'UNMAPPABLE', channel: 'GOOGLE_ADS' }).map((item) => item.id),
    ).toEqual(['a', 'c']);
    expect(filtered(all, { status: 'UNMAPPABLE', channel: 'META_ADS' })).toEqual([]);
  });

  test('reads the form id both platforms send', () => {
    expect(formIdOf({ form_id: 123, lead_id: 'x' })).toBe('123');
    expect(formIdOf({ form_id: 'f-1' })).toBe('f-1');
    expect(formIdOf({ lead_id: 'x' })).toBeUndefined();
    expect(formIdOf(['form_id'])).toBeUndefined();
    expect(formIdOf(null)).toBeUndefined();
  });
});

describe('a reprocessed payload', () => {
  const none = { received: [], unmappable: [], failed: [], processed: [] };

  test('is queued while it is RECEIVED', () => {
    expect(reprocessProgress('a', { ...none, received: [{ id: 'a' }] })).toEqual({
      stage: 'queued',
    });
  });

  test('is refused again with the new reason', () => {
    expect(
      reprocessProgress('a', {
        ...none,
        unmappable: [
          { id: 'z', reason: 'other' },
          { id: 'a', reason: 'email: required' },
        ],
      }),
    ).toEqual({ stage: 'refused', status: 'UNMAPPABLE', reason: 'email: required' });
    expect(reprocessProgress('a', { ...none, failed: [{ id: 'a', reason: null }] })).toEqual({
      stage: 'refused',
      status: 'FAILED',
      reason: null,
    });
  });

  test('became a lead once it left the waiting and refused lists', () => {
    const lead = { id: 'lead-1', name: 'Ana' };
    expect(reprocessProgress('a', { ...none, processed: [{ id: 'a', lead }] })).toEqual({
      stage: 'processed',
      lead,
    });
    // Older than the newest PROCESSED payloads: processed, its lead unknown here.
    expect(reprocessProgress('a', { ...none, received: [{ id: 'b' }] })).toEqual({
      stage: 'processed',
      lead: null,
    });
  });
});
