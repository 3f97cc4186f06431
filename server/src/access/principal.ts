import type pg from 'pg';
import type { PrismaClient } from '../db.ts';
import type { UserRole } from '../generated/prisma/enums.ts';
import { forbiddenError, unauthenticatedError } from './access-errors.ts';
import { permissionsOfScopes, rolePermissions, type Permission } from './permissions.ts';
import { hashToken } from './tokens.ts';

/** Who is calling: a signed-in person, a machine with an API key, or nobody. */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      role: UserRole;
      sessionId: string;
      permissions: ReadonlySet<Permission>;
    }
  | {
      kind: 'api-key';
      keyId: string;
      name: string;
      prefix: string;
      scopes: readonly string[];
      permissions: ReadonlySet<Permission>;
    };

export const anonymous: Principal = { kind: 'anonymous' };

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.kind !== 'anonymous' && principal.permissions.has(permission);
}

/** How a person or key is named in records (audit log, status overrides, rule versions). */
export function actorLabel(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return principal.email;
    case 'api-key':
      return `key ${principal.name} (${principal.prefix}…)`;
    case 'anonymous':
      return 'anonymous';
  }
}

/** What a request presents; HTTP and WebSocket fill it from their own shapes. */
export interface Credentials {
  apiKey?: string;
  sessionToken?: string;
  /** The browser's Origin header, checked against an API key's allowed origins. */
  origin?: string;
}

/** A session stays alive this long without use... */
export const sessionIdleMs = 12 * 60 * 60 * 1000;
/** ...and never longer than this after sign-in. */
export const sessionMaxMs = 7 * 24 * 60 * 60 * 1000;
/** Writes of lastSeenAt / lastUsedAt are skipped when the previous one is this recent. */
const touchIntervalMs = 60 * 1000;

/**
 * Resolves credentials to a principal by reading the database on every call, so a revoked key or
 * session stops working at once on every instance. A bad API key is an error (the caller meant to
 * use it); a stale session cookie is treated as no session, so the dashboard shows sign-in.
 */
export async function authenticate(
  db: { prisma: PrismaClient; pool: pg.Pool },
  credentials: Credentials,
): Promise<Principal> {
  if (credentials.apiKey)
    return authenticateApiKey(db.pool, credentials.apiKey, credentials.origin);
  if (credentials.sessionToken) return authenticateSession(db.prisma, credentials.sessionToken);
  return anonymous;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  allowedOrigins: string[];
  revoked: boolean;
  /** lastUsedAt is older than touchIntervalMs (or unset): record this use. */
  stale: boolean;
}

// Plain SQL on the pool: every machine request (forms, n8n, webhooks) starts here, and Prisma's
// client-side cost per statement was a good part of a createLead (see leads/submission-write.ts).
const apiKeyByHashSql = `
  SELECT "id", "name", "prefix", "scopes", "allowedOrigins", "revokedAt" IS NOT NULL AS "revoked",
    ("lastUsedAt" IS NULL OR "lastUsedAt" < now() - make_interval(secs => $2)) AS "stale"
  FROM "api_keys" WHERE "keyHash" = $1`;

async function authenticateApiKey(
  pool: pg.Pool,
  key: string,
  origin: string | undefined,
): Promise<Principal> {
  const { rows } = await pool.query<ApiKeyRow>({
    name: 'streamleads.api-key-by-hash',
    text: apiKeyByHashSql,
    values: [hashToken(key), touchIntervalMs / 1000],
  });
  const found = rows[0];
  if (!found || found.revoked) {
    throw unauthenticatedError('The API key is not valid or was revoked.');
  }
  // Browsers always send Origin on cross-origin requests; servers (n8n, scripts) do not. A key
  // without allowed origins is for servers only.
  if (origin && !found.allowedOrigins.includes(origin)) {
    throw forbiddenError(`This API key may not be used from ${origin}.`);
  }
  if (found.stale) {
    await pool.query('UPDATE "api_keys" SET "lastUsedAt" = now() WHERE "id" = $1', [found.id]);
  }
  return {
    kind: 'api-key',
    keyId: found.id,
    name: found.name,
    prefix: found.prefix,
    scopes: found.scopes,
    permissions: permissionsOfScopes(found.scopes),
  };
}

async function authenticateSession(prisma: PrismaClient, token: string): Promise<Principal> {
  const session = await prisma.session.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  const now = Date.now();
  if (
    !session ||
    session.revokedAt ||
    session.expiresAt.getTime() <= now ||
    session.user.disabledAt
  ) {
    return anonymous;
  }
  if (now - session.lastSeenAt.getTime() > touchIntervalMs) {
    const expiresAt = Math.min(now + sessionIdleMs, session.absoluteExpiresAt.getTime());
    await prisma.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(expiresAt) },
    });
  }
  return {
    kind: 'user',
    userId: session.user.id,
    email: session.user.email,
    name: session.user.name,
    role: session.user.role,
    sessionId: session.id,
    permissions: new Set(rolePermissions[session.user.role]),
  };
}
