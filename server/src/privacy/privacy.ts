// LGPD data subject rights over one lead: access (exportLeadData, art. 18 II) and erasure
// (eraseLead, art. 18 VI). Both are recorded in the audit log with ids and counts only.
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { recordAudit, type AuditActor } from '../access/audit.ts';
import type { PrismaClient, Transaction } from '../db.ts';
import { publishEvent } from '../events.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { jobsSchema } from '../jobs.ts';
import { hashPayload, isLeadId, LeadNotFoundError } from '../leads/leads.ts';
import { bilingual } from '../localization/catalog.ts';
import { leaveAudiences } from '../automations/remarketing/remarketing.ts';

/** What the export and the erasure need. */
export interface PrivacyDependencies {
  prisma: PrismaClient;
}

/** Bumped when the export's shape changes incompatibly, so a reader can tell versions apart. */
export const leadExportFormatVersion = 1;

/**
 * Everything held about a lead, as plain JSON: its fields, score and explanation, every
 * submission as received, its consents, its automation runs with their payloads and errors, and
 * the emails sent to it. Read in one snapshot, and recorded in the audit log in the same
 * transaction: no export leaves without its audit entry.
 */
export async function exportLeadData(
  dependencies: PrivacyDependencies,
  actor: AuditActor,
  leadId: string,
): Promise<Record<string, unknown>> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  return dependencies.prisma.$transaction(
    async (tx) => {
      // One query at a time: Prisma runs a relation include's queries concurrently, and a
      // transaction's single connection would queue them anyway (pg deprecates that).
      const fields = await tx.lead.findUnique({ where: { id: leadId } });
      if (!fields) throw new LeadNotFoundError(leadId);
      const ruleSet = fields.scoredWithId
        ? await tx.scoringRuleSet.findUnique({
            where: { id: fields.scoredWithId },
            select: { version: true },
          })
        : null;
      const order = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
      const submissions = await tx.leadSubmission.findMany({ where: { leadId }, orderBy: order });
      const consents = await tx.leadConsent.findMany({
        where: { leadId },
        orderBy: [{ givenAt: 'asc' }, { id: 'asc' }],
      });
      const automationRuns = await tx.automationRun.findMany({ where: { leadId }, orderBy: order });
      const emails = await tx.emailMessage.findMany({
        where: { leadId },
        orderBy: [{ sentAt: 'asc' }, { id: 'asc' }],
      });
      const stageChanges = await tx.leadStageChange.findMany({
        where: { leadId },
        orderBy: [{ changedAt: 'asc' }, { id: 'asc' }],
      });
      await recordAudit(tx, actor, {
        action: 'lead.export',
        target: { type: 'lead', id: leadId },
        details: {
          submissions: submissions.length,
          consents: consents.length,
          automationRuns: automationRuns.length,
          emails: emails.length,
        },
      });
      return toJson({
        formatVersion: leadExportFormatVersion,
        exportedAt: new Date(),
        lead: {
          id: fields.id,
          name: fields.name,
          email: fields.email,
          phone: fields.phone,
          origin: fields.origin,
          interest: fields.interest,
          approximateIncome: fields.approximateIncome?.toFixed(2) ?? null,
          city: fields.city,
          notes: fields.notes,
          followUpAt: fields.followUpAt,
          unsubscribedAt: fields.unsubscribedAt,
          createdAt: fields.createdAt,
          updatedAt: fields.updatedAt,
          erasedAt: fields.erasedAt,
        },
        scoring: {
          score: fields.score,
          status: fields.status,
          processedAt: fields.processedAt,
          ruleSetVersion: ruleSet?.version ?? null,
          explanation: fields.scoreExplanation,
          statusOverride: fields.statusOverride,
          statusOverrideReason: fields.statusOverrideReason,
          statusOverrideBy: fields.statusOverrideBy,
          statusOverrideAt: fields.statusOverrideAt,
        },
        pipeline: {
          stage: fields.stage,
          lostReason: fields.lostReason,
          stageChangedAt: fields.stageChangedAt,
          firstContactedAt: fields.firstContactedAt,
          ownerId: fields.ownerId,
          ownerAssignedAt: fields.ownerAssignedAt,
          stageChanges: stageChanges.map((change) => ({
            from: change.fromStage,
            to: change.toStage,
            lostReason: change.lostReason,
            by: change.actorLabel,
            at: change.changedAt,
          })),
        },
        submissions: submissions.map((submission) => ({
          id: submission.id,
          channel: submission.channel,
          receivedAt: submission.createdAt,
          createdLead: submission.createdLead,
          idempotencyKey: submission.idempotencyKey,
          payload: submission.payload,
        })),
        consents: consents.map((consent) => ({
          id: consent.id,
          submissionId: consent.submissionId,
          givenAt: consent.givenAt,
          source: consent.source,
          textVersion: consent.textVersion,
          recordedAt: consent.createdAt,
        })),
        automationRuns: automationRuns.map((run) => ({
          id: run.id,
          action: run.action,
          trigger: run.trigger,
          state: run.state,
          attempts: run.attempts,
          maxAttempts: run.maxAttempts,
          lastError: run.lastError,
          responseStatus: run.responseStatus,
          skipReason: run.skipReason,
          deliveryId: run.deliveryId,
          payload: run.payload,
          createdAt: run.createdAt,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          nextAttemptAt: run.nextAttemptAt,
        })),
        emailsSent: emails.map((email) => ({
          id: email.id,
          automationRunId: email.runId,
          sentAt: email.sentAt,
          template: email.templateKey,
          locale: email.locale,
          to: email.toAddress,
          from: email.fromAddress,
          subject: email.subject,
          messageId: email.messageId,
          smtpResponse: email.smtpResponse,
          // The guide generated for the person is theirs; an uploaded file is the same for all.
          attachment:
            email.attachmentName === null
              ? null
              : {
                  name: email.attachmentName,
                  size: email.attachmentSize,
                  contentBase64: email.attachmentContent
                    ? Buffer.from(email.attachmentContent).toString('base64')
                    : null,
                },
        })),
      });
    },
    // One snapshot: a submission or scoring committing halfway through cannot split the export.
    { isolationLevel: 'RepeatableRead' },
  );
}

