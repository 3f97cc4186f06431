// The scale-out topology: two API instances and two worker processes on one PostgreSQL, each its
// own Node process. Leads created through either API are scored exactly once by one of the
// workers, a subscriber on one API sees all of it, and limits and sessions hold across instances.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../test/access.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import {
  counterTotal,
  createLeadThrough,
  leadInput,
  startServerProcess,
  killLeftoverProcesses,
  stopServerProcess,
  waitUntil,
  type ServerProcess,
} from '../../test/server-processes.ts';
import { createApiKey } from '../access/api-keys.ts';
import { publishEvent } from '../events.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

const LEADS = 120;
const PER_USER_LIMIT = 8;

let database: TestDatabase;
let adminKey: string;
let apiA: ServerProcess;
let apiB: ServerProcess;
let workers: ServerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  ({ key: adminKey } = await createApiKey(database.prisma, { name: 'load', scopes: ['admin'] }));
  // Small batches, one at a time: the two workers take turns instead of one taking everything.
  const workerEnv = { SCORING_BATCH_SIZE: '5', SCORING_CONCURRENCY: '1' };
  const apiEnv = { RATE_LIMIT_PER_KEY: '100000', RATE_LIMIT_PER_USER: String(PER_USER_LIMIT) };
  workers = await Promise.all([
    startServerProcess('worker', database.url, workerEnv),
    startServerProcess('worker', database.url, workerEnv),
  ]);
  [apiA, apiB] = await Promise.all([
    startServerProcess('api', database.url, apiEnv),
    startServerProcess('api', database.url, apiEnv),
  ]);
}, 240_000);

afterAll(async () => {
  const all = [apiA, apiB, ...workers].filter(Boolean);
  const codes = await Promise.all(all.map(stopServerProcess));
  await killLeftoverProcesses();
  await database?.drop();
  expect(codes).toEqual(all.map(() => 0));
}, 60_000);

interface Update {
  change: string;
  leadId: string;
}

/** Subscribes to leadUpdated on `api` and resolves once the subscription provably relays. */
async function subscribeToLeadUpdates(api: string, updates: Update[]): Promise<Client> {
  const client = createClient({
    url: `${api.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: adminKey },
    retryAttempts: 0,
  });
  client.subscribe<{ leadUpdated: Update }>(
    { query: 'subscription { leadUpdated { change leadId } }' },
    {
      next: (result) => result.data && updates.push(result.data.leadUpdated),
      error: () => {},
      complete: () => {},
    },
  );
  // graphql-ws acknowledges no subscription: poke a probe lead until the API relays it.
  const probe = await database.prisma.lead.create({
    data: { name: 'Probe Lead', email: 'probe@example.com', origin: 'OTHER' },
    select: { id: true },
  });
  const poke = setInterval(() => {
    void publishEvent(database.prisma, {
      type: 'lead.changed',
      leadId: probe.id,
      change: 'automation',
    });
  }, 100);
  try {
    await waitUntil(
      'the subscription to relay the probe',
      () => updates.some((update) => update.leadId === probe.id),
      Boolean,
      15_000,
    );
  } finally {
    clearInterval(poke);
  }
  return client;
}

describe('two API instances and two workers', () => {
  it('scores every lead created through either API exactly once, seen by a subscriber on one', async () => {
    const updates: Update[] = [];
    const client = await subscribeToLeadUpdates(apiA.url, updates);
    try {
      const leadIds: string[] = [];
      // Four requests in flight, alternating between the instances.
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < LEADS) {
            const index = next++;
            const api = index % 2 === 0 ? apiA : apiB;
            const outcome = await createLeadThrough(api.url, adminKey, leadInput(index, 'scale'));
            expect(outcome).toMatchObject({ status: 200, networkError: null });
            leadIds.push(outcome.leadId!);
          }
        }),
      );
      expect(new Set(leadIds).size).toBe(LEADS);

      const scoredEvents = () => updates.filter((update) => update.change === 'SCORED');
      await waitUntil(
        'every lead to be scored',
        () => new Set(scoredEvents().map((update) => update.leadId)).size,
        (scored) => scored >= LEADS,
        60_000,
      );
      // Late duplicates would arrive within the scoring of one more batch.
      await sleep(1_000);
      for (const change of ['CREATED', 'SCORED']) {
        const perLead = new Map<string, number>();
        for (const update of updates.filter((update) => update.change === change)) {
          perLead.set(update.leadId, (perLead.get(update.leadId) ?? 0) + 1);
        }
        expect([...perLead.keys()].sort()).toEqual([...leadIds].sort());
        expect(new Set(perLead.values())).toEqual(new Set([1]));
      }

      const jobs = await database.prisma.$queryRaw<{ state: string; outcome: string }[]>`
        SELECT state::text, output->>'outcome' AS outcome FROM pgboss.job
         WHERE name = ${scoreLeadQueue} AND data->>'leadId' = ANY(${leadIds})`;
      expect(jobs).toHaveLength(LEADS);
      expect(jobs.every((job) => job.state === 'completed' && job.outcome === 'scored')).toBe(true);
      const unscored = await database.prisma.lead.count({
        where: { id: { in: leadIds }, processedAt: null },
      });
      expect(unscored).toBe(0);

      const perWorker = await Promise.all(
        workers.map((worker) =>
          counterTotal(`${worker.url}/metrics`, 'streamleads_leads_scored_total'),
        ),
      );
      console.info(`leads scored per worker: ${perWorker.join(' + ')}`);
      expect(perWorker[0]! + perWorker[1]!).toBe(LEADS);
      expect(Math.min(...perWorker)).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }
  }, 120_000);

  it('holds a person’s rate limit and session across both instances', async () => {
    const { cookie } = await signedInUser(database.prisma, 'SALES');
    const viewer = async (api: ServerProcess) => {
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-graphql-yoga-csrf': '1' },
        body: JSON.stringify({ query: '{ viewer { kind } }' }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const statuses: number[] = [];
    for (let index = 0; index < PER_USER_LIMIT + 1; index++) {
      statuses.push((await viewer(index % 2 === 0 ? apiA : apiB)).status);
    }
    expect(statuses).toEqual([...Array<number>(PER_USER_LIMIT).fill(200), 429]);
    // The session is one row, so signing out through B ends it on A (after the limit's window
    // the count would not matter; a fresh person shows the session part without waiting).
    const other = await signedInUser(database.prisma, 'SALES');
    const asOther = (api: ServerProcess, query: string) =>
      fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: other.cookie,
          'x-graphql-yoga-csrf': '1',
        },
        body: JSON.stringify({ query }),
      }).then((response) => response.json() as Promise<{ data?: Record<string, unknown> }>);
    expect((await asOther(apiA, '{ viewer { kind } }')).data).toEqual({
      viewer: { kind: 'USER' },
    });
    expect((await asOther(apiB, 'mutation { signOut }')).data).toEqual({ signOut: true });
    expect((await asOther(apiA, '{ viewer { kind } }')).data?.viewer).toMatchObject({
      kind: 'ANONYMOUS',
    });
  }, 30_000);
});
