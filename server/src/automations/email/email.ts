// Email over SMTP (nodemailer): the nurture email with its PDF and the sequence's emails, each sent
// by an AutomationRun and stored as an EmailMessage.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { PgBoss } from 'pg-boss';
import type { PrismaClient, Transaction } from '../../db.ts';
import type { AutomationRun, AutomationSettings } from '../../generated/prisma/client.ts';
import { bilingualTemplate } from '../../localization/catalog.ts';
import { leadDeletedReason, type RunAction, type RunPayload } from '../automations.ts';
import type { DeliveryResult } from '../delivery.ts';
import { decryptSecret } from '../secrets.ts';
import { generateGuide, guideFilename } from './guide-pdf.ts';
import { emailStopReason, scheduleNextStep, startSequence } from './sequence.ts';
import { emailLocaleOf } from './settings.ts';
import {
  findTemplate,
  firstNameOf,
  renderTemplate,
  type EmailLocale,
  type RenderedEmail,
  type TemplateVariables,
} from './templates.ts';
import { unsubscribeUrl } from './unsubscribe.ts';

export const emailActions = ['nurture-email', 'email-sequence', 'sequence-email'] as const;
export type EmailAction = (typeof emailActions)[number];

export function isEmailAction(action: RunAction): action is EmailAction {
  return (emailActions as readonly string[]).includes(action);
}

export const nurtureTemplateKey = 'nurture';

/** How long nodemailer waits for the connection, the greeting and each answer. */
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** A transport for one send or check; closed by the caller. */
export function smtpTransport(settings: AutomationSettings) {
  const options: SMTPTransport.Options = {
    host: settings.smtpHost!,
    port: settings.smtpPort,
    // TLS: implicit TLS (465). STARTTLS: the upgrade is required, so a server (or a man in the
    // middle) that stops offering it cannot make us send the password in the clear.
    secure: settings.smtpTls === 'TLS',
    requireTLS: settings.smtpTls === 'STARTTLS',
    ignoreTLS: settings.smtpTls === 'NONE',
    ...smtpTimeouts,
    // Added to the public CAs, not instead of them: Node's `ca` option replaces its store.
    ...(settings.smtpCaCertificates
      ? { tls: { ca: [...rootCertificates, settings.smtpCaCertificates] } }
      : {}),
    ...(settings.smtpUser
      ? { auth: { user: settings.smtpUser, pass: decryptSecret(settings.smtpPasswordEncrypted!) } }
      : {}),
  };
  return nodemailer.createTransport(options);
}

/** One message to send: rendered parts, the lead's address and what identifies the delivery. */
export interface OutgoingEmail {
  to: { name: string; address: string };
  rendered: RenderedEmail;
  deliveryId: string;
  unsubscribeUrl: string;
  attachment: { filename: string; content: Buffer } | null;
}

export function senderName(settings: AutomationSettings): string {
  return settings.emailFromName || settings.emailFromAddress!;
}

/**
 * The message: multipart text + HTML, the PDF, and the headers that matter: Message-ID and
 * X-StreamLeads-Delivery from the run's delivery id (a repeated attempt carries the same ones, so
 * mail systems can drop the copy), List-Unsubscribe with one-click (RFC 8058).
 */
export function mailOptions(settings: AutomationSettings, email: OutgoingEmail): Mail.Options {
  const domain = settings.emailFromAddress!.split('@').pop();
  return {
    from: { name: settings.emailFromName ?? '', address: settings.emailFromAddress! },
    to: email.to,
    subject: email.rendered.subject,
    text: email.rendered.text,
    html: email.rendered.html,
    messageId: `<${email.deliveryId}@${domain}>`,
    list: { unsubscribe: email.unsubscribeUrl },
    headers: {
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-StreamLeads-Delivery': email.deliveryId,
    },
    attachments: email.attachment
      ? [
          {
            filename: email.attachment.filename,
            content: email.attachment.content,
            contentType: 'application/pdf',
          },
        ]
      : [],
  };
}

