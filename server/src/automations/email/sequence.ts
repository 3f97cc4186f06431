// The WARM email sequence. The `email-sequence` run of a class change schedules step 1; when a step
// falls due it becomes a `sequence-email` run (so the lead's timeline shows it), and that run's
// success schedules the next step. The sequence stops at the first step that is not sent.
import type { PgBoss } from 'pg-boss';
import { jobsExecutor, type PrismaClient, type Transaction } from '../../db.ts';
import { publishEvent } from '../../events.ts';
import type { AutomationSettings } from '../../generated/prisma/client.ts';
import type { LeadStage, LeadStatus } from '../../generated/prisma/enums.ts';
import { bilingual, bilingualTemplate } from '../../localization/catalog.ts';
import {
  leadDeletedReason,
  leadUnsubscribedReason,
  readSettings,
  sendRunJob,
  skipReason,
  snapshot,
  snapshotFields,
  type RunPayload,
} from '../automations.ts';
import { sequenceSteps } from './settings.ts';

/** Sends one step's email when it falls due (sent with startAfter). */
export const sequenceStepQueue = 'automations.email-sequence-step';

/**
 * Payload of `automations.email-sequence-step`: the lead, the class change that started the
 * sequence (its `email-sequence` run's trigger) and the step (1-based) that falls due.
 */
export interface SequenceStepJob {
  leadId: string;
  trigger: string;
  step: number;
}

/** What decides whether a lead still gets emails. */
export interface EmailRecipientState {
  status: LeadStatus;
  /** The Sales pipeline stage: past NEW, sales works the lead and nurture stops. */
  stage: LeadStage;
  erasedAt: Date | null;
  unsubscribedAt: Date | null;
}

// The same English as privacy.ts's erasedRunSkipReason, which the runs an erasure skips store: this
// records the Portuguese of both.
const erasedReason = bilingual(
  "The lead's personal data was erased",
  'Os dados pessoais do lead foram apagados',
);

const salesHandlesLead = bilingualTemplate<'stage'>(
  'Sales handles the lead (stage {stage})',
  'A equipe de vendas cuida do lead (etapa {stage})',
);

const classNoLongerMatches = bilingualTemplate<'now' | 'was'>(
  'The lead is {now} now, no longer {was}',
  'O lead agora é {now}, não mais {was}',
);

const classChangedAgain = bilingualTemplate<'number'>(
  "The lead's class changed again since (class change #{number})",
  'A classe do lead mudou de novo desde então (mudança de classe nº {number})',
);

/**
 * Why an email of the class change `trigger` (which made the lead `status`) must not go out, or
 * null when it may. This is the one place that decides whether a lead still receives the nurture
 * email and the sequence: deleted, erased, unsubscribed, or no longer in the class (and class
 * change) that started it, e.g. it became HOT, or went HOT and back to WARM (a new sequence runs),
 * or sales handles it: a stage past NEW (contacted, qualified, won or lost) stops every automated
 * email, since marketing mail to someone a salesperson is talking to does more harm than good.
 */
export async function emailStopReason(
  db: PrismaClient | Transaction,
  lead: (EmailRecipientState & { id: string }) | null,
  status: LeadStatus,
  trigger: string,
): Promise<string | null> {
  if (!lead) return leadDeletedReason;
  if (lead.erasedAt) return erasedReason;
  if (lead.unsubscribedAt) return leadUnsubscribedReason;
  if (lead.stage !== 'NEW') return salesHandlesLead({ stage: lead.stage });
  if (lead.status !== status) return classNoLongerMatches({ now: lead.status, was: status });
  const latest = await latestClassChange(db, lead.id);
  if (latest !== null && latest !== classChangeNumber(trigger)) {
    return classChangedAgain({ number: latest });
  }
  return null;
}

/** n of the lead's latest `class:...#n` trigger. */
async function latestClassChange(
  db: PrismaClient | Transaction,
  leadId: string,
): Promise<number | null> {
  const [row] = await db.$queryRaw<{ n: number | null }[]>`
    SELECT max(substring(trigger FROM '^class:[^#]*#([0-9]+)')::int) AS n
    FROM automation_runs WHERE "leadId" = ${leadId}::uuid AND trigger LIKE 'class:%'`;
  return row?.n ?? null;
}

