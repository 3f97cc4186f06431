// Automations: when a lead's class changes, each action of its new class becomes an
// AutomationRun, created in the scoring transaction together with the job that delivers it.
import type { PgBoss } from 'pg-boss';
import { jobsExecutor, type PrismaClient, type Transaction } from '../db.ts';
import { AppError } from '../errors.ts';
import { publishEvent } from '../events.ts';
import { bilingual, bilingualTemplate } from '../localization/catalog.ts';
import type { AutomationSettings, Prisma } from '../generated/prisma/client.ts';
import type { LeadStatus } from '../generated/prisma/enums.ts';
import { inLeadContext } from '../observability/request-context.ts';
import type { LeadScoring } from '../scoring/scoring.ts';
import { defaultSequence, emailSkipReason, sequenceSkipReason } from './email/settings.ts';

export const automationActions = [
  'notify-slack',
  'notify-whatsapp',
  'send-to-crm',
  'schedule-follow-up',
  'nurture-email',
  'email-sequence',
  'remarketing-list',
] as const;

export type AutomationAction = (typeof automationActions)[number];

/**
 * What a run does: a planned action, the n8n reminder a scheduled follow-up sends when due, one
 * email of the sequence that `email-sequence` started, or a Sales pipeline notice: the owner told
 * about a lead they were given (`notify-owner`), n8n told about a stage change
 * (`notify-stage-change`).
 */
export type RunAction =
  AutomationAction | 'follow-up-due' | 'sequence-email' | 'notify-owner' | 'notify-stage-change';

/** The actions delivered by the runner; the others are recorded as SKIPPED until they exist. */
export const deliveredActions: readonly AutomationAction[] = [
  'notify-slack',
  'notify-whatsapp',
  'send-to-crm',
  'schedule-follow-up',
  'nurture-email',
  'email-sequence',
  'remarketing-list',
];

export type LeadClass = 'HOT' | 'WARM' | 'COLD';
export type AutomationPlan = Record<LeadClass, AutomationAction[]>;

/** The plan: what each class runs until an admin changes it. */
export const defaultPlan: AutomationPlan = {
  HOT: ['notify-slack', 'notify-whatsapp', 'send-to-crm', 'schedule-follow-up'],
  WARM: ['nurture-email', 'email-sequence', 'send-to-crm', 'schedule-follow-up'],
  COLD: ['send-to-crm', 'schedule-follow-up', 'remarketing-list'],
};

/** Minutes until the follow-up: 1 hour, 3 days, 7 days. */
export const defaultFollowUpMinutes: Record<LeadClass, number> = {
  HOT: 60,
  WARM: 3 * 24 * 60,
  COLD: 7 * 24 * 60,
};

export const settingsId = 'default';

/** The settings row as stored, or the defaults when no admin has saved any. */
export async function readSettings(db: PrismaClient | Transaction): Promise<AutomationSettings> {
  const stored = await db.automationSettings.findUnique({ where: { id: settingsId } });
  return stored ?? defaultSettings();
}

export function defaultSettings(): AutomationSettings {
  return {
    id: settingsId,
    plan: defaultPlan,
    followUpMinutes: defaultFollowUpMinutes,
    maxAttempts: 3,
    retryDelaySeconds: 60,
    slackWebhookUrlEncrypted: null,
    n8nWebhookUrl: null,
    n8nSecretEncrypted: null,
    whatsappBaseUrl: null,
    whatsappPhoneNumberId: null,
    whatsappTokenEncrypted: null,
    whatsappRecipients: [],
    whatsappTemplate: null,
    whatsappLanguage: null,
    smtpHost: null,
    smtpPort: 587,
    smtpTls: 'STARTTLS',
    smtpUser: null,
    smtpPasswordEncrypted: null,
    smtpCaCertificates: null,
    emailFromAddress: null,
    emailFromName: null,
    emailLocale: 'pt-BR',
    schedulingLink: null,
    publicBaseUrl: null,
    emailSequence: defaultSequence as unknown as Prisma.JsonValue,
    nurturePdfFileId: null,
    updatedAt: new Date(0),
  };
}

export function planOf(settings: AutomationSettings): AutomationPlan {
  const stored = settings.plan as Partial<Record<LeadClass, unknown>>;
  const actions = (value: unknown): AutomationAction[] =>
    Array.isArray(value)
      ? value.filter((action): action is AutomationAction =>
          (automationActions as readonly unknown[]).includes(action),
        )
      : [];
  return { HOT: actions(stored.HOT), WARM: actions(stored.WARM), COLD: actions(stored.COLD) };
}

