// Automations against real PostgreSQL, pg-boss and local HTTP sinks standing in for Slack, n8n and
// WhatsApp: a class change creates its runs in the scoring transaction, the worker delivers them,
// retries with back-off and Retry-After, and ends DEAD when the receiver keeps failing.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startTestWorker } from '../../test/worker.ts';
import type { AutomationRun } from '../generated/prisma/client.ts';
import type { LeadStatus } from '../generated/prisma/enums.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { enqueueScoring } from '../scoring/scoring.ts';
import { translationsOf } from '../localization/catalog.ts';
import { automationsJobs, runAutomation } from './automations.jobs.ts';
import {
  automationActions,
  defaultSettings,
  followUpDue,
  followUpDueQueue,
  settingsId,
  skipReason,
  type FollowUpDueJob,
  type RunAction,
} from './automations.ts';
import { signature } from './delivery.ts';
import { decryptSecret, encryptSecret } from './secrets.ts';
import { repairStuckRuns, stuckAfterSeconds } from './stuck-runs.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local HTTP receiver: records every request and answers with the scripted responses. */
interface Sink {
  url: string;
  requests: Received[];
  /** Answers for the next requests, in order; after them, 200. */
  script: { status: number; headers?: Record<string, string> }[];
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const requests: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const next = sink.script.shift() ?? { status: 200 };
      response.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
      response.end(next.status < 300 ? 'ok' : `sink says ${next.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sink: Sink = {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: [],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return sink;
}

const n8nSecret = 'n8n-shared-secret';
let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;
let slack: Sink;
let n8n: Sink;
let whatsapp: Sink;
let bystanderId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  [slack, n8n, whatsapp] = await Promise.all([startSink(), startSink(), startSink()]);
  worker = await startTestWorker(database, [automationsJobs, scoringJobs]);
  // Never scored: it must get no runs and stay as it is.
  const bystander = await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
  bystanderId = bystander.id;
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await Promise.all([slack?.close(), n8n?.close(), whatsapp?.close()]);
  await database?.drop();
});

beforeEach(() => {
  for (const sink of [slack, n8n, whatsapp]) {
    sink.requests.length = 0;
    sink.script = [];
  }
});

async function configure(overrides: Record<string, unknown> = {}): Promise<void> {
  const data = {
    plan: {
      HOT: ['notify-slack', 'notify-whatsapp', 'send-to-crm', 'schedule-follow-up'],
      WARM: ['nurture-email', 'send-to-crm'],
      COLD: ['send-to-crm', 'remarketing-list', 'schedule-follow-up'],
    },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    maxAttempts: 3,
    retryDelaySeconds: 1,
    slackWebhookUrlEncrypted: encryptSecret(`${slack.url}/services/T000/B000/XXXX`),
    n8nWebhookUrl: `${n8n.url}/webhook/streamleads`,
    n8nSecretEncrypted: encryptSecret(n8nSecret),
    whatsappBaseUrl: `${whatsapp.url}/v21.0`,
    whatsappPhoneNumberId: '1234567890',
    whatsappTokenEncrypted: encryptSecret('whatsapp-token'),
    whatsappRecipients: ['+5511911110000', '+5511922220000'],
    whatsappTemplate: 'new_hot_lead',
    whatsappLanguage: 'pt_BR',
    ...overrides,
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...data },
    update: data,
  });
}

let leadCount = 0;

/** A lead whose class a person set: scoring gives it exactly that class. */
async function leadWithClass(status: LeadStatus): Promise<string> {
  leadCount += 1;
  const lead = await database.prisma.lead.create({
    data: {
      name: 'Maria Souza',
      email: `maria${leadCount}@example.com`,
      phone: '+5511999999999',
      origin: 'META_ADS',
      interest: 'Apartamento para investimento',
      city: 'São Paulo',
      statusOverride: status,
      statusOverrideReason: 'test',
    },
  });
  await database.prisma.$transaction((tx) => enqueueScoring(worker, tx, lead.id));
  return lead.id;
}

async function setClass(leadId: string, status: LeadStatus): Promise<void> {
  await database.prisma.$transaction(async (tx) => {
    await tx.lead.update({ where: { id: leadId }, data: { statusOverride: status } });
    await enqueueScoring(worker, tx, leadId);
  });
}

const finished = ['SUCCEEDED', 'SKIPPED', 'DEAD'];

async function runsOf(
  leadId: string,
  done: (runs: AutomationRun[]) => boolean = (runs) =>
    runs.length > 0 && runs.every((run) => finished.includes(run.state)),
  timeoutMs = 20_000,
): Promise<AutomationRun[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await database.prisma.automationRun.findMany({
      where: { leadId },
      orderBy: [{ createdAt: 'asc' }, { action: 'asc' }],
    });
    if (done(runs)) return runs;
    if (Date.now() > deadline) {
      const jobs = await database.prisma.$queryRawUnsafe(
        `SELECT state, data, start_after, retry_count, created_on, now() AS now FROM pgboss.job WHERE name = 'automations.run' ORDER BY created_on DESC LIMIT 4`,
      );
      throw new Error(`timed out; jobs: ${JSON.stringify(jobs)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const states = (runs: AutomationRun[]) =>
  Object.fromEntries(runs.map((run) => [run.action, run.state]));

describe('without settings', () => {
  it('records every action of the class as SKIPPED with its reason and sends nothing', async () => {
    const leadId = await leadWithClass('HOT');
    const runs = await runsOf(leadId);
    expect(states(runs)).toEqual({
      'notify-slack': 'SKIPPED',
      'notify-whatsapp': 'SKIPPED',
      'send-to-crm': 'SKIPPED',
      'schedule-follow-up': 'SUCCEEDED',
    });
    expect(runs.find((run) => run.action === 'notify-slack')?.skipReason).toBe(
      'Slack webhook URL not configured',
    );
    expect(runs.filter((run) => run.attempts > 0).map((run) => run.action)).toEqual([
      'schedule-follow-up',
    ]);
    expect(slack.requests.length + n8n.requests.length + whatsapp.requests.length).toBe(0);
  });
});

describe('with integrations configured', () => {
  beforeAll(() => configure());

  it('notifies Slack, WhatsApp and n8n for a HOT lead', async () => {
    const leadId = await leadWithClass('HOT');
    const runs = await runsOf(leadId);
    expect(states(runs)).toEqual({
      'notify-slack': 'SUCCEEDED',
      'notify-whatsapp': 'SUCCEEDED',
      'send-to-crm': 'SUCCEEDED',
      'schedule-follow-up': 'SUCCEEDED',
    });
    const slackRun = runs.find((run) => run.action === 'notify-slack')!;
    expect(slackRun).toMatchObject({ attempts: 1, responseStatus: 200, lastError: null });
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.path).toBe('/services/T000/B000/XXXX');
    expect(slack.requests[0]!.headers['x-streamleads-delivery']).toBe(slackRun.deliveryId);
    const { text } = JSON.parse(slack.requests[0]!.body) as { text: string };
    expect(text).toContain('Maria Souza');
    expect(text).toContain('HOT');
    expect(text).toContain('+5511999999999');
    expect(text).toContain('São Paulo');

    expect(whatsapp.requests.map((request) => request.path)).toEqual([
      '/v21.0/1234567890/messages',
      '/v21.0/1234567890/messages',
    ]);
    expect(whatsapp.requests[0]!.headers.authorization).toBe('Bearer whatsapp-token');
    const message = JSON.parse(whatsapp.requests[1]!.body) as Record<string, unknown>;
    expect(message).toMatchObject({
      messaging_product: 'whatsapp',
      to: '5511922220000',
      type: 'template',
      template: { name: 'new_hot_lead', language: { code: 'pt_BR' } },
    });
  });

  it('signs the n8n webhook with the event, the lead and both classes', async () => {
    const leadId = await leadWithClass('HOT');
    const runs = await runsOf(leadId);
    const crmRun = runs.find((run) => run.action === 'send-to-crm')!;
    const request = n8n.requests.find(
      (received) => received.headers['x-streamleads-delivery'] === crmRun.deliveryId,
    )!;
    const timestamp = request.headers['x-streamleads-timestamp'] as string;
    expect(request.headers['x-streamleads-signature']).toBe(
      signature(n8nSecret, timestamp, request.body),
    );
    expect(request.headers['x-streamleads-signature']).not.toBe(
      signature('another-secret', timestamp, request.body),
    );
    expect(request.headers['x-streamleads-event']).toBe('lead.hot');
    expect(Math.abs(Number(timestamp) - Date.now() / 1_000)).toBeLessThan(60);
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'lead.hot',
      lead: { id: leadId, name: 'Maria Souza', status: 'HOT' },
      previousStatus: 'PROCESSING',
      status: 'HOT',
      deliveryId: crmRun.deliveryId,
    });
  });

  it('runs the WARM and COLD plans with their own events', async () => {
    const warm = await leadWithClass('WARM');
    const cold = await leadWithClass('COLD');
    expect(states(await runsOf(warm))).toEqual({
      'nurture-email': 'SKIPPED',
      'send-to-crm': 'SUCCEEDED',
    });
    expect(states(await runsOf(cold))).toEqual({
      'remarketing-list': 'SKIPPED',
      'schedule-follow-up': 'SUCCEEDED',
      'send-to-crm': 'SUCCEEDED',
    });
    const events = n8n.requests.map((request) => request.headers['x-streamleads-event']).sort();
    expect(events).toEqual(['lead.cold', 'lead.warm']);
    expect(slack.requests).toHaveLength(0);
  });

  it('creates new runs when a lead goes HOT, WARM and HOT again', async () => {
    const leadId = await leadWithClass('HOT');
    await runsOf(
      leadId,
      (runs) => runs.length === 4 && runs.every((r) => finished.includes(r.state)),
    );
    await setClass(leadId, 'WARM');
    await runsOf(
      leadId,
      (runs) => runs.length === 6 && runs.every((r) => finished.includes(r.state)),
    );
    await setClass(leadId, 'HOT');
    const runs = await runsOf(
      leadId,
      (all) => all.length === 10 && all.every((r) => finished.includes(r.state)),
    );
    expect([...new Set(runs.map((run) => run.trigger))]).toEqual([
      'class:PROCESSING->HOT#1',
      'class:HOT->WARM#2',
      'class:WARM->HOT#3',
    ]);
    expect(slack.requests).toHaveLength(2);
    expect(new Set(slack.requests.map((r) => r.headers['x-streamleads-delivery'])).size).toBe(2);
  });

  it('creates no runs when a scoring leaves the class as it was', async () => {
    const leadId = await leadWithClass('COLD');
    await runsOf(leadId);
    await database.prisma.$transaction((tx) => enqueueScoring(worker, tx, leadId));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await database.prisma.automationRun.count({ where: { leadId } })).toBe(3);
  });

