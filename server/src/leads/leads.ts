// Lead writes shared by the GraphQL resolvers, webhooks and forms. Each write is one transaction
// holding the row, its submission, its scoring job and its event: a commit carries all of them, a
// rollback none.
import { createHash } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { PrismaClient } from '../db.ts';
import { AppError, ValidationError, type FieldError } from '../errors.ts';
import { publishEvent } from '../events.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { LeadStatus, SubmissionChannel } from '../generated/prisma/enums.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { parseFollowUpAt, rescheduleFollowUp } from '../pipeline/follow-ups.ts';
import { assignOwnersOnClassChange } from '../pipeline/owners.ts';
import type { ConsentRecord } from '../privacy/consent.ts';
import { enqueueScoring, scoreLeadQueue } from '../scoring/scoring.ts';
import {
  normaliseAttribution,
  parseLeadUpdateInput,
  type NormalisedLeadInput,
  type NormalisedLeadUpdate,
} from './lead-input.ts';
import { writeSubmission } from './submission-write.ts';

export class LeadNotFoundError extends AppError {
  override name = 'LeadNotFoundError';
  readonly leadId: string;

  constructor(leadId: string) {
    super(`No lead has the id "${leadId}"; it may have been deleted`, {
      'pt-BR': `Nenhum lead tem o id "${leadId}"; ele pode ter sido excluído`,
    });
    this.leadId = leadId;
  }
}

/**
 * The lead's personal data was erased (eraseLead). Writing fields back would quietly undo the
 * erasure, so an erased lead is not changed; the person's next submission starts a new lead.
 */
export class LeadErasedError extends AppError {
  override name = 'LeadErasedError';
  readonly leadId: string;

  constructor(leadId: string) {
    super(
      `The lead "${leadId}" was erased on request and cannot be changed; a new submission from the person creates a new lead`,
      {
        'pt-BR': `O lead "${leadId}" foi apagado a pedido e não pode ser alterado; um novo envio da pessoa cria um novo lead`,
      },
    );
    this.leadId = leadId;
  }
}

export class IdempotencyKeyConflictError extends AppError {
  override name = 'IdempotencyKeyConflictError';
  readonly idempotencyKey: string;

  constructor(idempotencyKey: string) {
    super(
      'This idempotency key was already used for a different request; send a new key for new data',
      {
        'pt-BR':
          'Esta chave de idempotência já foi usada em outra requisição; envie uma nova chave para novos dados',
      },
    );
    this.idempotencyKey = idempotencyKey;
  }
}

/** What lead writes need. */
export interface LeadWriteDependencies {
  prisma: PrismaClient;
  jobs: PgBoss;
  /** Counts committed submissions when given. */
  metrics?: Metrics;
}

/** What ingestLead needs: it writes on a plain connection of the pool under Prisma. */
export interface IngestDependencies extends LeadWriteDependencies {
  pool: pg.Pool;
}

/** Options of {@link ingestLead}. */
export interface IngestLeadOptions {
  /** The validated fields (see parseLeadInput). */
  input: NormalisedLeadInput;
  /** The input exactly as received: stored in the submission history and hashed. */
  raw: Prisma.InputJsonObject;
  channel: SubmissionChannel;
  /**
   * A client's retry key: a second call with it returns the first call's result. A key lives as
   * long as its submission, so deleting the lead frees it.
   */
  idempotencyKey?: string | null;
  /** Consent given with this submission (see parseConsent); recorded with it, linked to it. */
  consent?: ConsentRecord | null;
  /** Also return the lead's queued scoring jobs, for waitForScoring (one more query). */
  withScoringJobs?: boolean;
  /**
   * Where the person came from (UTM parameters, landing page, referrer), kept on the submission.
   * Values normaliseAttribution refuses are stored as null.
   */
  attribution?: LeadAttribution | null;
}

/** UTM parameters, landing page and referrer of a submission, for conversion by source. */
export interface LeadAttribution {
  utmSource?: string | null;
  utmMedium?: string | null;
  utmCampaign?: string | null;
  utmTerm?: string | null;
  utmContent?: string | null;
  landingPage?: string | null;
  referrer?: string | null;
}

