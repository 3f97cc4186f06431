// The form endpoint for sites without JavaScript: a plain HTML <form method="post"> whose fields
// are named like createLead's. A saved lead redirects to the thank-you URL; refused input
// redirects back to the form's page (or the form's error URL) with one `error_<field>` parameter
// per field, for the site to show. Only pages of the allowed origins may post, which also keeps
// the redirect from being open to any site. Each form (/forms/lead/<slug>) has its own settings
// (web-forms.ts); /forms/lead is the default form of the inbound settings.
import { anonymous } from '../access/principal.ts';
import { parseLeadInput, type LeadFieldError } from '../leads/lead-input.ts';
import { localize, preferredLocale, type Locale } from '../localization/locale.ts';
import { ingestLead, type LeadAttribution } from '../leads/leads.ts';
import { parseConsent } from '../privacy/consent.ts';
import type { InboundRoutesOptions } from './inbound-routes.ts';
import { findWebFormConfig, type WebFormConfig } from './web-forms.ts';

export const webFormPath = '/forms/lead';

const leadFields = ['name', 'email', 'phone', 'city', 'interest', 'approximateIncome', 'notes'];

const utmFields = {
  utm_source: 'utmSource',
  utm_medium: 'utmMedium',
  utm_campaign: 'utmCampaign',
  utm_term: 'utmTerm',
  utm_content: 'utmContent',
} as const;

/** The form's slug in a path under /forms/lead: null for /forms/lead itself, undefined off it. */
export function webFormSlugOf(path: string): string | null | undefined {
  if (path === webFormPath) return null;
  if (!path.startsWith(`${webFormPath}/`)) return undefined;
  return path.slice(webFormPath.length + 1);
}

export async function handleWebForm(
  options: InboundRoutesOptions,
  request: Request,
  socketAddress: string | undefined,
  slug: string | null = null,
): Promise<Response> {
  if (request.method !== 'POST') {
    return new Response('Method not allowed', { status: 405, headers: { allow: 'POST' } });
  }
  const config = await findWebFormConfig(options.prisma, slug);
  if (!config) return new Response('No form has this address', { status: 404 });
  const referer = parseUrl(request.headers.get('referer'));
  const origin = request.headers.get('origin') ?? referer?.origin ?? null;
  if (!origin || !config.allowedOrigins.includes(origin)) {
    options.logger.warn({ origin, form: slug }, 'web form from an origin that is not allowed');
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
  const receivedAt = new Date();
  const parsed = parseLeadInput({
    ...(config.defaultInterest !== null && { interest: config.defaultInterest }),
    ...fields,
    origin: config.defaultOrigin,
  });
  const consent = consentOf(config, form, receivedAt);
  // Back to the page that showed the form (its origin is allowed, checked above).
  const formPage = referer?.origin === origin ? referer : null;
  if (!parsed.ok || !consent.ok) {
    const fieldErrors = [
      ...(parsed.ok ? [] : parsed.fieldErrors),
      ...(consent.ok ? [] : consent.fieldErrors),
    ];
    return refused(
      config,
      formPage,
      fieldErrors,
      preferredLocale(request.headers.get('accept-language')),
    );
  }
  const attribution = attributionOf(form, formPage);
  await ingestLead(options, {
    input: parsed.value,
    raw: {
      ...fields,
      ...(config.slug !== null && { form: config.slug }),
      ...(consent.value && { consent: form.get('consent') ?? '' }),
      ...Object.fromEntries(Object.entries(attribution).filter(([, v]) => v)),
    },
    channel: 'WEB_FORM',
    attribution,
    consent: consent.value,
  });
  if (!config.thankYouUrl) {
    return new Response(
      '<!doctype html><meta charset="utf-8"><title>Obrigado</title><p>Recebemos seus dados. Obrigado!</p>',
      {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      },
    );
  }
  return redirect(config.thankYouUrl);
}

/**
 * The consent to record: a ticked box (the `consent` field, sent only when ticked) on a form
 * with a consent text version. A form that requires consent refuses an unticked box, so nothing
 * of a person who did not agree is stored.
 */
function consentOf(config: WebFormConfig, form: URLSearchParams, receivedAt: Date) {
  const ticked = (form.get('consent') ?? '').trim() !== '';
  if (config.consentRequired && !ticked) {
    return {
      ok: false as const,
      fieldErrors: [
        {
          path: 'consent',
          message: 'Tick the box to agree to the terms',
          translations: { 'pt-BR': 'Marque a caixa para aceitar os termos' },
        },
      ],
    };
  }
  if (!ticked || config.consentTextVersion === null) return { ok: true as const, value: null };
  return parseConsent(
    { textVersion: config.consentTextVersion, source: `web-form:${config.slug ?? 'default'}` },
    { receivedAt, channel: 'WEB_FORM' },
  );
}

/**
 * Back to the error URL or the form's page with one error_<field> per field; else a 422. The
 * messages are worded in the visitor's language (Accept-Language), for the page to show as they are.
 */
function refused(
  config: WebFormConfig,
  formPage: URL | null,
  fieldErrors: readonly LeadFieldError[],
  locale: Locale,
): Response {
  const back = config.errorUrl ? new URL(config.errorUrl) : formPage ? new URL(formPage) : null;
  if (!back) {
    return new Response(fieldErrors.map((e) => `${e.path}: ${localize(e, locale)}`).join('\n'), {
      status: 422,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  for (const key of [...back.searchParams.keys()]) {
    if (key.startsWith('error_') || key === 'form_status') back.searchParams.delete(key);
  }
  back.searchParams.set('form_status', 'invalid');
  for (const error of fieldErrors) {
    back.searchParams.set(`error_${error.path || 'form'}`, localize(error, locale));
  }
  return redirect(back.href);
}

/**
 * UTM parameters from the form's hidden fields, else from the page's own URL (the landing page
 * the ad pointed at); the landing page from a `landing_page` field, else that URL; the referrer
 * from a `referrer` field. ingestLead validates them and drops what is not valid: a person cannot
 * correct a hidden field, so it never refuses the lead.
 */
export function attributionOf(form: URLSearchParams, page: URL | null): LeadAttribution {
  const attribution: LeadAttribution = {};
  for (const [param, key] of Object.entries(utmFields)) {
    const value = (form.get(param) ?? page?.searchParams.get(param) ?? '').trim();
    attribution[key] = value || null;
  }
  const landing = (form.get('landing_page') ?? '').trim() || (page ? stripErrors(page) : '');
  attribution.landingPage = landing || null;
  attribution.referrer = (form.get('referrer') ?? '').trim() || null;
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
