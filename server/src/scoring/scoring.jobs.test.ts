// The scoring workers against real PostgreSQL and pg-boss: scoring a lead, running it twice,
// a status override, a deleted lead, a failing write retried alone, and a bulk rescore of
// 10,000 leads through GraphQL with its progress.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startTestWorker } from '../../test/worker.ts';
import { startEventBus, type AppEvent, type EventBus } from '../events.ts';
import type { LeadOrigin, LeadStatus } from '../generated/prisma/enums.ts';
import { createLogger } from '../logger.ts';
import { rescoreBatch, rescoreBatchQueue, type RescoreBatchJob } from './rescore.ts';
import { ensureActiveRuleSet } from './rule-sets.ts';
import { defaultRuleSet } from './default-rule-set.ts';
import { scoreLead, type RuleSetInput, type ScoringLead } from './rules.ts';
import { scoringJobs } from './scoring.jobs.ts';
import { enqueueScoring, scoreLeadQueue } from './scoring.ts';

const logger = createLogger('silent');
let database: TestDatabase;
let app: TestApp;
/** The worker process: its own pg-boss with the scoring handlers registered. */
let worker: PgBoss;
let events: EventBus;
const received: AppEvent[] = [];
let bystander: { id: string; updatedAt: Date };

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  worker = await startTestWorker(database, [scoringJobs]);
  events = await startEventBus({ url: database.url, logger });
  events.subscribe((event) => received.push(event));
  // Never scored and never enqueued: no test may touch it.
  bystander = await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
    select: { id: true, updatedAt: true },
  });
});

