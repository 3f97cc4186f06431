// The submission write inserts the scoring job with pg-boss's own SQL inside our statement. These
// tests hold that to what pg-boss's send() writes, so a pg-boss upgrade that changes its job rows
// fails here instead of leaving leads with jobs the worker reads differently.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { runInContext } from '../observability/request-context.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';
import { createQueues } from '../worker.ts';
import { writeSubmission, type SubmissionRow } from './submission-write.ts';

let database: TestDatabase;
let jobs: PgBoss;

beforeAll(async () => {
  database = await createTestDatabase();
  jobs = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await jobs.start();
  await createQueues(jobs);
});

afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await database?.drop();
});

function submission(email: string): SubmissionRow {
  return {
    input: {
      name: 'Rita Lobo',
      email,
      phone: null,
      origin: 'SITE',
      interest: null,
      approximateIncome: null,
      city: null,
      notes: null,
    },
    raw: { email },
    channel: 'API',
    idempotencyKey: null,
    payloadHash: email,
    consent: null,
    attribution: {
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
      utmTerm: null,
      utmContent: null,
      landingPage: null,
      referrer: null,
    },
  };
}

// Every column of a job except those that differ from one job to the next.
async function jobRow(id: string): Promise<Record<string, unknown>> {
  const { rows } = await database.pool.query<Record<string, unknown>>(
    'SELECT * FROM pgboss.job WHERE id = $1',
    [id],
  );
  const { id: _id, data: _data, created_on, start_after, keep_until, ...rest } = rows[0]!;
  const at = (value: unknown) => (value as Date).getTime();
  return {
    ...rest,
    startsOnCreation: at(start_after) === at(created_on),
    keptFor: at(keep_until) - at(start_after),
  };
}

describe('writeSubmission', () => {
  it('writes the scoring job as pg-boss send() would, with the lead and the request id', async () => {
    const written = await runInContext({ requestId: 'request-1' }, () =>
      writeSubmission(database.pool, jobs, submission('rita@example.com'), {
        withScoringJobs: true,
      }),
    );
    expect(written.created).toBe(true);
    expect(written.scoringJobIds).toHaveLength(1);
    const [jobId] = written.scoringJobIds;

    const sentId = await runInContext({ requestId: 'request-1' }, () =>
      jobs.send(scoreLeadQueue, { leadId: written.leadId }),
    );
    expect(await jobRow(jobId!)).toEqual(await jobRow(sentId!));
    const { rows } = await database.pool.query<{ data: unknown }>(
      'SELECT data FROM pgboss.job WHERE id = ANY($1::uuid[]) ORDER BY created_on',
      [[jobId, sentId]],
    );
    expect(rows.map((row) => row.data)).toEqual([
      { leadId: written.leadId, requestId: 'request-1' },
      { leadId: written.leadId, requestId: 'request-1' },
    ]);
  });

  it('gives a merged submission a job for the lead that already had the email', async () => {
    const first = await writeSubmission(database.pool, jobs, submission('ana@example.com'), {
      withScoringJobs: false,
    });
    const second = await writeSubmission(database.pool, jobs, submission('ana@example.com'), {
      withScoringJobs: true,
    });
    expect(second).toMatchObject({ leadId: first.leadId, created: false });
    // Both jobs wait for the worker: the earlier one and this submission's own.
    expect(second.scoringJobIds).toHaveLength(2);
    const { rows } = await database.pool.query<{ leadId: string }>(
      `SELECT data->>'leadId' AS "leadId" FROM pgboss.job WHERE id = ANY($1::uuid[])`,
      [second.scoringJobIds],
    );
    expect(rows.map((row) => row.leadId)).toEqual([first.leadId, first.leadId]);
  });

  it('leaves nothing behind when the statement fails', async () => {
    const before = await database.pool.query<{ count: string }>(
      `SELECT count(*) FROM pgboss.job WHERE name = $1`,
      [scoreLeadQueue],
    );
    const tooLong = { ...submission('long@example.com'), channel: 'NOT_A_CHANNEL' as 'API' };
    await expect(
      writeSubmission(database.pool, jobs, tooLong, { withScoringJobs: false }),
    ).rejects.toThrow();
    const after = await database.pool.query<{ count: string }>(
      `SELECT count(*) FROM pgboss.job WHERE name = $1`,
      [scoreLeadQueue],
    );
    expect(after.rows[0]!.count).toBe(before.rows[0]!.count);
    expect(await database.prisma.lead.count({ where: { email: 'long@example.com' } })).toBe(0);
  });
});
