import type pg from 'pg';
import { EMAIL_PLACEHOLDER, runWrk, type HttpResult, type MutationLoad } from './http-load.ts';
import { truncateLeads } from './database.ts';
import { residentMiB, sleep, type Service } from './processes.ts';
import { runPgbench, type RawSqlResult } from './raw-sql.ts';

/** Our createLead as a form or n8n sends it; the answer carries the new lead's id. */
export function ourCreateLead(api: Service, apiKey: string): MutationLoad {
  return {
    url: `${api.url}/graphql`,
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({
      query: `mutation Create($email: String!) {
        createLead(input: { name: "Bench Lead", email: $email, origin: SITE, city: "Sao Paulo", interest: "apartamento" }) {
          ... on CreateLeadPayload { leadId }
        }
      }`,
      variables: { email: EMAIL_PLACEHOLDER },
    }),
    success: '"leadId":"',
  };
}

/** PostGraphile's generated create mutation on its copy of the table. */
export function peerCreateLead(peer: Service): MutationLoad {
  return {
    url: `${peer.url}/graphql`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation Create($email: String!) {
        createLead(input: { lead: { name: "Bench Lead", email: $email, origin: SITE, city: "Sao Paulo", interest: "apartamento" } }) {
          lead { id }
        }
      }`,
      variables: { email: EMAIL_PLACEHOLDER },
    }),
    success: '"id":"',
  };
}

export interface OurIngestResult extends HttpResult {
  /** Leads the run added: at least `ok`, at most `ok` + connections (cut off in flight). */
  rows: number;
  /** createdAt to processedAt of the run's leads. */
  scoredP50Ms: number;
  scoredP99Ms: number;
  /** From the end of the load until the last lead was scored. */
  drainSeconds: number;
  /** Highest resident size sampled during the run, MiB. */
  apiPeakMiB: number;
  workerPeakMiB: number;
}

/** Peak RSS of some processes while `during` runs, sampled every 250 ms. */
async function peakResident<T>(
  pids: number[],
  during: () => Promise<T>,
): Promise<{ result: T; peaks: number[] }> {
  const peaks = pids.map(() => 0);
  let running = true;
  const sampler = (async () => {
    while (running) {
      const sizes = await Promise.all(pids.map((pid) => residentMiB(pid).catch(() => 0)));
      sizes.forEach((size, index) => (peaks[index] = Math.max(peaks[index]!, size)));
      await sleep(250);
    }
  })();
  try {
    return { result: await during(), peaks };
  } finally {
    running = false;
    await sampler;
  }
}

/** Waits until every lead has been scored; answers how long that took. */
export async function waitForDrain(db: pg.Pool, timeoutMs = 180_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    const { rows } = await db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM leads WHERE "processedAt" IS NULL`,
    );
    if (rows[0]!.pending === 0) return (performance.now() - start) / 1000;
    if (performance.now() - start > timeoutMs) {
      throw new Error(`${rows[0]!.pending} leads still unscored after ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
}

/** A short unmeasured run, its backlog drained, then empty tables. */
export async function warmUp(db: pg.Pool, load: MutationLoad, seconds: number): Promise<void> {
  await runWrk(load, { connections: 16, seconds });
  await waitForDrain(db);
  await truncateLeads(db);
}

export async function measureOurs(options: {
  db: pg.Pool;
  load: MutationLoad;
  api: Service;
  worker: Service;
  connections: number;
  seconds: number;
  delayMs?: number;
}): Promise<OurIngestResult> {
  const { db } = options;
  await truncateLeads(db);
  const { result, peaks } = await peakResident([options.api.pid, options.worker.pid], async () => {
    const http = await runWrk(options.load, options);
    const drainSeconds = await waitForDrain(db);
    return { http, drainSeconds };
  });
  const { rows } = await db.query<{ rows: number; p50: number; p99: number }>(`
    SELECT count(*)::int AS rows,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
    FROM (SELECT extract(epoch FROM "processedAt" - "createdAt") * 1000 AS ms FROM leads) AS scored
  `);
  const counted = rows[0]!;
  checkRows('StreamLeads', counted.rows, result.http.ok, result.http.failed + options.connections);
  return {
    ...result.http,
    rows: counted.rows,
    scoredP50Ms: counted.p50,
    scoredP99Ms: counted.p99,
    drainSeconds: result.drainSeconds,
    apiPeakMiB: peaks[0]!,
    workerPeakMiB: peaks[1]!,
  };
}

export async function measurePeer(options: {
  db: pg.Pool;
  load: MutationLoad;
  peer: Service;
  connections: number;
  seconds: number;
}): Promise<HttpResult & { peakMiB: number }> {
  await options.db.query('TRUNCATE peer.leads');
  const { result, peaks } = await peakResident([options.peer.pid], () =>
    runWrk(options.load, options),
  );
  const { rows } = await options.db.query<{ rows: number }>(
    'SELECT count(*)::int AS rows FROM peer.leads',
  );
  checkRows('PostGraphile', rows[0]!.rows, result.ok, result.failed + options.connections);
  return { ...result, peakMiB: peaks[0]! };
}

export async function measureRaw(options: {
  db: pg.Pool;
  databaseUrl: string;
  connections: number;
  seconds: number;
}): Promise<RawSqlResult> {
  await truncateLeads(options.db);
  await waitForConnectionSlots(options.db, options.connections);
  const result = await runPgbench(options.databaseUrl, {
    clients: options.connections,
    seconds: options.seconds,
  });
  const { rows } = await options.db.query<{ rows: number }>(
    'SELECT count(*)::int AS rows FROM leads',
  );
  // pgbench also stops on time: a transaction committed as the clock ran out is not counted.
  checkRows('raw SQL', rows[0]!.rows, result.transactions, options.connections);
  // The worker scores these too; let it finish before the next system runs.
  await waitForDrain(options.db);
  return result;
}

// Load stops on time and drops what is still in flight, and a request wrk gave up on (timeout,
// closed socket) may still have been committed: those leads exist without a successful answer.
function checkRows(system: string, rows: number, answered: number, inFlight: number): void {
  if (rows < answered || rows > answered + inFlight) {
    throw new Error(`${system}: ${answered} successful answers but ${rows} rows were added`);
  }
}

/**
 * Waits (up to 30 s) until the server has `needed` connections to spare: the pools of the
 * systems measured before close their idle connections after 10 s.
 */
async function waitForConnectionSlots(db: pg.Pool, needed: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await db.query<{ free: number }>(`
      SELECT current_setting('max_connections')::int
        - current_setting('superuser_reserved_connections')::int
        - (SELECT count(*) FROM pg_stat_activity)::int AS free`);
    if (rows[0]!.free >= needed) return;
    if (Date.now() > deadline) {
      throw new Error(
        `PostgreSQL has ${rows[0]!.free} free connections and pgbench needs ${needed}: raise max_connections or stop other clients`,
      );
    }
    await sleep(500);
  }
}