// Skip reasons are stored in English (AutomationRun.skipReason) and shown to people in their
// language: each is written with its Portuguese, which the catalog finds again when it is read.
const notConfigured = {
  slack: bilingual('Slack webhook URL not configured', 'URL do webhook do Slack não configurada'),
  n8nUrl: bilingual('n8n webhook URL not configured', 'URL do webhook do n8n não configurada'),
  n8nSecret: bilingual(
    'n8n signing secret not configured',
    'Segredo de assinatura do n8n não configurado',
  ),
  whatsappSender: bilingual(
    'WhatsApp Cloud API base URL or phone number id not configured',
    'URL base da API do WhatsApp ou ID do número de envio não configurados',
  ),
  whatsappToken: bilingual(
    'WhatsApp access token not configured',
    'Token de acesso do WhatsApp não configurado',
  ),
  whatsappTemplate: bilingual(
    'WhatsApp template name not configured',
    'Nome do modelo do WhatsApp não configurado',
  ),
  whatsappRecipients: bilingual(
    'No WhatsApp sales numbers configured',
    'Nenhum número de vendas do WhatsApp configurado',
  ),
  ownerChannels: bilingual(
    'Neither Slack nor WhatsApp is configured',
    'Nem o Slack nem o WhatsApp estão configurados',
  ),
};

const actionNotAvailableYet = bilingualTemplate<'action'>(
  'The {action} action is not available yet',
  'A ação {action} ainda não está disponível',
);

/** Why a run's lead gets nothing: it no longer exists. */
export const leadDeletedReason = bilingual('The lead was deleted', 'O lead foi excluído');

/** Why a run's lead gets no marketing: it unsubscribed with the link in an email. */
export const leadUnsubscribedReason = bilingual('The lead unsubscribed', 'O lead se descadastrou');

/** Why a notify-owner run cannot reach the owner: no Slack, and no WhatsApp number of theirs. */
export const ownerUnreachableReason = bilingual(
  'Slack is not configured and the owner has no WhatsApp number',
  'O Slack não está configurado e o responsável não tem número de WhatsApp',
);

/** Why an action cannot run with these settings, or null when it can. */
export function skipReason(action: RunAction, settings: AutomationSettings): string | null {
  switch (action) {
    case 'schedule-follow-up':
    case 'remarketing-list':
      return null;
    case 'notify-slack':
      return settings.slackWebhookUrlEncrypted ? null : notConfigured.slack;
    case 'follow-up-due':
    case 'send-to-crm':
    case 'notify-stage-change':
      if (!settings.n8nWebhookUrl) return notConfigured.n8nUrl;
      return settings.n8nSecretEncrypted ? null : notConfigured.n8nSecret;
    case 'notify-whatsapp':
      if (!settings.whatsappBaseUrl || !settings.whatsappPhoneNumberId) {
        return notConfigured.whatsappSender;
      }
      if (!settings.whatsappTokenEncrypted) return notConfigured.whatsappToken;
      if (!settings.whatsappTemplate) return notConfigured.whatsappTemplate;
      return settings.whatsappRecipients.length > 0 ? null : notConfigured.whatsappRecipients;
    case 'notify-owner':
      // Whether this owner can be reached (a WhatsApp number) is decided with the run's payload.
      return settings.slackWebhookUrlEncrypted || whatsappSenderReady(settings)
        ? null
        : notConfigured.ownerChannels;
    case 'nurture-email':
    case 'sequence-email':
      return emailSkipReason(settings);
    case 'email-sequence':
      return sequenceSkipReason(settings);
    default:
      // Every action is handled above; a name read from stored JSON may still be unknown.
      return actionNotAvailableYet({ action: String(action) });
  }
}

/** Whether WhatsApp messages can be sent at all (to sales numbers or to a lead's owner). */
export function whatsappSenderReady(settings: AutomationSettings): boolean {
  return Boolean(
    settings.whatsappBaseUrl &&
    settings.whatsappPhoneNumberId &&
    settings.whatsappTokenEncrypted &&
    settings.whatsappTemplate,
  );
}

/** The lead as it was when the trigger fired: what every delivery of the run sends. */
export interface LeadSnapshot {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  origin: string;
  interest: string | null;
  city: string | null;
  approximateIncome: string | null;
  score: number;
  status: LeadStatus;
}

