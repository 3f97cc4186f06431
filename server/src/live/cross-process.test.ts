// Live updates across processes as production runs them: two API instances and a worker, each
// its own Node process, meeting only in PostgreSQL. A subscriber on one API sees a lead created
// through the other and scored by the worker.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createApiKey } from '../access/api-keys.ts';
import { freePort, runScript, type RunningScript, waitUntilReady } from '../../test/processes.ts';
import { publishEvent } from '../events.ts';

let database: TestDatabase;
let adminKey: string;
const processes: RunningScript[] = [];
let apiA: string;
let apiB: string;

function processEnv(port: number): NodeJS.ProcessEnv {
  const { TEST_DATABASE_URL: _unset, ...inherited } = process.env;
  return {
    ...inherited,
    DATABASE_URL: database.url,
    PORT: String(port),
    // A worker-only process serves /metrics on its own port; the API ignores it.
    METRICS_PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
}

async function startApi(): Promise<string> {
  const port = await freePort();
  const script = runScript('src/main.ts', ['api'], processEnv(port));
  processes.push(script);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url, script);
  return url;
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ key: adminKey } = await createApiKey(database.prisma, { name: 'test', scopes: ['admin'] }));
  const worker = runScript('src/main.ts', ['worker'], processEnv(await freePort()));
  processes.push(worker);
  [apiA, apiB] = await Promise.all([startApi(), startApi()]);
}, 90_000);

afterAll(async () => {
  for (const script of processes) script.child.kill('SIGTERM');
  const codes = await Promise.all(processes.map((script) => script.exited));
  await database?.drop();
  expect(codes).toEqual(processes.map(() => 0));
}, 60_000);

interface Update {
  change: string;
  leadId: string;
  lead: { status: string; score: number } | null;
}

const updatesQuery = `subscription {
  leadUpdated { change leadId lead { status score } }
}`;

async function createLeadThrough(api: string): Promise<string> {
  const response = await fetch(`${api}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({
      query: `mutation ($input: CreateLeadInput!) {
        createLead(input: $input) {
          __typename
          ... on CreateLeadPayload { lead { id status } }
          ... on Error { message }
        }
      }`,
      variables: {
        input: {
          name: 'carla mendes',
          email: 'carla.mendes@example.com',
          phone: '11 98765-4321',
          origin: 'SITE',
          interest: 'Plano empresarial',
          approximateIncome: '15000',
          city: 'São Paulo',
        },
      },
    }),
  });
  const body = (await response.json()) as {
    data?: { createLead: { __typename: string; lead?: { id: string; status: string } } };
    errors?: unknown;
  };
  const lead = body.data?.createLead.lead;
  if (!lead) throw new Error(`createLead failed: ${JSON.stringify(body)}`);
  expect(lead.status).toBe('PROCESSING');
  return lead.id;
}

describe('live updates across processes', () => {
  let client: Client;

  afterAll(async () => {
    await client?.dispose();
  });

  it('shows a subscriber on one API a lead created on the other and scored by the worker', async () => {
    client = createClient({
      url: `${apiA.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: adminKey },
      retryAttempts: 0,
    });
    const updates: Update[] = [];
    let failure: unknown = null;
    client.subscribe<{ leadUpdated: Update }>(
      { query: updatesQuery },
      {
        next: (result) => {
          if (result.data) updates.push(result.data.leadUpdated);
          else failure = result.errors;
        },
        error: (error) => (failure = error),
        complete: () => {},
      },
    );
    const until = async (done: () => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (failure) throw new Error(JSON.stringify(failure));
        if (Date.now() > deadline)
          throw new Error(`timed out; received ${JSON.stringify(updates)}`);
        await sleep(25);
      }
    };

    // graphql-ws acknowledges no subscription: poke a probe lead from this test process until
    // API A relays it, so the subscription is known to be in place before the lead is created.
    const probe = await database.prisma.lead.create({
      data: { name: 'Probe Lead', email: 'probe@example.com', origin: 'OTHER' },
      select: { id: true },
    });
    const isProbe = (update: Update) => update.leadId === probe.id;
    const poke = setInterval(() => {
      void publishEvent(database.prisma, {
        type: 'lead.changed',
        leadId: probe.id,
        change: 'automation',
      });
    }, 100);
    try {
      await until(() => updates.some(isProbe), 15_000);
    } finally {
      clearInterval(poke);
    }

    const leadId = await createLeadThrough(apiB);
    const ofLead = () => updates.filter((update) => update.leadId === leadId);
    await until(() => ofLead().some((update) => update.change === 'SCORED'), 30_000);

    const [created, ...rest] = ofLead();
    expect(created).toMatchObject({ change: 'CREATED', leadId });
    const scored = rest.find((update) => update.change === 'SCORED')!;
    expect(['HOT', 'WARM', 'COLD']).toContain(scored.lead!.status);
  }, 60_000);
});
