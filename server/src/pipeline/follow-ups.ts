// A lead's follow-up reminder set by a person: the followUpDue check (automations) fires only
// while lead.followUpAt still equals the time its job carries, so moving the time is "write the
// new time and queue a check for it", and clearing it is "write null". Both happen in the
// caller's transaction, with the lead row already locked by its update.
import type { PgBoss } from 'pg-boss';
import { followUpDueQueue, type FollowUpDueJob } from '../automations/automations.ts';
import { jobsExecutor, type Transaction } from '../db.ts';
import type { FieldError } from '../errors.ts';

/** How far ahead a person may set a follow-up: the longest automatic delay allowed, a year. */
export const FOLLOW_UP_MAX_DAYS = 365;

/**
 * Checks a follow-up time a person asked for: null clears it; a time must be in the future and at
 * most {@link FOLLOW_UP_MAX_DAYS} days ahead.
 */
export function parseFollowUpAt(
  value: Date | null,
  now: Date = new Date(),
): { ok: true; value: Date | null } | { ok: false; fieldErrors: FieldError[] } {
  if (value === null) return { ok: true, value: null };
  // Worded in Portuguese too: sales reps set follow-ups in the dashboard, most in Portuguese.
  const fail = (message: string, portuguese: string) => ({
    ok: false as const,
    fieldErrors: [{ path: 'followUpAt', message, translations: { 'pt-BR': portuguese } }],
  });
  if (Number.isNaN(value.getTime())) {
    return fail('Enter a valid date and time', 'Informe uma data e hora válidas');
  }
  if (value.getTime() <= now.getTime()) {
    return fail(
      'Choose a follow-up time in the future',
      'Escolha um horário de follow-up no futuro',
    );
  }
  if (value.getTime() > now.getTime() + FOLLOW_UP_MAX_DAYS * 86_400_000) {
    return fail(
      `Choose a follow-up time within ${FOLLOW_UP_MAX_DAYS} days`,
      `Escolha um horário de follow-up nos próximos ${FOLLOW_UP_MAX_DAYS} dias`,
    );
  }
  return { ok: true, value };
}

/**
 * Replaces the lead's queued follow-up checks with one for `followUpAt` (none for null). The
 * caller writes lead.followUpAt in the same transaction: a check queued earlier that is already
 * running then finds a different time and sends nothing.
 */
export async function rescheduleFollowUp(
  tx: Transaction,
  jobs: PgBoss,
  leadId: string,
  followUpAt: Date | null,
): Promise<void> {
  await cancelFollowUpReminders(tx, jobs, leadId);
  if (followUpAt === null) return;
  const job: FollowUpDueJob = { leadId, followUpAt: followUpAt.toISOString() };
  await jobs.send(followUpDueQueue, job, { db: jobsExecutor(tx), startAfter: followUpAt });
}

/**
 * Cancels the lead's queued follow-up checks. Clearing followUpAt alone already makes a check
 * that runs find the follow-up handled (followUpDue); cancelling keeps the queue from holding
 * reminders that can no longer fire.
 */
export async function cancelFollowUpReminders(
  tx: Transaction,
  jobs: PgBoss,
  leadId: string,
): Promise<void> {
  const db = jobsExecutor(tx);
  const queued = await jobs.findJobs<FollowUpDueJob>(followUpDueQueue, {
    data: { leadId },
    queued: true,
    db,
  });
  if (queued.length === 0) return;
  await jobs.cancel(
    followUpDueQueue,
    queued.map((job) => job.id),
    { db },
  );
}
