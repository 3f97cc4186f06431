// `pnpm --filter @streamleads/bench dashboard [--print-only]`: how fast the dashboard's pages
// render with 100,000 leads (issue #6: the Overview under a second, a Leads page under 300 ms).
// Starts the whole product as the e2e tests do (./stack.ts) on a fresh database, loads the leads
// as the bench does, signs an admin in through the sign-in form in headless Chromium and times
// each view with the browser's own clock. A benchmark, never a test: it prints figures and, unless
// --print-only, writes bench/results/dashboard-pages.md and its section of the README.
//
// What "rendered" means, checked on every animation frame (so to within one frame, ~16 ms):
// - Overview: all seven KPI cards show a number (no loading skeleton), the four charts of the
//   range (over time, by origin, hot rate by origin, score histogram) and the pipeline funnel each
//   hold an SVG with at least one bar.
// - Leads page: the table's first rows are in the document (at least one row with a lead id) and
//   the count above it shows the total; the loading line is gone.
// In both, elements drawn before the timed action are marked stale first, so a view counts as
// rendered only once the page has drawn it anew for the new URL.
// A full load is timed from navigation start (the page's performance.timeOrigin) in a browser
// whose HTTP cache already holds the scripts, as for someone who used the dashboard before; an
// in-app navigation from the click or form submission to the same marker.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import pg from 'pg';
import { generateLeads } from '../../bench/src/database.ts';
import { runToEnd } from '../../bench/src/processes.ts';
import {
  fixed,
  markdown,
  targetsSection,
  updateReadme,
  whole,
  type Figure,
  type Section,
} from '../../bench/src/report.ts';
import { percentile } from '../../bench/src/stats.ts';
import { SESSION_COOKIE } from './api';
import { launchChromium } from './browser';
import { startStack, stopStack, type Stack } from './stack';

const LEADS = 100_000;
const DAYS = 90;
/** 20 runs, so p95 is the 19th slowest rather than the slowest. */
const RUNS = 20;
const WARM_UP_RUNS = 2;
/** Each distinct GraphQL request a view made is sent again this many times over HTTP. */
const REPLAYS = 10;
const OVERVIEW_TARGET_MS = 1_000;
const LEADS_TARGET_MS = 300;
/** The filtered and searched view: a class, an origin and a surname that many leads share. */
const FILTERED_SEARCH = 'q=silva&status=WARM&origin=META_ADS';
const RENDER_TIMEOUT_MS = 30_000;