/** AutomationRun.payload. */
export interface RunPayload {
  lead: LeadSnapshot;
  previousStatus: LeadStatus;
  status: LeadStatus;
  /** When the class changed (ISO 8601); for a sequence email, when its step fell due. */
  occurredAt: string;
  /** A sequence email's step (1-based) and the template it sends. */
  email?: { step: number; template: string };
  /** notify-owner: who was given the lead, and by whom. */
  owner?: OwnerNotice;
  /** notify-stage-change: the stage change n8n is told about. */
  stage?: StageNotice;
}

/** The owner of a lead as a notify-owner run found them (see server/src/pipeline/owners.ts). */
export interface OwnerNotice {
  id: string;
  name: string;
  email: string;
  slackMemberId: string | null;
  whatsappNumber: string | null;
  /** 'round-robin', or the label of the admin who reassigned the lead. */
  assignedBy: string;
}

/** One stage change (see server/src/pipeline/stages.ts). */
export interface StageNotice {
  changeId: string;
  previousStage: string;
  stage: string;
  lostReason: string | null;
  /** Who changed it: a user's email or an API key's label. */
  changedBy: string;
  changedAt: string;
}

/** A run to record now: one per lead, action and trigger (a repeat is ignored). */
export interface NewRun {
  leadId: string;
  action: RunAction;
  trigger: string;
  payload: RunPayload;
  /** Why it cannot be delivered (then it is recorded SKIPPED); null to deliver it. */
  skipReason: string | null;
}

/**
 * Records runs in the caller's transaction, each PENDING with its first delivery job, or SKIPPED
 * with its reason. A run that already exists (same lead, action and trigger) is left alone, so a
 * transaction retried after its commit records and sends nothing twice.
 */
export async function recordRuns(
  tx: Transaction,
  jobs: PgBoss,
  settings: AutomationSettings,
  runs: readonly NewRun[],
): Promise<void> {
  if (runs.length === 0) return;
  const now = new Date();
  const created = await tx.automationRun.createManyAndReturn({
    data: runs.map((run) => ({
      leadId: run.leadId,
      action: run.action,
      trigger: run.trigger,
      payload: run.payload as unknown as object,
      maxAttempts: settings.maxAttempts,
      ...(run.skipReason
        ? { state: 'SKIPPED' as const, skipReason: run.skipReason, finishedAt: now }
        : { state: 'PENDING' as const }),
    })),
    select: { id: true, state: true, leadId: true },
    skipDuplicates: true,
  });
  for (const run of created) {
    if (run.state !== 'PENDING') continue;
    // Under the request that brought the lead in, when a scoring batch holds many requests' leads.
    await inLeadContext(run.leadId, () => sendRunJob(jobs, tx, { runId: run.id, attempt: 1 }));
  }
}

/** Queue of one delivery attempt of one run. */
export const runAutomationQueue = 'automations.run';

/**
 * Payload of `automations.run`: the run and the attempt this job is for. A job whose attempt no
 * longer matches the run (a retry scheduled before retryAutomationRun) does nothing.
 */
export interface RunAutomationJob {
  runId: string;
  attempt: number;
}

export async function sendRunJob(
  jobs: PgBoss,
  tx: Transaction,
  job: RunAutomationJob,
  startAfter?: Date,
): Promise<void> {
  await jobs.send(runAutomationQueue, job, {
    db: jobsExecutor(tx),
    ...(startAfter ? { startAfter } : {}),
  });
}

/**
 * Creates the runs of every lead whose class changed, in the scoring transaction, and enqueues
 * one job per run that can be delivered. The trigger numbers the lead's class changes, so a lead
 * going HOT, WARM, HOT again gets new runs, while a scoring retried after its commit sees no class
 * change and creates nothing (and one rolled back created nothing either).
 */
