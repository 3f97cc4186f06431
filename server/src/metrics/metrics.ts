import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { jobsSchema } from '../jobs.ts';

/** One process's metrics, in a registry of its own (several apps can share a test process). */
export interface Metrics {
  registry: Registry;
  leadsIngested: Counter<'change' | 'origin'>;
  leadsScored: Counter<'class' | 'origin'>;
  acknowledgedToScoredSeconds: Histogram<'origin'>;
  /**
   * Attempts settled by the automations worker; outcome is the state an attempt left its run in
   * (SUCCEEDED, SKIPPED, FAILED to retry, DEAD). Runs created already SKIPPED (an integration not
   * configured) never reach the worker and are not counted.
   */
  automationRuns: Counter<'action' | 'outcome'>;
  openWebSockets: Gauge;
}

export const metricsPath = '/metrics';

/** Creates the registry with Node's default process metrics and StreamLeads' own. */
export function createMetrics(options: { pool?: pg.Pool } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    leadsIngested: new Counter({
      name: 'streamleads_leads_ingested_total',
      help: 'Lead submissions committed, by change (created or merged) and origin.',
      labelNames: ['change', 'origin'],
      registers,
    }),
    leadsScored: new Counter({
      name: 'streamleads_leads_scored_total',
      help: 'Lead scorings committed, by resulting class and origin.',
      labelNames: ['class', 'origin'],
      registers,
    }),
    acknowledgedToScoredSeconds: new Histogram({
      name: 'streamleads_lead_acknowledged_to_scored_seconds',
      help: "Time from a submission's commit (its acknowledgement) to its lead's scoring commit.",
      labelNames: ['origin'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    automationRuns: new Counter({
      name: 'streamleads_automation_runs_total',
      help: 'Automation run attempts settled by a worker, by action and the state they left the run in.',
      labelNames: ['action', 'outcome'],
      registers,
    }),
    openWebSockets: new Gauge({
      name: 'streamleads_websocket_connections',
      help: 'Open GraphQL WebSocket connections.',
      registers,
    }),
  };
  if (options.pool) registerQueueMetrics(registry, options.pool);
  return metrics;
}

interface QueueRow {
  name: string;
  depth: number;
  oldest_seconds: number | null;
}

/**
 * Queue depth and the age of the oldest waiting job, read at scrape time: one grouped query over
 * the jobs not yet started (pg-boss's own `state < 'active'` predicate), shared by both gauges.
 * The age counts from when a job became due (start_after), so a follow-up scheduled for next week
 * or a retry waiting out its back-off does not look stuck.
 */
function registerQueueMetrics(registry: Registry, pool: pg.Pool): void {
  let pending: Promise<QueueRow[]> | null = null;
  const read = () => {
    pending ??= pool
      .query<QueueRow>(
        `SELECT q.name, coalesce(j.depth, 0)::int AS depth, j.oldest_seconds
           FROM ${jobsSchema}.queue q
           LEFT JOIN (
             SELECT name, count(*) AS depth,
                    extract(epoch FROM now() - min(start_after) FILTER (WHERE start_after <= now()))::float8
                      AS oldest_seconds
               FROM ${jobsSchema}.job
              WHERE state < 'active'
              GROUP BY name
           ) j USING (name)`,
      )
      .then((result) => result.rows)
      // A scrape during a database outage still serves the process metrics.
      .catch(() => [])
      .finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };
  new Gauge({
    name: 'streamleads_queue_depth',
    help: 'Jobs waiting in a pg-boss queue (created or waiting for a retry).',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await read()) this.set({ queue: row.name }, row.depth);
    },
  });
  new Gauge({
    name: 'streamleads_queue_oldest_job_age_seconds',
    help: 'Seconds the oldest due job of a pg-boss queue has waited for a worker (0: none due).',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await read()) this.set({ queue: row.name }, row.oldest_seconds ?? 0);
    },
  });
}

/** Serves only /metrics: for worker-only processes, which have no API port. */
export async function serveMetrics(
  metrics: Metrics,
  port: number,
  host: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url?.split('?')[0] !== metricsPath) {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  server.listen(port, host);
  await once(server, 'listening');
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}${metricsPath}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
