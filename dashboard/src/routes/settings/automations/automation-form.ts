import type {
  AutomationSettingsFieldsFragment,
  UpdateAutomationSettingsInput,
} from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';
import { durationFromMinutes, durationMinutes, type Duration } from '$lib/settings/durations';
import { lines, wholeNumber } from '$lib/settings/field-errors';
import type { FormInput } from '$lib/settings/settings-save.svelte';
import { keepSecret, secretInput, type SecretChange } from '$lib/settings/secret-change';

/** The actions a class can run (server/src/automations/automations.ts), in the order shown. */
export const AUTOMATION_ACTIONS = [
  'notify-slack',
  'notify-whatsapp',
  'send-to-crm',
  'schedule-follow-up',
  'nurture-email',
  'email-sequence',
  'remarketing-list',
] as const;
export type AutomationAction = (typeof AUTOMATION_ACTIONS)[number];

/** The classes with a plan, in the order the API lists them (and the form sends them). */
export const PLAN_CLASSES = ['HOT', 'WARM', 'COLD'] as const;
export type PlanClass = (typeof PLAN_CLASSES)[number];

export interface ClassPlanForm {
  /** The chosen actions; one the dashboard does not know yet is kept as it was. */
  actions: string[];
  followUp: Duration;
}

/** The settings as the form holds them: text as typed, secrets as what to do with them. */
export interface AutomationForm {
  plans: Record<PlanClass, ClassPlanForm>;
  maxAttempts: number | null;
  retryDelaySeconds: number | null;
  slackWebhookUrl: SecretChange;
  n8nWebhookUrl: string;
  n8nSecret: SecretChange;
  whatsappBaseUrl: string;
  whatsappPhoneNumberId: string;
  whatsappToken: SecretChange;
  /** One E.164 number per line. */
  whatsappRecipients: string;
  whatsappTemplate: string;
  whatsappLanguage: string;
}

export function toForm(settings: AutomationSettingsFieldsFragment): AutomationForm {
  const plan = (status: PlanClass): ClassPlanForm => {
    const found = settings.plans.find((entry) => entry.status === status);
    return {
      actions: [...(found?.actions ?? [])],
      followUp: durationFromMinutes(found?.followUpMinutes ?? 60),
    };
  };
  return {
    plans: { HOT: plan('HOT'), WARM: plan('WARM'), COLD: plan('COLD') },
    maxAttempts: settings.maxAttempts,
    retryDelaySeconds: settings.retryDelaySeconds,
    slackWebhookUrl: keepSecret(),
    n8nWebhookUrl: settings.n8nWebhookUrl ?? '',
    n8nSecret: keepSecret(),
    whatsappBaseUrl: settings.whatsappBaseUrl ?? '',
    whatsappPhoneNumberId: settings.whatsappPhoneNumberId ?? '',
    whatsappToken: keepSecret(),
    whatsappRecipients: settings.whatsappRecipients.join('\n'),
    whatsappTemplate: settings.whatsappTemplate ?? '',
    whatsappLanguage: settings.whatsappLanguage ?? '',
  };
}

/** Known actions in display order, then any the dashboard does not know, as they were. */
function orderedActions(actions: readonly string[]): string[] {
  const known = AUTOMATION_ACTIONS.filter((action) => actions.includes(action));
  const unknown = actions.filter(
    (action) => !(AUTOMATION_ACTIONS as readonly string[]).includes(action),
  );
  return [...known, ...unknown];
}

/** The changes to send, or the fields the form cannot even send (not whole numbers). */
export type AutomationInputResult = FormInput<UpdateAutomationSettingsInput>;

const TEXT_FIELDS = [
  'n8nWebhookUrl',
  'whatsappBaseUrl',
  'whatsappPhoneNumberId',
  'whatsappTemplate',
  'whatsappLanguage',
] as const;

const SECRET_FIELDS = ['slackWebhookUrl', 'n8nSecret', 'whatsappToken'] as const;

/**
 * The changes to send: only the fields that differ from the saved settings (the audit log
 * records which settings changed), "" to clear a text field. Plans go as a whole, HOT, WARM and
 * COLD in that order, so the API's error paths (`plans.1.followUpMinutes`) name a class.
 */
export function toInput(saved: AutomationForm, form: AutomationForm): AutomationInputResult {
  const errors: Record<string, MessageKey> = {};
  const input: UpdateAutomationSettingsInput = {};

  const plans = PLAN_CLASSES.map((status, index) => {
    const minutes = durationMinutes(form.plans[status].followUp);
    if (minutes === null) errors[`plans.${index}.followUpMinutes`] = 'settings.wholeNumber';
    return {
      status,
      actions: orderedActions(form.plans[status].actions),
      followUpMinutes: minutes ?? 0,
    };
  });
  const savedPlans = PLAN_CLASSES.map((status) => ({
    status,
    actions: orderedActions(saved.plans[status].actions),
    followUpMinutes: durationMinutes(saved.plans[status].followUp),
  }));
  if (JSON.stringify(plans) !== JSON.stringify(savedPlans)) input.plans = plans;

  for (const field of ['maxAttempts', 'retryDelaySeconds'] as const) {
    const value = wholeNumber(form[field]);
    if (value === undefined) errors[field] = 'settings.wholeNumber';
    else if (value !== saved[field]) input[field] = value;
  }

  for (const field of TEXT_FIELDS) {
    const value = form[field].trim();
    if (value !== saved[field].trim()) input[field] = value;
  }

  const recipients = lines(form.whatsappRecipients);
  if (recipients.join('\n') !== lines(saved.whatsappRecipients).join('\n')) {
    input.whatsappRecipients = recipients;
  }

  for (const field of SECRET_FIELDS) {
    const value = secretInput(form[field]);
    if (value !== undefined) input[field] = value;
  }

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

/** Whether anything would be sent. */
export function hasChanges(saved: AutomationForm, form: AutomationForm): boolean {
  const result = toInput(saved, form);
  return !result.ok || Object.keys(result.input).length > 0;
}
