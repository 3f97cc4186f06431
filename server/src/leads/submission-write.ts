// The write behind every intake (GraphQL, webhooks, forms): ingest is the hot path, so it is one
// statement on a plain node-postgres connection. Through Prisma it took eight statements at
// 0.5–1.5 ms of client CPU each (measured in `pnpm bench`'s profile); then BEGIN, our statement,
// pg-boss's send and COMMIT took four round trips and a fresh parse of pg-boss's insert for every
// lead. Now one named statement upserts the lead, stores the submission and its consent, inserts
// the scoring job with pg-boss's own SQL and publishes the event.
import { createHash } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
// pg-boss's statement builders: the same SQL its send() runs (pg-boss is pinned to one version;
// submission-write.test.ts compares a job written here with one sent through pg-boss).
import { insertJobs, notifyChannelSql } from 'pg-boss/dist/plans.js';
import type pg from 'pg';
import { eventsChannel } from '../events.ts';
import { jobsSchema } from '../jobs.ts';
import { withRequestId } from '../observability/request-context.ts';
import { queuedScoringJobIds, scoreLeadQueue } from '../scoring/scoring.ts';
import type { SubmissionChannel } from '../generated/prisma/enums.ts';
import type { ConsentRecord } from '../privacy/consent.ts';
import type { NormalisedAttribution, NormalisedLeadInput } from './lead-input.ts';
import { uuidV7 } from './lead-ids.ts';

/** One submission as written: the lead's fields and everything stored beside them. */
export interface SubmissionRow {
  input: NormalisedLeadInput;
  /** The input exactly as received, stored as JSON. */
  raw: unknown;
  channel: SubmissionChannel;
  idempotencyKey: string | null;
  payloadHash: string;
  consent: ConsentRecord | null;
  attribution: NormalisedAttribution;
}

export interface WrittenSubmission {
  leadId: string;
  submissionId: string;
  /** False when the submission merged into the lead that already had its email. */
  created: boolean;
  /** With `withScoringJobs`: its own scoring job and the lead's others not started when read just after the commit. */
  scoringJobIds: string[];
}

// The lead upsert is one statement so that two submissions of a new email at once cannot both
// insert: the later one waits on the unique index and turns into the update. `xmax = 0` holds
// only for a row this statement inserted (an updated row carries the updating transaction's id).
// The NOTIFY payload is the one serializeEvent writes for a 'lead.changed' event; PostgreSQL
// delivers it at commit, with the scoring job (inserted at `/* job */`) already there. `notified`
// is a plain SELECT, which PostgreSQL runs only when the final SELECT reads it.
const writeSubmissionSql = `
  WITH lead AS (
    INSERT INTO "leads" AS lead
      ("id", "name", "email", "phone", "origin", "interest", "approximateIncome", "city", "notes",
       "updatedAt")
    VALUES ($1::uuid, $2, $3, $4, $5::"LeadOrigin", $6, $7::numeric, $8, $9, now())
    ON CONFLICT ("email") DO UPDATE SET
      "name" = EXCLUDED."name",
      "origin" = EXCLUDED."origin",
      "phone" = coalesce(EXCLUDED."phone", lead."phone"),
      "interest" = coalesce(EXCLUDED."interest", lead."interest"),
      "approximateIncome" = coalesce(EXCLUDED."approximateIncome", lead."approximateIncome"),
      "city" = coalesce(EXCLUDED."city", lead."city"),
      "notes" = coalesce(EXCLUDED."notes", lead."notes"),
      "updatedAt" = now()
    RETURNING "id", (xmax = 0) AS "inserted"
  ),
  submission AS (
    INSERT INTO "lead_submissions"
      ("id", "leadId", "channel", "payload", "createdLead", "idempotencyKey", "payloadHash",
       "utmSource", "utmMedium", "utmCampaign", "utmTerm", "utmContent", "landingPage", "referrer")
    SELECT $10::uuid, lead."id", $11::"SubmissionChannel", $12::jsonb, lead."inserted", $13, $14,
      $15, $16, $17, $18, $19, $20, $21
    FROM lead
    RETURNING "id"
  ),
  consent AS (
    INSERT INTO "lead_consents" ("id", "leadId", "submissionId", "givenAt", "source", "textVersion")
    SELECT $22::uuid, lead."id", submission."id", $23::timestamptz, $24, $25
    FROM lead, submission
    WHERE $23::timestamptz IS NOT NULL
  ),
  notified AS (
    SELECT pg_notify($26, json_build_object(
      'type', 'lead.changed',
      'leadId', lead."id",
      'change', CASE WHEN lead."inserted" THEN 'created' ELSE 'merged' END)::text)
    FROM lead
  )
  /* job */
  SELECT lead."id" AS "leadId", submission."id" AS "submissionId", lead."inserted" AS "created",
    (SELECT count(*) FROM notified) AS "notified" /* job columns */
  FROM lead, submission`;

