import type { AuditEventFilter } from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';

/**
 * Every action the API records (server/src/access/audit.ts), with its readable name. An action
 * added there and not here yet is shown as its code.
 */
export const AUDIT_ACTION_LABELS = {
  'auth.sign-in': 'audit.action.auth.sign-in',
  'auth.sign-in-failed': 'audit.action.auth.sign-in-failed',
  'auth.sign-out': 'audit.action.auth.sign-out',
  'auth.password-change': 'audit.action.auth.password-change',
  'user.create': 'audit.action.user.create',
  'user.update': 'audit.action.user.update',
  'api-key.create': 'audit.action.api-key.create',
  'api-key.revoke': 'audit.action.api-key.revoke',
  'settings.automations.update': 'audit.action.settings.automations.update',
  'settings.email.update': 'audit.action.settings.email.update',
  'settings.email-template.update': 'audit.action.settings.email-template.update',
  'scoring.rule-set.save': 'audit.action.scoring.rule-set.save',
  'scoring.rule-set.activate': 'audit.action.scoring.rule-set.activate',
  'leads.rescore': 'audit.action.leads.rescore',
  'leads.export': 'audit.action.leads.export',
  'lead.export': 'audit.action.lead.export',
  'lead.erase': 'audit.action.lead.erase',
} as const satisfies Record<string, MessageKey>;

export type AuditAction = keyof typeof AUDIT_ACTION_LABELS;

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_ACTION_LABELS, action);
}

/** What the page's address selects: `?action=user.create&actor=<id>`. */
export function auditFilterFromParams(params: URLSearchParams): AuditEventFilter {
  const filter: AuditEventFilter = {};
  const action = params.get('action')?.trim();
  const actor = params.get('actor')?.trim();
  if (action) filter.action = action;
  if (actor) filter.actorId = actor;
  return filter;
}

/** The address for a filter, with the empty choices left out so a cleared filter is a bare URL. */
export function auditFilterParams(form: FormData): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['action', 'actor']) {
    const value = String(form.get(name) ?? '').trim();
    if (value) params.set(name, value);
  }
  return params;
}

/**
 * An entry's details as short "name: value" pairs in one line: lists joined with commas, nested
 * objects as compact JSON, and a scalar detail (not an object) as a single unnamed value.
 */
export function auditDetailEntries(details: unknown): [string, string][] {
  if (details === null || details === undefined) return [];
  if (typeof details !== 'object' || Array.isArray(details)) return [['', compact(details)]];
  return Object.entries(details as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [key, compact(value)]);
}

function compact(value: unknown): string {
  if (value === null) return '—';
  if (Array.isArray(value)) {
    return value.length === 0
      ? '—'
      : value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A long id cut to its last characters: enough to tell entries apart at a glance. The end, not
 * the start: ids made close in time (UUIDv7) share their first characters.
 */
export function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-8)}` : id;
}