  it('succeeds once after the sink answers 500, 500 and 200, with one delivery id', async () => {
    slack.script = [{ status: 500 }, { status: 500 }, { status: 200 }];
    const leadId = await leadWithClass('HOT');
    const runs = await runsOf(leadId, (all) =>
      all.some((run) => run.action === 'notify-slack' && run.state === 'SUCCEEDED'),
    );
    const run = runs.find((r) => r.action === 'notify-slack')!;
    expect(run).toMatchObject({ state: 'SUCCEEDED', attempts: 3, responseStatus: 200 });
    expect(slack.requests).toHaveLength(3);
    expect(new Set(slack.requests.map((r) => r.headers['x-streamleads-delivery']))).toEqual(
      new Set([run.deliveryId]),
    );
    // Back-off of 1 s, then 2 s (retryDelaySeconds 1).
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(slack.requests[2]!.at - slack.requests[1]!.at).toBeGreaterThanOrEqual(1_950);
  });

  it('waits for Retry-After on a 429', async () => {
    slack.script = [{ status: 429, headers: { 'retry-after': '3' } }];
    const leadId = await leadWithClass('HOT');
    await runsOf(leadId, (all) =>
      all.some((run) => run.action === 'notify-slack' && run.state === 'SUCCEEDED'),
    );
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(2_950);
  });

