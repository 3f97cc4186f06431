import type { UserRole } from '../generated/prisma/enums.ts';

/**
 * What an operation needs. Roles and API key scopes both map onto these, so the schema states a
 * rule once and it holds for people and machines alike.
 */
export type Permission =
  /** createLead: forms, ad platforms, n8n. */
  | 'leads:create'
  /** Personal data: leads, their runs, stats, live updates; the scoring rules. */
  | 'leads:read'
  /** Change or delete any lead field, rescore, retry runs. */
  | 'leads:write'
  /** Work the pipeline: status, notes and follow-ups of a lead. */
  | 'pipeline:write'
  /** Save and activate scoring rules, bulk rescores. */
  | 'rules:write'
  /** Settings, users, API keys, audit log, LGPD export and erasure. */
  | 'admin';

export const allPermissions: readonly Permission[] = [
  'leads:create',
  'leads:read',
  'leads:write',
  'pipeline:write',
  'rules:write',
  'admin',
];

export const rolePermissions: Record<UserRole, readonly Permission[]> = {
  ADMIN: allPermissions,
  MANAGER: ['leads:create', 'leads:read', 'leads:write', 'pipeline:write', 'rules:write'],
  SALES: ['leads:read', 'pipeline:write'],
};

/** The scopes an admin can give an API key. */
export const apiKeyScopes = ['leads:create', 'leads:read', 'leads:write', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export const scopePermissions: Record<ApiKeyScope, readonly Permission[]> = {
  // Publishable: a browser form holds it, so it can only send leads, never read them back.
  'leads:create': ['leads:create'],
  'leads:read': ['leads:read'],
  // Writing a lead includes sending new ones, working its pipeline fields and reading it: every
  // write answers with the lead, so a write-only key would read leads anyway.
  'leads:write': ['leads:create', 'leads:read', 'leads:write', 'pipeline:write'],
  admin: allPermissions,
};

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (apiKeyScopes as readonly string[]).includes(value);
}

export function permissionsOfScopes(scopes: readonly string[]): Set<Permission> {
  return new Set(scopes.filter(isApiKeyScope).flatMap((scope) => scopePermissions[scope]));
}