export interface IngestLeadResult {
  leadId: string;
  submissionId: string;
  /** False when the submission merged into the existing lead with the same email. */
  created: boolean;
  /** True when the idempotency key matched an earlier call, whose result this is. */
  replayed: boolean;
  /**
   * With `withScoringJobs`, its own scoring job and the lead's others not yet started when read
   * just after the commit (see waitForScoring). Otherwise, and for a replay, empty.
   */
  scoringJobIds: string[];
}

/**
 * Records one submission: creates the lead, or merges it into the lead with the same email
 * (non-empty new values win), keeps the raw submission, and enqueues scoring, all in one commit.
 *
 * A merge keeps the lead's current status and processedAt until the new scoring commits: the
 * class a person saw stays true to the last scoring instead of flickering to PROCESSING.
 */
export async function ingestLead(
  dependencies: IngestDependencies,
  options: IngestLeadOptions,
): Promise<IngestLeadResult> {
  const payloadHash = hashPayload(options.raw);
  const key = options.idempotencyKey ?? null;
  if (key !== null) {
    const earlier = await findEarlierResult(dependencies.prisma, key, payloadHash);
    if (earlier) return earlier;
  }
  try {
    const written = await writeSubmission(
      dependencies.pool,
      dependencies.jobs,
      {
        input: options.input,
        raw: options.raw,
        channel: options.channel,
        idempotencyKey: key,
        payloadHash,
        consent: options.consent ?? null,
        attribution: normaliseAttribution(options.attribution).value,
      },
      { withScoringJobs: options.withScoringJobs === true },
    );
    dependencies.metrics?.leadsIngested.inc({
      change: written.created ? 'created' : 'merged',
      origin: options.input.origin,
    });
    return { ...written, replayed: false };
  } catch (error) {
    // The same key sent twice at once: the unique index makes the later insert wait for the
    // earlier commit, then fail; its transaction rolled back, so it answers with the earlier result.
    if (key !== null && isUniqueViolation(error)) {
      const earlier = await findEarlierResult(dependencies.prisma, key, payloadHash);
      if (earlier) return earlier;
    }
    throw error;
  }
}

async function findEarlierResult(
  prisma: PrismaClient,
  idempotencyKey: string,
  payloadHash: string,
): Promise<IngestLeadResult | null> {
  const submission = await prisma.leadSubmission.findUnique({
    where: { idempotencyKey },
    select: { id: true, leadId: true, createdLead: true, payloadHash: true },
  });
  if (!submission) return null;
  if (submission.payloadHash !== payloadHash) throw new IdempotencyKeyConflictError(idempotencyKey);
  return {
    leadId: submission.leadId,
    submissionId: submission.id,
    created: submission.createdLead,
    replayed: true,
    scoringJobIds: [],
  };
}

/** SHA-256 of the payload's canonical JSON: the same fields in any order hash the same. */
export function hashPayload(payload: Prisma.InputJsonValue): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be a lead id; anything else would make PostgreSQL reject the query. */
export function isLeadId(id: string): boolean {
  return UUID.test(id);
}

/** A unique index refused the write: Prisma's P2002, or SQLSTATE 23505 from plain SQL. */
function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === 'P2002';
  return (error as { code?: unknown } | null)?.code === '23505';
}

function isNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}

// Scoring reads every lead field but the notes (see scoring/rules.ts).
const scoringFields = [
  'name',
  'email',
  'phone',
  'origin',
  'interest',
  'approximateIncome',
  'city',
] as const satisfies readonly (keyof NormalisedLeadInput)[];

/** A person's class for a lead, which scoring then leaves alone. */
export interface StatusOverride {
  status: Exclude<LeadStatus, 'PROCESSING'>;
  reason: string;
}

/** Options of {@link updateLead}. */
export interface UpdateLeadOptions {
  fields: NormalisedLeadUpdate;
  /** Sets a status override (with its reason); `null` removes it; absent leaves it alone. */
  statusOverride?: StatusOverride | null;
  /**
   * A follow-up time set by a person, which replaces the pending reminder; `null` clears it (no
   * reminder); absent leaves it alone.
   */
  followUpAt?: Date | null;
  /** Who is changing the lead, as recorded with a status override (see actorLabel). */
  actor: string;
}

/**
 * Changes a lead. Changing a field that scoring reads, or removing a status override, enqueues a
 * new scoring in the same commit. Setting an override sets `status` at once, and a lead overridden
 * to HOT without an owner gets one by round-robin as if scoring had made it HOT. A new followUpAt
 * reschedules the reminder (null cancels it). An erased lead is refused with LeadErasedError.
 */
