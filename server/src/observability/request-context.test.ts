// One request id from the API into the jobs and automations it causes: the API (over real HTTP
// and WebSocket), the scoring worker and the automations runner share one logger writing JSON
// lines into memory, Slack and n8n are a real HTTP sink, and the lines are read back.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSocket } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { testWorkerDependencies } from '../../test/worker.ts';
import { automationsJobs } from '../automations/automations.jobs.ts';
import { runAutomationQueue, settingsId } from '../automations/automations.ts';
import { encryptSecret } from '../automations/secrets.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

interface LogLine {
  msg: string;
  requestId?: string;
  jobId?: string;
  queue?: string;
  [field: string]: unknown;
}

const captured: string[] = [];
const logger = createLogger('debug', { write: (line: string) => void captured.push(line) });
const lines = () => captured.map((line) => JSON.parse(line) as LogLine);

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let database: TestDatabase;
let app: TestApp;
let url: string;
let worker: PgBoss;
let receiver: HttpSink;
const failOnce = new Set<string>();
let workersStarted = false;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database, { logger });
  url = await app.listen(0, '127.0.0.1');
  // n8n answers 500 once for the emails in failOnce, then 200: a retried delivery.
  receiver = await startHttpSink({
    respond: (request) => {
      const email = [...failOnce].find((value) => request.body.includes(value));
      if (request.path !== '/n8n' || !email) return { status: 200, body: { ok: true } };
      failOnce.delete(email);
      return { status: 500, body: { error: 'try again' } };
    },
  });
  // Handlers are registered by the first test, once its leads wait in the queue together.
  worker = createJobs({ url: database.url, poolSize: 4, logger, maintain: false });
  await worker.start();
  const settings = {
    plan: { HOT: ['notify-slack', 'send-to-crm'], WARM: [], COLD: [] },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    maxAttempts: 3,
    retryDelaySeconds: 1,
    slackWebhookUrlEncrypted: encryptSecret(`${receiver.url}/slack`),
    n8nWebhookUrl: `${receiver.url}/n8n`,
    n8nSecretEncrypted: encryptSecret('n8n-secret'),
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...settings },
    update: settings,
  });
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await receiver?.close();
  await database?.drop();
});

const CREATE_LEAD = /* GraphQL */ `
  mutation CreateLead($input: CreateLeadInput!) {
    createLead(input: $input) {
      __typename
      ... on CreateLeadPayload {
        lead {
          id
        }
      }
    }
  }
`;

/** A lead the default rules score HOT. */
function hotLead(email: string) {
  return {
    name: 'Rastro Teste',
    email,
    origin: 'SITE',
    interest: 'Apartamento para investimento',
    approximateIncome: 25_000,
    city: 'São Paulo',
  };
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify(body),
  });
}

async function createLead(email: string, headers: Record<string, string>) {
  const response = await post(
    { query: CREATE_LEAD, variables: { input: hotLead(email) } },
    headers,
  );
  const body = (await response.json()) as {
    data: { createLead: { lead: { id: string } } };
  };
  return { response, leadId: body.data.createLead.lead.id };
}

/** The request ids carried in the data of a lead's scoring jobs, as pg-boss stores them. */
async function scoringJobRequestIds(leadId: string): Promise<unknown[]> {
  const rows = await database.pool.query<{ requestId: unknown }>(
    `SELECT data->'requestId' AS "requestId" FROM pgboss.job
     WHERE name = $1 AND data->>'leadId' = $2`,
    [scoreLeadQueue, leadId],
  );
  return rows.rows.map((row) => row.requestId);
}

