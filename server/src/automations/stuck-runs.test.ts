// Runs left RUNNING by workers that died with no job left to repeat them: the sweep re-queues
// them with their next attempt (same delivery id) or ends them DEAD, and leaves alone the runs a
// job will still pick up and the ones that may simply be slow.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Prisma } from '../generated/prisma/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { createJobs, jobsSchema } from '../jobs.ts';
import { catalogMessage } from '../localization/catalog.ts';
import { createLogger } from '../logger.ts';
import { createQueues } from '../worker.ts';
import { runAutomation } from './automations.jobs.ts';
import {
  runAutomationQueue,
  settingsId,
  snapshot,
  snapshotFields,
  type RunPayload,
} from './automations.ts';
import { encryptSecret } from './secrets.ts';
import { repairStuckRuns, stuckAfterSeconds } from './stuck-runs.ts';

let database: TestDatabase;
let jobs: PgBoss;
let slack: HttpSink;

beforeAll(async () => {
  database = await createTestDatabase();
  slack = await startHttpSink();
  jobs = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await jobs.start();
  await createQueues(jobs);
  await database.prisma.automationSettings.create({
    data: {
      id: settingsId,
      plan: { HOT: ['notify-slack'], WARM: [], COLD: [] },
      followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
      retryDelaySeconds: 1,
      slackWebhookUrlEncrypted: encryptSecret(`${slack.url}/services/T000/B000/XXXX`),
    },
  });
});

afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await slack?.close();
  await database?.drop();
});

let leadCount = 0;

async function runningRun(options: { attempts: number; startedAt: Date }) {
  leadCount += 1;
  const lead = await database.prisma.lead.create({
    data: {
      name: `Hot Lead ${leadCount}`,
      email: `hot-${leadCount}@example.com`,
      origin: 'SITE',
      status: 'HOT',
      score: 90,
    },
    select: snapshotFields,
  });
  const payload: RunPayload = {
    lead: snapshot(lead),
    previousStatus: 'PROCESSING',
    status: 'HOT',
    occurredAt: new Date().toISOString(),
  };
  return database.prisma.automationRun.create({
    data: {
      leadId: lead.id,
      action: 'notify-slack',
      trigger: 'class:PROCESSING->HOT#1',
      payload: payload as unknown as Prisma.InputJsonValue,
      state: 'RUNNING',
      attempts: options.attempts,
      maxAttempts: 3,
      startedAt: options.startedAt,
    },
  });
}

async function jobsOf(runId: string) {
  return database.prisma.$queryRawUnsafe<{ state: string; attempt: number }[]>(
    `SELECT state::text, (data->>'attempt')::int AS attempt FROM ${jobsSchema}.job
     WHERE name = $1 AND data->>'runId' = $2 ORDER BY created_on`,
    runAutomationQueue,
    runId,
  );
}

it('re-queues or ends the runs a dead worker left RUNNING, and leaves live and recent ones', async () => {
  const longAgo = new Date(Date.now() - (stuckAfterSeconds + 60) * 1_000);
  const stuck = await runningRun({ attempts: 1, startedAt: longAgo });
  const lastChance = await runningRun({ attempts: 3, startedAt: longAgo });
  // Its repeat is claimed by a worker right now: pg-boss still answers for it.
  const claimed = await runningRun({ attempts: 1, startedAt: longAgo });
  await jobs.send(runAutomationQueue, { runId: claimed.id, attempt: 1 });
  const [fetched] = await jobs.fetch(runAutomationQueue);
  expect(fetched?.data).toEqual({ runId: claimed.id, attempt: 1 });
  // Started a minute ago: may be a slow WhatsApp attempt on a live worker.
  const recent = await runningRun({ attempts: 1, startedAt: new Date(Date.now() - 60_000) });

  const repairs = await repairStuckRuns(database.prisma, jobs);
  expect(repairs).toEqual([
    { runId: stuck.id, outcome: 'requeued' },
    { runId: lastChance.id, outcome: 'dead' },
  ]);
  const read = (id: string) => database.prisma.automationRun.findUniqueOrThrow({ where: { id } });
  expect(await read(stuck.id)).toMatchObject({
    state: 'FAILED',
    attempts: 1,
    lastError: 'The worker stopped during attempt 1; no answer was recorded',
  });
  expect(await jobsOf(stuck.id)).toEqual([{ state: 'created', attempt: 2 }]);
  expect(await read(lastChance.id)).toMatchObject({
    state: 'DEAD',
    lastError: 'The worker stopped during attempt 3; no answer was recorded',
  });
  expect(catalogMessage((await read(lastChance.id)).lastError!, 'pt-BR')).toBe(
    'O processo de envio parou durante a tentativa 3; nenhuma resposta foi registrada',
  );
  expect((await read(lastChance.id)).finishedAt).not.toBeNull();
  expect(await jobsOf(lastChance.id)).toEqual([]);
  expect(await read(claimed.id)).toMatchObject({ state: 'RUNNING', lastError: null });
  expect(await read(recent.id)).toMatchObject({ state: 'RUNNING', lastError: null });

  // A second sweep finds nothing left to do.
  expect(await repairStuckRuns(database.prisma, jobs)).toEqual([]);

  // The re-queued attempt delivers with the run's delivery id.
  expect(await runAutomation(database.prisma, jobs, { runId: stuck.id, attempt: 2 })).toBe(
    'delivered',
  );
  expect(await read(stuck.id)).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
  expect(slack.requests.map((request) => request.headers['x-streamleads-delivery'])).toEqual([
    stuck.deliveryId,
  ]);
});
