import type {
  CreateWebFormInput,
  LeadOrigin,
  UpdateWebFormInput,
  WebFormFieldsFragment,
} from '$lib/graphql/generated/graphql';
import { lines } from '$lib/settings/field-errors';
import type { FormInput } from '$lib/settings/settings-save.svelte';

/** A web form as its editor holds it: text as typed, the allowed sites one per line. */
export interface WebFormDraft {
  name: string;
  slug: string;
  /** One origin per line. */
  allowedOrigins: string;
  thankYouUrl: string;
  errorUrl: string;
  defaultOrigin: LeadOrigin;
  defaultInterest: string;
  consentRequired: boolean;
  consentText: string;
  consentTextVersion: string;
}

/** The optional text fields: blank in the editor, null in the API. */
const OPTIONAL_TEXT_FIELDS = [
  'thankYouUrl',
  'errorUrl',
  'defaultInterest',
  'consentText',
  'consentTextVersion',
] as const;

export function emptyWebFormDraft(): WebFormDraft {
  return {
    name: '',
    slug: '',
    allowedOrigins: '',
    thankYouUrl: '',
    errorUrl: '',
    defaultOrigin: 'SITE',
    defaultInterest: '',
    consentRequired: false,
    consentText: '',
    consentTextVersion: '',
  };
}

export function toWebFormDraft(form: WebFormFieldsFragment): WebFormDraft {
  return {
    name: form.name,
    slug: form.slug,
    allowedOrigins: form.allowedOrigins.join('\n'),
    thankYouUrl: form.thankYouUrl ?? '',
    errorUrl: form.errorUrl ?? '',
    defaultOrigin: form.defaultOrigin,
    defaultInterest: form.defaultInterest ?? '',
    consentRequired: form.consentRequired,
    consentText: form.consentText ?? '',
    consentTextVersion: form.consentTextVersion ?? '',
  };
}

/** Blank (or only spaces) is "none": the API clears the field with null. */
function optionalText(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * A new form as the API takes it. Nothing is checked here: the API's messages (a URL that is not
 * http(s), a taken slug, consent without its text) come back beside the fields they are about.
 */
export function createWebFormInput(draft: WebFormDraft): FormInput<CreateWebFormInput> {
  const input: CreateWebFormInput = {
    name: draft.name.trim(),
    slug: draft.slug.trim(),
    allowedOrigins: lines(draft.allowedOrigins),
    defaultOrigin: draft.defaultOrigin,
    consentRequired: draft.consentRequired,
  };
  for (const field of OPTIONAL_TEXT_FIELDS) input[field] = optionalText(draft[field]);
  return { ok: true, input };
}

/**
 * The changes to a saved form: only the fields that differ (the audit log records which changed,
 * and a consent text sent unchanged would not need a new version anyway), null to clear one.
 */
export function updateWebFormInput(
  saved: WebFormDraft,
  draft: WebFormDraft,
): FormInput<UpdateWebFormInput> {
  const input: UpdateWebFormInput = {};
  for (const field of ['name', 'slug'] as const) {
    if (draft[field].trim() !== saved[field].trim()) input[field] = draft[field].trim();
  }
  const origins = lines(draft.allowedOrigins);
  if (origins.join('\n') !== lines(saved.allowedOrigins).join('\n')) {
    input.allowedOrigins = origins;
  }
  if (draft.defaultOrigin !== saved.defaultOrigin) input.defaultOrigin = draft.defaultOrigin;
  if (draft.consentRequired !== saved.consentRequired) {
    input.consentRequired = draft.consentRequired;
  }
  for (const field of OPTIONAL_TEXT_FIELDS) {
    const value = optionalText(draft[field]);
    if (value !== optionalText(saved[field])) input[field] = value;
  }
  return { ok: true, input };
}

/** Whether saving would send anything. */
export function hasWebFormChanges(saved: WebFormDraft, draft: WebFormDraft): boolean {
  const result = updateWebFormInput(saved, draft);
  return result.ok && Object.keys(result.input).length > 0;
}
