// `pnpm bench [--quick] [--print-only]`: starts a scratch database, our API and worker, PostGraphile and the
// load tools on this machine, measures them side by side, prints the table and writes it to
// bench/results/latest.md and the README. Never part of `pnpm test`.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  createBenchApiKey,
  createPeerTable,
  generateLeads,
  migrate,
  openScratchDatabase,
  type ScratchDatabase,
} from './database.ts';
import {
  measureOurs,
  measurePeer,
  measureRaw,
  ourCreateLead,
  peerCreateLead,
  warmUp,
  type OurIngestResult,
} from './ingest.ts';
import type { HttpResult } from './http-load.ts';
import {
  benchDir,
  hasCommand,
  residentMiB,
  runToEnd,
  startPostGraphile,
  startStreamLeads,
  type Service,
} from './processes.ts';
import type { RawSqlResult } from './raw-sql.ts';
import { LEADS_PAGE, leadStatsQuery, measureRead, type ReadResult } from './reads.ts';
import {
  fixed,
  markdown,
  targetsSection,
  updateReadme,
  whole,
  type Figure,
  type Section,
} from './report.ts';
import { measureSubscriptions, type SubscriptionResult } from './subscriptions.ts';

const quick = process.argv.includes('--quick');
/** Print the table only: leave results/latest.md and the README as they are. */
const printOnly = quick || process.argv.includes('--print-only');

/** How long and how much: the full run stays under 10 minutes on a 2-core machine. */
const plan = quick
  ? {
      seconds: 5,
      warmUpSeconds: 2,
      concurrencies: [1, 16, 64],
      subscribers: [200, 1_000],
      liveLeadsPerSecond: 5,
      liveSeconds: 4,
      leads: 100_000,
      readRequests: 50,
    }
  : {
      seconds: 10,
      warmUpSeconds: 3,
      concurrencies: [1, 16, 64],
      subscribers: [1_000, 5_000],
      liveLeadsPerSecond: 5,
      liveSeconds: 8,
      leads: 1_000_000,
      readRequests: 200,
    };

