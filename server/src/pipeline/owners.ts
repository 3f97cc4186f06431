// Lead owners: the round-robin that gives a lead becoming HOT (or WARM, by setting) to a sales
// user, an admin's reassignment, and the notify-owner run that tells the owner.
//
// Fairness under concurrency: several scoring transactions (in several worker processes) assign
// at once. Each one takes a transaction-level advisory lock before it reads the rotation and holds
// it until it commits, so assignments are serialised in commit order and each transaction starts
// from the state the previous one committed: no two transactions can hand out the same turn. The
// rotation is smooth weighted round-robin (as in nginx), which with equal weights is plain
// round-robin by user id, so over any number of leads no rep is more than one lead ahead of
// another; with weights each rep's share stays within one lead of its weight's share.
import type { PgBoss } from 'pg-boss';
import { recordAudit, type AuditActor } from '../access/audit.ts';
import { actorLabel } from '../access/principal.ts';
import {
  ownerUnreachableReason,
  readSettings,
  recordRuns,
  skipReason,
  snapshot,
  snapshotFields,
  whatsappSenderReady,
  type NewRun,
  type OwnerNotice,
} from '../automations/automations.ts';
import type { PrismaClient, Transaction } from '../db.ts';
import { AppError } from '../errors.ts';
import { publishEvent } from '../events.ts';
import type { AutomationSettings } from '../generated/prisma/client.ts';
import type { LeadStatus } from '../generated/prisma/enums.ts';
import { isLeadId, LeadErasedError, LeadNotFoundError } from '../leads/leads.ts';
import type { LeadScoring } from '../scoring/scoring.ts';

/** One rep in the rotation: their weight and their current weight (the rotation's state). */
export interface RotationRep {
  userId: string;
  weight: number;
  currentWeight: number;
}

/** What {@link rotate} decided: the owner of each lead in turn, and the reps' new state. */
export interface Rotation {
  picks: string[];
  /** Every rep's current weight after the picks. */
  currentWeights: Map<string, number>;
}

/**
 * Smooth weighted round-robin: at each pick every rep's current weight grows by their weight, the
 * rep with the highest current weight (the lowest user id on a tie) is picked and loses the total
 * weight. Over every run of `total weight` picks each rep is picked exactly `weight` times, spread
 * out rather than in a row; with equal weights the picks go round the reps in id order.
 *
 * The current weights of the reps given always sum to zero, which keeps them within one cycle of
 * each other. A rep who leaves changes the set, so the state is first re-centred to sum zero over
 * the reps given. (A rep who comes back starts from zero, the average: see assignOwners.)
 */
export function rotate(reps: readonly RotationRep[], count: number): Rotation {
  const ordered = [...reps].sort((a, b) => (a.userId < b.userId ? -1 : 1));
  const current = new Map(ordered.map((rep) => [rep.userId, rep.currentWeight]));
  const picks: string[] = [];
  if (ordered.length === 0) return { picks, currentWeights: current };
  recentre(ordered, current);
  const total = ordered.reduce((sum, rep) => sum + rep.weight, 0);
  for (let pick = 0; pick < count; pick += 1) {
    let best: RotationRep | null = null;
    for (const rep of ordered) {
      const grown = current.get(rep.userId)! + rep.weight;
      current.set(rep.userId, grown);
      if (best === null || grown > current.get(best.userId)!) best = rep;
    }
    current.set(best!.userId, current.get(best!.userId)! - total);
    picks.push(best!.userId);
  }
  return { picks, currentWeights: current };
}

// Integer re-centring: everyone moves down by the floor of the mean, and the remainder comes off
// the reps with the highest current weights (one each), so the sum is exactly zero.
function recentre(ordered: RotationRep[], current: Map<string, number>): void {
  const sum = ordered.reduce((total, rep) => total + current.get(rep.userId)!, 0);
  if (sum === 0) return;
  const shift = Math.floor(sum / ordered.length);
  let remainder = sum - shift * ordered.length;
  for (const rep of ordered) current.set(rep.userId, current.get(rep.userId)! - shift);
  const highest = [...ordered].sort(
    (a, b) => current.get(b.userId)! - current.get(a.userId)! || (a.userId < b.userId ? -1 : 1),
  );
  for (const rep of highest) {
    if (remainder === 0) break;
    current.set(rep.userId, current.get(rep.userId)! - 1);
    remainder -= 1;
  }
}

