import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crmEvent, parseRetryAfter, signature, slackMessage } from './delivery.ts';
import type { RunPayload } from './automations.ts';

const payload: RunPayload = {
  lead: {
    id: '01a2257e-504c-7191-a787-d7f4ec6b433c',
    name: 'Maria Souza',
    email: 'maria@example.com',
    phone: '+5511999999999',
    origin: 'META_ADS',
    interest: 'Apartamento',
    city: 'São Paulo',
    approximateIncome: '15000.00',
    score: 85,
    status: 'HOT',
  },
  previousStatus: 'WARM',
  status: 'HOT',
  occurredAt: '2026-11-29T04:00:00.000Z',
};

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('Sun, 29 Nov 2026 04:00:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 04:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 03:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable value', () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('messages', () => {
  it('signs the timestamp and the raw body with HMAC-SHA256', () => {
    const body = JSON.stringify({ event: 'lead.hot' });
    const expected = createHmac('sha256', 'secret').update(`1764388800.${body}`).digest('hex');
    expect(signature('secret', '1764388800', body)).toBe(`sha256=${expected}`);
    expect(signature('secret', '1764388801', body)).not.toBe(`sha256=${expected}`);
  });

  it('names the n8n event after the new class', () => {
    expect(crmEvent(payload)).toBe('lead.hot');
    expect(crmEvent({ ...payload, status: 'COLD' })).toBe('lead.cold');
  });

  it('writes a Slack message with the lead, its class and how to reach it', () => {
    const { text } = slackMessage(payload);
    expect(text.split('\n')[0]).toBe('*🔥 HOT lead: Maria Souza* (score 85, was WARM)');
    for (const part of [
      'META_ADS',
      'Apartamento',
      'São Paulo',
      '+5511999999999',
      '/leads/01a2257e',
    ]) {
      expect(text).toContain(part);
    }
    expect(slackMessage({ ...payload, lead: { ...payload.lead, phone: null } }).text).toContain(
      'Phone: —',
    );
  });
});
