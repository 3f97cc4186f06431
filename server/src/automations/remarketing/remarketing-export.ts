// GET /exports/remarketing.csv: an audience's current members as a hashed customer-match file,
// streamed page by page. It answers an admin (session cookie, or an API key with the admin scope)
// or a short-lived download link from createRemarketingExport, which names the session or key
// that asked for it and is checked again when it is used: signing out or revoking the key ends it.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { AccessControl } from '../../access/access-control.ts';
import { recordAudit } from '../../access/audit.ts';
import { permissionsOfScopes, rolePermissions } from '../../access/permissions.ts';
import { hasPermission, type Principal } from '../../access/principal.ts';
import type { PrismaClient } from '../../db.ts';
import type { Logger } from '../../logger.ts';
import { secretKey } from '../secrets.ts';
import { csvLine, customerMatchHeader, customerMatchRow } from './customer-match.ts';
import { coldLeadsAudience } from './remarketing.ts';

export const remarketingExportPath = '/exports/remarketing.csv';

/** How long a download link works. */
export const downloadLinkTtlMs = 5 * 60_000;

/** Members read per query while streaming: bounded memory whatever the audience's size. */
const pageSize = 1_000;

/** Who a download link was made for: the session or API key that asked, and until when. */
interface DownloadGrant {
  kind: 'session' | 'api-key';
  id: string;
  audience: string;
  expiresAt: number;
}

let cachedKey: Buffer | null = null;

// Its own key derived from STREAMLEADS_SECRET_KEY, as unsubscribe tokens have theirs.
function linkKey(): Buffer {
  cachedKey ??= Buffer.from(
    hkdfSync('sha256', secretKey(), Buffer.alloc(0), 'streamleads remarketing export v1', 32),
  );
  return cachedKey;
}

function sign(body: string): string {
  return createHmac('sha256', linkKey()).update(body).digest('base64url');
}

/** A link token for this principal (a signed-in person or an API key). */
export function downloadToken(principal: Principal, audience: string, now = Date.now()): string {
  if (principal.kind === 'anonymous') throw new Error('Anonymous callers get no download link');
  const grant: DownloadGrant = {
    kind: principal.kind === 'user' ? 'session' : 'api-key',
    id: principal.kind === 'user' ? principal.sessionId : principal.keyId,
    audience,
    expiresAt: now + downloadLinkTtlMs,
  };
  const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
  return `${body}.${sign(body)}`;
}

function readToken(token: string, now = Date.now()): DownloadGrant | null {
  const [body, mac, ...rest] = token.split('.');
  if (!body || !mac || rest.length > 0) return null;
  const expected = Buffer.from(sign(body));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DownloadGrant;
  return grant.expiresAt > now ? grant : null;
}

/** The principal behind a grant, as it is now: null once the session ended or the key was revoked. */
async function grantPrincipal(prisma: PrismaClient, grant: DownloadGrant): Promise<Principal> {
  if (grant.kind === 'session') {
    const session = await prisma.session.findUnique({
      where: { id: grant.id },
      include: { user: true },
    });
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) {
      return { kind: 'anonymous' };
    }
    if (session.user.disabledAt) return { kind: 'anonymous' };
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
  const key = await prisma.apiKey.findUnique({ where: { id: grant.id } });
  if (!key || key.revokedAt) return { kind: 'anonymous' };
  return {
    kind: 'api-key',
    keyId: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    permissions: permissionsOfScopes(key.scopes),
  };
}

export interface RemarketingExportOptions {
  prisma: PrismaClient;
  access: AccessControl;
  logger: Logger;
}

/** Serves the export route before yoga sees the request (app.ts mounts it). */
export function useRemarketingExport(options: RemarketingExportOptions): Plugin {
  return {
    async onRequest(event) {
      if (event.url.pathname !== remarketingExportPath) return;
      const socketAddress = (
        event.serverContext as { req?: { socket?: { remoteAddress?: string } } }
      ).req?.socket?.remoteAddress;
      try {
        event.endResponse(await handle(options, event.request, event.url, socketAddress));
      } catch (error) {
        const status = (error as { extensions?: { http?: { status?: number } } }).extensions?.http
          ?.status;
        if (status === 429 || status === 401 || status === 403) {
          const retryAfter = (error as { extensions?: { retryAfterSeconds?: number } }).extensions
            ?.retryAfterSeconds;
          const headers: Record<string, string> = retryAfter
            ? { 'retry-after': String(retryAfter) }
            : {};
          event.endResponse(text(status, (error as Error).message, headers));
          return;
        }
        options.logger.error({ err: error }, 'remarketing export failed');
        event.endResponse(text(503, 'Try again later'));
      }
    },
  };
}

async function handle(
  { prisma, access }: RemarketingExportOptions,
  request: Request,
  url: URL,
  socketAddress: string | undefined,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return text(405, 'Method not allowed', { allow: 'GET, HEAD' });
  }
  const ip = access.clientIp(request.headers, socketAddress);
  const token = url.searchParams.get('token');
  let principal: Principal;
  let audience = coldLeadsAudience;
  if (token !== null) {
    const grant = readToken(token);
    if (!grant) return text(401, 'This download link is not valid or has expired');
    principal = await grantPrincipal(prisma, grant);
    if (principal.kind === 'anonymous') {
      return text(401, 'The session or API key that made this link has ended');
    }
    await access.limitRequest(principal, ip);
    audience = grant.audience;
  } else {
    principal = await access.authenticateRequest(access.credentials(request.headers), ip);
    if (principal.kind === 'anonymous') return text(401, 'Sign in as an admin or send an API key');
  }
  if (!hasPermission(principal, 'admin')) {
    return text(403, 'Only admins may export remarketing audiences');
  }

  const where = { audience, removedAt: null, lead: { erasedAt: null } };
  const members = await prisma.$transaction(async (tx) => {
    const count = await tx.remarketingMember.count({ where });
    // Written before any byte leaves: no export without its audit entry.
    await recordAudit(
      tx,
      { principal, ip },
      {
        action: 'remarketing.export',
        details: { audience, members: count, via: token === null ? 'credentials' : 'link' },
      },
    );
    return count;
  });
  const headers = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="remarketing-${audience}.csv"`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-streamleads-members': String(members),
  };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(memberRows(prisma, where), { status: 200, headers });
}

/** The CSV, one page of members at a time, in membership order. */
function memberRows(
  prisma: PrismaClient,
  where: { audience: string; removedAt: null; lead: { erasedAt: null } },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: string | null = null;
  let headerSent = false;
  return new ReadableStream({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(customerMatchHeader)));
        return;
      }
      const page = await prisma.remarketingMember.findMany({
        where: after ? { ...where, id: { gt: after } } : where,
        orderBy: { id: 'asc' },
        take: pageSize,
        select: { id: true, lead: { select: { email: true, phone: true } } },
      });
      if (page.length === 0) {
        controller.close();
        return;
      }
      after = page.at(-1)!.id;
      controller.enqueue(
        encoder.encode(page.map((member) => csvLine(customerMatchRow(member.lead))).join('')),
      );
    },
  });
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
  });
}
