// Meta lead ads: the webhook (verification handshake, signed leadgen events) and the Graph API
// fetch and mapping its job uses. Meta's webhook carries only ids; the person's answers are read
// from the Graph API with the page's access token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client.ts';
import { bilingual, bilingualTemplate } from '../localization/catalog.ts';
import type { MappedLead } from './inbound.ts';
import type { InboundPayloadInput } from './inbound.ts';
import type { InboundSettingsValues } from './inbound-settings.ts';

// The reasons a Meta payload is UNMAPPABLE or FAILED, stored in English (see inbound.ts).
const reasons = {
  noLeadgenId: bilingual(
    'The leadgen change has no leadgen_id',
    'A alteração leadgen não tem leadgen_id',
  ),
  noAccessToken: bilingual(
    'No Meta access token is configured (inbound settings)',
    'O token de acesso da página do Meta não está configurado (canais de entrada)',
  ),
  graphUnreachable: bilingualTemplate<'error'>(
    'The Graph API could not be reached: {error}',
    'Não foi possível acessar a Graph API: {error}',
  ),
  graphAnswered: bilingualTemplate<'status'>(
    'The Graph API answered {status}',
    'A Graph API respondeu {status}',
  ),
  noFieldData: bilingual(
    'The Graph API lead has no field_data',
    'O lead da Graph API não tem field_data',
  ),
};

/** Constant-time comparison of two strings (different lengths are simply unequal). */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The answer to Meta's subscription check (GET with hub.mode, hub.verify_token, hub.challenge):
 * the challenge when the token is ours, null otherwise.
 */
export function metaHandshake(params: URLSearchParams, verifyToken: string | null): string | null {
  const challenge = params.get('hub.challenge');
  if (verifyToken === null || params.get('hub.mode') !== 'subscribe' || challenge === null) {
    return null;
  }
  return safeEqual(params.get('hub.verify_token') ?? '', verifyToken) ? challenge : null;
}

/** Whether X-Hub-Signature-256 is `sha256=<HMAC-SHA256 of the raw body with the app secret>`. */
export function isValidMetaSignature(
  body: Buffer,
  header: string | null,
  appSecret: string,
): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(body).digest('hex');
  return safeEqual(header.slice('sha256='.length).toLowerCase(), expected);
}

/**
 * One stored payload per leadgen change of a webhook body. Changes of other fields are ignored (a
 * page subscribed to more than leadgen); a leadgen change without an id is kept as UNMAPPABLE.
 */
export function metaPayloads(body: unknown): InboundPayloadInput[] {
  const entries = isRecord(body) && Array.isArray(body['entry']) ? body['entry'] : [];
  const payloads: InboundPayloadInput[] = [];
  for (const entry of entries) {
    const changes = isRecord(entry) && Array.isArray(entry['changes']) ? entry['changes'] : [];
    for (const change of changes) {
      if (!isRecord(change) || change['field'] !== 'leadgen') continue;
      const value = isRecord(change['value']) ? change['value'] : {};
      const leadgenId = value['leadgen_id'];
      const id =
        typeof leadgenId === 'string' || typeof leadgenId === 'number' ? String(leadgenId) : '';
      payloads.push(
        id
          ? {
              channel: 'META_ADS',
              externalId: `meta:${id}`,
              payload: value as Prisma.InputJsonObject,
            }
          : {
              channel: 'META_ADS',
              externalId: null,
              payload: change as Prisma.InputJsonObject,
              status: 'UNMAPPABLE',
              reason: reasons.noLeadgenId,
            },
      );
    }
  }
  return payloads;
}

/**
 * The Graph API could not give the lead; `retryable` when trying again later may help. Its message
 * is the payload's stored reason.
 */
export class MetaFetchError extends Error {
  override name = 'MetaFetchError';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

const graphFields = 'id,created_time,form_id,ad_id,campaign_id,field_data';

/** Reads the lead's answers from the Graph API (GET /<leadgen_id>). */
export async function fetchMetaLead(
  settings: InboundSettingsValues,
  payload: unknown,
  fetchFn: typeof fetch = fetch,
): Promise<unknown> {
  if (!settings.metaAccessToken) {
    throw new MetaFetchError(reasons.noAccessToken, false);
  }
  const leadgenId = isRecord(payload) ? idOf(payload['leadgen_id']) : '';
  const url = new URL(
    `${settings.metaGraphBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(leadgenId)}`,
  );
  url.searchParams.set('fields', graphFields);
  let response: Response;
  try {
    response = await fetchFn(url, {
      // The token in a header, not the query string, so proxies and logs never see it.
      headers: { authorization: `Bearer ${settings.metaAccessToken}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new MetaFetchError(reasons.graphUnreachable({ error: String(error) }), true);
  }
  if (!response.ok) {
    // 4xx: the token or the lead is wrong, and stays wrong until someone fixes the settings
    // (then reprocesses); 429 and 5xx pass.
    const retryable = response.status === 429 || response.status >= 500;
    throw new MetaFetchError(reasons.graphAnswered({ status: response.status }), retryable);
  }
  return (await response.json()) as unknown;
}

/** Meta's standard question keys. */
const standardFields = {
  fullName: 'full_name',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone_number',
  city: 'city',
} as const;

/**
 * Maps the Graph API's field_data to lead fields: the standard questions, plus the form's custom
 * questions for interest and income as the settings name them.
 */
export function mapMetaLead(
  fetched: unknown,
  payload: unknown,
  settings: Pick<InboundSettingsValues, 'metaFormQuestions'>,
): MappedLead {
  if (!isRecord(fetched) || !Array.isArray(fetched['field_data'])) {
    return { ok: false, reason: reasons.noFieldData };
  }
  const answers = new Map<string, string>();
  for (const field of fetched['field_data']) {
    if (!isRecord(field) || typeof field['name'] !== 'string') continue;
    const values = Array.isArray(field['values']) ? field['values'] : [];
    answers.set(field['name'], values.filter((value) => typeof value === 'string').join(', '));
  }
  const formId =
    idOf(isRecord(payload) ? payload['form_id'] : undefined) || idOf(fetched['form_id']);
  const questions = settings.metaFormQuestions[formId] ?? {};
  const name =
    answers.get(standardFields.fullName) ??
    [answers.get(standardFields.firstName), answers.get(standardFields.lastName)]
      .filter(Boolean)
      .join(' ');
  const fields: Record<string, unknown> = {
    name,
    email: answers.get(standardFields.email) ?? '',
    phone: answers.get(standardFields.phone) ?? null,
    city: answers.get(standardFields.city) ?? null,
    origin: 'META_ADS',
  };
  if (questions.interest) fields['interest'] = answers.get(questions.interest) ?? null;
  if (questions.income) fields['approximateIncome'] = answers.get(questions.income) ?? null;
  const campaign = fetched['campaign_id'];
  return {
    ok: true,
    fields,
    attribution: {
      utmSource: 'facebook',
      utmMedium: 'paid_social',
      utmCampaign: typeof campaign === 'string' ? campaign : null,
    },
  };
}

/** A platform id sent as a string or a number; '' for anything else. */
export function idOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
