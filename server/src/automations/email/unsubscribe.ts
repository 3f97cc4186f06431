// The unsubscribe link of every email: <publicBaseUrl>/unsubscribe?lead=<id>&token=<HMAC>, served
// by the API. GET shows a confirmation page and changes nothing (mail scanners and link previews
// follow links); POST, from that page's button or a mail client's one-click (RFC 8058), does it.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../../db.ts';
import { publishEvent } from '../../events.ts';
import { isLeadId } from '../../leads/leads.ts';
import type { Logger } from '../../logger.ts';
import { leaveAudiences } from '../remarketing/remarketing.ts';
import { secretKey } from '../secrets.ts';

export const unsubscribePath = '/unsubscribe';

let cachedKey: Buffer | null = null;

// Its own key, derived from STREAMLEADS_SECRET_KEY: a token never doubles as anything encrypted
// with the secrets key, and rotating that key invalidates old links (they then show "invalid").
function tokenKey(): Buffer {
  cachedKey ??= Buffer.from(
    hkdfSync('sha256', secretKey(), Buffer.alloc(0), 'streamleads unsubscribe v1', 32),
  );
  return cachedKey;
}

/** HMAC-SHA256 of the lead id, base64url: only the server can make one. */
export function unsubscribeToken(leadId: string): string {
  return createHmac('sha256', tokenKey())
    .update(`unsubscribe:${leadId.toLowerCase()}`)
    .digest('base64url');
}

export function isValidUnsubscribeToken(leadId: string, token: string): boolean {
  const expected = Buffer.from(unsubscribeToken(leadId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The link for one lead, under the API's public URL (which may carry a path prefix). */
export function unsubscribeUrl(publicBaseUrl: string, leadId: string): string {
  const url = new URL(`${publicBaseUrl.replace(/\/+$/, '')}${unsubscribePath}`);
  url.searchParams.set('lead', leadId);
  url.searchParams.set('token', unsubscribeToken(leadId));
  return url.href;
}

/**
 * Marks the lead unsubscribed (the first time counts; later calls change nothing). Returns false
 * when no such lead exists (deleted): there is nobody left to email either way.
 */
export async function unsubscribeLead(prisma: PrismaClient, leadId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const updated = await tx.lead.updateMany({
      where: { id: leadId, unsubscribedAt: null },
      data: { unsubscribedAt: new Date() },
    });
    if (updated.count > 0) {
      await leaveAudiences(tx, leadId, 'unsubscribed');
      await publishEvent(tx, { type: 'lead.changed', leadId, change: 'updated' });
      return true;
    }
    return (await tx.lead.count({ where: { id: leadId } })) > 0;
  });
}

/** Serves the unsubscribe route before yoga sees the request (app.ts mounts it). */
export function useUnsubscribe(options: { prisma: PrismaClient; logger: Logger }): Plugin {
  return {
    async onRequest(event) {
      if (event.url.pathname !== unsubscribePath) return;
      event.endResponse(await handle(options, event.request, event.url));
    },
  };
}

async function handle(
  { prisma, logger }: { prisma: PrismaClient; logger: Logger },
  request: Request,
  url: URL,
): Promise<Response> {
  const leadId = url.searchParams.get('lead') ?? '';
  const token = url.searchParams.get('token') ?? '';
  if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') {
    return page(405, pages.invalid, { allow: 'GET, HEAD, POST' });
  }
  if (!isLeadId(leadId) || !isValidUnsubscribeToken(leadId, token)) {
    return page(400, pages.invalid);
  }
  if (request.method !== 'POST') return page(200, pages.confirm);
  try {
    await unsubscribeLead(prisma, leadId.toLowerCase());
  } catch (error) {
    logger.error({ err: error, leadId }, 'unsubscribe failed');
    return page(503, pages.failed);
  }
  logger.info({ leadId }, 'lead unsubscribed');
  return page(200, pages.done);
}

// pt-BR: the people who click are the leads, and templates default to pt-BR.
const pages = {
  confirm: {
    title: 'Cancelar o recebimento de emails',
    body: `<p>Você não vai mais receber nossos emails neste endereço.</p>
<form method="post"><button type="submit">Confirmar cancelamento</button></form>`,
  },
  done: {
    title: 'Pronto',
    body: '<p>Você não vai mais receber nossos emails. Se mudar de ideia, é só entrar em contato de novo.</p>',
  },
  invalid: {
    title: 'Link inválido',
    body: '<p>Este link de cancelamento não é válido. Use o link do email mais recente que você recebeu.</p>',
  },
  failed: {
    title: 'Tente de novo',
    body: '<p>Não conseguimos registrar o cancelamento agora. Tente de novo em alguns minutos.</p>',
  },
} as const;

function page(
  status: number,
  content: { title: string; body: string },
  headers: Record<string, string> = {},
): Response {
  const html = `<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${content.title}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1c1917;line-height:1.5}button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}</style>
</head>
<body>
<h1>${content.title}</h1>
${content.body}
</body>
</html>
`;
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // The URL carries the token: keep it out of caches and of other sites' Referer.
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  });
}
