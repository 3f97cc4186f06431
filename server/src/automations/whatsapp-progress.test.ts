// notify-whatsapp sends one message per sales number: the numbers reached are recorded as they
// are reached, so the attempt after a failure sends only to the numbers still missing.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Prisma } from '../generated/prisma/client.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { createQueues } from '../worker.ts';
import { runAutomation } from './automations.jobs.ts';
import { settingsId, snapshot, snapshotFields, type RunPayload } from './automations.ts';
import { encryptSecret } from './secrets.ts';

const numbers = ['+5511911110000', '+5511922220000', '+5511933330000'];

let database: TestDatabase;
let jobs: PgBoss;
let whatsapp: HttpSink;
/** How many more times the second number's message is refused. */
let refusalsLeft = 1;

beforeAll(async () => {
  database = await createTestDatabase();
  whatsapp = await startHttpSink({
    respond: (request) => {
      const to = (JSON.parse(request.body) as { to: string }).to;
      if (to === numbers[1]!.slice(1) && refusalsLeft > 0) {
        refusalsLeft -= 1;
        return { status: 503, body: { error: { message: 'Service temporarily unavailable' } } };
      }
      return { status: 200, body: { messages: [{ id: `wamid.${to}` }] } };
    },
  });
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
      plan: { HOT: ['notify-whatsapp'], WARM: [], COLD: [] },
      followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
      retryDelaySeconds: 600,
      whatsappBaseUrl: `${whatsapp.url}/v21.0`,
      whatsappPhoneNumberId: '1234567890',
      whatsappTokenEncrypted: encryptSecret('whatsapp-token'),
      whatsappRecipients: numbers,
      whatsappTemplate: 'new_hot_lead',
    },
  });
});

afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await whatsapp?.close();
  await database?.drop();
});

it('sends the retry only to the sales numbers the failed attempt did not reach', async () => {
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
  const run = await database.prisma.automationRun.create({
    data: {
      leadId: lead.id,
      action: 'notify-whatsapp',
      trigger: 'class:PROCESSING->HOT#1',
      payload: payload as unknown as Prisma.InputJsonValue,
      maxAttempts: 3,
    },
  });
  const sentTo = () =>
    whatsapp.requests.map((request) => `+${(JSON.parse(request.body) as { to: string }).to}`);
  const read = () => database.prisma.automationRun.findUniqueOrThrow({ where: { id: run.id } });

  expect(await runAutomation(database.prisma, jobs, { runId: run.id, attempt: 1 })).toBe('failed');
  expect(sentTo()).toEqual([numbers[0], numbers[1]]);
  expect(await read()).toMatchObject({
    state: 'FAILED',
    responseStatus: 503,
    deliveredTo: [numbers[0]],
  });

  expect(await runAutomation(database.prisma, jobs, { runId: run.id, attempt: 2 })).toBe(
    'delivered',
  );
  expect(sentTo()).toEqual([numbers[0], numbers[1], numbers[1], numbers[2]]);
  expect(await read()).toMatchObject({ state: 'SUCCEEDED', attempts: 2, deliveredTo: numbers });
  expect(
    new Set(whatsapp.requests.map((request) => request.headers['x-streamleads-delivery'])),
  ).toEqual(new Set([run.deliveryId]));
});