afterAll(async () => {
  await events?.close();
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

const documentationLead = {
  name: 'Maria Souza',
  phone: '+5511999999999',
  origin: 'META_ADS' as LeadOrigin,
  interest: 'Apartamento para investimento',
  approximateIncome: '15000.00',
  city: 'São Paulo',
};

async function createLead(email: string, fields: Partial<typeof documentationLead> = {}) {
  return database.prisma.lead.create({ data: { ...documentationLead, ...fields, email } });
}

async function enqueue(leadId: string): Promise<void> {
  await database.prisma.$transaction((tx) => enqueueScoring(worker, tx, leadId));
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface JobRow {
  id: string;
  state: string;
  retry_count: number;
  output: Record<string, unknown> | null;
}

async function scoringJobsOf(leadId: string): Promise<JobRow[]> {
  return database.prisma.$queryRaw<JobRow[]>`
    SELECT id::text, state::text, retry_count, output FROM pgboss.job
    WHERE name = ${scoreLeadQueue} AND data->>'leadId' = ${leadId}
    ORDER BY created_on`;
}

const allCompleted = (rows: JobRow[]) =>
  rows.length > 0 && rows.every((row) => row.state === 'completed');

function scoredEvents(leadId: string): number {
  return received.filter(
    (event) =>
      event.type === 'lead.changed' && event.leadId === leadId && event.change === 'scored',
  ).length;
}

/** Waits until the events published by now have arrived (they travel over their own connection). */
async function settleEvents(): Promise<void> {
  const marker = crypto.randomUUID();
  await database.prisma.$executeRaw`SELECT pg_notify('streamleads_events', ${JSON.stringify({
    type: 'rescore.progress',
    runId: marker,
  })})`;
  await waitFor(
    () =>
      Promise.resolve(
        received.some((event) => event.type === 'rescore.progress' && event.runId === marker),
      ),
    Boolean,
  );
}

describe('scoring.score-lead', () => {
  it('scores a lead with the active version, stores its explanation and publishes one event', async () => {
    const version1 = await ensureActiveRuleSet(database.prisma);
    const lead = await createLead('maria@example.com');

    await enqueue(lead.id);
    await waitFor(() => scoringJobsOf(lead.id), allCompleted);

    const scored = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(scored).toMatchObject({ score: 37, status: 'HOT', scoredWithId: version1.id });
    expect(scored.processedAt).not.toBeNull();
    const explanation = scored.scoreExplanation as { ruleId: string; points: number }[];
    expect(explanation.map((entry) => [entry.ruleId, entry.points])).toEqual([
      ['required-fields', 10],
      ['high-ticket-interest', 15],
      ['served-region', 5],
      ['income', 7],
    ]);
    await settleEvents();
    expect(scoredEvents(lead.id)).toBe(1);
    const [job] = await scoringJobsOf(lead.id);
    expect(job!.output).toEqual({ outcome: 'scored', previousStatus: 'PROCESSING', status: 'HOT' });
    expect(await database.prisma.lead.findUnique({ where: { id: bystander.id } })).toMatchObject({
      status: 'PROCESSING',
      processedAt: null,
      updatedAt: bystander.updatedAt,
    });
  });

  it('writes nothing and publishes nothing when the same lead is scored again', async () => {
    const lead = await createLead('twice@example.com', { city: 'Manaus' });
    await enqueue(lead.id);
    await waitFor(() => scoringJobsOf(lead.id), allCompleted);
    const first = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } });

    await enqueue(lead.id);
    const jobs = await waitFor(
      () => scoringJobsOf(lead.id),
      (rows) => rows.length === 2 && allCompleted(rows),
    );

    const second = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(second).toEqual(first);
    expect(first).toMatchObject({ score: 32, status: 'HOT' });
    expect(jobs[1]!.output).toEqual({ outcome: 'unchanged', previousStatus: 'HOT', status: 'HOT' });
    await settleEvents();
    expect(scoredEvents(lead.id)).toBe(1);
  });

  it('keeps a status set by a person while updating the score and explanation', async () => {
    const lead = await database.prisma.lead.create({
      data: {
        ...documentationLead,
        email: 'override@example.com',
        status: 'COLD',
        statusOverride: 'COLD',
        statusOverrideReason: 'Asked not to be called',
      },
    });

    await enqueue(lead.id);
    const [job] = await waitFor(() => scoringJobsOf(lead.id), allCompleted);

    const scored = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(scored).toMatchObject({ score: 37, status: 'COLD', statusOverride: 'COLD' });
    expect(scored.scoreExplanation).toHaveLength(4);
    expect(job!.output).toEqual({ outcome: 'scored', previousStatus: 'COLD', status: 'COLD' });
  });

  it('completes the job of a lead deleted before its scoring', async () => {
    const lead = await createLead('gone@example.com');
    await database.prisma.lead.delete({ where: { id: lead.id } });

    await enqueue(lead.id);
    const [job] = await waitFor(() => scoringJobsOf(lead.id), allCompleted);

    expect(job).toMatchObject({ retry_count: 0, output: { outcome: 'deleted' } });
    expect(await database.prisma.lead.count({ where: { id: lead.id } })).toBe(0);
  });

  it('retries a lead whose write fails, without failing the rest of its batch', async () => {
    // A real failure inside PostgreSQL: the first two writes of this lead raise (the batch's
    // transaction, then the lead's own). A sequence, since its increments survive the rollback.
    await database.prisma.$executeRawUnsafe(`CREATE SEQUENCE flaky_writes`);
    await database.prisma.$executeRawUnsafe(`
      CREATE FUNCTION fail_flaky_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.email = 'flaky@example.com' THEN
          IF nextval('flaky_writes') <= 2 THEN
            RAISE EXCEPTION 'simulated transient failure';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await database.prisma.$executeRawUnsafe(`
      CREATE TRIGGER fail_flaky_writes BEFORE UPDATE OF score ON leads
      FOR EACH ROW EXECUTE FUNCTION fail_flaky_writes()`);
    try {
      const flaky = await createLead('flaky@example.com');
      const steady = await Promise.all(
        ['steady1@example.com', 'steady2@example.com', 'steady3@example.com'].map((email) =>
          createLead(email),
        ),
      );
      // One insert, so the worker fetches them together in one batch.
      await worker.insert(
        scoreLeadQueue,
        [flaky, ...steady].map((lead) => ({ data: { leadId: lead.id } })),
      );

      const flakyJobs = await waitFor(() => scoringJobsOf(flaky.id), allCompleted, 25_000);

      expect(flakyJobs).toMatchObject([{ retry_count: 1, output: { outcome: 'scored' } }]);
      for (const lead of steady) {
        expect(await scoringJobsOf(lead.id)).toMatchObject([
          { state: 'completed', retry_count: 0 },
        ]);
      }
      const leads = await database.prisma.lead.findMany({
        where: { id: { in: [flaky.id, ...steady.map((lead) => lead.id)] } },
      });
      expect(leads.map((lead) => lead.status)).toEqual(['HOT', 'HOT', 'HOT', 'HOT']);
      await settleEvents();
      expect(scoredEvents(flaky.id)).toBe(1);
    } finally {
      await database.prisma.$executeRawUnsafe(`DROP TRIGGER fail_flaky_writes ON leads`);
      await database.prisma.$executeRawUnsafe(`DROP FUNCTION fail_flaky_writes`);
      await database.prisma.$executeRawUnsafe(`DROP SEQUENCE flaky_writes`);
    }
  });
});

describe('rescoreLeads', () => {
  const LEADS = 10_000;
  const interests = ['Apartamento na praia', 'Casa de campo', 'Só olhando', null];
  const cities = ['São Paulo', 'Recife', 'Manaus', null];
  const incomes = [null, '3000.00', '5000.00', '10000.00', '20000.00', '1500.00'];

  function generatedLead(
    index: number,
  ): ScoringLead & { name: string; email: string; origin: LeadOrigin } {
    return {
      name: `Lead ${index}`,
      email: `lead${index}@example.com`,
      phone: index % 3 === 0 ? null : '+5511999999999',
      origin: 'GOOGLE_ADS',
      interest: interests[index % interests.length]!,
      approximateIncome: incomes[index % incomes.length]!,
      city: cities[Math.floor(index / 4) % cities.length]!,
    };
  }

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  interface RunView {
    id: string;
    state: string;
    total: number;
    processed: number;
    changed: number;
    finishedAt: string | null;
  }

  const readRun = async (id: string) =>
    (
      await graphql<{ rescoreRun: RunView }>(
        /* GraphQL */ `
          query Run($id: ID!) {
            rescoreRun(id: $id) {
              id
              state
              total
              processed
              changed
              finishedAt
            }
          }
        `,
        { id },
      )
    ).rescoreRun;

  it('rescores 10,000 leads in batches with visible progress, counting only class changes', async () => {
    const version1 = await ensureActiveRuleSet(database.prisma);
    // Every lead as version 1 left it; one HOT lead has a class set by a person.
    const rows = Array.from({ length: LEADS }, (_, index) => {
      const lead = generatedLead(index);
      const result = scoreLead(lead, defaultRuleSet);
      return {
        ...lead,
        score: result.score,
        status: result.status,
        statusOverride: null as LeadStatus | null,
        scoreExplanation: result.explanation,
        scoredWithId: version1.id,
        processedAt: new Date(),
      };
    });
    const overridden = rows.findIndex((row) => row.score >= 25 && row.score < 30);
    rows[overridden]!.statusOverride = 'HOT';
    for (let start = 0; start < LEADS; start += 2_000) {
      await database.prisma.lead.createMany({ data: rows.slice(start, start + 2_000) });
    }
    const outside = await database.prisma.lead.create({
      data: { ...rows[0]!, email: 'outside@example.com', origin: 'REFERRAL' },
    });

    // Version 2 only raises the HOT threshold: leads scoring 25 to 29 drop from HOT to WARM.
    const version2: RuleSetInput = { ...defaultRuleSet, thresholds: { hot: 30, warm: 15 } };
    await graphql(
      /* GraphQL */ `
        mutation Save($definition: JSON!) {
          saveScoringRuleSet(input: { definition: $definition }) {
            __typename
          }
        }
      `,
      { definition: version2 },
    );
    const expectedChanged = rows.filter(
      (row, index) => index !== overridden && scoreLead(row, version2).status !== row.status,
    ).length;
    const unchangedHot = rows.findIndex((row) => row.score >= 30);
    expect(expectedChanged).toBeGreaterThan(500);

    const { rescoreLeads: run } = await graphql<{ rescoreLeads: RunView }>(/* GraphQL */ `
      mutation {
        rescoreLeads(filter: { origin: [GOOGLE_ADS] }) {
          ... on RescoreRun {
            id
            state
            total
            processed
            changed
            finishedAt
          }
        }
      }
    `);
    expect(run).toMatchObject({ state: 'RUNNING', total: LEADS, processed: 0, changed: 0 });

    const seen: number[] = [];
    const finished = await waitFor(
      async () => {
        const current = await readRun(run.id);
        seen.push(current.processed);
        return current;
      },
      (current) => current.state !== 'RUNNING',
      60_000,
    );

    expect(finished).toMatchObject({
      state: 'SUCCEEDED',
      total: LEADS,
      processed: LEADS,
      changed: expectedChanged,
    });
    expect(finished.finishedAt).not.toBeNull();
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.some((processed) => processed > 0 && processed < LEADS)).toBe(true);

    const after = await database.prisma.lead.findMany({
      where: { origin: 'GOOGLE_ADS' },
      select: { email: true, status: true, scoredWith: { select: { version: true } } },
    });
    expect(after).toHaveLength(LEADS);
    expect(after.every((lead) => lead.scoredWith?.version === 2)).toBe(true);
    const statusByEmail = new Map(after.map((lead) => [lead.email, lead.status]));
    expect(statusByEmail.get(rows[overridden]!.email)).toBe('HOT');
    expect(statusByEmail.get(rows[unchangedHot]!.email)).toBe('HOT');
    const wrong = rows.filter(
      (row, index) =>
        index !== overridden && statusByEmail.get(row.email) !== scoreLead(row, version2).status,
    );
    expect(wrong).toEqual([]);
    expect(await database.prisma.lead.findUniqueOrThrow({ where: { id: outside.id } })).toEqual(
      outside,
    );
    await settleEvents();
    const progressEvents = received.filter(
      (event) => event.type === 'rescore.progress' && event.runId === run.id,
    );
    // The planner's and one per batch of 500.
    expect(progressEvents).toHaveLength(1 + LEADS / 500);
  }, 120_000);

  it('adds nothing to the run when a finished batch job runs again', async () => {
    const leads = await Promise.all(
      ['site1@example.com', 'site2@example.com'].map((email) =>
        createLead(email, { origin: 'SITE' }),
      ),
    );
    const { rescoreLeads: started } = await graphql<{ rescoreLeads: RunView }>(/* GraphQL */ `
      mutation {
        rescoreLeads(filter: { origin: [SITE] }) {
          ... on RescoreRun {
            id
            state
            total
            processed
            changed
            finishedAt
          }
        }
      }
    `);
    await waitFor(
      () => readRun(started.id),
      (current) => current.state !== 'RUNNING',
    );
    const run = await database.prisma.rescoreRun.findUniqueOrThrow({ where: { id: started.id } });
    expect(run).toMatchObject({ state: 'SUCCEEDED', total: 2, processed: 2, changed: 2 });
    const [batch] = await database.prisma.$queryRaw<
      { id: string; retry_count: number; data: RescoreBatchJob }[]
    >`
      SELECT id::text, retry_count, data FROM pgboss.job
      WHERE name = ${rescoreBatchQueue} AND data->>'runId' = ${run.id} AND state = 'completed'`;
    expect(batch!.data.leadIds.sort()).toEqual(leads.map((lead) => lead.id).sort());

    await expect(
      rescoreBatch(
        { prisma: database.prisma, jobs: worker },
        { id: batch!.id, retryCount: batch!.retry_count, data: batch!.data },
      ),
    ).rejects.toThrow(/no longer held by this attempt/);

    const after = await database.prisma.rescoreRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toEqual(run);
  });
});