const log = (line: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface IngestRound {
  connections: number;
  ours: OurIngestResult;
  peer: HttpResult & { peakMiB: number };
  raw: RawSqlResult;
}

interface Results {
  idle: { apiMiB: number; workerMiB: number };
  ingest: IngestRound[];
  halfRate: OurIngestResult;
  subscriptions: SubscriptionResult[];
  reads: ReadResult[];
  startedAt: Date;
  database: string;
}

async function checkTools(): Promise<void> {
  const missing = [];
  if (!(await hasCommand('wrk'))) missing.push('wrk');
  if (!(await hasCommand('pgbench'))) missing.push('pgbench');
  if (missing.length === 0) return;
  console.error(
    `pnpm bench needs ${missing.join(' and ')} on PATH. On Debian/Ubuntu: ` +
      `sudo apt-get install -y ${missing.map((tool) => (tool === 'pgbench' ? 'postgresql-contrib' : tool)).join(' ')}` +
      ' (pgbench ships with postgresql-contrib, or postgresql-client-<version> on newer releases);' +
      ' on macOS: brew install wrk postgresql.',
  );
  process.exit(1);
}

async function main(): Promise<void> {
  await checkTools();
  const startedAt = new Date();
  const started = performance.now();
  const services: Service[] = [];
  let scratch: ScratchDatabase | undefined;
  let db: pg.Pool | undefined;
  try {
    scratch = await openScratchDatabase(log);
    log(`database ${scratch.server}; migrating`);
    await migrate(scratch.url);
    db = new pg.Pool({ connectionString: scratch.url, max: 4 });
    const [api, worker] = await Promise.all([
      startStreamLeads('api', scratch.url),
      startStreamLeads('worker', scratch.url),
    ]);
    services.push(api, worker);
    const apiKey = await createBenchApiKey(db);
    await createPeerTable(db);
    const peer = await startPostGraphile(scratch.url);
    services.push(peer);
    const idle = { apiMiB: await residentMiB(api.pid), workerMiB: await residentMiB(worker.pid) };
    log(`idle: API ${fixed(idle.apiMiB)} MiB, worker ${fixed(idle.workerMiB)} MiB`);

    const ours = ourCreateLead(api, apiKey);
    const theirs = peerCreateLead(peer);
    log('warming up');
    await warmUp(db, ours, plan.warmUpSeconds);
    await measurePeer({ db, load: theirs, peer, connections: 16, seconds: plan.warmUpSeconds });

    const ingest: IngestRound[] = [];
    for (const connections of plan.concurrencies) {
      const run = { db, connections, seconds: plan.seconds };
      // Alternated within the round, so drift on the machine touches every system alike.
      const oursResult = await measureOurs({ ...run, load: ours, api, worker });
      log(`c=${connections} StreamLeads ${whole(oursResult.perSecond)} req/s`);
      const peerResult = await measurePeer({ ...run, load: theirs, peer });
      log(`c=${connections} PostGraphile ${whole(peerResult.perSecond)} req/s`);
      const raw = await measureRaw({ ...run, databaseUrl: scratch.url });
      log(`c=${connections} raw SQL ${whole(raw.perSecond)} tx/s`);
      ingest.push({ connections, ours: oursResult, peer: peerResult, raw });
    }
    await peer.stop();

    const halfRate = await measureHalfRate(db, ours, api, worker, ingest);
    log(
      `half rate: ${whole(halfRate.perSecond)} req/s, scored p99 ${fixed(halfRate.scoredP99Ms)} ms`,
    );

    const subscriptions: SubscriptionResult[] = [];
    for (const subscribers of plan.subscribers) {
      const result = await measureSubscriptions({
        api,
        apiKey,
        db,
        subscribers,
        leadsPerSecond: plan.liveLeadsPerSecond,
        seconds: plan.liveSeconds,
      });
      log(`${subscribers} subscribers: p99 ${fixed(result.p99Ms)} ms`);
      subscriptions.push(result);
    }

    log(`generating ${plan.leads.toLocaleString('en-US')} leads over 90 days`);
    await db.query('TRUNCATE leads CASCADE');
    await generateLeads(db, { leads: plan.leads, days: 90 });
    const reads: ReadResult[] = [];
    for (const read of [
      LEADS_PAGE,
      leadStatsQuery('LAST_7_DAYS'),
      leadStatsQuery('LAST_30_DAYS'),
      leadStatsQuery('LAST_90_DAYS'),
    ]) {
      const result = await measureRead(api, apiKey, read, {
        requests: plan.readRequests,
        warmUp: 10,
      });
      log(`${read.name}: p50 ${fixed(result.p50Ms)} ms, p99 ${fixed(result.p99Ms)} ms`);
      reads.push(result);
    }

    const results: Results = {
      idle,
      ingest,
      halfRate,
      subscriptions,
      reads,
      startedAt,
      database: scratch.server,
    };
    const minutes = (performance.now() - started) / 60_000;
    await publish(results, minutes);
  } finally {
    for (const service of services.reverse()) await service.stop();
    await db?.end();
    await scratch?.drop();
  }
}

/** Half the highest rate we reached, held with wrk's per-request delay. */
async function measureHalfRate(
  db: pg.Pool,
  load: ReturnType<typeof ourCreateLead>,
  api: Service,
  worker: Service,
  ingest: IngestRound[],
): Promise<OurIngestResult> {
  const highest = Math.max(...ingest.map((round) => round.ours.perSecond));
  const connections = 16;
  const latency = ingest.find((round) => round.connections === 16)?.ours.p50Ms ?? 5;
  const delayMs = Math.max(1, Math.round((connections * 1000) / (highest / 2) - latency));
  return measureOurs({ db, load, api, worker, connections, seconds: plan.seconds, delayMs });
}

function report(results: Results, minutes: number) {
  const sections: Section[] = [];
  sections.push({
    title:
      'Ingest: createLead over HTTP (wrk), the same insert + job in raw SQL (pgbench -M prepared), PostGraphile 5.1.5 amber',
    columns: [
      'concurrency',
      'StreamLeads req/s',
      'p50 / p99 ms',
      'ack → scored p50 / p99 ms',
      'backlog drained in',
      'raw SQL tx/s',
      'PostGraphile req/s',
      'p50 / p99 ms',
      'ours / raw',
      'ours / PostGraphile',
      'failed (ours / PostGraphile)',
    ],
    rows: results.ingest.map(({ connections, ours, peer, raw }) => [
      String(connections),
      whole(ours.perSecond),
      `${fixed(ours.p50Ms)} / ${fixed(ours.p99Ms)}`,
      `${fixed(ours.scoredP50Ms)} / ${fixed(ours.scoredP99Ms)}`,
      `${fixed(ours.drainSeconds)} s`,
      whole(raw.perSecond),
      whole(peer.perSecond),
      `${fixed(peer.p50Ms)} / ${fixed(peer.p99Ms)}`,
      `${whole((ours.perSecond / raw.perSecond) * 100)}%`,
      `${fixed(ours.perSecond / peer.perSecond, 2)}×`,
      `${whole(ours.failed)} / ${whole(peer.failed)}`,
    ]),
  });
  const half = results.halfRate;
  sections.push({
    title: 'Subscriptions: leadUpdated over graphql-ws while leads stream in',
    columns: [
      'subscribers',
      'leads',
      'deliveries',
      'p50 ms',
      'p99 ms',
      'API MiB',
      'KiB per subscriber',
    ],
    rows: results.subscriptions.map((result) => [
      whole(result.subscribers),
      whole(result.leads),
      `${whole(result.delivered)} of ${whole(result.leads * result.subscribers)}`,
      fixed(result.p50Ms),
      fixed(result.p99Ms),
      fixed(result.apiMiB),
      fixed(result.perSubscriberKiB),
    ]),
  });
  sections.push({
    title: `Reads at ${plan.leads.toLocaleString('en-US')} leads (sequential requests over HTTP)`,
    columns: ['query', 'requests', 'p50 ms', 'p99 ms'],
    rows: results.reads.map((read) => [
      read.name,
      whole(read.requests),
      fixed(read.p50Ms),
      fixed(read.p99Ms),
    ]),
  });
  const c64 = results.ingest.find((round) => round.connections === 64);
  const subs = results.subscriptions.at(-1);
  const apiUnderLoad = Math.max(c64?.ours.apiPeakMiB ?? 0, subs?.apiMiB ?? 0);
  sections.push({
    title: 'Memory (resident, MiB)',
    columns: [
      'process',
      'idle',
      'peak at c=64',
      `with ${whole(subs?.subscribers ?? 0)} subscribers`,
    ],
    rows: [
      [
        'API',
        fixed(results.idle.apiMiB),
        fixed(c64?.ours.apiPeakMiB ?? NaN),
        fixed(subs?.apiMiB ?? NaN),
      ],
      ['worker', fixed(results.idle.workerMiB), fixed(c64?.ours.workerPeakMiB ?? NaN), ''],
      ['PostGraphile', '', fixed(c64?.peer.peakMiB ?? NaN), ''],
    ],
  });
  const figures: Figure[] = [];
  if (c64) {
    const ofRaw = c64.ours.perSecond / c64.raw.perSecond;
    const ofPeer = c64.ours.perSecond / c64.peer.perSecond;
    figures.push(
      {
        measure: 'ingest c=64 / raw SQL',
        value: `${whole(ofRaw * 100)}%`,
        target: '≥ 35%',
        met: ofRaw >= 0.35,
      },
      {
        measure: 'ingest c=64 / PostGraphile',
        value: `${fixed(ofPeer, 2)}×`,
        target: '≥ 1.2×',
        met: ofPeer >= 1.2,
      },
    );
  }
  figures.push({
    measure: `ack → scored p99 at half the top rate (${whole(half.perSecond)} req/s)`,
    value: `${fixed(half.scoredP99Ms)} ms`,
    target: '< 200 ms',
    met: half.scoredP99Ms < 200,
  });
  if (subs) {
    figures.push({
      measure: `${whole(subs.subscribers)} subscribers, delivery p99`,
      value: `${fixed(subs.p99Ms)} ms`,
      target: '< 500 ms',
      met: subs.p99Ms < 500 && subs.delivered === subs.leads * subs.subscribers,
    });
  }
  for (const read of results.reads) {
    figures.push({
      measure: `${read.name} p99`,
      value: `${fixed(read.p99Ms)} ms`,
      target: '< 50 ms',
      met: read.p99Ms < 50,
    });
  }
  figures.push({
    measure: 'API resident under load',
    value: `${fixed(apiUnderLoad)} MiB`,
    target: '< 300 MB',
    met: apiUnderLoad * 1.048576 < 300,
  });
  sections.unshift(targetsSection(figures));
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const heading = `Measured ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (quick mode: shorter runs, fewer leads; not for comparison)' : ''} on ${os.cpus().length} × ${cpu}, ${whole(os.totalmem() / 2 ** 30)} GiB RAM, ${results.database}, Node ${process.version}; everything on this one machine, ${fixed(minutes)} minutes.`;
  const notes = [
    `Method: each HTTP run is wrk, 1 thread, ${plan.seconds} s, after a warm-up; the table is emptied before each run and the rows added are checked against the successful answers (GraphQL errors count as failures). Systems alternate within each concurrency. Raw SQL is pgbench -M prepared inserting the lead and its pg-boss job in one transaction. The worker scores every lead, whichever system inserted it. ack → scored is createdAt to processedAt, so it includes the commit. Subscribers' latency runs from the lead's createdAt to the CREATED message.`,
  ];
  return { sections, heading, notes };
}

async function publish(results: Results, minutes: number): Promise<void> {
  const { sections, heading, notes } = report(results, minutes);
  const text = markdown({ heading, sections, notes });
  console.log(`\n${text}\n`);
  if (printOnly) {
    log('results/latest.md and the README are left as they are');
    return;
  }
  await mkdir(path.join(benchDir, 'results'), { recursive: true });
  const latest = path.join(benchDir, 'results', 'latest.md');
  await writeFile(latest, `${text}\n`);
  const readme = path.join(benchDir, '..', 'README.md');
  const inReadme = await updateReadme(readme, text);
  log(inReadme ? 'README.md updated' : 'README.md has no bench markers: left as it is');
  // The repository's formatter aligns the tables, so `pnpm lint` stays green after a run.
  await runToEnd(path.join(benchDir, '..', 'node_modules', '.bin', 'prettier'), [
    '--write',
    latest,
    ...(inReadme ? [readme] : []),
  ]);
  log(`wrote ${path.relative(process.cwd(), latest)}`);
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
