// Lead stages: NEW, CONTACTED, QUALIFIED, WON, LOST. A change is one transaction holding the lead's
// new stage, its history row, the n8n notice (notify-stage-change), the cancelled follow-up
// reminder and the 'stage' event: a commit carries all of them, a rollback none.
import type { PgBoss } from 'pg-boss';
import { actorLabel, type Principal } from '../access/principal.ts';
import {
  readSettings,
  recordRuns,
  skipReason,
  snapshot,
  snapshotFields,
} from '../automations/automations.ts';
import type { PrismaClient } from '../db.ts';
import type { FieldError } from '../errors.ts';
import { publishEvent } from '../events.ts';
import type { LeadStage } from '../generated/prisma/enums.ts';
import { isLeadId, LeadErasedError, LeadNotFoundError } from '../leads/leads.ts';
import { cancelFollowUpReminders } from './follow-ups.ts';

export const LOST_REASON_MAX = 1_000;

/** Who changed a stage, as the history records it. */
export interface StageActor {
  kind: 'user' | 'api-key' | 'system';
  id: string | null;
  label: string;
}

export function stageActor(principal: Principal): StageActor {
  switch (principal.kind) {
    case 'user':
      return { kind: 'user', id: principal.userId, label: actorLabel(principal) };
    case 'api-key':
      return { kind: 'api-key', id: principal.keyId, label: actorLabel(principal) };
    case 'anonymous':
      // Root fields refuse anonymous callers before this; kept total for the type.
      return { kind: 'system', id: null, label: 'anonymous' };
  }
}

/** A requested stage, checked: LOST needs a reason, the other stages take none. */
export interface StageRequest {
  stage: LeadStage;
  lostReason: string | null;
}

/** Validates setLeadStage's arguments; every problem at once, with paths a form can show. */
export function parseStageRequest(
  stage: LeadStage,
  lostReason: string | null | undefined,
): { ok: true; value: StageRequest } | { ok: false; fieldErrors: FieldError[] } {
  const reason = lostReason?.trim() ?? '';
  // Worded in Portuguese too: sales reps move stages in the dashboard, most in Portuguese.
  const fail = (message: string, portuguese: string) => ({
    ok: false as const,
    fieldErrors: [{ path: 'lostReason', message, translations: { 'pt-BR': portuguese } }],
  });
  if (stage !== 'LOST') {
    if (reason !== '') {
      return fail(
        'A lost reason goes with stage LOST only',
        'O motivo da perda só vale para a etapa Perdido',
      );
    }
    return { ok: true, value: { stage, lostReason: null } };
  }
  if (reason === '') return fail('Say why the lead was lost', 'Diga por que o lead foi perdido');
  if ([...reason].length > LOST_REASON_MAX) {
    return fail(
      `Lost reason must be at most ${LOST_REASON_MAX.toLocaleString('en-US')} characters`,
      `O motivo da perda pode ter no máximo ${LOST_REASON_MAX.toLocaleString('pt-BR')} caracteres`,
    );
  }
  return { ok: true, value: { stage, lostReason: reason } };
}

/** What stage writes need. */
export interface StageWriteDependencies {
  prisma: PrismaClient;
  jobs: PgBoss;
}

/** What setLeadStage did. */
export interface StageChangeResult {
  /** False when the lead already had this stage (and lost reason): nothing was recorded. */
  changed: boolean;
  changeId: string | null;
}

interface LockedLead {
  stage: LeadStage;
  lostReason: string | null;
  erasedAt: Date | null;
  followUpAt: Date | null;
  firstContactedAt: Date | null;
}

/**
 * Moves a lead to a stage. Any stage may follow any other (a lost lead can be reopened). The first
 * move out of NEW sets firstContactedAt. A change counts as sales handling the lead: its pending
 * follow-up reminder is cancelled (followUpAt cleared, its job cancelled) and its automated emails
 * stop (see emailStopReason). n8n gets `lead.stage_changed` through a notify-stage-change run,
 * SKIPPED when n8n is not configured.
 *
 * Idempotent for retries (n8n, a double click): asking for the stage the lead already has, with
 * the same lost reason, changes and records nothing.
 */
export async function setLeadStage(
  dependencies: StageWriteDependencies,
  leadId: string,
  request: StageRequest,
  actor: StageActor,
): Promise<StageChangeResult> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  const { prisma, jobs } = dependencies;
  return prisma.$transaction(async (tx) => {
    // FOR UPDATE: two changes at once are recorded one after the other, each with its true "from".
    const [lead] = await tx.$queryRaw<LockedLead[]>`
      SELECT stage::text AS stage, "lostReason", "erasedAt", "followUpAt", "firstContactedAt"
      FROM leads WHERE id = ${leadId}::uuid FOR UPDATE`;
    if (!lead) throw new LeadNotFoundError(leadId);
    // A lost reason is free text about the person: not written back onto an erased lead.
    if (lead.erasedAt) throw new LeadErasedError(leadId);
    if (lead.stage === request.stage && lead.lostReason === request.lostReason) {
      return { changed: false, changeId: null };
    }
    const now = new Date();
    const updated = await tx.lead.update({
      where: { id: leadId },
      data: {
        stage: request.stage,
        lostReason: request.lostReason,
        stageChangedAt: now,
        ...(request.stage !== 'NEW' && !lead.firstContactedAt ? { firstContactedAt: now } : {}),
        ...(lead.followUpAt ? { followUpAt: null } : {}),
      },
      select: snapshotFields,
    });
    const change = await tx.leadStageChange.create({
      data: {
        leadId,
        fromStage: lead.stage,
        toStage: request.stage,
        lostReason: request.lostReason,
        actorKind: actor.kind,
        actorId: actor.id,
        actorLabel: actor.label,
        changedAt: now,
      },
      select: { id: true },
    });
    if (lead.followUpAt) await cancelFollowUpReminders(tx, jobs, leadId);

    const settings = await readSettings(tx);
    await recordRuns(tx, jobs, settings, [
      {
        leadId,
        action: 'notify-stage-change',
        trigger: `stage:${change.id}`,
        payload: {
          lead: snapshot(updated),
          previousStatus: updated.status,
          status: updated.status,
          occurredAt: now.toISOString(),
          stage: {
            changeId: change.id,
            previousStage: lead.stage,
            stage: request.stage,
            lostReason: request.lostReason,
            changedBy: actor.label,
            changedAt: now.toISOString(),
          },
        },
        skipReason: skipReason('notify-stage-change', settings),
      },
    ]);
    await publishEvent(tx, { type: 'lead.changed', leadId, change: 'stage' });
    return { changed: true, changeId: change.id };
  });
}