export async function updateLead(
  dependencies: LeadWriteDependencies,
  leadId: string,
  options: UpdateLeadOptions,
): Promise<void> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  const override = options.statusOverride;
  const data: Prisma.LeadUpdateInput = { ...options.fields };
  const followUpAt = options.followUpAt;
  if (followUpAt !== undefined) data.followUpAt = followUpAt;
  if (override) {
    Object.assign(data, {
      status: override.status,
      statusOverride: override.status,
      statusOverrideReason: override.reason,
      statusOverrideBy: options.actor,
      statusOverrideAt: new Date(),
    });
  } else if (override === null) {
    // The status keeps the overridden class until the rescore enqueued below commits.
    Object.assign(data, {
      statusOverride: null,
      statusOverrideReason: null,
      statusOverrideBy: null,
      statusOverrideAt: null,
    });
  }
  const rescore = override === null || scoringFields.some((name) => name in options.fields);
  try {
    await dependencies.prisma.$transaction(async (tx) => {
      // erasedAt in the condition: an erasure committing meanwhile makes this update match nothing.
      await tx.lead.update({ where: { id: leadId, erasedAt: null }, data, select: { id: true } });
      if (followUpAt !== undefined) {
        await rescheduleFollowUp(tx, dependencies.jobs, leadId, followUpAt);
      }
      // The update above holds the row locked, as scoring does before it assigns owners.
      if (override) {
        await assignOwnersOnClassChange(tx, dependencies.jobs, [
          { leadId, status: override.status },
        ]);
      }
      if (rescore) await enqueueScoring(dependencies.jobs, tx, leadId);
      await publishEvent(tx, { type: 'lead.changed', leadId, change: 'updated' });
    });
  } catch (error) {
    if (isNotFound(error)) throw await missingOrErased(dependencies.prisma, leadId);
    if (isUniqueViolation(error)) {
      throw new ValidationError([
        {
          path: 'email',
          message: 'Another lead already has this email',
          translations: { 'pt-BR': 'Outro lead já tem este e-mail' },
        },
      ]);
    }
    throw error;
  }
}

/** Why a write found no lead to change: it does not exist, or it was erased. */
async function missingOrErased(prisma: PrismaClient, leadId: string): Promise<AppError> {
  const lead = await prisma.lead.findUnique({ where: { id: leadId }, select: { erasedAt: true } });
  return lead?.erasedAt ? new LeadErasedError(leadId) : new LeadNotFoundError(leadId);
}

/** Deletes a lead and its submission history. */
export async function deleteLead(
  dependencies: LeadWriteDependencies,
  leadId: string,
): Promise<void> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  try {
    await dependencies.prisma.$transaction(async (tx) => {
      await tx.lead.delete({ where: { id: leadId }, select: { id: true } });
      await publishEvent(tx, { type: 'lead.changed', leadId, change: 'deleted' });
    });
  } catch (error) {
    if (isNotFound(error)) throw new LeadNotFoundError(leadId);
    throw error;
  }
}

/**
 * Enqueues a new scoring of the lead with the active rule set. Nothing about the lead changes
 * until the job commits, which then publishes its 'scored' event; so this publishes none. An
 * erased lead is refused: scoring leaves erased leads alone (see scoring.ts).
 */
export async function rescoreLead(
  dependencies: LeadWriteDependencies,
  leadId: string,
): Promise<void> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  await dependencies.prisma.$transaction(async (tx) => {
    // FOR SHARE: a delete running at the same time waits for this commit, so the job is never
    // enqueued for a lead that this call saw but that is already gone.
    const [found] = await tx.$queryRaw<{ erased: boolean }[]>`
      SELECT "erasedAt" IS NOT NULL AS erased FROM "leads" WHERE "id" = ${leadId}::uuid FOR SHARE`;
    if (!found) throw new LeadNotFoundError(leadId);
    if (found.erased) throw new LeadErasedError(leadId);
    await enqueueScoring(dependencies.jobs, tx, leadId);
  });
}

const settledStates = new Set(['completed', 'failed', 'cancelled']);
const scoringPollMs = 50;

/**
 * Resolves true once every given scoring job has finished (or is gone), false after `timeoutMs`.
 *
 * It watches the jobs rather than the lead's 'scored' event: a scoring whose result did not change
 * writes nothing and publishes no event (a merge that changed nothing scoring reads), so only the
 * job says it is done. A finished job has committed its scoring, so the lead read next is scored.
 */