  it('ends DEAD at once on a 400 without retrying', async () => {
    n8n.script = [{ status: 400 }];
    const leadId = await leadWithClass('COLD');
    const runs = await runsOf(leadId);
    expect(runs.find((run) => run.action === 'send-to-crm')).toMatchObject({
      state: 'DEAD',
      attempts: 1,
      responseStatus: 400,
      lastError: 'HTTP 400: sink says 400',
    });
    expect(n8n.requests).toHaveLength(1);
  });

  it('ends DEAD with the error after the last attempt when the sink is down', async () => {
    const down = await startSink();
    await down.close();
    await configure({ maxAttempts: 2, n8nWebhookUrl: `${down.url}/webhook` });
    try {
      const leadId = await leadWithClass('COLD');
      const runs = await runsOf(leadId);
      const run = runs.find((r) => r.action === 'send-to-crm')!;
      expect(run).toMatchObject({ state: 'DEAD', attempts: 2, responseStatus: null });
      expect(run.lastError).toMatch(/fetch failed/);
    } finally {
      await configure();
    }
  });
});

describe('follow-ups', () => {
  async function dueJobOf(leadId: string): Promise<{ data: FollowUpDueJob; start_after: Date }> {
    const [job] = await database.prisma.$queryRaw<{ data: FollowUpDueJob; start_after: Date }[]>`
      SELECT data, start_after FROM pgboss.job
      WHERE name = ${followUpDueQueue} AND data->>'leadId' = ${leadId}`;
    return job!;
  }

  it('sets followUpAt an hour after a HOT change and reminds n8n once when it falls due', async () => {
    await configure();
    const leadId = await leadWithClass('HOT');
    const runs = await runsOf(leadId);
    const scheduled = runs.find((run) => run.action === 'schedule-follow-up')!;
    expect(scheduled.state).toBe('SUCCEEDED');
    const occurredAt = Date.parse((scheduled.payload as { occurredAt: string }).occurredAt);
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(lead.followUpAt?.getTime()).toBe(occurredAt + 60 * 60_000);
    const job = await dueJobOf(leadId);
    expect(job.data).toEqual({ leadId, followUpAt: lead.followUpAt!.toISOString() });
    expect(job.start_after.getTime()).toBe(lead.followUpAt!.getTime());

    const before = n8n.requests.length;
    expect(await followUpDue(database.prisma, worker, job.data)).toBe('reminded');
    expect(await followUpDue(database.prisma, worker, job.data)).toBe('reminded');
    const all = await runsOf(leadId, (found) =>
      found.some((run) => run.action === 'follow-up-due' && run.state === 'SUCCEEDED'),
    );
    expect(all.filter((run) => run.action === 'follow-up-due')).toHaveLength(1);
    const reminders = n8n.requests.slice(before);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.headers['x-streamleads-event']).toBe('lead.follow_up_due');
    expect(JSON.parse(reminders[0]!.body)).toMatchObject({
      event: 'lead.follow_up_due',
      lead: { id: leadId, status: 'HOT' },
    });
  });

  it('sends no reminder for a follow-up handled before it fell due', async () => {
    const leadId = await leadWithClass('COLD');
    await runsOf(leadId);
    const job = await dueJobOf(leadId);
    await database.prisma.lead.update({ where: { id: leadId }, data: { followUpAt: null } });
    expect(await followUpDue(database.prisma, worker, job.data)).toBe('handled');
    expect(
      await database.prisma.automationRun.count({ where: { leadId, action: 'follow-up-due' } }),
    ).toBe(0);
  });
});