// Dates become ISO strings and undefined keys disappear, as in any JSON the client receives.
function toJson(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** The name an erased lead keeps: shown in lists, counts and the audit trail, identifying no one. */
export const erasedLeadName = 'Erased lead';

/**
 * The email an erased lead keeps. Unique (the column is) and lower-case (a CHECK holds it), at
 * the reserved `.invalid` domain, which intake refuses: no submission can merge into it, so the
 * person's next submission creates a new lead.
 */
export function erasedLeadEmail(leadId: string): string {
  return `erased-${leadId.toLowerCase()}@erased.invalid`;
}

/** The skip reason of runs that were still to be delivered when their lead was erased. */
export const erasedRunSkipReason = bilingual(
  "The lead's personal data was erased",
  'Os dados pessoais do lead foram apagados',
);

/** A consent source that named the person is replaced by this. */
const erasedText = '[erased]';

/** What eraseLead changed, as counted in its audit entry. */
export interface ErasureCounts {
  submissions: number;
  consents: number;
  automationRuns: number;
  jobs: number;
  rescoreRuns: number;
  /** True when the lead had been erased before: this call only swept again. */
  alreadyErased: boolean;
}

// Rewriting every submission, run and job row of a lead with a long history, and scanning the job
// table (its JSON has no index), can take longer than Prisma's 5 second default.
const ERASE_TRANSACTION = { maxWait: 10_000, timeout: 60_000 };

/**
 * Irreversibly removes a lead's personal data, in one transaction:
 * - the lead keeps its id, origin, score, status (and override), timestamps and rule set version,
 *   so every count and statistic stays true; name and email become placeholders, every other
 *   personal field (and the score explanation, which quotes them) is cleared;
 * - submissions keep channel, time and UTM parameters; their payload becomes `{}`, their
 *   idempotency key goes, and their landing page and referrer lose query and fragment;
 * - consents keep when and which text version (the proof that consent was given is not personal
 *   data once nobody can be linked to it); a source URL loses its query and fragment, and a source
 *   that still names the person becomes `[erased]`;
 * - automation runs keep action, trigger, state and counts; their payload (the lead snapshot) and
 *   last error (which may echo a receiver's answer) are cleared, and runs still to be delivered
 *   are SKIPPED: there is no one left to notify about;
 * - emails sent keep template and time; the email_messages trigger, fired by erasedAt, clears
 *   address, subject, server answer and generated attachment;
 * - pg-boss rows about the lead or its runs lose their output, which may quote an error;
 * - bulk rescore filters whose search text named the person lose that text.
 * Safe to run again: it sweeps the same places and keeps the first erasedAt.
 */
export async function eraseLead(
  dependencies: PrivacyDependencies,
  actor: AuditActor,
  leadId: string,
): Promise<ErasureCounts> {
  if (!isLeadId(leadId)) throw new LeadNotFoundError(leadId);
  return dependencies.prisma.$transaction(async (tx) => {
    // FOR UPDATE: a scoring or update of this lead waits for the erasure, then finds it erased.
    const [lead] = await tx.$queryRaw<
      { name: string; email: string; phone: string | null; erasedAt: Date | null }[]
    >`
      SELECT name, email, phone, "erasedAt" FROM leads WHERE id = ${leadId}::uuid FOR UPDATE`;
    if (!lead) throw new LeadNotFoundError(leadId);
    const identifiers = identifiersOf(lead);
    const now = new Date();

    await tx.lead.update({
      where: { id: leadId },
      data: {
        name: erasedLeadName,
        email: erasedLeadEmail(leadId),
        phone: null,
        interest: null,
        approximateIncome: null,
        city: null,
        notes: null,
        statusOverrideReason: null,
        scoreExplanation: Prisma.DbNull,
        // A reminder about nobody: followUpDue finds no due follow-up and sends nothing.
        followUpAt: null,
        erasedAt: lead.erasedAt ?? now,
      },
      select: { id: true },
    });

    const submissions = await tx.leadSubmission.updateMany({
      where: { leadId },
      // The hash of the payload now stored, so payloadHash keeps meaning what it says.
      data: { payload: {}, idempotencyKey: null, payloadHash: hashPayload({}) },
    });
    // Landing page and referrer URLs keep site and path (conversion by page) but lose query and
    // fragment, which may carry the person's email or a click id; UTM parameters stay.
    await tx.$executeRaw`
      UPDATE "lead_submissions"
      SET "landingPage" = substring("landingPage" from '^[^?#]*'),
          "referrer" = substring("referrer" from '^[^?#]*')
      WHERE "leadId" = ${leadId}::uuid AND ("landingPage" ~ '[?#]' OR "referrer" ~ '[?#]')`;

    const consents = await scrubConsents(tx, leadId, identifiers);
    // Erasure is an opt-out too: no remarketing file made from now on lists the person.
    await leaveAudiences(tx, leadId, 'erased');

    await tx.automationRun.updateMany({
      where: { leadId, state: { in: ['PENDING', 'FAILED'] } },
      data: {
        state: 'SKIPPED',
        skipReason: erasedRunSkipReason,
        nextAttemptAt: null,
        finishedAt: now,
      },
    });
    // Only runs still holding something, so erasing again leaves them (and updatedAt) alone.
    await tx.automationRun.updateMany({
      where: { leadId, OR: [{ lastError: { not: null } }, { NOT: { payload: { equals: {} } } }] },
      data: { payload: {}, lastError: null },
    });
    const runIds = (
      await tx.automationRun.findMany({ where: { leadId }, select: { id: true } })
    ).map((run) => run.id);

    const jobs = await scrubJobs(tx, leadId, runIds);
    const rescoreRuns = await scrubRescoreFilters(tx, identifiers);

    await publishEvent(tx, { type: 'lead.changed', leadId, change: 'updated' });
    const counts: ErasureCounts = {
      submissions: submissions.count,
      consents,
      automationRuns: runIds.length,
      jobs,
      rescoreRuns,
      alreadyErased: lead.erasedAt !== null,
    };
    await recordAudit(tx, actor, {
      action: 'lead.erase',
      target: { type: 'lead', id: leadId },
      details: { ...counts },
    });
    return counts;
  }, ERASE_TRANSACTION);
}

/** The forms in which the person's data can appear in free text, lower-case. */
interface Identifiers {
  texts: string[];
  /** Phone digits (international and national), matched against the digits of a text. */
  digits: string[];
}

function identifiersOf(lead: { name: string; email: string; phone: string | null }): Identifiers {
  const digits: string[] = [];
  if (lead.phone) {
    digits.push(lead.phone.replace(/\D/g, ''));
    try {
      digits.push(parsePhoneNumberWithError(lead.phone).nationalNumber);
    } catch {
      // Stored phones are E.164 from normalisePhone; one that no longer parses keeps its digits.
    }
  }
  return {
    texts: [lead.name, lead.email].map((text) => text.toLowerCase()),
    digits: digits.filter((number) => number.length >= 8),
  };
}

function mentions(text: string, identifiers: Identifiers): boolean {
  const lower = text.toLowerCase();
  const digits = text.replace(/\D/g, '');
  return (
    identifiers.texts.some((identifier) => lower.includes(identifier)) ||
    identifiers.digits.some((number) => digits.includes(number))
  );
}

/** A consent source without what could name the person (see eraseLead). */
function erasedConsentText(text: string, identifiers: Identifiers): string {
  let kept = text;
  if (/^https?:\/\//i.test(text) && URL.canParse(text)) {
    const url = new URL(text);
    kept = `${url.origin}${url.pathname}`;
  }
  return mentions(kept, identifiers) ? erasedText : kept;
}

async function scrubConsents(
  tx: Transaction,
  leadId: string,
  identifiers: Identifiers,
): Promise<number> {
  const consents = await tx.leadConsent.findMany({
    where: { leadId },
    select: { id: true, source: true, textVersion: true },
  });
  for (const consent of consents) {
    const source = erasedConsentText(consent.source, identifiers);
    const textVersion = mentions(consent.textVersion, identifiers)
      ? erasedText
      : consent.textVersion;
    if (source === consent.source && textVersion === consent.textVersion) continue;
    await tx.leadConsent.update({
      where: { id: consent.id },
      data: { source, textVersion },
      select: { id: true },
    });
  }
  return consents.length;
}

/**
 * Job payloads carry ids only (scoring: leadId or leadIds, automations: runId, follow-ups:
 * leadId), but a job's output may quote an error message, and pg-boss copies it to
 * source_output of a dead-letter job. Those are cleared for every job about the lead or its runs.
 */
async function scrubJobs(tx: Transaction, leadId: string, runIds: string[]): Promise<number> {
  return tx.$executeRaw`
    UPDATE ${Prisma.raw(`${jobsSchema}.job`)}
    SET output = NULL, source_output = NULL
    WHERE (output IS NOT NULL OR source_output IS NOT NULL)
      AND (
        data->>'leadId' = ${leadId}
        OR data->'leadIds' @> to_jsonb(${leadId}::text)
        OR data->>'runId' = ANY(${runIds}::text[])
      )`;
}

/**
 * A bulk rescore stores its filter, and its search text may be the person's email or phone (the
 * audit entry of a rescore leaves it out for that reason). Such a search becomes `[erased]`.
 */
async function scrubRescoreFilters(tx: Transaction, identifiers: Identifiers): Promise<number> {
  const searched = await tx.$queryRaw<{ id: string; search: string }[]>`
    SELECT id::text, filter->>'search' AS search FROM rescore_runs
    WHERE filter->>'search' IS NOT NULL`;
  const ids = searched.filter((run) => mentions(run.search, identifiers)).map((run) => run.id);
  if (ids.length === 0) return 0;
  return tx.$executeRaw`
    UPDATE rescore_runs SET filter = jsonb_set(filter, '{search}', to_jsonb(${erasedText}::text))
    WHERE id = ANY(${ids}::uuid[])`;
}
