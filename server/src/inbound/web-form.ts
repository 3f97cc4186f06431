// The form endpoint for sites without JavaScript: a plain HTML <form method="post"> whose fields
// are named like createLead's. A saved lead redirects to the thank-you URL; refused input
// redirects back to the form's page with one `error_<field>` parameter per field, for the site
// to show. Only pages of the allowed origins may post, which also keeps the redirect from
// being open to any site.
import { anonymous } from '../access/principal.ts';
import { parseLeadInput } from '../leads/lead-input.ts';
import { ingestLead, type LeadAttribution } from '../leads/leads.ts';
import type { InboundRoutesOptions } from './inbound-routes.ts';
import { readInboundSettings } from './inbound-settings.ts';

export const webFormPath = '/forms/lead';

const leadFields = ['name', 'email', 'phone', 'city', 'interest', 'approximateIncome', 'notes'];

const utmFields = {
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  utm_term: 'utmTerm',
  utm_content: 'utmContent',
} as const;

export async function handleWebForm(
  options: InboundRoutesOptions,
  request: Request,
  socketAddress: string | undefined,
): Promise<Response> {
  if (request.method !== 'POST') {
    return new Response('Method not allowed', { status: 405, headers: { allow: 'POST' } });
  }
  const settings = await readInboundSettings(options.prisma);
  const referer = parseUrl(request.headers.get('referer'));
  const origin = request.headers.get('origin') ?? referer?.origin ?? null;
  if (!origin || !settings.formAllowedOrigins.includes(origin)) {
    options.logger.warn({ origin }, 'web form from an origin that is not allowed');
    return new Response('This site may not post the form', { status: 403 });
  }
  try {
    await options.access.limitRequest(
      anonymous,
      options.access.clientIp(request.headers, socketAddress),
    );
  } catch {
    return new Response('Too many submissions; try again in a minute', {
      status: 429,
      headers: { 'retry-after': '60' },
    });
  }
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    return new Response('Send the form URL-encoded', { status: 415 });
  }
  const form = new URLSearchParams(await request.text());
  const fields: Record<string, string> = {};
  for (const name of leadFields) {
    const value = form.get(name);
    if (value !== null && value.trim() !== '') fields[name] = value;
  }
  const parsed = parseLeadInput({ ...fields, origin: 'SITE' });
  // Back to the page that showed the form (its origin is allowed, checked above).
  const formPage = referer?.origin === origin ? referer : null;
  if (!parsed.ok) {
    if (!formPage) {
      return new Response(parsed.fieldErrors.map((e) => `${e.path}: ${e.message}`).join('\n'), {
        status: 422,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const back = new URL(formPage);
    for (const key of [...back.searchParams.keys()]) {
      if (key.startsWith('error_') || key === 'form_status') back.searchParams.delete(key);
    }
    back.searchParams.set('form_status', 'invalid');
    for (const { path, message } of parsed.fieldErrors) {
      back.searchParams.set(`error_${path || 'form'}`, message);
    }
    return redirect(back.href);
  }
  const attribution = attributionOf(form, formPage);
  await ingestLead(options, {
    input: parsed.value,
    raw: { ...fields, ...Object.fromEntries(Object.entries(attribution).filter(([, v]) => v)) },
    channel: 'WEB_FORM',
    attribution,
  });
  if (!settings.formThankYouUrl) {
    return new Response(
      '<!doctype html><meta charset="utf-8"><title>Obrigado</title><p>Recebemos seus dados. Obrigado!</p>',
      {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      },
    );
  }
  return redirect(settings.formThankYouUrl);
}

/**
 * UTM parameters from the form's hidden fields, else from the page's own URL (the landing page
 * the ad pointed at); the landing page from a `landing_page` field, else that URL.
 */
export function attributionOf(form: URLSearchParams, page: URL | null): LeadAttribution {
  const attribution: LeadAttribution = {};
  for (const [param, key] of Object.entries(utmFields)) {
    const value = (form.get(param) ?? page?.searchParams.get(param) ?? '').trim();
    attribution[key] = value ? value.slice(0, 255) : null;
  }
  const landing = (form.get('landing_page') ?? '').trim() || (page ? stripErrors(page) : '');
  attribution.landingPage = landing ? landing.slice(0, 2000) : null;
  return attribution;
}

function stripErrors(page: URL): string {
  const url = new URL(page);
  for (const key of [...url.searchParams.keys()]) {
    if (key.startsWith('error_') || key === 'form_status') url.searchParams.delete(key);
  }
  return url.href;
}

function redirect(location: string): Response {
  // 303: the browser follows with GET, so a reload never posts the form again.
  return new Response(null, { status: 303, headers: { location } });
}

function parseUrl(value: string | null): URL | null {
  if (!value) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