describe('a worker that dies mid-attempt', () => {
  it('repeats the attempt once with the same delivery id', async () => {
    await configure();
    const leadId = await leadWithClass('COLD');
    const [done] = (await runsOf(leadId)).filter((run) => run.action === 'send-to-crm');
    const before = n8n.requests.length;
    // As if the worker had claimed attempt 1 and died before recording the answer.
    await database.prisma.automationRun.update({
      where: { id: done!.id },
      data: { state: 'RUNNING', finishedAt: null },
    });
    const job = { runId: done!.id, attempt: 1 };
    expect(await runAutomation(database.prisma, worker, job, false)).toBe('nothing to do');
    expect(await runAutomation(database.prisma, worker, job, true)).toBe('delivered');
    expect(await runAutomation(database.prisma, worker, job, true)).toBe('nothing to do');
    const repeats = n8n.requests.slice(before);
    expect(repeats).toHaveLength(1);
    expect(repeats[0]!.headers['x-streamleads-delivery']).toBe(done!.deliveryId);
    expect(
      await database.prisma.automationRun.findUnique({ where: { id: done!.id } }),
    ).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
  });
});

describe('the bystander', () => {
  it('keeps a lead that never changed class free of runs', async () => {
    expect(await database.prisma.automationRun.count({ where: { leadId: bystanderId } })).toBe(0);
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystanderId } });
    expect(lead.status).toBe('PROCESSING');
  });
});

