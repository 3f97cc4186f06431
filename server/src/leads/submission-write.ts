// The write behind every intake (GraphQL, webhooks, forms): ingest is the hot path, so it runs
// on a plain node-postgres connection. Through Prisma it took eight statements at 0.5–1.5 ms of
// client CPU each (measured in `pnpm bench`'s profile), most of a createLead. Here one statement
// upserts the lead, stores the submission and its consent and publishes the event, and pg-boss
// adds the scoring job in the same transaction: BEGIN, two statements, COMMIT.
import type { Db, PgBoss } from 'pg-boss';
import type pg from 'pg';
import { eventsChannel } from '../events.ts';
import { enqueueScoringWith, queuedScoringJobIds } from '../scoring/scoring.ts';
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
  /** With `withScoringJobs`, the lead's scoring jobs not started at this commit, its own included. */
  scoringJobIds: string[];
}

// The lead upsert is one statement so that two submissions of a new email at once cannot both
// insert: the later one waits on the unique index and turns into the update. `xmax = 0` holds
// only for a row this statement inserted (an updated row carries the updating transaction's id).
// The NOTIFY payload is the one serializeEvent writes for a 'lead.changed' event; PostgreSQL
// delivers it at commit, after the scoring job below exists. `notified` is a plain SELECT, which
// PostgreSQL runs only when the final SELECT reads it.
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
  SELECT lead."id" AS "leadId", submission."id" AS "submissionId", lead."inserted" AS "created",
    (SELECT count(*) FROM notified) AS "notified"
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
 * Writes one submission and enqueues its scoring in one transaction: a commit carries the lead,
 * the submission, its consent, the scoring job and the event; a rollback none of them.
 */
export async function writeSubmission(
  pool: pg.Pool,
  jobs: PgBoss,
  row: SubmissionRow,
  options: { withScoringJobs: boolean },
): Promise<WrittenSubmission> {
  const client = await pool.connect();
  // A checked-out client has no listener of the pool's: an 'error' it emits between statements
  // (the server shutting down) would go unhandled and end the process. The statement that then
  // fails says why, and the broken client is dropped below.
  client.on('error', ignoreClientError);
  let released = false;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Omit<WrittenSubmission, 'scoringJobIds'>>({
      // Named: parsed and planned once per connection, not on every lead.
      name: 'streamleads.write-submission',
      text: writeSubmissionSql,
      values: parametersOf(row),
    });
    const written = rows[0];
    if (!written) throw new Error('the submission write returned no row');
    const db = clientExecutor(client);
    await enqueueScoringWith(jobs, db, written.leadId);
    const scoringJobIds = options.withScoringJobs
      ? await queuedScoringJobIds(jobs, written.leadId, db)
      : [];
    await client.query('COMMIT');
    return { ...written, scoringJobIds };
  } catch (error) {
    // A connection that failed mid-transaction is dropped rather than returned to the pool in an
    // unknown state; otherwise the rollback leaves it clean for the next request.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      client.release(rollbackError instanceof Error ? rollbackError : true);
      released = true;
    });
    throw error;
  } finally {
    client.off('error', ignoreClientError);
    if (!released) client.release();
  }
}

function ignoreClientError(): void {}

/** pg-boss's `db` option over one node-postgres connection: its statements join our transaction. */
function clientExecutor(client: pg.PoolClient): Db {
  return {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: (await client.query(text, values)).rows,
    }),
  };
}