// Any fixed 64-bit number works; it only has to differ from the other advisory locks taken on this
// database (pg-boss takes its own, keyed by a hash of its schema name).
const rotationLockKey = 7_305_813_340_120_771_001n;

/** The sales users the rotation may pick: active, SALES role, accepting leads. */
interface EligibleRep extends RotationRep {
  name: string;
  email: string;
  slackMemberId: string | null;
  whatsappNumber: string | null;
}

/** A lead given to an owner, as notify-owner needs it. */
interface Assignment {
  leadId: string;
  owner: OwnerNotice;
  assignedAt: Date;
}

/**
 * Gives an owner to every lead that scoring just made HOT (or WARM, when the pipeline settings
 * say so) and that has none, in the scoring transaction, and records a notify-owner run for each.
 * Leads are taken in id order (creation order). Without an eligible rep the leads stay without an
 * owner until an admin assigns one.
 *
 * Safe to repeat: a lead that already has an owner is never reassigned here, and a scoring
 * retried after its commit sees no class change.
 */
export async function assignOwners(
  tx: Transaction,
  jobs: PgBoss,
  scorings: Iterable<LeadScoring>,
): Promise<void> {
  const changed = [...scorings].filter(
    (scoring): scoring is Extract<LeadScoring, { classChanged: boolean }> =>
      scoring.outcome === 'scored' && scoring.classChanged,
  );
  await assignOwnersOnClassChange(tx, jobs, changed);
}

/** A lead whose class just changed, by scoring or by a person's override. */
export interface ClassChange {
  leadId: string;
  status: LeadStatus;
}

/**
 * The round-robin for leads whose class just changed: those now HOT (or WARM, when the pipeline
 * settings say so) and without an owner get one, and a notify-owner run each. The caller holds
 * the leads' rows locked (scoring's FOR UPDATE, an override's UPDATE), so "no owner yet" cannot
 * change before it commits.
 */
