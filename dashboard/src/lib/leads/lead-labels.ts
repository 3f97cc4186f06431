import type {
  AutomationRunState,
  LeadOrigin,
  LeadStatus,
  SubmissionChannel,
} from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';

/** Every origin the API knows, in the order filters and charts list them. */
export const LEAD_ORIGINS = [
  'SITE',
  'GOOGLE_ADS',
  'META_ADS',
  'WHATSAPP',
  'REFERRAL',
  'OTHER',
] as const satisfies readonly LeadOrigin[];

export const LEAD_STATUSES = [
  'HOT',
  'WARM',
  'COLD',
  'PROCESSING',
] as const satisfies readonly LeadStatus[];

export const ORIGIN_LABELS: Record<LeadOrigin, MessageKey> = {
  SITE: 'origin.SITE',
  GOOGLE_ADS: 'origin.GOOGLE_ADS',
  META_ADS: 'origin.META_ADS',
  WHATSAPP: 'origin.WHATSAPP',
  REFERRAL: 'origin.REFERRAL',
  OTHER: 'origin.OTHER',
};

export function isLeadOrigin(value: string): value is LeadOrigin {
  return (LEAD_ORIGINS as readonly string[]).includes(value);
}

export function isLeadStatus(value: string): value is LeadStatus {
  return (LEAD_STATUSES as readonly string[]).includes(value);
}

export const AUTOMATION_RUN_STATE_LABELS: Record<AutomationRunState, MessageKey> = {
  PENDING: 'runState.PENDING',
  RUNNING: 'runState.RUNNING',
  SUCCEEDED: 'runState.SUCCEEDED',
  FAILED: 'runState.FAILED',
  SKIPPED: 'runState.SKIPPED',
  DEAD: 'runState.DEAD',
};

/**
 * What each run action (server/src/automations/automations.ts, RunAction) does, in words: the
 * planned actions as the automation settings name them, and the runs those start.
 */
const RUN_ACTION_LABELS: Record<string, MessageKey> = {
  'notify-slack': 'settings.automations.action.notify-slack',
  'notify-whatsapp': 'settings.automations.action.notify-whatsapp',
  'send-to-crm': 'settings.automations.action.send-to-crm',
  'schedule-follow-up': 'settings.automations.action.schedule-follow-up',
  'nurture-email': 'settings.automations.action.nurture-email',
  'email-sequence': 'settings.automations.action.email-sequence',
  'remarketing-list': 'settings.automations.action.remarketing-list',
  'follow-up-due': 'runAction.follow-up-due',
  'sequence-email': 'runAction.sequence-email',
  'notify-owner': 'runAction.notify-owner',
  'notify-stage-change': 'runAction.notify-stage-change',
};

/** A run action in words; one this dashboard does not know yet shows as the API names it. */
export function runActionName(t: (key: MessageKey) => string, action: string): string {
  return Object.hasOwn(RUN_ACTION_LABELS, action) ? t(RUN_ACTION_LABELS[action]!) : action;
}

export const SUBMISSION_CHANNEL_LABELS: Record<SubmissionChannel, MessageKey> = {
  API: 'channel.API',
  CSV_IMPORT: 'channel.CSV_IMPORT',
  GOOGLE_ADS: 'channel.GOOGLE_ADS',
  META_ADS: 'channel.META_ADS',
  WEB_FORM: 'channel.WEB_FORM',
};