export async function waitForScoring(
  jobs: PgBoss,
  jobIds: readonly string[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...jobIds];
  for (;;) {
    const found = await Promise.all(waiting.map((id) => jobs.findJobs(scoreLeadQueue, { id })));
    waiting = waiting.filter((_id, index) =>
      found[index]!.some((job) => !settledStates.has(job.state)),
    );
    if (waiting.length === 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await setTimeout(Math.min(scoringPollMs, left));
  }
}

/** `updateLead`'s input as received: lead fields plus the status override and follow-up. */
export interface LeadUpdateRequest extends Record<string, unknown> {
  followUpAt?: Date | null;
  statusOverride?: LeadStatus | null;
  statusOverrideReason?: string | null;
  clearStatusOverride?: boolean | null;
}

const REASON_MAX = 1_000;

/**
 * Validates an update: lead fields through parseLeadUpdateInput, plus the override rules (a class
 * other than PROCESSING, a reason with it, not set and cleared at once). All messages at once.
 */
export function parseLeadUpdate(
  request: LeadUpdateRequest,
):
  { ok: true; value: Omit<UpdateLeadOptions, 'actor'> } | { ok: false; fieldErrors: FieldError[] } {
  const { statusOverride, statusOverrideReason, clearStatusOverride, followUpAt, ...fields } =
    request;
  const override = parseStatusOverride(statusOverride, statusOverrideReason, clearStatusOverride);
  const followUp = followUpAt === undefined ? undefined : parseFollowUpAt(followUpAt);
  const fieldErrors = override.ok ? [] : [...override.fieldErrors];
  if (followUp && !followUp.ok) fieldErrors.push(...followUp.fieldErrors);
  const otherGiven = (override.ok && override.value !== undefined) || followUp !== undefined;
  const fieldsGiven = Object.values(fields).some((value) => value !== undefined);

  let changes: NormalisedLeadUpdate = {};
  if (fieldsGiven || !otherGiven) {
    const parsed = parseLeadUpdateInput(fields);
    if (parsed.ok) changes = parsed.value;
    // "Change at least one field" is wrong when only the override is refused.
    else if (fieldsGiven || override.ok) fieldErrors.push(...parsed.fieldErrors);
  }
  if (fieldErrors.length > 0 || !override.ok || (followUp && !followUp.ok)) {
    return { ok: false, fieldErrors };
  }
  return {
    ok: true,
    value: {
      fields: changes,
      statusOverride: override.value,
      ...(followUp ? { followUpAt: followUp.value } : {}),
    },
  };
}

function parseStatusOverride(
  status: LeadStatus | null | undefined,
  reason: string | null | undefined,
  clear: boolean | null | undefined,
):
  | { ok: true; value: StatusOverride | null | undefined }
  | { ok: false; fieldErrors: FieldError[] } {
  const text = reason?.trim() ?? '';
  // Worded in Portuguese too: the class is set by hand in the dashboard, mostly in Portuguese.
  const fail = (path: string, message: string, portuguese: string) => ({
    ok: false as const,
    fieldErrors: [{ path, message, translations: { 'pt-BR': portuguese } }],
  });
  if (status == null) {
    if (text !== '') {
      return fail(
        'statusOverrideReason',
        'A reason goes with a status override',
        'O motivo acompanha uma classificação manual',
      );
    }
    return { ok: true, value: clear === true ? null : undefined };
  }
  if (clear === true) {
    return fail(
      'clearStatusOverride',
      'Either set a status override or clear it, not both',
      'Defina a classificação manual ou remova-a, não as duas coisas',
    );
  }
  if (status === 'PROCESSING') {
    return fail('statusOverride', 'Choose HOT, WARM or COLD', 'Escolha quente, morno ou frio');
  }
  if (text === '') {
    return fail(
      'statusOverrideReason',
      'Say why the status is set by hand',
      'Diga por que a classificação é definida à mão',
    );
  }
  if ([...text].length > REASON_MAX) {
    return fail(
      'statusOverrideReason',
      `Reason must be at most ${REASON_MAX.toLocaleString('en-US')} characters`,
      `O motivo pode ter no máximo ${REASON_MAX.toLocaleString('pt-BR')} caracteres`,
    );
  }
  return { ok: true, value: { status, reason: text } };
}
