// Google Ads lead form extensions: the webhook posts JSON with the answers in user_column_data and
// the key configured in Google Ads (google_key), which is our only proof of origin.
import type { Prisma } from '../generated/prisma/client.ts';
import type { GoogleTestLeadPolicy } from '../generated/prisma/enums.ts';
import { bilingual } from '../localization/catalog.ts';
import type { InboundPayloadInput, MappedLead } from './inbound.ts';
import type { InboundSettingsValues } from './inbound-settings.ts';
import { idOf, isRecord } from './meta.ts';

// The reasons a Google payload is UNMAPPABLE, stored in English (see inbound.ts).
const reasons = {
  noLeadId: bilingual('The payload has no lead_id', 'O payload não tem lead_id'),
  noColumns: bilingual('The payload has no user_column_data', 'O payload não tem user_column_data'),
};

/**
 * What a webhook body becomes: a payload to store (with its dedupe id), or nothing for a test
 * lead under the DROP policy.
 */
export function googlePayload(
  body: Record<string, unknown>,
  testLeads: GoogleTestLeadPolicy,
): InboundPayloadInput | null {
  const { google_key: _neverStored, ...payload } = body;
  const leadId = payload['lead_id'];
  const id = typeof leadId === 'string' || typeof leadId === 'number' ? String(leadId) : '';
  const isTest = payload['is_test'] === true;
  if (isTest && testLeads === 'DROP') return null;
  const externalId = id ? `google:${isTest ? 'test:' : ''}${id}` : null;
  const stored = payload as Prisma.InputJsonObject;
  if (isTest) return { channel: 'GOOGLE_ADS', externalId, payload: stored, status: 'TEST' };
  if (!id) {
    return {
      channel: 'GOOGLE_ADS',
      externalId: null,
      payload: stored,
      status: 'UNMAPPABLE',
      reason: reasons.noLeadId,
    };
  }
  return { channel: 'GOOGLE_ADS', externalId, payload: stored };
}

/**
 * Maps user_column_data to lead fields: the standard columns by column_id (Google's stable
 * names), and the form's custom questions for interest and income as the settings name them.
 */
export function mapGoogleLead(
  payload: unknown,
  settings: Pick<InboundSettingsValues, 'googleFormQuestions'>,
): MappedLead {
  if (!isRecord(payload) || !Array.isArray(payload['user_column_data'])) {
    return { ok: false, reason: reasons.noColumns };
  }
  const columns = new Map<string, string>();
  // Custom questions by their text too: the column_id Google gives one is not shown in its UI,
  // while the question (column_name) is what the admin typed.
  const byName = new Map<string, string>();
  for (const column of payload['user_column_data']) {
    if (!isRecord(column) || typeof column['column_id'] !== 'string') continue;
    const value = column['string_value'];
    if (typeof value !== 'string') continue;
    columns.set(column['column_id'], value);
    if (typeof column['column_name'] === 'string') byName.set(column['column_name'], value);
  }
  const questions = settings.googleFormQuestions[idOf(payload['form_id'])] ?? {};
  const answer = (question: string) => columns.get(question) ?? byName.get(question) ?? null;
  const name =
    columns.get('FULL_NAME') ??
    [columns.get('FIRST_NAME'), columns.get('LAST_NAME')].filter(Boolean).join(' ');
  const campaign = payload['campaign_id'];
  return {
    ok: true,
    fields: {
      name,
      email: columns.get('EMAIL') ?? '',
      phone: columns.get('PHONE_NUMBER') ?? null,
      city: columns.get('CITY') ?? null,
      origin: 'GOOGLE_ADS',
      ...(questions.interest && { interest: answer(questions.interest) }),
      ...(questions.income && { approximateIncome: answer(questions.income) }),
    },
    attribution: {
      utmSource: 'google',
      utmMedium: 'cpc',
      utmCampaign:
        typeof campaign === 'string' || typeof campaign === 'number' ? String(campaign) : null,
    },
  };
}
