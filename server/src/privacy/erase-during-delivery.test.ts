// An erasure that lands while an automation attempt is out: the attempt's failure (whose error
// quotes the lead, as some receivers do) must not write the person back, nor schedule a retry.
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { runAutomation } from '../automations/automations.jobs.ts';
import { runAutomationQueue, settingsId } from '../automations/automations.ts';
import { encryptSecret } from '../automations/secrets.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { erasedRunSkipReason } from './privacy.ts';

let database: TestDatabase;
let app: TestApp;
let jobs: PgBoss;
let receiver: Server;

const email = 'durante.entrega@example.com';

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  jobs = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await jobs.start();
});

afterAll(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await jobs?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

it('records a run whose lead was erased mid-attempt as skipped, without the error or a retry', async () => {
  const lead = await database.prisma.lead.create({
    data: { name: 'Dora Durante', email, phone: '+5511912345678', origin: 'SITE', status: 'HOT' },
  });
  // The receiver takes its time: while it holds the request, an admin erases the lead; then it
  // fails, quoting what it was sent.
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += String(chunk)));
    request.on('end', () => void eraseThenFail(body, response));
  });
  const eraseThenFail = async (body: string, response: ServerResponse) => {
    const erased = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body: JSON.stringify({
        query: `mutation ($id: ID!) { eraseLead(id: $id) { __typename } }`,
        variables: { id: lead.id },
      }),
    });
    expect(await erased.json()).toEqual({ data: { eraseLead: { __typename: 'Lead' } } });
    response.writeHead(500).end(`cannot process ${body}`);
  };
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/n8n`;
  await database.prisma.automationSettings.create({
    data: {
      id: settingsId,
      plan: { HOT: ['send-to-crm'], WARM: [], COLD: [] },
      followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
      maxAttempts: 3,
      n8nWebhookUrl: url,
      n8nSecretEncrypted: encryptSecret('shared secret'),
    },
  });
  const run = await database.prisma.automationRun.create({
    data: {
      leadId: lead.id,
      action: 'send-to-crm',
      trigger: 'class:PROCESSING->HOT#1',
      maxAttempts: 3,
      payload: {
        lead: {
          id: lead.id,
          name: lead.name,
          email,
          phone: lead.phone,
          origin: 'SITE',
          status: 'HOT',
        },
        previousStatus: 'PROCESSING',
        status: 'HOT',
        occurredAt: new Date().toISOString(),
      },
    },
  });

  expect(await runAutomation(database.prisma, jobs, { runId: run.id, attempt: 1 })).toBe('skipped');

  const after = await database.prisma.automationRun.findUniqueOrThrow({ where: { id: run.id } });
  expect(after).toMatchObject({
    state: 'SKIPPED',
    skipReason: erasedRunSkipReason,
    lastError: null,
  });
  expect(JSON.stringify(after)).not.toContain('durante');
  const retries = await database.prisma.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM pgboss.job WHERE name = ${runAutomationQueue}`;
  expect(retries).toEqual([{ count: 0 }]);
});
