// The inbound HTTP routes, answered before GraphQL (app.ts mounts the plugin): the ad platforms'
// webhooks, the no-JavaScript form and the embeddable script. GraphQL's CSRF prevention and
// rate limits do not reach them, so each route brings its own guard: a signature or key for
// webhooks, per-IP limits and an origin check for the public form.
import type { Plugin } from 'graphql-yoga';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { AccessControl } from '../access/access-control.ts';
import type { PrismaClient } from '../db.ts';
import { bilingual } from '../localization/catalog.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { embedScript, embedScriptPath } from './embed-script.ts';
import { googlePayload } from './google.ts';
import { storeInboundPayloads } from './inbound.ts';
import { readInboundSettings } from './inbound-settings.ts';
import { isRecord, isValidMetaSignature, metaHandshake, metaPayloads, safeEqual } from './meta.ts';
import { handleWebForm, webFormSlugOf } from './web-form.ts';

export const metaWebhookPath = '/inbound/meta';

/** The stored reason of a Meta delivery whose body cannot be read (see inbound.ts). */
const notJsonObject = bilingual(
  'The body is not a JSON object',
  'O corpo da requisição não é um objeto JSON',
);
export const googleWebhookPath = '/inbound/google';

/** What the inbound routes need. */
export interface InboundRoutesOptions {
  prisma: PrismaClient;
  /** The pool under Prisma: leads are written on it (see leads/submission-write.ts). */
  pool: pg.Pool;
  jobs: PgBoss;
  logger: Logger;
  access: AccessControl;
  metrics?: Metrics;
}

export function useInbound(options: InboundRoutesOptions): Plugin {
  return {
    async onRequest(event) {
      const path = event.url.pathname;
      // The socket's address, for the form's per-IP limit (X-Forwarded-For only via trusted proxies).
      const socketAddress = (
        event.serverContext as { req?: { socket?: { remoteAddress?: string } } }
      ).req?.socket?.remoteAddress;
      let handler: ((request: Request, url: URL) => Promise<Response>) | undefined;
      const formSlug = webFormSlugOf(path);
      if (path === metaWebhookPath) handler = (request, url) => handleMeta(options, request, url);
      else if (path === googleWebhookPath) handler = (request) => handleGoogle(options, request);
      else if (formSlug !== undefined)
        handler = (request) => handleWebForm(options, request, socketAddress, formSlug);
      else if (path === embedScriptPath) handler = () => Promise.resolve(embedResponse());
      if (!handler) return;
      try {
        event.endResponse(await handler(event.request, event.url));
      } catch (error) {
        options.logger.error({ err: error, path }, 'inbound request failed');
        // 5xx: the platforms retry later, and the payload is not stored yet.
        event.endResponse(text(503, 'Try again later'));
      }
    },
  };
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  });
}

async function handleMeta(
  { prisma, jobs, logger }: InboundRoutesOptions,
  request: Request,
  url: URL,
): Promise<Response> {
  const settings = await readInboundSettings(prisma);
  if (request.method === 'GET') {
    const challenge = metaHandshake(url.searchParams, settings.metaVerifyToken);
    if (challenge === null) {
      logger.warn({ channel: 'META_ADS' }, 'Meta verification refused');
      return text(403, 'Verification refused');
    }
    return text(200, challenge);
  }
  if (request.method !== 'POST') return text(405, 'Method not allowed', { allow: 'GET, POST' });
  // The signature covers the bytes as sent: read them before any parsing.
  const body = Buffer.from(await request.arrayBuffer());
  const signature = request.headers.get('x-hub-signature-256');
  if (!settings.metaAppSecret || !isValidMetaSignature(body, signature, settings.metaAppSecret)) {
    // Never the body: it is unauthenticated and may be anyone's data.
    logger.warn(
      { channel: 'META_ADS', signature: signature ? 'invalid' : 'missing', bytes: body.length },
      'inbound signature refused',
    );
    return text(401, 'Invalid signature');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = null;
  }
  const payloads = isRecord(parsed)
    ? metaPayloads(parsed)
    : [
        {
          channel: 'META_ADS' as const,
          externalId: null,
          payload: { body: body.toString('utf8') },
          status: 'UNMAPPABLE' as const,
          reason: notJsonObject,
        },
      ];
  const stored = await storeInboundPayloads(prisma, jobs, payloads);
  logger.info({ channel: 'META_ADS', received: payloads.length, stored }, 'inbound webhook');
  return text(200, 'EVENT_RECEIVED');
}

async function handleGoogle(
  { prisma, jobs, logger }: InboundRoutesOptions,
  request: Request,
): Promise<Response> {
  if (request.method !== 'POST') return text(405, 'Method not allowed', { allow: 'POST' });
  const settings = await readInboundSettings(prisma);
  const raw = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = null;
  }
  const key = isRecord(body) && typeof body['google_key'] === 'string' ? body['google_key'] : '';
  if (!settings.googleKey || !safeEqual(key, settings.googleKey)) {
    logger.warn(
      { channel: 'GOOGLE_ADS', key: key ? 'invalid' : 'missing', bytes: raw.length },
      'inbound signature refused',
    );
    return text(401, 'Invalid google_key');
  }
  const payload = googlePayload(body as Record<string, unknown>, settings.googleTestLeads);
  const stored = payload ? await storeInboundPayloads(prisma, jobs, [payload]) : 0;
  logger.info({ channel: 'GOOGLE_ADS', stored, dropped: payload === null }, 'inbound webhook');
  return Response.json({});
}

function embedResponse(): Response {
  return new Response(embedScript, {
    status: 200,
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
      // Loaded by other sites' pages with <script src>: readable cross-origin on purpose.
      'access-control-allow-origin': '*',
    },
  });
}