export async function createAutomationRuns(
  tx: Transaction,
  jobs: PgBoss,
  scorings: Iterable<LeadScoring>,
): Promise<void> {
  const changed = [...scorings].filter(
    (scoring): scoring is Extract<LeadScoring, { classChanged: boolean }> =>
      scoring.outcome === 'scored' && scoring.classChanged && scoring.status !== 'PROCESSING',
  );
  if (changed.length === 0) return;
  const settings = await readSettings(tx);
  const plan = planOf(settings);
  const leadIds = changed.map((scoring) => scoring.leadId);
  const leads = await tx.lead.findMany({
    where: { id: { in: leadIds } },
    select: snapshotFields,
  });
  const previousTriggers = await tx.automationRun.groupBy({
    by: ['leadId', 'trigger'],
    where: { leadId: { in: leadIds }, trigger: { startsWith: 'class:' } },
  });
  const changeCount = new Map<string, number>();
  for (const { leadId } of previousTriggers) {
    changeCount.set(leadId, (changeCount.get(leadId) ?? 0) + 1);
  }
  const byId = new Map(leads.map((lead) => [lead.id, lead]));
  const occurredAt = new Date().toISOString();
  const rows = changed.flatMap((scoring) => {
    const lead = byId.get(scoring.leadId);
    if (!lead) return [];
    const sequence = (changeCount.get(lead.id) ?? 0) + 1;
    const trigger = `class:${scoring.previousStatus}->${scoring.status}#${sequence}`;
    const payload: RunPayload = {
      lead: snapshot(lead),
      previousStatus: scoring.previousStatus,
      status: scoring.status,
      occurredAt,
    };
    return plan[scoring.status as LeadClass].map((action) => {
      const reason = skipReason(action, settings);
      return {
        leadId: lead.id,
        action,
        trigger,
        payload: payload as unknown as object,
        maxAttempts: settings.maxAttempts,
        ...(reason
          ? { state: 'SKIPPED' as const, skipReason: reason, finishedAt: new Date() }
          : { state: 'PENDING' as const }),
      };
    });
  });
  if (rows.length === 0) return;
  const created = await tx.automationRun.createManyAndReturn({
    data: rows,
    select: { id: true, state: true, leadId: true },
    skipDuplicates: true,
  });
  const pending = created.filter((run) => run.state === 'PENDING');
  if (pending.length === 0) return;
  for (const run of pending) {
    // The scoring batch holds leads of many requests: each run's job carries its lead's request.
    await inLeadContext(run.leadId, () => sendRunJob(jobs, tx, { runId: run.id, attempt: 1 }));
  }
}

/** No automation run has this id. */
export class AutomationRunNotFoundError extends AppError {
  override name = 'AutomationRunNotFoundError';
  readonly runId: string;

  constructor(runId: string) {
    super(`No automation run has id ${runId}`, {
      'pt-BR': `Nenhuma execução de automação tem o id ${runId}`,
    });
    this.runId = runId;
  }
}

/** Only DEAD and FAILED runs can be retried. */
export class AutomationRunNotRetryableError extends AppError {
  override name = 'AutomationRunNotRetryableError';
  readonly state: string;

  constructor(state: string) {
    super(`Only DEAD or FAILED runs can be retried; this one is ${state}`, {
      'pt-BR': `Só execuções DEAD ou FAILED podem ser repetidas; esta está ${state}`,
    });
    this.state = state;
  }
}

/**
 * Re-queues a DEAD or FAILED run now, with a fresh set of attempts and the same delivery id. A
 * retry that was already scheduled for a FAILED run finds the attempt taken and does nothing.
 */
export async function retryRun(prisma: PrismaClient, jobs: PgBoss, runId: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ state: string; attempts: number; leadId: string }[]>`
      SELECT state::text, attempts, "leadId"::text FROM automation_runs
      WHERE id = ${runId}::uuid FOR UPDATE`;
    if (!run) throw new AutomationRunNotFoundError(runId);
    if (run.state !== 'DEAD' && run.state !== 'FAILED') {
      throw new AutomationRunNotRetryableError(run.state);
    }
    const settings = await readSettings(tx);
    await tx.automationRun.update({
      where: { id: runId },
      data: {
        state: 'PENDING',
        maxAttempts: run.attempts + settings.maxAttempts,
        nextAttemptAt: null,
        finishedAt: null,
      },
    });
    await sendRunJob(jobs, tx, { runId, attempt: run.attempts + 1 });
    await publishEvent(tx, { type: 'lead.changed', leadId: run.leadId, change: 'automation' });
  });
}

/** Checks, when a follow-up falls due, whether it is still pending and sends its reminder. */
export const followUpDueQueue = 'automations.follow-up-due';

/** Payload of `automations.follow-up-due`: the follow-up time it was scheduled for (ISO 8601). */
export interface FollowUpDueJob {
  leadId: string;
  followUpAt: string;
}

/**
 * A scheduled follow-up fell due: unless it was handled meanwhile (the lead's followUpAt was
 * cleared or moved by a person, a later class change or a stage change), records a `follow-up-due` run that
 * sends `lead.follow_up_due` to n8n. Safe to run twice: the run is unique per lead and due time.
 */