const printOnly = process.argv.includes('--print-only');
const repositoryDir = fileURLToPath(new URL('../../', import.meta.url));
const log = (line: string) =>
  console.log(`[dashboard ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** One view, timed: how long until it was rendered, and what it asked the API for. */
interface Sample {
  renderedMs: number;
  /** When the view's first GraphQL request left the browser (full loads: after hydration). */
  firstRequestMs: number;
  /** GraphQL requests over HTTP during the view, by operation name. */
  requests: string[];
  /** Subscriptions started on the live socket during the view. */
  subscriptions: string[];
  /** The slowest of those HTTP requests as the browser saw it (start to response end). */
  slowestRequestMs: number;
}

interface Scenario {
  name: string;
  targetMs: number;
  /** Brings the page to where the timed action starts; not timed. */
  prepare?: (page: Page, stack: Stack) => Promise<void>;
  /** Performs the timed action and returns its start on the page's clock (0 for a full load). */
  act: (page: Page, stack: Stack) => Promise<number>;
  rendered: RenderedCheck;
}

type RenderedCheck = 'overview' | 'leads';

interface ScenarioResult {
  scenario: Scenario;
  samples: Sample[];
  /** The first request of each GraphQL operation the view made. */
  requests: CapturedRequest[];
}

/** A GraphQL request the dashboard sent over HTTP, kept to be sent again from here. */
interface CapturedRequest {
  operation: string;
  url: string;
  method: string;
  body: string | null;
}

const scenarios: Scenario[] = [
  {
    name: 'Overview, full load (30 days)',
    targetMs: OVERVIEW_TARGET_MS,
    act: (page, stack) => fullLoad(page, `${stack.dashboardUrl}/`),
    rendered: 'overview',
  },
  {
    name: 'Overview, in-app: another range (30 ↔ 90 days)',
    targetMs: OVERVIEW_TARGET_MS,
    prepare: async (page, stack) => {
      if (!new URL(page.url()).pathname.endsWith('/')) await page.goto(`${stack.dashboardUrl}/`);
      await waitUntilRendered(page, 'overview', 0);
    },
    act: (page) => {
      const range = new URL(page.url()).searchParams.get('range') === '90d' ? '30d' : '90d';
      return clickOnPage(page, `nav a[href$="range=${range}"]`);
    },
    rendered: 'overview',
  },
  {
    name: 'Leads, full load',
    targetMs: LEADS_TARGET_MS,
    act: (page, stack) => fullLoad(page, `${stack.dashboardUrl}/leads`),
    rendered: 'leads',
  },
  {
    name: 'Leads, in-app: next page',
    targetMs: LEADS_TARGET_MS,
    prepare: async (page, stack) => {
      await page.goto(`${stack.dashboardUrl}/leads`);
      await waitUntilRendered(page, 'leads', 0);
    },
    act: (page) => clickOnPage(page, 'a[rel="next"]'),
    rendered: 'leads',
  },
  {
    name: 'Leads filtered + searched, full load',
    targetMs: LEADS_TARGET_MS,
    act: (page, stack) => fullLoad(page, `${stack.dashboardUrl}/leads?${FILTERED_SEARCH}`),
    rendered: 'leads',
  },
  {
    name: 'Leads filtered + searched, in-app: apply the filter form',
    targetMs: LEADS_TARGET_MS,
    prepare: async (page, stack) => {
      await page.goto(`${stack.dashboardUrl}/leads`);
      await waitUntilRendered(page, 'leads', 0);
      await page.locator('input[name="q"]').fill('silva');
      await page.locator('input[name="status"][value="WARM"]').check();
      await page.locator('input[name="origin"][value="META_ADS"]').check();
    },
    act: (page) => clickOnPage(page, 'form.filters button[type="submit"]'),
    rendered: 'leads',
  },
  {
    name: 'Leads filtered + searched, in-app: next page',
    targetMs: LEADS_TARGET_MS,
    prepare: async (page, stack) => {
      await page.goto(`${stack.dashboardUrl}/leads?${FILTERED_SEARCH}`);
      await waitUntilRendered(page, 'leads', 0);
    },
    act: (page) => clickOnPage(page, 'a[rel="next"]'),
    rendered: 'leads',
  },
];

/** Navigates and returns 0: the new document's clock starts at its navigation. */
async function fullLoad(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return 0;
}

/**
 * Marks what is on screen as stale, then clicks `selector` from inside the page, so the start is
 * read on the page's clock in the same task as the click.
 */
async function clickOnPage(page: Page, selector: string): Promise<number> {
  return page.evaluate((target) => {
    for (const element of document.querySelectorAll('main *')) {
      element.setAttribute('data-bench-stale', '');
    }
    // The buffer holds 250 entries by default; a long session of in-app navigations fills it.
    performance.clearResourceTimings();
    const control = document.querySelector<HTMLElement>(target);
    if (!control) throw new Error(`nothing matches ${target}`);
    const started = performance.now();
    control.click();
    return started;
  }, selector);
}

/**
 * Runs in the page (so it uses nothing from this module): the moment on the page's clock once the
 * view is rendered (see the top of this file), false until then; with `explain`, the parts of the
 * view still missing.
 */
function renderedAt({ check, explain }: { check: RenderedCheck; explain: boolean }) {
  // The element itself: its ancestors (the page's frame, the KPI grid) rightly stay in place.
  const fresh = (element: Element | null) =>
    element !== null && !element.hasAttribute('data-bench-stale');
  const missing: string[] = [];
  if (check === 'overview') {
    for (const card of document.querySelectorAll('[data-kpi]')) {
      const value = card.querySelector('.value');
      if (!fresh(value) || value!.querySelector('.skeleton') || !/\d/.test(value!.textContent!)) {
        missing.push(`KPI ${card.getAttribute('data-kpi')}`);
      }
    }
    for (const chart of ['over-time', 'by-origin', 'hot-rate', 'histogram', 'funnel']) {
      const svg = document.querySelector(`[data-chart="${chart}"] svg`);
      if (!fresh(svg) || svg!.querySelector('rect') === null) missing.push(`chart ${chart}`);
    }
  } else {
    if (!fresh(document.querySelector('tbody tr[data-lead-id]'))) missing.push('rows');
    if (!/\d/.test(document.querySelector('.toolbar .count')?.textContent ?? '')) {
      missing.push('total');
    }
    if (document.querySelector('p.loading')) missing.push('loading line');
  }
  if (explain) return missing;
  return missing.length === 0 ? performance.now() : false;
}

/** Waits until the view is rendered; returns how long after `since` (page clock) it was. */
async function waitUntilRendered(page: Page, check: RenderedCheck, since: number): Promise<number> {
  try {
    const handle = await page.waitForFunction(
      renderedAt,
      { check, explain: false },
      { polling: 'raf', timeout: RENDER_TIMEOUT_MS },
    );
    const at = (await handle.jsonValue()) as number;
    await handle.dispose();
    return at - since;
  } catch (error) {
    const missing = await page.evaluate(renderedAt, { check, explain: true });
    throw new Error(`${page.url()} not rendered, missing: ${String(missing)}`, { cause: error });
  }
}

/** The browser's own record of the GraphQL requests made since `since` (Resource Timing). */
async function requestTimings(
  page: Page,
  apiUrl: string,
  since: number,
): Promise<{ first: number; slowest: number }> {
  return page.evaluate(
    ({ apiUrl, since }) => {
      const entries = performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.startsWith(apiUrl) && entry.startTime >= since);
      return {
        first: entries.length ? Math.min(...entries.map((entry) => entry.startTime)) : NaN,
        slowest: Math.max(0, ...entries.map((entry) => entry.duration)),
      };
    },
    { apiUrl, since },
  );
}

function operationOf(url: string, body: string | null): string {
  if (body) {
    try {
      const parsed = JSON.parse(body) as { operationName?: string; query?: string };
      return (
        parsed.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(parsed.query ?? '')?.[1] ?? '?'
      );
    } catch {
      return '?';
    }
  }
  const query = new URL(url).searchParams.get('query') ?? '';
  return (
    new URL(url).searchParams.get('operationName') ??
    /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ??
    '?'
  );
}

/** What one view asked the API for. */
interface ViewTraffic {
  requests: CapturedRequest[];
  /** Names of the subscriptions started on the live socket. */
  subscriptions: string[];
}

/** Records every GraphQL request and subscription `page` makes, view by view. */
function watchApi(page: Page, apiUrl: string) {
  let current: ViewTraffic = { requests: [], subscriptions: [] };
  let inFlight = 0;
  let lastActivity = performance.now();
  const isApi = (request: { url(): string; method(): string }) =>
    request.url().startsWith(apiUrl) && request.method() !== 'OPTIONS';
  const finished = (request: { url(): string; method(): string }) => {
    if (!isApi(request)) return;
    inFlight -= 1;
    lastActivity = performance.now();
  };
  page.on('requestfinished', finished);
  page.on('requestfailed', finished);
  page.on('request', (request) => {
    if (!isApi(request)) return;
    inFlight += 1;
    lastActivity = performance.now();
    current.requests.push({
      operation: operationOf(request.url(), request.postData()),
      url: request.url(),
      method: request.method(),
      body: request.postData(),
    });
  });
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const message = JSON.parse(payload) as { type?: string; payload?: { query?: string } };
      if (message.type !== 'subscribe') return;
      current.subscriptions.push(
        /subscription\s+(\w+)/.exec(message.payload?.query ?? '')?.[1] ?? '?',
      );
    });
  });
  return {
    /** Starts a new view and returns what the previous one asked for. */
    nextView(): ViewTraffic {
      const previous = current;
      current = { requests: [], subscriptions: [] };
      return previous;
    },
    /**
     * Resolves once no GraphQL request has been under way for `quietMs`. Playwright's networkidle
     * is reached once per document, so it says nothing after an in-app navigation.
     */
    async settled(quietMs = 300): Promise<void> {
      while (inFlight > 0 || performance.now() - lastActivity < quietMs) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

async function measure(
  page: Page,
  stack: Stack,
  scenario: Scenario,
  api: ReturnType<typeof watchApi>,
): Promise<ScenarioResult> {
  const samples: Sample[] = [];
  // The first request of each operation in this scenario, to send again over HTTP.
  const firstRequests = new Map<string, CapturedRequest>();
  for (let run = 0; run < WARM_UP_RUNS + RUNS; run += 1) {
    await scenario.prepare?.(page, stack);
    // What the previous view still had under way (the read after the live socket's first
    // acknowledgement) finishes before the clock starts.
    await api.settled();
    api.nextView();
    const since = await scenario.act(page, stack);
    const renderedMs = await waitUntilRendered(page, scenario.rendered, since);
    // Requests answered after the view was drawn (a second figure set) still belong to the view.
    await api.settled();
    const timings = await requestTimings(page, stack.apiUrl, since);
    const { requests, subscriptions } = api.nextView();
    if (run < WARM_UP_RUNS) continue;
    for (const request of requests) {
      if (!firstRequests.has(request.operation)) firstRequests.set(request.operation, request);
    }
    samples.push({
      renderedMs,
      firstRequestMs: timings.first - since,
      requests: requests.map((request) => request.operation),
      subscriptions,
      slowestRequestMs: timings.slowest,
    });
  }
  return { scenario, samples, requests: [...firstRequests.values()] };
}

/**
 * Sends each view's requests again over HTTP with the admin's session, one after the other: the
 * server's time for each, without the browser.
 */
async function replay(stack: Stack, results: ScenarioResult[]) {
  const replays = [];
  for (const { scenario, requests } of results) {
    for (const request of requests) replays.push(await replayOne(stack, scenario.name, request));
  }
  return replays;
}

async function replayOne(stack: Stack, view: string, request: CapturedRequest) {
  const latencies: number[] = [];
  for (let attempt = 0; attempt < REPLAYS; attempt += 1) {
    const started = performance.now();
    const response = await fetch(request.url, {
      method: request.method,
      headers: {
        'content-type': 'application/json',
        'x-graphql-yoga-csrf': '1',
        cookie: `${SESSION_COOKIE}=${stack.adminSessionToken}`,
      },
      body: request.body ?? undefined,
    });
    const text = await response.text();
    latencies.push(performance.now() - started);
    if (!response.ok || text.includes('"errors"')) {
      throw new Error(`${request.operation} failed again over HTTP: ${text.slice(0, 300)}`);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    view,
    operation: request.operation,
    p50Ms: percentile(latencies, 50),
    maxMs: latencies.at(-1)!,
  };
}

async function signIn(page: Page, stack: Stack): Promise<void> {
  await page.goto(`${stack.dashboardUrl}/sign-in`);
  await page.getByLabel('E-mail').fill(stack.adminEmail);
  await page.getByLabel('Senha').fill(stack.adminPassword);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function tally(names: string[][]): string {
  const counts = new Map<string, number>();
  for (const name of names.flat()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .map(
      ([name, count]) =>
        `${name}${count / names.length === 1 ? '' : ` ×${fixed(count / names.length, 1)}`}`,
    )
    .join(', ');
}

function report(
  results: ScenarioResult[],
  replays: Awaited<ReturnType<typeof replay>>,
  startedAt: Date,
  database: string,
): string {
  const figures: Figure[] = [];
  const views: string[][] = [];
  for (const { scenario, samples } of results) {
    const rendered = sorted(samples.map((sample) => sample.renderedMs));
    const p95 = percentile(rendered, 95);
    figures.push({
      measure: `${scenario.name}, p95`,
      value: `${whole(p95)} ms`,
      target: `< ${whole(scenario.targetMs)} ms`,
      met: p95 < scenario.targetMs,
    });
    views.push([
      scenario.name,
      whole(percentile(rendered, 50)),
      whole(p95),
      whole(rendered.at(-1)!),
      whole(percentile(sorted(samples.map((sample) => sample.firstRequestMs)), 50)),
      whole(percentile(sorted(samples.map((sample) => sample.slowestRequestMs)), 50)),
      tally(samples.map((sample) => sample.requests)),
      tally(samples.map((sample) => sample.subscriptions)),
    ]);
  }
  const sections: Section[] = [
    targetsSection(figures),
    {
      title: `Views, ${RUNS} runs each after ${WARM_UP_RUNS} warm-up runs (ms on the browser's clock)`,
      columns: [
        'view',
        'p50',
        'p95',
        'max',
        'first GraphQL request at (p50)',
        'slowest GraphQL response (p50)',
        'GraphQL requests per view',
        'subscriptions per view',
      ],
      rows: views,
    },
    {
      title: `The same GraphQL requests sent again over HTTP, ${REPLAYS} times each (server time on loopback)`,
      columns: ['view', 'operation', 'p50 ms', 'max ms'],
      rows: replays.map((row) => [row.view, row.operation, fixed(row.p50Ms), fixed(row.maxMs)]),
    },
  ];
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const heading = `Dashboard pages at ${LEADS.toLocaleString('en-US')} leads (over ${DAYS} days), measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${cpu}, ${database}, Node ${process.version}, headless Chromium at 1280 × 900; API, worker, built dashboard and browser on this one machine, whose load average was ${fixed(os.loadavg()[0]!)} at the end.`;
  const notes = [
    'Rendered means: Overview, all seven KPI cards hold a number and the five charts (over time, by origin, hot rate, score histogram, pipeline funnel) each hold a bar; Leads, the first table rows and the total are in the document. Checked once per animation frame. A full load runs from navigation start with the scripts in the HTTP cache; an in-app navigation from the click. On a full load of the Leads page the list is read a second time once the live socket is acknowledged (changes made before the subscription was registered would be missed otherwise); the rows are drawn from the first read. Reproduce with `pnpm --filter @streamleads/bench dashboard` (about 4 minutes).',
  ];
  return markdown({ heading, sections, notes });
}

