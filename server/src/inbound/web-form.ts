// The form endpoint for sites without JavaScript: a plain HTML <form method="post"> whose fields
// are named like createLead's. A saved lead redirects to the thank-you URL; refused input
// redirects back to the form's page (or the form's error URL) with one `error_<field>` parameter
// per field, for the site to show. Only pages of the allowed origins may post, which also keeps
// the redirect from being open to any site. Each form (/forms/lead/<slug>) has its own settings
// (web-forms.ts); /forms/lead is the default form of the inbound settings.
import { anonymous } from '../access/principal.ts';
import { parseLeadInput, type LeadFieldError } from '../leads/lead-input.ts';
import {
  localize,
  preferredLocale,
  type Locale,
  type TranslatableText,
} from '../localization/locale.ts';
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

// What the endpoint itself says to the person whose browser posted the form, in their language.
const pageTexts = {
  methodNotAllowed: {
    message: 'Method not allowed',
    translations: { 'pt-BR': 'Método não permitido' },
  },
  noForm: {
    message: 'No form has this address',
    translations: { 'pt-BR': 'Nenhum formulário tem este endereço' },
  },
  originNotAllowed: {
    message: 'This site may not post the form',
    translations: { 'pt-BR': 'Este site não pode enviar o formulário' },
  },
  tooMany: {
    message: 'Too many submissions; try again in a minute',
    translations: { 'pt-BR': 'Muitos envios; tente de novo em um minuto' },
  },
  notUrlEncoded: {
    message: 'Send the form URL-encoded',
    translations: { 'pt-BR': 'Envie o formulário no formato URL-encoded' },
  },
  thanksTitle: { message: 'Thank you', translations: { 'pt-BR': 'Obrigado' } },
  thanks: {
    message: 'We received your details. Thank you!',
    translations: { 'pt-BR': 'Recebemos seus dados. Obrigado!' },
  },
} satisfies Record<string, TranslatableText>;

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
  const locale = preferredLocale(request.headers.get('accept-language'));
  const say = (text: keyof typeof pageTexts) => localize(pageTexts[text], locale);
  if (request.method !== 'POST') {
    return plainText(405, say('methodNotAllowed'), { allow: 'POST' });
  }
  const config = await findWebFormConfig(options.prisma, slug);
  if (!config) return plainText(404, say('noForm'));
  const referer = parseUrl(request.headers.get('referer'));
  const origin = request.headers.get('origin') ?? referer?.origin ?? null;
  if (!origin || !config.allowedOrigins.includes(origin)) {
    options.logger.warn({ origin, form: slug }, 'web form from an origin that is not allowed');
    return plainText(403, say('originNotAllowed'));
  }
  try {
    await options.access.limitRequest(
      anonymous,
      options.access.clientIp(request.headers, socketAddress),
    );
  } catch {
    return plainText(429, say('tooMany'), { 'retry-after': '60' });
  }
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    return plainText(415, say('notUrlEncoded'));
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
    return refused(config, formPage, fieldErrors, locale);
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
      `<!doctype html><html lang="${locale}"><meta charset="utf-8"><title>${say('thanksTitle')}</title><p>${say('thanks')}</p>`,
      { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } },
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
    return plainText(422, fieldErrors.map((e) => `${e.path}: ${localize(e, locale)}`).join('\n'));
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

function plainText(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  });
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
