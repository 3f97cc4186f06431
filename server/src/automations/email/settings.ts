// The email part of AutomationSettings: what SMTP needs, the sequence's steps, the locale. Only
// types from the rest of automations, so automations.ts can ask it why email cannot be sent.
import type { AutomationSettings } from '../../generated/prisma/client.ts';
import { bilingual } from '../../localization/catalog.ts';
import { defaultLocale, isEmailLocale, type EmailLocale } from './templates.ts';

/** One email of the WARM sequence. */
export interface SequenceStep {
  /** Minutes after the class change (step 1) or after the previous step's email. */
  delayMinutes: number;
  /** The template key it sends, e.g. sequence-1. */
  template: string;
}

export const defaultSequence: SequenceStep[] = [
  { delayMinutes: 2 * 24 * 60, template: 'sequence-1' },
  { delayMinutes: 3 * 24 * 60, template: 'sequence-2' },
  { delayMinutes: 5 * 24 * 60, template: 'sequence-3' },
];

/** The stored steps, leaving out any entry that is not one (the column is JSON). */
export function sequenceSteps(settings: AutomationSettings): SequenceStep[] {
  const stored = settings.emailSequence;
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((entry) => {
    const step = entry as Partial<SequenceStep> | null;
    return step &&
      typeof step.delayMinutes === 'number' &&
      Number.isInteger(step.delayMinutes) &&
      step.delayMinutes >= 0 &&
      typeof step.template === 'string'
      ? [{ delayMinutes: step.delayMinutes, template: step.template }]
      : [];
  });
}

export function emailLocaleOf(settings: AutomationSettings): EmailLocale {
  return isEmailLocale(settings.emailLocale) ? settings.emailLocale : defaultLocale;
}

// Stored as skip reasons and shown as EmailSettings.notReadyReason: worded in both languages.
const smtpNotConfigured = bilingual('SMTP not configured', 'SMTP não configurado');
const smtpPasswordNotConfigured = bilingual(
  'SMTP password not configured',
  'Senha do SMTP não configurada',
);
const publicBaseUrlNotConfigured = bilingual(
  'Public base URL (for unsubscribe links) not configured',
  'URL pública da API (para os links de descadastro) não configurada',
);
const noSequenceSteps = bilingual(
  'No email sequence steps configured',
  'Nenhum e-mail configurado na sequência',
);

/** Why no SMTP connection can be made with these settings, or null when it can. */
export function smtpSkipReason(settings: AutomationSettings): string | null {
  if (!settings.smtpHost || !settings.emailFromAddress) return smtpNotConfigured;
  if (settings.smtpUser && !settings.smtpPasswordEncrypted) return smtpPasswordNotConfigured;
  return null;
}

/** Why no email can be sent to leads with these settings, or null when it can. */
export function emailSkipReason(settings: AutomationSettings): string | null {
  if (smtpSkipReason(settings)) return smtpSkipReason(settings);
  // Every email carries a working unsubscribe link, or it is not sent.
  if (!settings.publicBaseUrl) return publicBaseUrlNotConfigured;
  return null;
}

/** Why the sequence cannot start, or null. */
export function sequenceSkipReason(settings: AutomationSettings): string | null {
  return (
    emailSkipReason(settings) ?? (sequenceSteps(settings).length === 0 ? noSequenceSteps : null)
  );
}