function parametersOf(row: SubmissionRow): unknown[] {
  const { input, attribution, consent } = row;
  return [
    uuidV7(),
    input.name,
    input.email,
    input.phone,
    input.origin,
    input.interest,
    input.approximateIncome,
    input.city,
    input.notes,
    uuidV7(),
    row.channel,
    JSON.stringify(row.raw),
    row.idempotencyKey,
    row.payloadHash,
    attribution.utmSource,
    attribution.utmMedium,
    attribution.utmCampaign,
    attribution.utmTerm,
    attribution.utmContent,
    attribution.landingPage,
    attribution.referrer,
    uuidV7(),
    consent?.givenAt ?? null,
    consent?.source ?? null,
    consent?.textVersion ?? null,
    eventsChannel,
  ];
}

/**
 * Writes one submission and enqueues its scoring in one statement, so in one transaction: a
 * commit carries the lead, the submission, its consent, the scoring job and the event; a failure
 * none of them.
 */
export async function writeSubmission(
  pool: pg.Pool,
  jobs: PgBoss,
  row: SubmissionRow,
  options: { withScoringJobs: boolean },
): Promise<WrittenSubmission> {
  const { rows } = await pool.query<
    Omit<WrittenSubmission, 'scoringJobIds'> & { jobId: string | null }
  >({
    ...(await writeSubmissionStatement(jobs)),
    values: [...parametersOf(row), JSON.stringify(withRequestId({}))],
  });
  const [result] = rows;
  if (!result) throw new Error('the submission write returned no row');
  const { jobId, ...written } = result;
  if (!options.withScoringJobs) return { ...written, scoringJobIds: [] };
  // Read after the commit: a job of an earlier submission may have started meanwhile (then it is
  // running, not queued), but this submission's own job is always among them.
  const queued = await queuedScoringJobIds(jobs, written.leadId);
  const own = jobId === null ? [] : [jobId];
  return { ...written, scoringJobIds: [...new Set([...own, ...queued])] };
}

interface NamedStatement {
  name: string;
  text: string;
}

const statements = new WeakMap<PgBoss, Promise<NamedStatement>>();

/**
 * The submission write with the scoring job's insert as one more CTE: pg-boss's own statement for
 * the queue (from its plans, as `send` runs it), reading the job from the lead the statement just
 * wrote, and pg-boss's wake-up NOTIFY when the queue has one. Built once per PgBoss: it depends on
 * the queue's table, which pg-boss chooses when it creates the queue.
 */
function writeSubmissionStatement(jobs: PgBoss): Promise<NamedStatement> {
  let statement = statements.get(jobs);
  if (!statement) {
    statement = buildWriteSubmissionStatement(jobs);
    statements.set(jobs, statement);
    statement.catch(() => statements.delete(jobs));
  }
  return statement;
}

async function buildWriteSubmissionStatement(jobs: PgBoss): Promise<NamedStatement> {
  const queue = (await jobs.getQueue(scoreLeadQueue)) as {
    table?: string;
    notify?: boolean;
  } | null;
  if (!queue?.table) throw new Error(`the ${scoreLeadQueue} queue does not exist`);
  // The job's data is ScoreLeadJob plus what the request context adds ($27, e.g. the request id).
  const jobsJson = `(SELECT json_build_array(json_build_object(
      'data', jsonb_build_object('leadId', lead."id") || $27::jsonb)) FROM lead)::text`;
  const insertJob = insertJobs(jobsSchema, {
    table: queue.table,
    name: scoreLeadQueue,
    returnId: true,
    notify: false,
  }).replace('$1', () => jobsJson);
  const wakeWorkers = queue.notify
    ? `, job_notified AS (
        SELECT pg_notify(${notifyChannelSql(jobsSchema)}, '${scoreLeadQueue}') FROM job LIMIT 1)`
    : '';
  const jobColumns = `, (SELECT "id" FROM job) AS "jobId"${queue.notify ? ', (SELECT count(*) FROM job_notified) AS "jobNotified"' : ''}`;
  // Function replacers: a string one would read `$&` or `$'` in pg-boss's SQL as patterns.
  const text = writeSubmissionSql
    .replace('/* job */', () => `, job AS (${insertJob})${wakeWorkers}`)
    .replace('/* job columns */', () => jobColumns);
  // Named by its text: parsed and planned once per connection, and a statement built for another
  // queue table (another PgBoss on the same pool) gets a name of its own.
  return {
    name: `streamleads.write-submission.${createHash('sha1').update(text).digest('hex')}`,
    text,
  };
}
