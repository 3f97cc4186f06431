// SIGTERM under load: the process stops accepting, finishes what it had started and exits 0.
// Every request it acknowledged has its lead, every other request got a clean refusal, no lead
// exists without its submission and its scoring job, and a worker started later scores them all.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import {
  createLeadThrough,
  killLeftoverProcesses,
  leadInput,
  startServerProcess,
  stopServerProcess,
  waitUntil,
  type CreateLeadOutcome,
  type ServerProcess,
} from '../../test/server-processes.ts';
import { createApiKey } from '../access/api-keys.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

let database: TestDatabase;
let adminKey: string;
// Time enough for every in-flight request to finish even on a busy machine: what is measured is
// that they do, not how fast.
const env = {
  RATE_LIMIT_PER_KEY: '100000',
  SHUTDOWN_TIMEOUT_MS: '30000',
  SCORING_BATCH_SIZE: '10',
};
let later: ServerProcess | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ key: adminKey } = await createApiKey(database.prisma, { name: 'load', scopes: ['admin'] }));
});

afterAll(async () => {
  const code = later ? await stopServerProcess(later) : 0;
  await killLeftoverProcesses();
  await database?.drop();
  expect(code).toBe(0);
}, 60_000);

// What a client may see from a process that stopped listening: the connection refused, or reset
// when the closing server dropped an idle keep-alive connection the request was just sent on.
const cleanRefusals = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']);

it('finishes in-flight requests on SIGTERM and leaves no half-written lead', async () => {
  const server = await startServerProcess('all', database.url, env);
  const outcomes: CreateLeadOutcome[] = [];
  let load = true;
  let index = 0;
  const clients = Array.from({ length: 8 }, async () => {
    while (load) {
      outcomes.push(await createLeadThrough(server.url, adminKey, leadInput(index++, 'sigterm')));
    }
  });
  await waitUntil(
    'leads before the signal',
    () => outcomes.filter((outcome) => outcome.leadId).length,
    (count) => count >= 40,
  );
  const signalledAt = outcomes.length;
  server.script.child.kill('SIGTERM');
  const signalled = Date.now();
  const code = await server.script.exited;
  const stopMs = Date.now() - signalled;
  // A moment of refused connections after the exit.
  await sleep(300);
  load = false;
  await Promise.all(clients);
  expect(code).toBe(0);

  const acknowledged = outcomes.filter((outcome) => outcome.leadId !== null);
  const refused = outcomes.filter((outcome) => outcome.leadId === null);
  const afterSignal = outcomes.slice(signalledAt).filter((outcome) => outcome.leadId).length;
  const reasons = new Set(refused.map((outcome) => outcome.networkError ?? outcome.status));
  console.info(
    `stopped ${stopMs} ms after SIGTERM; ${acknowledged.length} leads acknowledged (${afterSignal} of them after the signal), ${refused.length} requests refused: ${[...reasons].join(', ')}`,
  );
  expect(refused.length).toBeGreaterThan(0);
  expect(
    refused.filter(
      (outcome) =>
        !(outcome.networkError && cleanRefusals.has(outcome.networkError)) &&
        outcome.status !== 503,
    ),
  ).toEqual([]);

  const ids = acknowledged.map((outcome) => outcome.leadId!);
  expect(await database.prisma.lead.count({ where: { id: { in: ids } } })).toBe(ids.length);
  const [whole] = await database.prisma.$queryRaw<
    { leads: number; withoutSubmission: number; withoutJob: number }[]
  >`SELECT count(*)::int AS leads,
      count(*) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM lead_submissions s WHERE s."leadId" = l.id))::int AS "withoutSubmission",
      count(*) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM pgboss.job j
         WHERE j.name = ${scoreLeadQueue} AND j.data->>'leadId' = l.id::text))::int AS "withoutJob"
    FROM leads l`;
  // Exactly the acknowledged leads: no request was cut off after its lead was written.
  expect(whole).toEqual({ leads: ids.length, withoutSubmission: 0, withoutJob: 0 });
  // Jobs were finished or returned to the queue, none left claimed by the stopped process.
  const [claimed] = await database.prisma.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM pgboss.job WHERE state = 'active'`;
  expect(claimed!.count).toBe(0);

  later = await startServerProcess('worker', database.url, env);
  await waitUntil(
    'every lead to be scored after the restart',
    () => database.prisma.lead.count({ where: { processedAt: null } }),
    (unscored) => unscored === 0,
    60_000,
  );
}, 240_000);