function classChangeNumber(trigger: string): number | null {
  const match = /^class:[^#]*#(\d+)/.exec(trigger);
  return match ? Number(match[1]) : null;
}

/** The `email-sequence` run succeeded: step 1 falls due its delay after the class change. */
export async function startSequence(
  tx: Transaction,
  jobs: PgBoss,
  settings: AutomationSettings,
  enrolment: { leadId: string; trigger: string; occurredAt: string },
): Promise<void> {
  const [first] = sequenceSteps(settings);
  if (!first) return;
  await sendStepJob(
    tx,
    jobs,
    { leadId: enrolment.leadId, trigger: enrolment.trigger, step: 1 },
    new Date(Date.parse(enrolment.occurredAt) + first.delayMinutes * 60_000),
  );
}

/** Step `step` was sent: the next one (as configured now) falls due its delay later. */
export async function scheduleNextStep(
  tx: Transaction,
  jobs: PgBoss,
  settings: AutomationSettings,
  sent: { leadId: string; trigger: string; step: number; sentAt: Date },
): Promise<void> {
  const next = sequenceSteps(settings)[sent.step];
  if (!next) return;
  await sendStepJob(
    tx,
    jobs,
    { leadId: sent.leadId, trigger: sent.trigger, step: sent.step + 1 },
    new Date(sent.sentAt.getTime() + next.delayMinutes * 60_000),
  );
}

async function sendStepJob(
  tx: Transaction,
  jobs: PgBoss,
  job: SequenceStepJob,
  startAfter: Date,
): Promise<void> {
  await jobs.send(sequenceStepQueue, job, { db: jobsExecutor(tx), startAfter });
}

/** The trigger of a step's run: its enrolment's plus the step. */
export function stepTrigger(trigger: string, step: number): string {
  return `${trigger}/step-${step}`;
}

/**
 * A step fell due: records its `sequence-email` run, PENDING with its delivery job, or SKIPPED
 * with the reason the lead no longer gets it (which ends the sequence). Safe to run twice: the run
 * is unique per lead, action and trigger, so a repeat creates nothing and sends nothing.
 */
export async function sequenceStepDue(
  prisma: PrismaClient,
  jobs: PgBoss,
  job: SequenceStepJob,
): Promise<'queued' | 'stopped' | 'ended' | 'already recorded'> {
  return prisma.$transaction(async (tx) => {
    const lead = await tx.lead.findUnique({
      where: { id: job.leadId },
      select: { ...snapshotFields, erasedAt: true, unsubscribedAt: true, stage: true },
    });
    const enrolment = await tx.automationRun.findUnique({
      where: {
        leadId_action_trigger: {
          leadId: job.leadId,
          action: 'email-sequence',
          trigger: job.trigger,
        },
      },
      select: { payload: true },
    });
    if (!lead || !enrolment) return 'ended';
    const settings = await readSettings(tx);
    const step = sequenceSteps(settings)[job.step - 1];
    if (!step) return 'ended';
    const started = enrolment.payload as unknown as RunPayload;
    const reason =
      (await emailStopReason(tx, lead, started.status, job.trigger)) ??
      skipReason('sequence-email', settings);
    const { erasedAt: _erased, unsubscribedAt: _unsubscribed, stage: _stage, ...row } = lead;
    const payload: RunPayload = {
      lead: snapshot(row),
      previousStatus: started.previousStatus,
      status: started.status,
      occurredAt: new Date().toISOString(),
      email: { step: job.step, template: step.template },
    };
    const created = await tx.automationRun.createManyAndReturn({
      data: [
        {
          leadId: lead.id,
          action: 'sequence-email',
          trigger: stepTrigger(job.trigger, job.step),
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
    const [run] = created;
    if (!run) return 'already recorded';
    if (run.state === 'PENDING') await sendRunJob(jobs, tx, { runId: run.id, attempt: 1 });
    await publishEvent(tx, { type: 'lead.changed', leadId: lead.id, change: 'automation' });
    return run.state === 'PENDING' ? 'queued' : 'stopped';
  });
}
