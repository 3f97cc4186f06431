import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { automationsJobs } from '../automations/automations.jobs.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startTestWorker } from '../../test/worker.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { createMetrics, serveMetrics } from './metrics.ts';

let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  // The worker counts into the app's registry, as in one process running role all.
  worker = await startTestWorker(database, [scoringJobs, automationsJobs], {
    poolSize: 2,
    metrics: app.metrics,
  });
  await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

async function scrape(): Promise<string> {
  const response = await app.yoga.fetch('http://test/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one sample, e.g. `streamleads_leads_ingested_total{change="created",...}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) &&
        wanted.every((label) => candidate.includes(label)),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function createLead(email: string): Promise<void> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({
      query: `mutation ($input: CreateLeadInput!) {
        createLead(input: $input, awaitScoring: true) {
          __typename
          ... on CreateLeadPayload { created lead { status } }
        }
      }`,
      variables: {
        input: {
          name: 'Maria Souza',
          email,
          phone: '+5511999999999',
          origin: 'META_ADS',
          interest: 'Apartamento para investimento',
          approximateIncome: 15000,
          city: 'São Paulo',
        },
      },
    }),
  });
  const body = (await response.json()) as {
    data: { createLead: { __typename: string; lead: { status: string } } };
  };
  expect(body.data.createLead.__typename).toBe('CreateLeadPayload');
  expect(body.data.createLead.lead.status).toBe('HOT');
}

describe('/metrics', () => {
  it('serves every metric in the Prometheus text format', async () => {
    await createLead('names@example.com');
    const text = await scrape();
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'graphql_yoga_http_duration',
      'graphql_envelop_request_duration',
      'graphql_envelop_phase_execute',
      'streamleads_leads_ingested_total',
      'streamleads_leads_scored_total',
      'streamleads_lead_acknowledged_to_scored_seconds',
      'streamleads_queue_depth',
      'streamleads_queue_oldest_job_age_seconds',
      'streamleads_websocket_connections',
      'streamleads_automation_runs_total',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
  });

  it('counts created and merged leads and their scorings', async () => {
    const created = { change: 'created', origin: 'META_ADS' };
    const merged = { change: 'merged', origin: 'META_ADS' };
    const scored = { class: 'HOT', origin: 'META_ADS' };
    const latency = 'streamleads_lead_acknowledged_to_scored_seconds_count';
    const before = await scrape();

    await createLead('counted@example.com');
    await createLead('counted@example.com');
    const after = await scrape();

    const delta = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('streamleads_leads_ingested_total', created)).toBe(1);
    expect(delta('streamleads_leads_ingested_total', merged)).toBe(1);
    // The merge's scoring commits too (unchanged), so both count; only the first writes the row.
    expect(delta('streamleads_leads_scored_total', scored)).toBe(2);
    expect(delta(latency, { origin: 'META_ADS' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'streamleads_leads_ingested_total', { origin: 'REFERRAL' })).toBe(0);
  });

  it('reports the depth of each queue', async () => {
    const text = await scrape();
    expect(text).toMatch(/^streamleads_queue_depth\{queue="scoring\.score-lead"\} 0$/m);
  });

  it('counts automation runs by action and outcome', async () => {
    const followUp = { action: 'schedule-follow-up', outcome: 'SUCCEEDED' };
    const before = sample(await scrape(), 'streamleads_automation_runs_total', followUp);
    await createLead('automated@example.com');
    const deadline = Date.now() + 20_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = sample(await scrape(), 'streamleads_automation_runs_total', followUp);
    }
    // A HOT lead schedules its follow-up; its Slack and WhatsApp runs, skipped when created for
    // want of settings, never reach the worker.
    expect(after - before).toBe(1);
  });

  it('gauges open WebSocket connections', async () => {
    const url = await app.listen(0, '127.0.0.1');
    const gauge = async () => sample(await scrape(), 'streamleads_websocket_connections');
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    expect(await gauge()).toBe(1);
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
    const deadline = Date.now() + 5_000;
    while ((await gauge()) !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await gauge()).toBe(0);
  });
});

describe('serveMetrics', () => {
  it('serves a worker-only process its own /metrics and nothing else', async () => {
    const metrics = createMetrics({ pool: database.pool });
    metrics.leadsScored.inc({ class: 'WARM', origin: 'WEBSITE' });
    const server = await serveMetrics(metrics, 0, '127.0.0.1');
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('streamleads_leads_scored_total{class="WARM",origin="WEBSITE"} 1');
      expect(text).toContain('streamleads_queue_depth{queue="scoring.score-lead"}');
      expect(text).toContain('process_cpu_seconds_total');
      expect((await fetch(server.url.replace('/metrics', '/graphql'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
