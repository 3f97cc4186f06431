import type {
  GoogleTestLeadPolicy,
  InboundSettingsFieldsFragment,
  UpdateInboundSettingsInput,
} from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';
import { lines } from '$lib/settings/field-errors';
import type { FormInput } from '$lib/settings/settings-save.svelte';
import { keepSecret, secretInput, type SecretChange } from '$lib/settings/secret-change';

/** What Google Ads test leads may become, in the order the select lists them. */
export const GOOGLE_TEST_LEAD_POLICIES = [
  'STORE',
  'DROP',
] as const satisfies GoogleTestLeadPolicy[];

/** The two per-form mappings; their names are the API's input fields and error paths. */
export const MAPPING_FIELDS = ['metaFormQuestions', 'googleFormQuestions'] as const;
export type MappingField = (typeof MAPPING_FIELDS)[number];

/**
 * One form of a per-form mapping as typed. `key` identifies the row while the list changes, so
 * removing a row keeps the focus and typed text of the others.
 */
export interface QuestionRow {
  key: number;
  formId: string;
  interestQuestion: string;
  incomeQuestion: string;
}

/** The settings as the form holds them: text as typed, secrets as what to do with them. */
export interface InboundForm {
  metaAppSecret: SecretChange;
  metaVerifyToken: SecretChange;
  metaAccessToken: SecretChange;
  metaGraphBaseUrl: string;
  metaFormQuestions: QuestionRow[];
  googleKey: SecretChange;
  googleTestLeads: GoogleTestLeadPolicy;
  googleFormQuestions: QuestionRow[];
  /** One origin per line. */
  formAllowedOrigins: string;
  formThankYouUrl: string;
}

/** The write-only secrets, each with the flag the API gives instead of its value. */
export const SECRET_FLAGS = {
  metaVerifyToken: 'metaVerifyTokenSet',
  metaAppSecret: 'metaAppSecretSet',
  metaAccessToken: 'metaAccessTokenSet',
  googleKey: 'googleKeySet',
} as const satisfies Partial<Record<keyof InboundForm, keyof InboundSettingsFieldsFragment>>;
export type SecretName = keyof typeof SECRET_FLAGS;
const SECRET_FIELDS = Object.keys(SECRET_FLAGS) as SecretName[];

let lastRowKey = 0;

/** A mapping row, blank unless values are given. */
export function questionRow(values: Partial<Omit<QuestionRow, 'key'>> = {}): QuestionRow {
  lastRowKey += 1;
  return { key: lastRowKey, formId: '', interestQuestion: '', incomeQuestion: '', ...values };
}

/** The rows with a blank one added at the end. */
export function withRowAdded(rows: readonly QuestionRow[]): QuestionRow[] {
  return [...rows, questionRow()];
}

/** The rows without the one whose key is given. */
export function withRowRemoved(rows: readonly QuestionRow[], key: number): QuestionRow[] {
  return rows.filter((row) => row.key !== key);
}

type SavedQuestions = InboundSettingsFieldsFragment['metaFormQuestions'];

function rowsOf(questions: SavedQuestions): QuestionRow[] {
  return questions.map((form) =>
    questionRow({
      formId: form.formId,
      interestQuestion: form.interestQuestion ?? '',
      incomeQuestion: form.incomeQuestion ?? '',
    }),
  );
}

export function toForm(settings: InboundSettingsFieldsFragment): InboundForm {
  return {
    metaAppSecret: keepSecret(),
    metaVerifyToken: keepSecret(),
    metaAccessToken: keepSecret(),
    metaGraphBaseUrl: settings.metaGraphBaseUrl,
    metaFormQuestions: rowsOf(settings.metaFormQuestions),
    googleKey: keepSecret(),
    googleTestLeads: settings.googleTestLeads,
    googleFormQuestions: rowsOf(settings.googleFormQuestions),
    formAllowedOrigins: settings.formAllowedOrigins.join('\n'),
    formThankYouUrl: settings.formThankYouUrl ?? '',
  };
}

type QuestionsInput = NonNullable<UpdateInboundSettingsInput['metaFormQuestions']>;

