// A worker killed with SIGKILL in the middle of scoring: its claimed batch returns to the queue
// once its heartbeat stops, another worker scores it, and no lead is lost or scored twice.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import {
  startServerProcess,
  killLeftoverProcesses,
  stopServerProcess,
  waitUntil,
  type ServerProcess,
} from '../../test/server-processes.ts';
import { eventsChannel, parseEvent } from '../events.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

const LEADS = 300;
// A sweep every second: the batch is back on the queue 10 s (the heartbeat) after the kill.
const workerEnv = {
  SCORING_BATCH_SIZE: '10',
  SCORING_CONCURRENCY: '2',
  JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
};

let database: TestDatabase;
let listener: pg.Client;
const scoredEvents = new Map<string, number>();
const started: ServerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // Every 'scored' event any worker commits, counted per lead.
  listener = new pg.Client({ connectionString: database.url });
  await listener.connect();
  listener.on('notification', (message) => {
    const event = parseEvent(message.payload);
    if (event?.type === 'lead.changed' && event.change === 'scored') {
      scoredEvents.set(event.leadId, (scoredEvents.get(event.leadId) ?? 0) + 1);
    }
  });
  await listener.query(`LISTEN ${eventsChannel}`);
});

afterAll(async () => {
  const codes = await Promise.all(started.map(stopServerProcess));
  await listener?.end();
  await killLeftoverProcesses();
  await database?.drop();
  expect(codes.slice(1)).toEqual(started.slice(1).map(() => 0));
}, 60_000);

it('scores every lead exactly once when a worker is killed in the middle of a batch', async () => {
  await database.prisma.lead.createMany({
    data: Array.from({ length: LEADS }, (_, index) => ({
      name: `Lead ${index}`,
      email: `crash-${index}@example.com`,
      origin: 'SITE' as const,
      city: 'São Paulo',
      approximateIncome: 5_000 + index,
    })),
  });
  const bystander = await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
  const leadIds = (
    await database.prisma.lead.findMany({
      where: { id: { not: bystander.id } },
      select: { id: true },
    })
  ).map((lead) => lead.id);

  const doomed = await startServerProcess('worker', database.url, workerEnv);
  started.push(doomed);
  const sender = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await sender.start();
  try {
    await sender.insert(
      scoreLeadQueue,
      leadIds.map((leadId) => ({ data: { leadId } })),
    );
  } finally {
    await sender.stop({ graceful: false, close: true });
  }

  // Kill it while it holds a batch: some leads scored, some jobs claimed right now.
  await waitUntil(
    'the first worker to be in the middle of a batch',
    async () => {
      const [row] = await database.prisma.$queryRaw<{ scored: number; claimed: number }[]>`
        SELECT (SELECT count(*)::int FROM leads WHERE "processedAt" IS NOT NULL) AS scored,
               (SELECT count(*)::int FROM pgboss.job
                 WHERE name = ${scoreLeadQueue} AND state = 'active') AS claimed`;
      return row!;
    },
    ({ scored, claimed }) => scored >= 20 && claimed > 0,
    60_000,
  );
  doomed.script.child.kill('SIGKILL');
  expect(await doomed.script.exited).toBe('SIGKILL');

  // What the dead worker held: claimed jobs nobody will settle.
  const orphaned = await database.prisma.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM pgboss.job WHERE name = ${scoreLeadQueue} AND state = 'active'`;
  const scoredAtKill = await database.prisma.lead.count({ where: { processedAt: { not: null } } });
  console.info(`killed with ${scoredAtKill} leads scored and ${orphaned.length} jobs claimed`);
  expect(orphaned.length).toBeGreaterThan(0);
  expect(scoredAtKill).toBeLessThan(LEADS);

  const killedAt = Date.now();
  started.push(await startServerProcess('worker', database.url, workerEnv));
  console.info(`the second worker was up ${Date.now() - killedAt} ms after the kill`);
  await waitUntil(
    'every scoring job to complete',
    async () => {
      const [row] = await database.prisma.$queryRaw<{ open: number }[]>`
        SELECT count(*)::int AS open FROM pgboss.job
         WHERE name = ${scoreLeadQueue} AND state <> 'completed'`;
      return row!.open;
    },
    (open) => open === 0,
    150_000,
  );
  console.info(`the orphaned batch was scored ${Date.now() - killedAt} ms after the kill`);

  const jobs = await database.prisma.$queryRaw<
    { id: string; leadId: string; retryCount: number }[]
  >`SELECT id::text, data->>'leadId' AS "leadId", retry_count AS "retryCount"
      FROM pgboss.job WHERE name = ${scoreLeadQueue}`;
  // One job per lead, none lost, none added; the orphans completed under their own ids, retried.
  expect(jobs.map((job) => job.leadId).sort()).toEqual([...leadIds].sort());
  // Every orphan was retried under its own id (a busy machine may retry a few others too).
  const retried = new Set(jobs.filter((job) => job.retryCount > 0).map((job) => job.id));
  expect(orphaned.filter((job) => !retried.has(job.id))).toEqual([]);

  expect(await database.prisma.lead.count({ where: { processedAt: null } })).toBe(1);
  // A batch that had committed before the kill rescored as unchanged: one event per lead.
  await waitUntil(
    'every scored event',
    () => scoredEvents.size,
    (size) => size >= LEADS,
  );
  expect([...scoredEvents.keys()].sort()).toEqual([...leadIds].sort());
  expect(new Set(scoredEvents.values())).toEqual(new Set([1]));

  const untouched = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystander.id } });
  expect(untouched).toMatchObject({ status: 'PROCESSING', processedAt: null, score: 0 });
}, 300_000);
