// StreamLeads processes for scale-out and fault tests: each role runs in its own Node process, as
// production runs it, and meets the others only in PostgreSQL.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, runScript, waitUntilReady, type RunningScript } from './processes.ts';

export type ServerRole = 'api' | 'worker' | 'all';

export interface ServerProcess {
  role: ServerRole;
  script: RunningScript;
  pid: number;
  /** The API's base URL, or a worker's metrics server's. */
  url: string;
}

/** The environment of one process: the test's own, pointed at `databaseUrl`, quiet logs. */
export function serverEnv(
  databaseUrl: string,
  port: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const { TEST_DATABASE_URL: _unset, ...inherited } = process.env;
  return {
    ...inherited,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    // A worker-only process serves /metrics on its own port; the API ignores it.
    METRICS_PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...extra,
  };
}

// Every process this test file started, so that none outlives it, even one that never got ready.
const spawned = new Set<RunningScript>();

/**
 * Starts `src/main.ts <role>` and resolves once it serves: /readyz for an API, /metrics for a
 * worker (its metrics server starts after every handler is registered). Generous timeouts: on a
 * busy two-core CI machine a process takes up to half a minute to load.
 */
export async function startServerProcess(
  role: ServerRole,
  databaseUrl: string,
  extra: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const script = runScript('src/main.ts', [role], serverEnv(databaseUrl, port, extra));
  spawned.add(script);
  void script.exited.then(() => spawned.delete(script));
  const url = `http://127.0.0.1:${port}`;
  if (role === 'worker') await waitUntilServing(`${url}/metrics`, script);
  else await waitUntilReady(url, script, 120_000);
  return { role, script, pid: script.child.pid!, url };
}

/** Kills (SIGKILL) whatever this file started and is still running: for afterAll, after the
 * orderly stops, so a failed start-up leaves no process behind. */
export async function killLeftoverProcesses(): Promise<void> {
  const left = [...spawned];
  for (const script of left) script.child.kill('SIGKILL');
  await Promise.all(left.map((script) => script.exited));
}

async function waitUntilServing(url: string, script: RunningScript, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  const state: { exited: number | string | null } = { exited: null };
  void script.exited.then((code) => (state.exited = code));
  while (Date.now() < deadline) {
    if (state.exited !== null) throw new Error(`exited (${state.exited}):\n${script.output()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer in time:\n${script.output()}`);
}

/** Sends SIGTERM (unless already gone) and resolves with the exit code or signal. */
export async function stopServerProcess(server: ServerProcess): Promise<number | string> {
  if (server.script.child.exitCode === null && server.script.child.signalCode === null) {
    server.script.child.kill('SIGTERM');
  }
  return server.script.exited;
}

export const createLeadMutation = `mutation ($input: CreateLeadInput!) {
  createLead(input: $input) {
    __typename
    ... on CreateLeadPayload { lead { id status } }
    ... on Error { message }
  }
}`;

/** What one createLead request got: the HTTP answer, or the network error that replaced it. */
export interface CreateLeadOutcome {
  status: number | null;
  leadId: string | null;
  errorCodes: string[];
  networkError: string | null;
  elapsedMs: number;
}

/** A distinct, valid lead: one lead per email, so every call creates a new one. */
export function leadInput(index: number, tag: string) {
  return {
    name: `Lead ${tag} ${letters(index)}`,
    email: `lead-${tag}-${index}@example.com`,
    // Leads with the same phone merge: each gets its own number.
    phone: `11 9${String(index).padStart(8, '0')}`,
    origin: 'SITE',
    interest: 'Plano empresarial',
    approximateIncome: String(5_000 + ((index * 997) % 20_000)),
    city: index % 2 === 0 ? 'São Paulo' : 'Recife',
  };
}

/** 0 → "a", 25 → "z", 26 → "ba": names take letters only. */
function letters(index: number): string {
  let text = '';
  do {
    text = String.fromCharCode(97 + (index % 26)) + text;
    index = Math.floor(index / 26);
  } while (index > 0);
  return text;
}

/** POSTs createLead with an API key; never throws, so a load loop can count every outcome. */
export async function createLeadThrough(
  apiUrl: string,
  apiKey: string,
  input: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<CreateLeadOutcome> {
  const started = Date.now();
  try {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: createLeadMutation, variables: { input } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const body = parseJson(text) as {
      data?: { createLead?: { __typename?: string; lead?: { id: string } } } | null;
      errors?: { extensions?: { code?: string } }[];
    } | null;
    return {
      status: response.status,
      leadId: body?.data?.createLead?.lead?.id ?? null,
      errorCodes: [
        ...(body?.errors ?? []).map((error) => error.extensions?.code ?? 'NO_CODE'),
        // A typed error (ValidationError...) is a result, not an error: name it all the same.
        ...(body?.data?.createLead && !body.data.createLead.lead
          ? [body.data.createLead.__typename ?? 'NO_LEAD']
          : []),
      ],
      networkError: null,
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      status: null,
      leadId: null,
      errorCodes: [],
      networkError: cause ?? (error as Error).name,
      elapsedMs: Date.now() - started,
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Polls `read` until `done` holds; fails with `what` and the last value on timeout. */
export async function waitUntil<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    }
    await sleep(100);
  }
}

/** A process's resident memory in kB, from /proc (Linux). */
export async function residentKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** The sum of a Prometheus counter's samples in a /metrics text. */
export async function counterTotal(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