/** The rows as the API takes them: trimmed, a blank question as null. */
function questionsInput(rows: readonly QuestionRow[]): QuestionsInput {
  const orNull = (text: string) => (text.trim() === '' ? null : text.trim());
  return rows.map((row) => ({
    formId: row.formId.trim(),
    interestQuestion: orNull(row.interestQuestion),
    incomeQuestion: orNull(row.incomeQuestion),
  }));
}

/**
 * Rows the API would take but not as meant: a row without a form id (the API refuses it too,
 * but only after the rest) and a form listed twice (the API silently keeps the last one).
 */
function rowErrors(field: MappingField, rows: QuestionsInput): Record<string, MessageKey> {
  const errors: Record<string, MessageKey> = {};
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    if (row.formId === '') errors[`${field}.${index}.formId`] = 'settings.inbound.formIdRequired';
    else if (seen.has(row.formId)) {
      errors[`${field}.${index}.formId`] = 'settings.inbound.formIdRepeated';
    }
    seen.add(row.formId);
  });
  return errors;
}

// The API checks these too, but its URL checks come back as a plain GraphQL error rather than
// per-field messages, so the form says what is wrong beside the field before sending.
const isHttpUrl = (text: string) =>
  URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
const isOrigin = (text: string) => URL.canParse(text) && new URL(text).origin === text;

/**
 * The changes to send: only the fields that differ from the saved settings (the audit log records
 * which settings changed). A mapping goes as a whole, rows in the order shown, so the API's error
 * paths (`googleFormQuestions.1.formId`) point at a row.
 */
export function toInput(
  saved: InboundForm,
  form: InboundForm,
): FormInput<UpdateInboundSettingsInput> {
  let errors: Record<string, MessageKey> = {};
  const input: UpdateInboundSettingsInput = {};

  for (const field of SECRET_FIELDS) {
    const value = secretInput(form[field]);
    if (value !== undefined) input[field] = value;
  }

  const baseUrl = form.metaGraphBaseUrl.trim();
  if (baseUrl !== saved.metaGraphBaseUrl.trim()) {
    if (isHttpUrl(baseUrl)) input.metaGraphBaseUrl = baseUrl;
    else errors.metaGraphBaseUrl = 'settings.inbound.httpUrl';
  }

  for (const field of MAPPING_FIELDS) {
    const rows = questionsInput(form[field]);
    errors = { ...errors, ...rowErrors(field, rows) };
    if (JSON.stringify(rows) !== JSON.stringify(questionsInput(saved[field]))) input[field] = rows;
  }

  if (form.googleTestLeads !== saved.googleTestLeads) input.googleTestLeads = form.googleTestLeads;

  const origins = lines(form.formAllowedOrigins);
  if (origins.join('\n') !== lines(saved.formAllowedOrigins).join('\n')) {
    input.formAllowedOrigins = origins;
    origins.forEach((origin, index) => {
      if (!isOrigin(origin)) errors[`formAllowedOrigins.${index}`] = 'settings.inbound.origin';
    });
  }

  const thankYouUrl = form.formThankYouUrl.trim();
  if (thankYouUrl !== saved.formThankYouUrl.trim()) {
    // Blank means "no redirect": the API clears it with null and refuses "" as a URL.
    input.formThankYouUrl = thankYouUrl === '' ? null : thankYouUrl;
    if (thankYouUrl !== '' && !isHttpUrl(thankYouUrl)) {
      errors.formThankYouUrl = 'settings.inbound.httpUrl';
    }
  }

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

/** Whether anything would be sent. */
export function hasChanges(saved: InboundForm, form: InboundForm): boolean {
  const result = toInput(saved, form);
  return !result.ok || Object.keys(result.input).length > 0;
}

/** Where the ad platforms and sites send leads, as the browser reaches the API. */
export interface InboundUrls {
  meta: string;
  google: string;
  /** The default no-JavaScript form's action. */
  form: string;
}

/**
 * The inbound addresses beside the GraphQL endpoint: the API serves them from the same base, so
 * an API behind a path prefix (https://example.com/api/graphql) has them under it too.
 */
export function inboundUrls(apiUrl: string, pageOrigin: string): InboundUrls {
  const api = new URL(apiUrl, pageOrigin);
  const base = `${api.origin}${api.pathname.replace(/\/graphql\/?$/, '').replace(/\/$/, '')}`;
  return {
    meta: `${base}/inbound/meta`,
    google: `${base}/inbound/google`,
    form: `${base}/forms/lead`,
  };
}
