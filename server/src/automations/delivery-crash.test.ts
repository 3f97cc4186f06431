// A worker killed with SIGKILL while a delivery is in flight: the receiver already has the
// request, the run is RUNNING and the job is claimed. Another worker repeats the attempt once,
// with the same delivery id (so the receiver can drop the repeat), and the run ends SUCCEEDED.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import {
  startServerProcess,
  stopServerProcess,
  type ServerProcess,
} from '../../test/server-processes.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import {
  readSettings,
  recordRuns,
  settingsId,
  snapshot,
  snapshotFields,
  type RunPayload,
} from './automations.ts';
import { encryptSecret } from './secrets.ts';

// Supervise sweeps every second: the killed worker's job is back 10 s (the heartbeat) after
// the kill, and retried 5 s (the queue's retryDelay) later.
const workerEnv = { JOBS_SUPERVISE_INTERVAL_SECONDS: '1', LOG_LEVEL: 'warn' };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let database: TestDatabase;
let jobs: PgBoss;
let slack: { url: string; received: Received[]; close(): Promise<void> };
const workers: ServerProcess[] = [];

/** A Slack stand-in that never answers its first request (the delivery in flight) and 200s the rest. */
async function startHoldingSink() {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (received.length === 1) {
        held.push(response);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  slack = await startHoldingSink();
  const data = {
    plan: { HOT: ['notify-slack'], WARM: [], COLD: [] },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    maxAttempts: 3,
    retryDelaySeconds: 1,
    slackWebhookUrlEncrypted: encryptSecret(`${slack.url}/services/T000/B000/XXXX`),
  };
  await database.prisma.automationSettings.create({ data: { id: settingsId, ...data } });
  jobs = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await jobs.start();
});

afterAll(async () => {
  await Promise.all(workers.map(stopServerProcess));
  await jobs?.stop({ graceful: false, close: true });
  await slack?.close();
  await database?.drop();
}, 60_000);

it('repeats an attempt killed mid-delivery once, with the same delivery id, and ends SUCCEEDED', async () => {
  const first = await startServerProcess('worker', database.url, workerEnv);
  workers.push(first);

  const bystander = await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
  const lead = await database.prisma.lead.create({
    data: {
      name: 'Caio Prado',
      email: 'caio@example.com',
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
  await database.prisma.$transaction(async (tx) => {
    const settings = await readSettings(tx);
    await recordRuns(tx, jobs, settings, [
      {
        leadId: lead.id,
        action: 'notify-slack',
        trigger: 'class:PROCESSING->HOT#1',
        payload,
        skipReason: null,
      },
    ]);
  });
  const run = await database.prisma.automationRun.findFirstOrThrow({ where: { leadId: lead.id } });

  await waitFor(() => slack.received.length === 1, 'the first delivery to reach Slack');
  expect(
    await database.prisma.automationRun.findUniqueOrThrow({ where: { id: run.id } }),
  ).toMatchObject({ state: 'RUNNING', attempts: 1 });
  const killedAt = Date.now();
  first.script.child.kill('SIGKILL');
  expect(await first.script.exited).toBe('SIGKILL');

  const second = await startServerProcess('worker', database.url, workerEnv);
  workers.push(second);
  const finished = await waitForRun(run.id, (state) => state === 'SUCCEEDED', 50_000);
  const recoveredInMs = Date.now() - killedAt;
  // Anything else would arrive within the same polling: give it the time to show up.
  await sleep(2_000);

  expect(finished).toMatchObject({ state: 'SUCCEEDED', attempts: 1, responseStatus: 200 });
  expect(slack.received).toHaveLength(2);
  expect(slack.received.map((request) => request.headers['x-streamleads-delivery'])).toEqual([
    run.deliveryId,
    run.deliveryId,
  ]);
  expect(slack.received[1]!.body).toBe(slack.received[0]!.body);
  expect(recoveredInMs).toBeLessThan(45_000);
  console.info(`run repeated and SUCCEEDED ${recoveredInMs} ms after the SIGKILL`);
  expect(await database.prisma.automationRun.count({ where: { leadId: bystander.id } })).toBe(0);
}, 120_000);

async function waitFor(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function waitForRun(runId: string, done: (state: string) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await database.prisma.automationRun.findUniqueOrThrow({ where: { id: runId } });
    if (done(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run still ${run.state} after ${timeoutMs} ms`);
    await sleep(100);
  }
}