async function publish(text: string): Promise<void> {
  console.log(`\n${text}\n`);
  if (printOnly) return;
  const resultsDir = path.join(repositoryDir, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const latest = path.join(resultsDir, 'dashboard-pages.md');
  await writeFile(latest, `${text}\n`);
  const readme = path.join(repositoryDir, 'README.md');
  const inReadme = await updateReadme(readme, text, 'bench:dashboard');
  log(inReadme ? 'README.md updated' : 'README.md has no bench:dashboard markers: left as it is');
  // The repository's formatter aligns the tables, so `pnpm lint` stays green after a run.
  await runToEnd(path.join(repositoryDir, 'node_modules', '.bin', 'prettier'), [
    '--write',
    latest,
    ...(inReadme ? [readme] : []),
  ]);
  log(`wrote ${path.relative(process.cwd(), latest)}`);
}

/** The bench's data set in the stack's database; returns the server's name for the report. */
async function loadLeads(databaseUrl: string): Promise<string> {
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await generateLeads(db, { leads: LEADS, days: DAYS });
    const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0]?.server_version}`;
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  log('starting the stack (database, API, worker, built dashboard)');
  const stack = await startStack();
  let browser: Browser | undefined;
  try {
    log(`generating ${LEADS.toLocaleString('en-US')} leads over ${DAYS} days`);
    const database = await loadLeads(stack.databaseUrl);
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'pt-BR',
    });
    // tsx compiles this file with esbuild's keepNames, which wraps the functions sent to the page
    // in calls to a __name helper that exists only in Node.
    await context.addInitScript('globalThis.__name = (target) => target;');
    const page = await context.newPage();
    const api = watchApi(page, stack.apiUrl);
    await signIn(page, stack);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await measure(page, stack, scenario, api);
      const rendered = sorted(result.samples.map((sample) => sample.renderedMs));
      log(
        `${scenario.name}: p50 ${whole(percentile(rendered, 50))} ms, p95 ${whole(percentile(rendered, 95))} ms`,
      );
      results.push(result);
    }
    log('sending the same GraphQL requests again over HTTP');
    const replays = await replay(stack, results);
    await publish(report(results, replays, startedAt, database));
  } finally {
    await browser?.close();
    await stopStack();
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
