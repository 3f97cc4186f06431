// Outbound HTTP for every integration, and what its answer means for the run.
import { createHmac } from 'node:crypto';
import type { AutomationSettings } from '../generated/prisma/client.ts';
import { bilingualTemplate } from '../localization/catalog.ts';
import {
  ownerUnreachableReason,
  whatsappSenderReady,
  type RunAction,
  type RunPayload,
} from './automations.ts';
import { decryptSecret } from './secrets.ts';

/** How long one outbound call may take. */
export const requestTimeoutMs = 10_000;

/** The outcome of one delivery attempt. */
export type DeliveryResult =
  | { kind: 'delivered'; status: number }
  /** Retrying cannot help: a 4xx other than 408 and 429. */
  | { kind: 'rejected'; status: number; error: string }
  /** Worth another attempt; `retryAfterMs` when the receiver said when (Retry-After). */
  | { kind: 'failed'; status: number | null; error: string; retryAfterMs: number | null };

/** What a request needs besides its URL: the body is sent exactly as given (it may be signed). */
interface Outbound {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export async function post(request: Outbound): Promise<DeliveryResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      signal: AbortSignal.timeout(requestTimeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    return { kind: 'failed', status: null, error: networkError(error), retryAfterMs: null };
  }
  // Read (and cap) the body so the connection is released and the error says something.
  const text = (await response.text().catch(() => '')).slice(0, 500);
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const error = `HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'rejected', status, error };
  }
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : null;
  return { kind: 'failed', status, error, retryAfterMs };
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

// Our own words in a run's lastError are stored in English and read in the reader's language (the
// catalog); what a receiver or the network says is kept as it came.
const noAnswer = bilingualTemplate<'seconds'>(
  'No answer within {seconds} s',
  'Sem resposta em {seconds} s',
);

const actionNotAvailable = bilingualTemplate<'action'>(
  'The {action} action is not available',
  'A ação {action} não está disponível',
);

function networkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return noAnswer({ seconds: requestTimeoutMs / 1_000 });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const message = error instanceof Error ? error.message : String(error);
  return cause ? `${message}: ${cause.message}` : message;
}

const classLabels: Record<string, string> = {
  HOT: '🔥 HOT',
  WARM: '🌤 WARM',
  COLD: '❄️ COLD',
  PROCESSING: 'PROCESSING',
};

/** The Slack message: one line a salesperson reads on a phone, then the details. */
export function slackMessage(payload: RunPayload): { text: string } {
  const { lead } = payload;
  const lines = [
    `*${classLabels[payload.status]} lead: ${lead.name}* (score ${lead.score}, was ${payload.previousStatus})`,
    `Origin: ${lead.origin}`,
    `Interest: ${lead.interest ?? '—'}`,
    `City: ${lead.city ?? '—'}`,
    `Phone: ${lead.phone ?? '—'}`,
    `Email: ${lead.email}`,
    `Lead: /leads/${lead.id}`,
  ];
  return { text: lines.join('\n') };
}

/**
 * The Slack message telling an owner about their new lead: a mention (<@member id>) makes Slack
 * notify them; without a member id their name is written out.
 */
export function ownerSlackMessage(payload: RunPayload): { text: string } {
  const { lead, owner } = payload;
  const who = owner?.slackMemberId ? `<@${owner.slackMemberId}>` : `*${owner?.name ?? '—'}*`;
  const by = owner?.assignedBy === 'round-robin' ? '' : ` by ${owner?.assignedBy}`;
  const lines = [
    `${who}, a ${classLabels[payload.status]} lead is yours${by}: *${lead.name}* (score ${lead.score})`,
    `Interest: ${lead.interest ?? '—'}`,
    `Phone: ${lead.phone ?? '—'}`,
    `Email: ${lead.email}`,
    `Lead: /leads/${lead.id}`,
  ];
  return { text: lines.join('\n') };
}

/** The n8n event of a class: lead.hot, lead.warm or lead.cold. */
export function crmEvent(payload: RunPayload): string {
  return `lead.${payload.status.toLowerCase()}`;
}

/** HMAC-SHA256 of `<timestamp>.<raw body>`, as sent in X-StreamLeads-Signature. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface DeliveryContext {
  action: RunAction;
  deliveryId: string;
  payload: RunPayload;
  settings: AutomationSettings;
  /** Overrides the n8n event (testAutomationTarget sends `streamleads.test`). */
  event?: string;
  /** notify-whatsapp: sales numbers an earlier attempt of this run already reached. */
  alreadyDelivered?: readonly string[];
  /**
   * notify-whatsapp: records a number as reached, before the next one is tried, so an attempt cut
   * short (a failure, or a worker that dies) is repeated only for the numbers still missing.
   */
  onDelivered?: (to: string) => Promise<void>;
}

/** Delivers one run's action once. Every request carries the run's delivery id. */
export async function deliver(context: DeliveryContext): Promise<DeliveryResult> {
  const { settings, payload, deliveryId } = context;
  const deliveryHeader = { 'x-streamleads-delivery': deliveryId };
  switch (context.action) {
    case 'notify-slack':
      return post({
        url: decryptSecret(settings.slackWebhookUrlEncrypted!),
        body: JSON.stringify(slackMessage(payload)),
        headers: deliveryHeader,
      });
    case 'follow-up-due':
    case 'send-to-crm':
      return postToN8n(
        context,
        context.event ??
          (context.action === 'follow-up-due' ? 'lead.follow_up_due' : crmEvent(payload)),
      );
    case 'notify-stage-change':
      return postToN8n(context, context.event ?? 'lead.stage_changed', {
        previousStage: payload.stage?.previousStage ?? null,
        stage: payload.stage?.stage ?? null,
        lostReason: payload.stage?.lostReason ?? null,
        changedBy: payload.stage?.changedBy ?? null,
        changedAt: payload.stage?.changedAt ?? null,
      });
    case 'notify-owner':
      return notifyOwner(context);
    case 'notify-whatsapp':
      return notifyWhatsapp(context);
    default:
      return { kind: 'rejected', status: 0, error: actionNotAvailable({ action: context.action }) };
  }
}

/** A signed n8n event: the lead, its class change, and `extra` fields of the event. */
function postToN8n(
  { settings, payload, deliveryId }: DeliveryContext,
  event: string,
  extra: Record<string, unknown> = {},
): Promise<DeliveryResult> {
  const body = JSON.stringify({
    event,
    lead: payload.lead,
    previousStatus: payload.previousStatus,
    status: payload.status,
    ...extra,
    deliveryId,
    occurredAt: payload.occurredAt,
  });
  const timestamp = String(Math.floor(Date.now() / 1_000));
  return post({
    url: settings.n8nWebhookUrl!,
    body,
    headers: {
      'x-streamleads-delivery': deliveryId,
      'x-streamleads-event': event,
      'x-streamleads-timestamp': timestamp,
      'x-streamleads-signature': signature(
        decryptSecret(settings.n8nSecretEncrypted!),
        timestamp,
        body,
      ),
    },
  });
}

// Slack (a mention) when it is configured, and WhatsApp to the owner's own number when both it
// and the sender are; the first failure stops the attempt and the whole attempt is repeated, as
// for the sales numbers below.
async function notifyOwner(context: DeliveryContext): Promise<DeliveryResult> {
  const { settings, payload, deliveryId } = context;
  const number = payload.owner?.whatsappNumber;
  let last: DeliveryResult | null = null;
  if (settings.slackWebhookUrlEncrypted) {
    last = await post({
      url: decryptSecret(settings.slackWebhookUrlEncrypted),
      body: JSON.stringify(ownerSlackMessage(payload)),
      headers: { 'x-streamleads-delivery': deliveryId },
    });
    if (last.kind !== 'delivered') return last;
  }
  if (number && whatsappSenderReady(settings)) {
    last = await post({
      url: whatsappMessagesUrl(settings),
      headers: {
        authorization: `Bearer ${decryptSecret(settings.whatsappTokenEncrypted!)}`,
        'x-streamleads-delivery': deliveryId,
      },
      body: JSON.stringify(whatsappMessage(settings, number, payload)),
    });
  }
  return last ?? { kind: 'rejected', status: 0, error: ownerUnreachableReason };
}

function whatsappMessagesUrl(settings: AutomationSettings): string {
  return `${settings.whatsappBaseUrl!.replace(/\/+$/, '')}/${encodeURIComponent(settings.whatsappPhoneNumberId!)}/messages`;
}

// One template message per sales number; the first failure stops the attempt. WhatsApp has no
// idempotency key, so each number reached is recorded at once (onDelivered) and the next attempt
// sends only to the rest. A worker that dies between WhatsApp's answer and that record is the one
// case where a number gets the message twice.
async function notifyWhatsapp({
  settings,
  payload,
  deliveryId,
  alreadyDelivered = [],
  onDelivered,
}: DeliveryContext): Promise<DeliveryResult> {
  const url = whatsappMessagesUrl(settings);
  const token = decryptSecret(settings.whatsappTokenEncrypted!);
  let last: DeliveryResult = { kind: 'delivered', status: 200 };
  for (const to of settings.whatsappRecipients) {
    if (alreadyDelivered.includes(to)) continue;
    last = await post({
      url,
      headers: { authorization: `Bearer ${token}`, 'x-streamleads-delivery': deliveryId },
      body: JSON.stringify(whatsappMessage(settings, to, payload)),
    });
    if (last.kind !== 'delivered') return last;
    await onDelivered?.(to);
  }
  return last;
}

export function whatsappMessage(settings: AutomationSettings, to: string, payload: RunPayload) {
  const { lead } = payload;
  return {
    messaging_product: 'whatsapp',
    to: to.replace(/^\+/, ''),
    type: 'template',
    template: {
      name: settings.whatsappTemplate,
      language: { code: settings.whatsappLanguage ?? 'pt_BR' },
      components: [
        {
          type: 'body',
          parameters: [
            lead.name,
            payload.status,
            String(lead.score),
            lead.phone ?? '—',
            lead.interest ?? '—',
          ].map((text) => ({ type: 'text', text })),
        },
      ],
    },
  };
}