/** Registers the scoring and automations handlers once (the first test queues leads before). */
async function startWorkers() {
  if (workersStarted) return;
  workersStarted = true;
  const dependencies = testWorkerDependencies(database, worker, {
    logger,
    env: { SCORING_CONCURRENCY: '1' },
  });
  await scoringJobs.register(dependencies);
  await automationsJobs.register(dependencies);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('request id', () => {
  it("carries the caller's id from createLead through its scoring job to its automation deliveries", async () => {
    const first = await createLead('rastro.um@example.com', { 'x-request-id': 'abc-123' });
    const second = await createLead('rastro.dois@example.com', { 'x-request-id': 'def-456' });
    expect(first.response.headers.get('x-request-id')).toBe('abc-123');
    expect(second.response.headers.get('x-request-id')).toBe('def-456');
    expect(await scoringJobRequestIds(first.leadId)).toEqual(['abc-123']);
    expect(await scoringJobRequestIds(second.leadId)).toEqual(['def-456']);

    // Both scoring jobs wait in the queue, so the worker's first fetch scores them in one batch:
    // the automations each lead enqueues must still carry that lead's request.
    await startWorkers();
    const runs = await waitFor(
      () =>
        database.prisma.automationRun.findMany({
          where: { leadId: { in: [first.leadId, second.leadId] } },
        }),
      (all) => all.length === 4 && all.every((run) => run.state === 'SUCCEEDED'),
    );
    const scoringStarts = await database.pool.query<{ started: Date }>(
      `SELECT DISTINCT started_on AS started FROM pgboss.job WHERE name = $1`,
      [scoreLeadQueue],
    );
    expect(scoringStarts.rowCount).toBe(1);

    const log = lines();
    for (const [{ leadId }, requestId] of [
      [first, 'abc-123'],
      [second, 'def-456'],
    ] as const) {
      const apiLines = log.filter(
        (line) => line.msg === 'request completed' && line.requestId === requestId,
      );
      expect(apiLines).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/graphql',
          operation: 'CreateLead',
          status: 200,
        }),
      ]);

      const scoringLines = log.filter(
        (line) => line.msg === 'lead scored' && line.leadId === leadId,
      );
      expect(scoringLines).toEqual([
        expect.objectContaining({ requestId, queue: scoreLeadQueue, status: 'HOT' }),
      ]);
      expect(scoringLines[0]!.jobId).toMatch(uuid);

      const runIds = runs.filter((run) => run.leadId === leadId).map((run) => run.id);
      const deliveryLines = log.filter(
        (line) => line.msg === 'automation run attempt' && runIds.includes(line.runId as string),
      );
      expect(deliveryLines).toHaveLength(2);
      for (const line of deliveryLines) {
        expect(line).toMatchObject({ requestId, queue: runAutomationQueue, outcome: 'delivered' });
      }
    }

    // The id stays ours: Slack and n8n get neither a header nor a field with it.
    expect(receiver.requests.map((request) => request.path).sort()).toEqual([
      '/n8n',
      '/n8n',
      '/slack',
      '/slack',
    ]);
    for (const request of receiver.requests) {
      expect(request.headers['x-request-id']).toBeUndefined();
      expect(request.body).not.toMatch(/abc-123|def-456/);
    }
  });

  it('keeps the id on the retry of a delivery that failed', async () => {
    await startWorkers();
    failOnce.add('rastro.retry@example.com');
    const { leadId } = await createLead('rastro.retry@example.com', { 'x-request-id': 'retry-1' });
    const n8nRun = await waitFor(
      () => database.prisma.automationRun.findFirst({ where: { leadId, action: 'send-to-crm' } }),
      (run) => run?.state === 'SUCCEEDED',
    );
    expect(n8nRun!.attempts).toBe(2);
    const attempts = lines().filter(
      (line) => line.msg === 'automation run attempt' && line.runId === n8nRun!.id,
    );
    expect(attempts.map((line) => [line.attempt, line.outcome, line.requestId])).toEqual([
      [1, 'failed', 'retry-1'],
      [2, 'delivered', 'retry-1'],
    ]);
    // Two jobs, one per attempt, each with its own id.
    expect(new Set(attempts.map((line) => line.jobId)).size).toBe(2);
  });

  it('answers a request without an id with a new one, on its log line too', async () => {
    const response = await post({ query: '{ __typename }' });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(uuid);
    await response.json();
    const line = await waitFor(
      () =>
        Promise.resolve(
          lines().find(
            (entry) => entry.msg === 'request completed' && entry.requestId === requestId,
          ),
        ),
      (found) => found !== undefined,
    );
    expect(line).toMatchObject({ status: 200, path: '/graphql' });
    // Every line of the request carries it, yoga's own included.
    expect(lines().filter((entry) => entry.requestId === requestId).length).toBeGreaterThan(1);
  });

  it('replaces an incoming id that is not a sane token', async () => {
    for (const sent of ['abc 123', 'a'.repeat(129), 'abc\u00e9', 'id;drop', 'a,b']) {
      const response = await post({ query: '{ __typename }' }, { 'x-request-id': sent });
      await response.arrayBuffer();
      const answered = response.headers.get('x-request-id');
      expect(answered).toMatch(uuid);
      expect(captured.join('\n')).not.toContain(sent);
    }
  });

  it('names refused requests too, and logs health checks at debug only', async () => {
    const oversized = await post(
      { query: '{ __typename }', padding: 'x'.repeat(1_100_000) },
      { 'x-request-id': 'too-big-1' },
    );
    expect(oversized.status).toBe(413);
    expect(oversized.headers.get('x-request-id')).toBe('too-big-1');
    const health = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'health-1' } });
    await health.arrayBuffer();
    expect(health.headers.get('x-request-id')).toBe('health-1');
    const logged = await waitFor(
      () =>
        Promise.resolve(
          lines().filter(
            (line) =>
              line.msg === 'request completed' &&
              ['too-big-1', 'health-1'].includes(line.requestId ?? ''),
          ),
        ),
      (found) => found.length === 2,
    );
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requestId: 'too-big-1', status: 413, level: 30 }),
        expect.objectContaining({ requestId: 'health-1', path: '/healthz', level: 20 }),
      ]),
    );
  });

  it('gives each WebSocket operation an id of its own, carried into the jobs it sends', async () => {
    const socket = openTestSocket(url, { connectionParams: { apiKey: app.adminKey } });
    try {
      expect(await socket.acknowledged).toBe(true);
      const mutation = (email: string) =>
        `mutation { createLead(input: { name: "Rastro Socket", email: "${email}", origin: SITE }) { ... on CreateLeadPayload { lead { id } } } }`;
      socket.subscribe('one', mutation('rastro.socket1@example.com'));
      socket.subscribe('two', mutation('rastro.socket2@example.com'));
      await waitFor(
        () => Promise.resolve(socket.messages.filter((message) => message.type === 'complete')),
        (completed) => completed.length === 2,
      );
      const leadIds = socket.messages
        .filter((message) => message.type === 'next')
        .map(
          (message) =>
            (message.payload as { data: { createLead: { lead: { id: string } } } }).data.createLead
              .lead.id,
        );
      expect(leadIds).toHaveLength(2);
      const requestIds = (await Promise.all(leadIds.map(scoringJobRequestIds))).flat();
      expect(requestIds).toHaveLength(2);
      for (const requestId of requestIds) expect(requestId).toMatch(uuid);
      expect(requestIds[0]).not.toBe(requestIds[1]);
    } finally {
      await socket.close();
    }
  });
});
