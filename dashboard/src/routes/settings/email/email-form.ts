import type {
  EmailSettingsFieldsFragment,
  SmtpTlsMode,
  UpdateEmailSettingsInput,
} from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';
import { durationFromMinutes, durationMinutes, type Duration } from '$lib/settings/durations';
import { wholeNumber } from '$lib/settings/field-errors';
import type { FormInput } from '$lib/settings/settings-save.svelte';
import { keepSecret, secretInput, type SecretChange } from '$lib/settings/secret-change';

export const SMTP_TLS_MODES = ['STARTTLS', 'TLS', 'NONE'] as const satisfies readonly SmtpTlsMode[];

/** The template languages (server/src/automations/email/templates.ts). */
export const EMAIL_LOCALES = ['pt-BR', 'en'] as const;
export type EmailLocale = (typeof EMAIL_LOCALES)[number];

/** The port each TLS mode usually runs on, offered when the mode changes. */
export const USUAL_PORTS: Record<SmtpTlsMode, number> = { STARTTLS: 587, TLS: 465, NONE: 25 };

/** The API allows at most this many sequence steps. */
export const MAX_SEQUENCE_STEPS = 10;

export interface SequenceStepForm {
  /** Identifies the step in the editor while it moves. */
  key: string;
  template: string;
  delay: Duration;
}

/** The email settings as the form holds them. */
export interface EmailForm {
  smtpHost: string;
  smtpPort: number | null;
  smtpTls: SmtpTlsMode;
  smtpUser: string;
  smtpPassword: SecretChange;
  /** PEM text; "" trusts only the public CAs. */
  smtpCaCertificates: string;
  fromAddress: string;
  fromName: string;
  locale: string;
  schedulingLink: string;
  publicBaseUrl: string;
  sequence: SequenceStepForm[];
}

let lastKey = 0;

export function newStep(template: string, delayMinutes = 2 * 24 * 60): SequenceStepForm {
  return { key: `s${++lastKey}`, template, delay: durationFromMinutes(delayMinutes) };
}

export function toForm(settings: EmailSettingsFieldsFragment): EmailForm {
  return {
    smtpHost: settings.smtpHost ?? '',
    smtpPort: settings.smtpPort,
    smtpTls: settings.smtpTls,
    smtpUser: settings.smtpUser ?? '',
    smtpPassword: keepSecret(),
    smtpCaCertificates: settings.smtpCaCertificates ?? '',
    fromAddress: settings.fromAddress ?? '',
    fromName: settings.fromName ?? '',
    locale: settings.locale,
    schedulingLink: settings.schedulingLink ?? '',
    publicBaseUrl: settings.publicBaseUrl ?? '',
    sequence: settings.sequence.map((step) => newStep(step.template, step.delayMinutes)),
  };
}

export type EmailInputResult = FormInput<UpdateEmailSettingsInput>;

const TEXT_FIELDS = [
  'smtpHost',
  'smtpUser',
  'smtpCaCertificates',
  'fromAddress',
  'fromName',
  'schedulingLink',
  'publicBaseUrl',
] as const;

/**
 * Only what differs from the saved settings, "" to clear a text field. The sequence goes whole,
 * in order, so the API's paths (`sequence.1.template`) point at the step shown second.
 */
export function toInput(saved: EmailForm, form: EmailForm): EmailInputResult {
  const errors: Record<string, MessageKey> = {};
  const input: UpdateEmailSettingsInput = {};

  for (const field of TEXT_FIELDS) {
    const value = form[field].trim();
    if (value !== saved[field].trim()) input[field] = value;
  }
  const port = wholeNumber(form.smtpPort);
  if (port === undefined) errors.smtpPort = 'settings.wholeNumber';
  else if (port !== saved.smtpPort) input.smtpPort = port;
  if (form.smtpTls !== saved.smtpTls) input.smtpTls = form.smtpTls;
  if (form.locale !== saved.locale) input.locale = form.locale;
  const password = secretInput(form.smtpPassword);
  if (password !== undefined) input.smtpPassword = password;

  const sequence = form.sequence.map((step, index) => {
    const minutes = durationMinutes(step.delay);
    if (minutes === null) errors[`sequence.${index}.delayMinutes`] = 'settings.wholeNumber';
    return { template: step.template, delayMinutes: minutes ?? 0 };
  });
  const savedSequence = saved.sequence.map((step) => ({
    template: step.template,
    delayMinutes: durationMinutes(step.delay),
  }));
  if (JSON.stringify(sequence) !== JSON.stringify(savedSequence)) input.sequence = sequence;

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

export function hasChanges(saved: EmailForm, form: EmailForm): boolean {
  const result = toInput(saved, form);
  return !result.ok || Object.keys(result.input).length > 0;
}

/** The total wait before each step's email, counted from the class change. */
export function cumulativeMinutes(sequence: readonly SequenceStepForm[]): (number | null)[] {
  let total: number | null = 0;
  return sequence.map((step) => {
    const minutes = durationMinutes(step.delay);
    total = total === null || minutes === null ? null : total + minutes;
    return total;
  });
}