export async function followUpDue(
  prisma: PrismaClient,
  jobs: PgBoss,
  job: FollowUpDueJob,
): Promise<'handled' | 'reminded'> {
  return prisma.$transaction(async (tx) => {
    const lead = await tx.lead.findUnique({
      where: { id: job.leadId },
      select: { ...snapshotFields, followUpAt: true },
    });
    if (!lead || lead.followUpAt?.toISOString() !== job.followUpAt) return 'handled';
    const { followUpAt: _due, ...row } = lead;
    const settings = await readSettings(tx);
    const reason = skipReason('follow-up-due', settings);
    const payload: RunPayload = {
      lead: snapshot(row),
      previousStatus: lead.status,
      status: lead.status,
      occurredAt: job.followUpAt,
    };
    const created = await tx.automationRun.createManyAndReturn({
      data: [
        {
          leadId: lead.id,
          action: 'follow-up-due',
          trigger: `follow-up:${job.followUpAt}`,
          payload: payload as unknown as object,
          maxAttempts: settings.maxAttempts,
          ...(reason
            ? { state: 'SKIPPED' as const, skipReason: reason, finishedAt: new Date() }
            : { state: 'PENDING' as const }),
        },
      ],
      select: { id: true, state: true },
      skipDuplicates: true,
    });
    for (const run of created) {
      if (run.state === 'PENDING') await sendRunJob(jobs, tx, { runId: run.id, attempt: 1 });
    }
    if (created.length > 0) {
      await publishEvent(tx, { type: 'lead.changed', leadId: lead.id, change: 'automation' });
    }
    return 'reminded';
  });
}

const classChangedBeforeFollowUp = bilingualTemplate<'status'>(
  "The lead's class changed to {status} before the follow-up was set",
  'A classe do lead mudou para {status} antes de o follow-up ser agendado',
);

const handledBeforeFollowUp = bilingualTemplate<'stage'>(
  'Sales handled the lead (stage {stage}) before the follow-up was set',
  'A equipe de vendas já cuidava do lead (etapa {stage}) antes de o follow-up ser agendado',
);

/**
 * The `schedule-follow-up` action, in the transaction that finishes its attempt: sets the lead's
 * followUpAt to the class change plus the class's delay and enqueues the due check for that time.
 * A lead whose class changed again since gets no follow-up from this older change.
 */
export async function scheduleFollowUp(
  tx: Transaction,
  jobs: PgBoss,
  payload: RunPayload,
  settings: AutomationSettings,
): Promise<{ scheduled: Date } | { skipped: string }> {
  const [lead] = await tx.$queryRaw<
    { status: string; stage: string; stageChangedAt: Date | null }[]
  >`
    SELECT status::text, stage::text, "stageChangedAt" FROM leads
    WHERE id = ${payload.lead.id}::uuid FOR UPDATE`;
  if (!lead) return { skipped: leadDeletedReason };
  if (lead.status !== payload.status) {
    return { skipped: classChangedBeforeFollowUp({ status: lead.status }) };
  }
  // A stage change is sales handling the lead (Sales pipeline): a reminder for a class change
  // that sales already acted on would only nag.
  if (lead.stageChangedAt && lead.stageChangedAt.getTime() >= Date.parse(payload.occurredAt)) {
    return { skipped: handledBeforeFollowUp({ stage: lead.stage }) };
  }
  const minutes =
    (settings.followUpMinutes as Partial<Record<LeadClass, number>>)[payload.status as LeadClass] ??
    defaultFollowUpMinutes[payload.status as LeadClass];
  const followUpAt = new Date(Date.parse(payload.occurredAt) + minutes * 60_000);
  await tx.lead.update({ where: { id: payload.lead.id }, data: { followUpAt } });
  const job: FollowUpDueJob = { leadId: payload.lead.id, followUpAt: followUpAt.toISOString() };
  await jobs.send(followUpDueQueue, job, { db: jobsExecutor(tx), startAfter: followUpAt });
  return { scheduled: followUpAt };
}

/** The lead fields a run's payload holds. */
export const snapshotFields = {
  id: true,
  name: true,
  email: true,
  phone: true,
  origin: true,
  interest: true,
  city: true,
  approximateIncome: true,
  score: true,
  status: true,
} as const;

type SnapshotRow = Prisma.LeadGetPayload<{ select: typeof snapshotFields }>;

export function snapshot(lead: SnapshotRow): LeadSnapshot {
  return { ...lead, approximateIncome: lead.approximateIncome?.toFixed(2) ?? null };
}