async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: T; errors?: unknown[] };
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

describe('the GraphQL API', () => {
  const settingsFields = `slackConfigured n8nWebhookUrl n8nSecretConfigured whatsappTokenConfigured
    whatsappRecipients maxAttempts retryDelaySeconds plans { status actions followUpMinutes }`;

  it('stores secrets encrypted and shows only whether they are configured', async () => {
    const slackUrl = `${slack.url}/services/T111/B111/secret-part`;
    const text = JSON.stringify(
      await graphql(
        `mutation ($input: UpdateAutomationSettingsInput!) {
          updateAutomationSettings(input: $input) {
            __typename ... on AutomationSettings { ${settingsFields} }
          }
        }`,
        {
          input: {
            slackWebhookUrl: slackUrl,
            n8nSecret: 'a-new-shared-secret-value',
            maxAttempts: 4,
            plans: [{ status: 'COLD', actions: ['send-to-crm'], followUpMinutes: 60 }],
          },
        },
      ),
    );
    const read = await graphql<{ automationSettings: Record<string, unknown> }>(
      `{ automationSettings { ${settingsFields} } }`,
    );
    expect(read.automationSettings).toMatchObject({
      slackConfigured: true,
      n8nSecretConfigured: true,
      whatsappTokenConfigured: true,
      maxAttempts: 4,
      retryDelaySeconds: 1,
    });
    expect(read.automationSettings.plans).toContainEqual({
      status: 'COLD',
      actions: ['send-to-crm'],
      followUpMinutes: 60,
    });
    const plans = read.automationSettings.plans as { status: string; actions: string[] }[];
    expect(plans.find((plan) => plan.status === 'HOT')?.actions).toContain('notify-slack');
    for (const output of [text, JSON.stringify(read)]) {
      expect(output).not.toContain('secret-part');
      expect(output).not.toContain('a-new-shared-secret-value');
    }
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(row.slackWebhookUrlEncrypted).not.toContain('secret-part');
    expect(decryptSecret(row.slackWebhookUrlEncrypted!)).toBe(slackUrl);
    await configure();
  });

  it('rejects an invalid setting with a message for its field and saves nothing', async () => {
    const result = await graphql<{ updateAutomationSettings: Record<string, unknown> }>(`
      mutation {
        updateAutomationSettings(input: { n8nWebhookUrl: "ftp://x", maxAttempts: 0 }) {
          __typename
          ... on ValidationError {
            fieldErrors {
              path
              message
            }
          }
        }
      }
    `);
    expect(result.updateAutomationSettings).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'maxAttempts', message: 'At least 1' },
        { path: 'n8nWebhookUrl', message: 'Must be an http(s) URL' },
      ],
    });
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(row).toMatchObject({ maxAttempts: 3, n8nWebhookUrl: `${n8n.url}/webhook/streamleads` });
  });

  it("lists a lead's runs newest first and filters every run by state", async () => {
    n8n.script = [{ status: 404 }];
    const leadId = await leadWithClass('COLD');
    await runsOf(leadId);
    await setClass(leadId, 'WARM');
    await runsOf(
      leadId,
      (runs) => runs.length === 5 && runs.every((r) => finished.includes(r.state)),
    );
    const { lead } = await graphql<{
      lead: { automationRuns: { trigger: string; action: string; state: string }[] };
    }>(
      `
        query ($id: ID!) {
          lead(id: $id) {
            ... on Lead {
              automationRuns {
                trigger
                action
                state
              }
            }
          }
        }
      `,
      { id: leadId },
    );
    expect(lead.automationRuns.map((run) => run.trigger)).toEqual([
      'class:COLD->WARM#2',
      'class:COLD->WARM#2',
      'class:PROCESSING->COLD#1',
      'class:PROCESSING->COLD#1',
      'class:PROCESSING->COLD#1',
    ]);
    const { automationRuns } = await graphql<{
      automationRuns: { edges: { node: { action: string; lead: { id: string } } }[] };
    }>(
      `
        query ($leadId: ID!) {
          automationRuns(filter: { state: DEAD, leadId: $leadId }, first: 10) {
            edges {
              node {
                action
                lead {
                  id
                }
              }
            }
          }
        }
      `,
      { leadId },
    );
    expect(automationRuns.edges).toEqual([
      { node: { action: 'send-to-crm', lead: { id: leadId } } },
    ]);
  });

  it('re-queues a DEAD run, which then succeeds with the same delivery id', async () => {
    n8n.script = [{ status: 422 }];
    const leadId = await leadWithClass('COLD');
    const dead = (await runsOf(leadId)).find((run) => run.action === 'send-to-crm')!;
    expect(dead.state).toBe('DEAD');
    const { retryAutomationRun } = await graphql<{ retryAutomationRun: Record<string, unknown> }>(
      `
        mutation ($id: ID!) {
          retryAutomationRun(id: $id) {
            __typename
            ... on AutomationRun {
              state
              maxAttempts
            }
          }
        }
      `,
      { id: dead.id },
    );
    expect(retryAutomationRun).toEqual({
      __typename: 'AutomationRun',
      state: 'PENDING',
      maxAttempts: 4,
    });
    const runs = await runsOf(leadId, (all) =>
      all.some((run) => run.action === 'send-to-crm' && run.state === 'SUCCEEDED'),
    );
    expect(runs.find((run) => run.id === dead.id)).toMatchObject({
      attempts: 2,
      lastError: null,
      responseStatus: 200,
    });
    expect(n8n.requests.map((request) => request.headers['x-streamleads-delivery'])).toEqual([
      dead.deliveryId,
      dead.deliveryId,
    ]);
  });

  it('refuses to retry a run that succeeded, and an unknown run', async () => {
    const leadId = await leadWithClass('COLD');
    const done = (await runsOf(leadId)).find((run) => run.action === 'send-to-crm')!;
    const retry = (id: string) =>
      graphql<{ retryAutomationRun: Record<string, unknown> }>(
        `
          mutation ($id: ID!) {
            retryAutomationRun(id: $id) {
              __typename
              ... on AutomationRunNotRetryableError {
                state
                message
              }
              ... on AutomationRunNotFoundError {
                runId
              }
            }
          }
        `,
        { id },
      );
    expect((await retry(done.id)).retryAutomationRun).toEqual({
      __typename: 'AutomationRunNotRetryableError',
      state: 'SUCCEEDED',
      message: 'Only DEAD or FAILED runs can be retried; this one is SUCCEEDED',
    });
    expect((await retry('not-a-run')).retryAutomationRun).toEqual({
      __typename: 'AutomationRunNotFoundError',
      runId: 'not-a-run',
    });
    expect(await database.prisma.automationRun.findUnique({ where: { id: done.id } })).toEqual(
      done,
    );
  });

  it('sends a signed test message to n8n and reports an unconfigured target', async () => {
    const test = (target: string) =>
      graphql<{ testAutomationTarget: Record<string, unknown> }>(
        `
          mutation ($target: AutomationTarget!) {
            testAutomationTarget(target: $target) {
              ok
              status
              error
            }
          }
        `,
        { target },
      );
    expect((await test('N8N')).testAutomationTarget).toEqual({
      ok: true,
      status: 200,
      error: null,
    });
    expect(n8n.requests).toHaveLength(1);
    const [request] = n8n.requests;
    expect(request!.headers['x-streamleads-event']).toBe('streamleads.test');
    expect(request!.headers['x-streamleads-signature']).toBe(
      signature(n8nSecret, request!.headers['x-streamleads-timestamp'] as string, request!.body),
    );
    slack.script = [{ status: 403 }];
    expect((await test('SLACK')).testAutomationTarget).toEqual({
      ok: false,
      status: 403,
      error: 'HTTP 403: sink says 403',
    });
    await configure({ whatsappTokenEncrypted: null });
    try {
      expect((await test('WHATSAPP')).testAutomationTarget).toEqual({
        ok: false,
        status: null,
        error: 'WhatsApp access token not configured',
      });
      expect(whatsapp.requests).toHaveLength(0);
    } finally {
      await configure();
    }
    expect(await database.prisma.automationRun.count({ where: { leadId: bystanderId } })).toBe(0);
  });
});