export async function assignOwnersOnClassChange(
  tx: Transaction,
  jobs: PgBoss,
  changes: readonly ClassChange[],
): Promise<void> {
  const changed = changes.filter((change) => change.status === 'HOT' || change.status === 'WARM');
  if (changed.length === 0) return;
  let classes: LeadStatus[] = ['HOT'];
  if (changed.some((change) => change.status === 'WARM')) {
    const settings = await tx.pipelineSettings.findUnique({ where: { id: pipelineSettingsId } });
    if (settings?.assignWarmLeads) classes = ['HOT', 'WARM'];
  }
  const candidates = changed
    .filter((change) => classes.includes(change.status))
    .map((change) => change.leadId);
  if (candidates.length === 0) return;
  const leads = await tx.lead.findMany({
    where: { id: { in: candidates }, ownerId: null, erasedAt: null },
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  if (leads.length === 0) return;

  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${rotationLockKey}::bigint)`;
  const reps = await tx.$queryRaw<EligibleRep[]>`
    SELECT u.id::text AS "userId", u."leadWeight" AS weight,
      coalesce(r."currentWeight", 0) AS "currentWeight",
      u.name, u.email, u."slackMemberId", u."whatsappNumber"
    FROM users u
    LEFT JOIN owner_rotation r ON r."userId" = u.id
    WHERE u.role = 'SALES' AND u."disabledAt" IS NULL AND u."acceptsLeads"
    ORDER BY u.id`;
  if (reps.length === 0) return;
  const { picks, currentWeights } = rotate(reps, leads.length);
  const owners = leads.map((lead, index) => ({ id: lead.id, owner: picks[index]! }));
  const assigned = await tx.$queryRaw<{ id: string; ownerId: string; ownerAssignedAt: Date }[]>`
    UPDATE leads AS lead
    SET "ownerId" = picked.owner, "ownerAssignedAt" = clock_timestamp(),
      "updatedAt" = clock_timestamp()
    FROM jsonb_to_recordset(${JSON.stringify(owners)}::jsonb) AS picked(id uuid, owner uuid)
    WHERE lead.id = picked.id
    RETURNING lead.id::text, lead."ownerId"::text AS "ownerId", lead."ownerAssignedAt"`;
  const counts = new Map<string, number>();
  for (const pick of picks) counts.set(pick, (counts.get(pick) ?? 0) + 1);
  const state = reps.map((rep) => ({
    userId: rep.userId,
    currentWeight: currentWeights.get(rep.userId)!,
    assigned: counts.get(rep.userId) ?? 0,
  }));
  await tx.$executeRaw`
    INSERT INTO owner_rotation ("userId", "currentWeight", "assignedCount", "updatedAt")
    SELECT "userId", "currentWeight", assigned, clock_timestamp()
    FROM jsonb_to_recordset(${JSON.stringify(state)}::jsonb)
      AS rep("userId" uuid, "currentWeight" integer, assigned integer)
    ON CONFLICT ("userId") DO UPDATE SET
      "currentWeight" = EXCLUDED."currentWeight",
      "assignedCount" = owner_rotation."assignedCount" + EXCLUDED."assignedCount",
      "updatedAt" = EXCLUDED."updatedAt"`;
  // Reps out of the rotation lose their place: one who comes back (re-enabled, taking leads again)
  // starts level with the others, instead of being owed, or owing, a run of leads from before.
  await tx.$executeRaw`
    UPDATE owner_rotation SET "currentWeight" = 0, "updatedAt" = clock_timestamp()
    WHERE "currentWeight" <> 0 AND "userId" <> ALL(${reps.map((rep) => rep.userId)}::uuid[])`;

  const byId = new Map(reps.map((rep) => [rep.userId, rep]));
  await notifyOwners(
    tx,
    jobs,
    assigned.map((row) => ({
      leadId: row.id,
      owner: ownerNotice(byId.get(row.ownerId)!, 'round-robin'),
      assignedAt: row.ownerAssignedAt,
    })),
  );
  // No event of its own: the caller wrote these leads and publishes their change.
}

function ownerNotice(
  user: Pick<EligibleRep, 'name' | 'email' | 'slackMemberId' | 'whatsappNumber'> & {
    userId: string;
  },
  assignedBy: string,
): OwnerNotice {
  return {
    id: user.userId,
    name: user.name,
    email: user.email,
    slackMemberId: user.slackMemberId,
    whatsappNumber: user.whatsappNumber,
    assignedBy,
  };
}

/** Why an owner cannot be told about a lead with these settings, or null when they can. */
export function ownerNoticeSkipReason(
  settings: AutomationSettings,
  owner: OwnerNotice,
): string | null {
  const reason = skipReason('notify-owner', settings);
  if (reason) return reason;
  if (settings.slackWebhookUrlEncrypted) return null;
  return owner.whatsappNumber && whatsappSenderReady(settings) ? null : ownerUnreachableReason;
}

/** Records one notify-owner run per assignment, with the lead as it is now. */
async function notifyOwners(
  tx: Transaction,
  jobs: PgBoss,
  assignments: readonly Assignment[],
): Promise<void> {
  if (assignments.length === 0) return;
  const settings = await readSettings(tx);
  const leads = await tx.lead.findMany({
    where: { id: { in: assignments.map((assignment) => assignment.leadId) } },
    select: snapshotFields,
  });
  const byId = new Map(leads.map((lead) => [lead.id, lead]));
  const runs = assignments.flatMap(({ leadId, owner, assignedAt }): NewRun[] => {
    const lead = byId.get(leadId);
    if (!lead) return [];
    return [
      {
        leadId,
        action: 'notify-owner',
        // One notice per owner and assignment time: a reassignment back and forth notifies again.
        trigger: `owner:${owner.id}@${assignedAt.toISOString()}`,
        payload: {
          lead: snapshot(lead),
          previousStatus: lead.status,
          status: lead.status,
          occurredAt: assignedAt.toISOString(),
          owner,
        },
        skipReason: ownerNoticeSkipReason(settings, owner),
      },
    ];
  });
  await recordRuns(tx, jobs, settings, runs);
}

/** The user given as owner does not exist, is disabled, or is not a sales user. */
export class InvalidOwnerError extends AppError {
  override name = 'InvalidOwnerError';
  readonly userId: string;

  constructor(userId: string, why: { en: string; pt: string }) {
    super(`User "${userId}" cannot own leads: ${why.en}`, {
      'pt-BR': `O usuário "${userId}" não pode ser responsável por leads: ${why.pt}`,
    });
    this.userId = userId;
  }
}

const noSuchUser = { en: 'no user has this id', pt: 'nenhum usuário tem este id' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What reassignLead needs. */
export interface OwnerWriteDependencies {
  prisma: PrismaClient;
  jobs: PgBoss;
}

/**
 * An admin gives the lead to `ownerId` (any active SALES user, even one not taking new leads), or
 * to nobody (null). The new owner is notified; the change is audited and publishes 'owner'. The
 * rotation is left alone: a reassignment is not a turn. Giving a lead to its current owner
 * changes nothing and notifies nobody.
 */
export async function reassignLead(
  dependencies: OwnerWriteDependencies,
  actor: AuditActor,
  leadId: string,
  ownerId: string | null,
): Promise<void> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  if (ownerId !== null && !UUID.test(ownerId)) {
    throw new InvalidOwnerError(ownerId, noSuchUser);
  }
  await dependencies.prisma.$transaction(async (tx) => {
    const [lead] = await tx.$queryRaw<{ ownerId: string | null; erasedAt: Date | null }[]>`
      SELECT "ownerId"::text AS "ownerId", "erasedAt" FROM leads
      WHERE id = ${leadId}::uuid FOR UPDATE`;
    if (!lead) throw new LeadNotFoundError(leadId);
    if (lead.erasedAt) throw new LeadErasedError(leadId);
    const owner = ownerId === null ? null : await validOwner(tx, ownerId);
    if (lead.ownerId === ownerId) return;
    const updated = await tx.lead.update({
      where: { id: leadId },
      data: { ownerId, ownerAssignedAt: ownerId === null ? null : new Date() },
      select: { ownerAssignedAt: true },
    });
    if (owner) {
      await notifyOwners(tx, dependencies.jobs, [
        {
          leadId,
          owner: ownerNotice({ ...owner, userId: owner.id }, actorLabel(actor.principal)),
          assignedAt: updated.ownerAssignedAt!,
        },
      ]);
    }
    await recordAudit(tx, actor, {
      action: 'lead.reassign',
      target: { type: 'lead', id: leadId },
      details: { previousOwnerId: lead.ownerId, ownerId },
    });
    await publishEvent(tx, { type: 'lead.changed', leadId, change: 'owner' });
  });
}

async function validOwner(tx: Transaction, userId: string) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      disabledAt: true,
      slackMemberId: true,
      whatsappNumber: true,
    },
  });
  if (!user) throw new InvalidOwnerError(userId, noSuchUser);
  if (user.disabledAt) {
    throw new InvalidOwnerError(userId, {
      en: 'the user is disabled',
      pt: 'o usuário está desativado',
    });
  }
  if (user.role !== 'SALES') {
    throw new InvalidOwnerError(userId, {
      en: `leads go to SALES users, not ${user.role}`,
      pt: `leads vão para usuários SALES, não ${user.role}`,
    });
  }
  return user;
}

export const pipelineSettingsId = 'default';
