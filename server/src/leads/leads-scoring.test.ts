// createLead with the real scoring worker running: awaitScoring returns the scored lead, and a
// merge whose scoring changes nothing (so publishes no 'scored' event) still returns promptly.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startTestWorker } from '../../test/worker.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';

let database: TestDatabase;
let app: TestApp;
/** The worker process: its own pg-boss with the scoring handlers registered. */
let worker: PgBoss;
let bystander: unknown;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  worker = await startTestWorker(database, [scoringJobs], { poolSize: 2 });
  const { id } = await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
  bystander = await database.prisma.lead.findUnique({ where: { id } });
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

interface CreateLeadResult {
  __typename: string;
  created: boolean;
  replayed: boolean;
  lead: { id: string; status: string; score: number; processedAt: string | null };
}

async function createLead(input: Record<string, unknown>, key?: string) {
  const started = performance.now();
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({
      query: `mutation ($input: CreateLeadInput!, $key: String) {
        createLead(input: $input, idempotencyKey: $key, awaitScoring: true) {
          __typename
          ... on CreateLeadPayload { created replayed lead { id status score processedAt } }
        }
      }`,
      variables: { input, key },
    }),
  });
  const body = (await response.json()) as { data: { createLead: CreateLeadResult } };
  return { ...body.data.createLead, elapsed: performance.now() - started };
}

// The documentation's example lead: 10 + 15 + 5 + 7 = 37 points, HOT.
const hotLead = (email: string) => ({
  name: 'Maria Souza',
  email,
  phone: '+5511999999999',
  origin: 'META_ADS',
  interest: 'Apartamento para investimento',
  approximateIncome: 15000,
  city: 'São Paulo',
});

describe('createLead with awaitScoring', () => {
  it('returns a new lead scored', async () => {
    const result = await createLead(hotLead('hot@example.com'));
    expect(result).toMatchObject({ created: true, lead: { status: 'HOT', score: 37 } });
    expect(result.lead.processedAt).not.toBeNull();
    expect(result.elapsed).toBeLessThan(3_000);
  });

  it('returns a merge scored with its new values', async () => {
    const first = await createLead({ name: 'Rui Costa', email: 'rui@example.com', origin: 'SITE' });
    expect(first.lead).toMatchObject({ status: 'COLD', score: 0 });

    const merged = await createLead(hotLead('rui@example.com'));
    expect(merged).toMatchObject({
      created: false,
      lead: { id: first.lead.id, status: 'HOT', score: 37 },
    });
    expect(merged.elapsed).toBeLessThan(3_000);
  });

  it('returns promptly when the merge leaves the score unchanged', async () => {
    await createLead(hotLead('same@example.com'));
    const again = await createLead(hotLead('same@example.com'));
    expect(again).toMatchObject({ created: false, lead: { status: 'HOT', score: 37 } });
    // Waiting on a 'scored' event would take the whole 5 s here: an unchanged result sends none.
    expect(again.elapsed).toBeLessThan(3_000);
  });

  it('returns a replayed request with the scored lead at once', async () => {
    const first = await createLead(hotLead('replay@example.com'), 'replay-key');
    const replay = await createLead(hotLead('replay@example.com'), 'replay-key');
    expect(replay).toMatchObject({
      replayed: true,
      created: true,
      lead: { id: first.lead.id, status: 'HOT' },
    });
    expect(replay.elapsed).toBeLessThan(1_000);
  });
});

it('leaves the bystander lead untouched', async () => {
  const current = await database.prisma.lead.findUnique({
    where: { email: 'bystander@example.com' },
  });
  expect(current).toEqual(bystander);
});