describe('in Portuguese', () => {
  const portuguese = { 'accept-language': 'pt-BR,pt;q=0.9' };
  const runsQuery = `
    query ($leadId: ID!) {
      automationRuns(filter: { leadId: $leadId }) {
        edges { node { action skipReason lastError } }
      }
    }
  `;
  const readRuns = async (leadId: string, headers: Record<string, string> = {}) => {
    const { automationRuns } = await graphql<{
      automationRuns: { edges: { node: Record<string, string | null> }[] };
    }>(runsQuery, { leadId }, headers);
    return automationRuns.edges.map((edge) => edge.node);
  };

  it('has a Portuguese wording for every reason settings give to skip an action', () => {
    const base = defaultSettings();
    const partial = [
      base,
      { ...base, n8nWebhookUrl: 'https://n8n.example/webhook' },
      { ...base, whatsappBaseUrl: 'https://graph.example', whatsappPhoneNumberId: '1' },
      {
        ...base,
        whatsappBaseUrl: 'https://graph.example',
        whatsappPhoneNumberId: '1',
        whatsappTokenEncrypted: 'v1.x.y.z',
      },
      {
        ...base,
        whatsappBaseUrl: 'https://graph.example',
        whatsappPhoneNumberId: '1',
        whatsappTokenEncrypted: 'v1.x.y.z',
        whatsappTemplate: 'new_hot_lead',
      },
      { ...base, smtpHost: 'smtp.example', emailFromAddress: 'a@example.com', smtpUser: 'a' },
      { ...base, smtpHost: 'smtp.example', emailFromAddress: 'a@example.com' },
      {
        ...base,
        smtpHost: 'smtp.example',
        emailFromAddress: 'a@example.com',
        publicBaseUrl: 'https://api.example',
        emailSequence: [],
      },
    ];
    const actions: RunAction[] = [
      ...automationActions,
      'follow-up-due',
      'sequence-email',
      'notify-owner',
      'notify-stage-change',
      'no-such-action' as RunAction,
    ];
    const reasons = new Set(
      partial.flatMap((settings) => actions.map((action) => skipReason(action, settings))),
    );
    reasons.delete(null);
    // Every branch of skipReason: Slack, n8n URL and secret, four WhatsApp gaps, no Slack nor
    // WhatsApp, SMTP, its password, the public URL, no sequence steps, an unknown action.
    expect(reasons.size).toBe(13);
    for (const reason of reasons) expect(translationsOf(reason!), reason!).toBeDefined();
  });

  it('words skip reasons, settings refusals and test failures for a Portuguese reader', async () => {
    await configure({ slackWebhookUrlEncrypted: null, whatsappTokenEncrypted: null });
    try {
      const leadId = await leadWithClass('HOT');
      await runsOf(leadId);
      const skipped = (runs: Record<string, string | null>[]): Record<string, string> =>
        Object.fromEntries(
          runs.flatMap((run) => (run.skipReason ? [[String(run.action), run.skipReason]] : [])),
        );
      expect(skipped(await readRuns(leadId, portuguese))).toEqual({
        'notify-slack': 'URL do webhook do Slack não configurada',
        'notify-whatsapp': 'Token de acesso do WhatsApp não configurado',
      });
      expect(skipped(await readRuns(leadId))).toEqual({
        'notify-slack': 'Slack webhook URL not configured',
        'notify-whatsapp': 'WhatsApp access token not configured',
      });

      const test = (headers: Record<string, string>) =>
        graphql<{ testAutomationTarget: Record<string, unknown> }>(
          `
            mutation {
              testAutomationTarget(target: WHATSAPP) {
                ok
                error
              }
            }
          `,
          {},
          headers,
        );
      expect((await test(portuguese)).testAutomationTarget).toEqual({
        ok: false,
        error: 'Token de acesso do WhatsApp não configurado',
      });
      expect((await test({ 'accept-language': 'en-US' })).testAutomationTarget).toEqual({
        ok: false,
        error: 'WhatsApp access token not configured',
      });
    } finally {
      await configure();
    }

    const refuse = (headers: Record<string, string>) =>
      graphql<{ updateAutomationSettings: Record<string, unknown> }>(
        `
          mutation ($input: UpdateAutomationSettingsInput!) {
            updateAutomationSettings(input: $input) {
              __typename
              ... on ValidationError {
                message
                fieldErrors {
                  path
                  message
                }
              }
            }
          }
        `,
        {
          input: {
            plans: [{ status: 'HOT', actions: ['notify-slack'], followUpMinutes: 0 }],
            maxAttempts: 11,
            n8nWebhookUrl: 'não é uma URL',
            whatsappRecipients: ['11 99999-9999'],
          },
        },
        headers,
      );
    expect((await refuse(portuguese)).updateAutomationSettings).toEqual({
      __typename: 'ValidationError',
      message:
        'plans.0.followUpMinutes: Pelo menos 1 minuto; maxAttempts: No máximo 10; n8nWebhookUrl: Deve ser uma URL http(s); whatsappRecipients.0: Números no formato E.164, por exemplo +5511999999999',
      fieldErrors: [
        { path: 'plans.0.followUpMinutes', message: 'Pelo menos 1 minuto' },
        { path: 'maxAttempts', message: 'No máximo 10' },
        { path: 'n8nWebhookUrl', message: 'Deve ser uma URL http(s)' },
        {
          path: 'whatsappRecipients.0',
          message: 'Números no formato E.164, por exemplo +5511999999999',
        },
      ],
    });
    expect((await refuse({})).updateAutomationSettings).toMatchObject({
      fieldErrors: [
        { path: 'plans.0.followUpMinutes', message: 'At least 1 minute' },
        { path: 'maxAttempts', message: 'At most 10' },
        { path: 'n8nWebhookUrl', message: 'Must be an http(s) URL' },
        { path: 'whatsappRecipients.0', message: 'Phone numbers in E.164, e.g. +5511999999999' },
      ],
    });
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(row).toMatchObject({ maxAttempts: 3, n8nWebhookUrl: `${n8n.url}/webhook/streamleads` });
  });

  it("words its own delivery errors for a Portuguese reader and quotes a receiver's answer as it came", async () => {
    n8n.script = [{ status: 400 }];
    const rejected = await leadWithClass('COLD');
    await runsOf(rejected);
    expect(
      (await readRuns(rejected, portuguese)).find((run) => run.action === 'send-to-crm'),
    ).toMatchObject({ lastError: 'HTTP 400: sink says 400' });

    // A run the stuck-run sweep gave up on: its worker died during the last attempt.
    const lead = await database.prisma.lead.create({
      data: { name: 'Rui Parado', email: 'rui.parado@example.com', origin: 'SITE' },
    });
    await database.prisma.automationRun.create({
      data: {
        leadId: lead.id,
        action: 'notify-slack',
        trigger: 'class:PROCESSING->HOT#1',
        payload: {},
        state: 'RUNNING',
        attempts: 3,
        maxAttempts: 3,
        startedAt: new Date(Date.now() - (stuckAfterSeconds + 60) * 1_000),
      },
    });
    await repairStuckRuns(database.prisma, worker);
    expect(await readRuns(lead.id, portuguese)).toEqual([
      {
        action: 'notify-slack',
        skipReason: null,
        lastError:
          'O processo de envio parou durante a tentativa 3; nenhuma resposta foi registrada',
      },
    ]);
    expect((await readRuns(lead.id))[0]!.lastError).toBe(
      'The worker stopped during attempt 3; no answer was recorded',
    );
  });
});
