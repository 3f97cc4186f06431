import type { EmailTemplateFieldsFragment } from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';

/** What a template may use (server/src/automations/email/templates.ts). */
export const TEMPLATE_VARIABLES = [
  'firstName',
  'interest',
  'schedulingLink',
  'unsubscribeUrl',
  'senderName',
] as const;

/** The parts of a template an admin edits. */
export interface TemplateDraft {
  subject: string;
  text: string;
  html: string;
}

export const NURTURE_KEY = 'nurture';

/** A key as the API takes it: lower-case letters, digits and dashes, e.g. sequence-4. */
export const TEMPLATE_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Every key once: the nurture email first, then the sequence steps by number, then the rest. */
export function templateKeys(templates: readonly { key: string }[]): string[] {
  const keys = [...new Set(templates.map((template) => template.key))];
  const rank = (key: string) => {
    if (key === NURTURE_KEY) return [0, 0] as const;
    const step = /^sequence-(\d+)$/.exec(key);
    return step ? ([1, Number(step[1])] as const) : ([2, 0] as const);
  };
  return keys.sort((a, b) => {
    const [groupA, numberA] = rank(a);
    const [groupB, numberB] = rank(b);
    return groupA - groupB || numberA - numberB || a.localeCompare(b);
  });
}

export function findTemplate(
  templates: readonly EmailTemplateFieldsFragment[],
  key: string,
  locale: string,
): EmailTemplateFieldsFragment | undefined {
  return templates.find((template) => template.key === key && template.locale === locale);
}

export function draftOf(template: TemplateDraft | undefined): TemplateDraft {
  return {
    subject: template?.subject ?? '',
    text: template?.text ?? '',
    html: template?.html ?? '',
  };
}

export function sameDraft(a: TemplateDraft, b: TemplateDraft): boolean {
  return a.subject === b.subject && a.text === b.text && a.html === b.html;
}

/**
 * The API's errors about a draft by part: previewEmailTemplate names them "draft.html",
 * updateEmailTemplate "html".
 */
export function draftErrors(
  fieldErrors: readonly { path: string; message: string }[],
): Partial<Record<keyof TemplateDraft | '', string>> {
  const errors: Partial<Record<keyof TemplateDraft | '', string>> = {};
  for (const { path, message } of fieldErrors) {
    const part = path.replace(/^draft\./, '');
    const key = part === 'subject' || part === 'text' || part === 'html' ? part : '';
    errors[key] = errors[key] ? `${errors[key]} ${message}` : message;
  }
  return errors;
}

/** A key as people read it: "Nurture email", "Sequence email 2", or the key itself. */
export function templateName(
  key: string,
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
): string {
  if (key === NURTURE_KEY) return t('settings.email.templateNurture');
  const step = /^sequence-(\d+)$/.exec(key);
  if (step) return t('settings.email.templateSequence', { position: Number(step[1]) });
  return key;
}
