import { describe, expect, test } from 'vitest';
import { en } from '$lib/i18n/en';
import { ptBR } from '$lib/i18n/pt-br';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTION_LABELS,
  auditDetailEntries,
  auditFilterFromParams,
  auditFilterParams,
  isAuditAction,
  shortId,
} from './audit-events';

describe('audit log', () => {
  test('names every known action in both languages', () => {
    for (const action of AUDIT_ACTIONS) {
      const key = AUDIT_ACTION_LABELS[action];
      expect(ptBR[key], action).not.toBe(action);
      expect(en[key], action).not.toBe(action);
    }
    expect(ptBR[AUDIT_ACTION_LABELS['api-key.revoke']]).toBe('Chave de API revogada');
    expect(en[AUDIT_ACTION_LABELS['lead.erase']]).toBe('Lead personal data erased');
  });

  test('tells known actions from new ones', () => {
    expect(isAuditAction('user.create')).toBe(true);
    expect(isAuditAction('toString')).toBe(false);
    expect(isAuditAction('something.new')).toBe(false);
  });

  test('reads the filter from the address and leaves out empty choices', () => {
    expect(auditFilterFromParams(new URLSearchParams('action=user.create&actor=u1'))).toEqual({
      action: 'user.create',
      actorId: 'u1',
    });
    expect(auditFilterFromParams(new URLSearchParams('action=&actor=%20'))).toEqual({});

    const form = new FormData();
    form.set('action', 'api-key.revoke');
    form.set('actor', '');
    expect(auditFilterParams(form).toString()).toBe('action=api-key.revoke');
  });

  test('shows details as short name and value pairs', () => {
    expect(
      auditDetailEntries({
        name: 'Site form',
        scopes: ['LEADS_CREATE'],
        allowedOrigins: [],
        endedSessions: 2,
        changed: ['role', 'disabled'],
        filter: { status: ['HOT'] },
        missing: null,
      }),
    ).toEqual([
      ['name', 'Site form'],
      ['scopes', 'LEADS_CREATE'],
      ['allowedOrigins', '—'],
      ['endedSessions', '2'],
      ['changed', 'role, disabled'],
      ['filter', '{"status":["HOT"]}'],
      ['missing', '—'],
    ]);
    expect(auditDetailEntries(null)).toEqual([]);
    expect(auditDetailEntries('rotated')).toEqual([['', 'rotated']]);
  });

  test('shortens long ids and keeps short ones', () => {
    expect(shortId('019ad1f2-1c2d-7e5f-8a9b-0c1d2e3f4a5b')).toBe('…2e3f4a5b');
    expect(shortId('abc')).toBe('abc');
  });
});