/** What one send did: DeliveryResult with the SMTP reply code as the status. */
export type EmailResult =
  | { kind: 'delivered'; status: number; response: string; messageId: string }
  | Exclude<DeliveryResult, { kind: 'delivered' }>;

/**
 * Sends once. A 5xx reply is permanent (unknown mailbox, refused sender or credentials): retrying
 * cannot help. A 4xx reply (mailbox busy, greylisting, rate limit), a timeout or a refused
 * connection are worth another attempt.
 */
export async function sendEmail(
  settings: AutomationSettings,
  email: OutgoingEmail,
): Promise<EmailResult> {
  const transport = smtpTransport(settings);
  try {
    const info = await transport.sendMail(mailOptions(settings, email));
    return {
      kind: 'delivered',
      status: replyCode(info.response) ?? 250,
      response: info.response.slice(0, 1_000),
      messageId: info.messageId,
    };
  } catch (error) {
    return smtpFailure(error);
  } finally {
    transport.close();
  }
}

export function smtpFailure(error: unknown): Exclude<EmailResult, { kind: 'delivered' }> {
  const code = (error as { responseCode?: unknown }).responseCode;
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  if (typeof code === 'number' && code >= 500) {
    return { kind: 'rejected', status: code, error: `SMTP ${code}: ${message}` };
  }
  return {
    kind: 'failed',
    status: typeof code === 'number' ? code : null,
    error: typeof code === 'number' ? `SMTP ${code}: ${message}` : message,
    retryAfterMs: null,
  };
}

function replyCode(response: string): number | null {
  const match = /^(\d{3})/.exec(response);
  return match ? Number(match[1]) : null;
}

/** What runAutomation does with an email action: the attempt's result, and what to commit with it. */
export interface EmailRunOutcome {
  result: EmailResult | { kind: 'skipped'; reason: string };
  /** Runs in the transaction that records SUCCEEDED. */
  afterDelivery: ((tx: Transaction) => Promise<void>) | null;
}

export interface EmailRunContext {
  prisma: PrismaClient;
  jobs: PgBoss;
  run: AutomationRun;
  settings: AutomationSettings;
}

/**
 * One attempt of an email action. `email-sequence` sends nothing itself: it schedules step 1.
 * `nurture-email` and `sequence-email` send to the lead as it is now (a corrected address counts),
 * unless the lead no longer receives emails (emailStopReason).
 */
