// Dead integration targets do not hold back intake or scoring: with Slack and n8n answering
// nothing and an SMTP server that never greets, leads are still acknowledged and scored at the
// usual pace, and every stuck delivery ends at its timeout instead of waiting for ever.
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
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
import { settingsId } from '../automations/automations.ts';
import { encryptSecret } from '../automations/secrets.ts';

const LEADS = 200;

let database: TestDatabase;
let adminKey: string;
let server: ServerProcess | null = null;
const held: ServerResponse[] = [];
const stalled: Socket[] = [];
const deadHttp = createHttpServer((request, response) => {
  // Read the request, then never answer.
  request.resume();
  held.push(response);
});
const deadSmtp = createTcpServer((socket) => {
  // Accept the connection, then never send the greeting.
  stalled.push(socket);
  socket.on('error', () => {});
});

async function listen(target: typeof deadHttp | typeof deadSmtp): Promise<number> {
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return (target.address() as AddressInfo).port;
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ key: adminKey } = await createApiKey(database.prisma, { name: 'load', scopes: ['admin'] }));
  const httpPort = await listen(deadHttp);
  const smtpPort = await listen(deadSmtp);
  const data = {
    plan: {
      // One HTTP and one email action for most leads: deliveries share AUTOMATIONS_CONCURRENCY
      // slots in creation order, so both kinds are in flight while the leads are scored.
      HOT: ['notify-slack', 'nurture-email'],
      WARM: ['send-to-crm', 'nurture-email'],
      COLD: ['send-to-crm', 'nurture-email'],
    },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    maxAttempts: 1,
    retryDelaySeconds: 1,
    slackWebhookUrlEncrypted: encryptSecret(`http://127.0.0.1:${httpPort}/services/T0/B0/X`),
    n8nWebhookUrl: `http://127.0.0.1:${httpPort}/webhook/leads`,
    n8nSecretEncrypted: encryptSecret('a-signing-secret-for-n8n'),
    smtpHost: '127.0.0.1',
    smtpPort,
    smtpTls: 'NONE' as const,
    emailFromAddress: 'contato@imobiliaria.example',
    // Emails go out only with an unsubscribe link, which needs the public address.
    publicBaseUrl: 'https://leads.imobiliaria.example',
  };
  await database.prisma.automationSettings.create({ data: { id: settingsId, ...data } });
  server = await startServerProcess('all', database.url, { RATE_LIMIT_PER_KEY: '100000' });
}, 180_000);

afterAll(async () => {
  const code = server ? await stopServerProcess(server) : 0;
  await killLeftoverProcesses();
  for (const response of held) response.destroy();
  for (const socket of stalled) socket.destroy();
  deadHttp.close();
  deadSmtp.close();
  await database?.drop();
  expect(code).toBe(0);
}, 60_000);

it('acknowledges and scores leads at pace while every delivery target hangs', async () => {
  const started = Date.now();
  const outcomes: CreateLeadOutcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < LEADS) {
        outcomes.push(await createLeadThrough(server!.url, adminKey, leadInput(next++, 'slow')));
      }
    }),
  );
  const ingestedMs = Date.now() - started;
  expect(outcomes.filter((outcome) => outcome.leadId === null)).toEqual([]);
  await waitUntil(
    'every lead to be scored',
    () => database.prisma.lead.count({ where: { processedAt: null } }),
    (unscored) => unscored === 0,
    60_000,
  );
  const scoredMs = Date.now() - started;
  const runs = await database.prisma.automationRun.groupBy({ by: ['state'], _count: true });
  const count = (states: string[]) =>
    runs.filter((run) => states.includes(run.state)).reduce((sum, run) => sum + run._count, 0);
  const total = count(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'DEAD']);
  const finished = count(['SUCCEEDED', 'FAILED', 'SKIPPED', 'DEAD']);
  const slowest = Math.max(...outcomes.map((outcome) => outcome.elapsedMs));
  console.info(
    `${LEADS} leads acknowledged in ${ingestedMs} ms (slowest ${slowest} ms), all scored after ${scoredMs} ms; ${finished} of ${total} automation runs finished, ${held.length} deliveries and ${stalled.length} SMTP connections hanging`,
  );
  // The targets were hanging while the leads were scored, not merely configured.
  expect(held.length).toBeGreaterThan(0);
  expect(stalled.length).toBeGreaterThan(0);
  // Scoring did not wait for the deliveries: with every call held for its 10 s timeout, four at a
  // time, the runs of 200 leads need minutes; the leads were all scored with most still queued.
  expect(total).toBeGreaterThanOrEqual(LEADS);
  expect(finished).toBeLessThan(total / 4);

  // Every hanging call ends at its timeout (10 s for HTTP, SMTP's greeting timeout for email).
  const failures = await waitUntil(
    'the stuck deliveries to time out',
    () =>
      database.prisma.automationRun.findMany({
        where: { lastError: { not: null } },
        select: { action: true, lastError: true },
      }),
    // Runs go four at a time in creation order: whichever HTTP action comes first, and an email.
    (runs) =>
      runs.some((run) => run.action === 'notify-slack' || run.action === 'send-to-crm') &&
      runs.some((run) => run.action === 'nurture-email'),
    45_000,
  );
  const errors = (action: string) =>
    failures.filter((run) => run.action === action).map((run) => run.lastError);
  for (const error of [...errors('notify-slack'), ...errors('send-to-crm')]) {
    expect(error).toMatch(/No answer within 10 s/);
  }
  // nodemailer's greeting timeout: "Greeting never received".
  expect(errors('nurture-email')[0]).toMatch(/greeting|time/i);
}, 180_000);
