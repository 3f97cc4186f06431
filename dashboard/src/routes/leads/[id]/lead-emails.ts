import type { MessageKey } from '$lib/i18n/pt-br';

/** An email the lead was sent, as the lead page lists it. */
export interface SentEmail {
  id: string;
  templateKey: string;
  subject: string;
  to: string;
  sentAt: string;
  attachmentName?: string | null;
  attachmentSize?: number | null;
}

/**
 * A template key in words: "nurture" is the nurture email, "sequence-2" the second email of the
 * WARM sequence; a key added later shows as it is.
 */
export function emailTemplateName(
  templateKey: string,
): { key: MessageKey; params?: Record<string, string | number> } | { text: string } {
  if (templateKey === 'nurture') return { key: 'lead.emails.template.nurture' };
  const step = /^sequence-(\d+)$/.exec(templateKey)?.[1];
  if (step) return { key: 'lead.emails.template.sequence', params: { step: Number(step) } };
  return { text: templateKey };
}

/** The name a downloaded attachment is saved under; the API gives it, ".pdf" otherwise. */
export function attachmentFileName(name: string | null | undefined, emailId: string): string {
  const trimmed = name?.trim();
  return trimmed ? trimmed : `email-${emailId}.pdf`;
}