export async function runEmailAction(context: EmailRunContext): Promise<EmailRunOutcome> {
  const { run } = context;
  const payload = run.payload as unknown as RunPayload;
  const enrolment = enrolmentTrigger(run.trigger);
  const lead = await context.prisma.lead.findUnique({
    where: { id: run.leadId },
    select: recipientFields,
  });
  const stop = await emailStopReason(context.prisma, lead, payload.status, enrolment);
  if (stop || !lead) return skipped(stop ?? leadDeletedReason);

  if (run.action === 'email-sequence') {
    return {
      result: { kind: 'delivered', status: 0, response: '', messageId: '' },
      afterDelivery: (tx) =>
        startSequence(tx, context.jobs, context.settings, {
          leadId: lead.id,
          trigger: run.trigger,
          occurredAt: payload.occurredAt,
        }),
    };
  }

  const templateKey =
    run.action === 'sequence-email' ? (payload.email?.template ?? '') : nurtureTemplateKey;
  const locale = emailLocaleOf(context.settings);
  const template = await findTemplate(context.prisma, templateKey, locale);
  if (!template) return skipped(noTemplate({ key: templateKey }));
  const variables = variablesFor(context.settings, lead);
  const rendered = renderTemplate(template, variables);
  const attachment =
    run.action === 'nurture-email'
      ? await nurtureAttachment(context.prisma, context.settings, variables, template.locale)
      : null;
  const result = await sendEmail(context.settings, {
    to: { name: lead.name, address: lead.email },
    rendered,
    deliveryId: run.deliveryId,
    unsubscribeUrl: variables.unsubscribeUrl,
    attachment: attachment && { filename: attachment.filename, content: attachment.content },
  });
  if (result.kind !== 'delivered') return { result, afterDelivery: null };
  return {
    result,
    afterDelivery: async (tx) => {
      const sentAt = new Date();
      const message = {
        leadId: lead.id,
        templateKey,
        locale: template.locale,
        subject: rendered.subject.slice(0, 1_000),
        toAddress: lead.email,
        fromAddress: context.settings.emailFromAddress!,
        messageId: result.messageId,
        smtpResponse: result.response || null,
        sentAt,
        attachmentName: attachment?.filename ?? null,
        attachmentSize: attachment?.content.length ?? null,
        attachmentContent: attachment && !attachment.fileId ? bytes(attachment.content) : null,
        attachmentFileId: attachment?.fileId ?? null,
      };
      // Upsert: pg-boss's repeat of an attempt whose worker died sends again and lands here again.
      await tx.emailMessage.upsert({
        where: { runId: run.id },
        create: { ...message, runId: run.id },
        update: message,
        select: { id: true },
      });
      if (run.action === 'sequence-email' && payload.email) {
        await scheduleNextStep(tx, context.jobs, context.settings, {
          leadId: lead.id,
          trigger: enrolment,
          step: payload.email.step,
          sentAt,
        });
      }
    },
  };
}

/** The lead fields an email needs, and those that decide whether it may be sent. */
export const recipientFields = {
  id: true,
  name: true,
  email: true,
  interest: true,
  status: true,
  stage: true,
  erasedAt: true,
  unsubscribedAt: true,
} as const;

/** Prisma's Bytes want a Uint8Array over a plain ArrayBuffer; a Buffer may sit on a shared one. */
export function bytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer);
}

/** A sequence email's trigger is its enrolment's plus `/step-<n>`. */
export function enrolmentTrigger(trigger: string): string {
  return trigger.split('/')[0]!;
}

const noTemplate = bilingualTemplate<'key'>(
  'No email template "{key}"',
  'Não existe o modelo de e-mail "{key}"',
);

function skipped(reason: string): EmailRunOutcome {
  return { result: { kind: 'skipped', reason }, afterDelivery: null };
}

export function variablesFor(
  settings: AutomationSettings,
  lead: { id: string; name: string; interest: string | null },
): TemplateVariables {
  return {
    firstName: firstNameOf(lead.name),
    interest: lead.interest,
    schedulingLink: settings.schedulingLink,
    unsubscribeUrl: unsubscribeUrl(settings.publicBaseUrl!, lead.id),
    senderName: senderName(settings),
  };
}

/** The nurture PDF: the uploaded file when there is one, else a guide made for this lead. */
export async function nurtureAttachment(
  prisma: PrismaClient,
  settings: AutomationSettings,
  variables: TemplateVariables,
  locale: EmailLocale,
): Promise<{ filename: string; content: Buffer; fileId: string | null }> {
  if (settings.nurturePdfFileId) {
    const file = await prisma.emailFile.findUnique({
      where: { id: settings.nurturePdfFileId },
      select: { id: true, filename: true, content: true },
    });
    if (file)
      return { filename: file.filename, content: Buffer.from(file.content), fileId: file.id };
  }
  const content = await generateGuide({
    firstName: variables.firstName,
    interest: variables.interest,
    schedulingLink: variables.schedulingLink,
    senderName: variables.senderName,
    locale,
  });
  return { filename: guideFilename(locale), content, fileId: null };
}

/** Whether the text is one or more PEM certificates, each one X.509 that Node can read. */
export function isPemCertificates(text: string): boolean {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return false;
  // Nothing but certificates: a private key pasted by mistake must not be stored.
  if (text.replace(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g, '').trim()) {
    return false;
  }
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}
