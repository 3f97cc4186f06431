import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverDir = path.resolve(benchDir, '..', 'server');

/** A process the bench started; `stop` sends SIGTERM and waits for it to exit. */
export interface Service {
  name: string;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Runs a command to its end; rejects with its output when it fails. */
export function runToEnd(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr || stdout}`));
    });
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** True when `command` is on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  return runToEnd('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/** Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS). */
export async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmRSS for process ${pid}`);
  return kib / 1024;
}

/**
 * Starts a long-running process and waits until `readyPath` answers 2xx on its port. Output is
 * kept (the last lines are shown if it dies or never gets ready).
 */
export async function startService(options: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  readyPath: string;
  /** Ready on any HTTP answer (PostGraphile has no health endpoint). */
  anyAnswer?: boolean;
}): Promise<Service> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilReady(child, `${url}${options.readyPath}`, 180_000, options.anyAnswer ?? false);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${options.name} did not start: ${String(error)}\n${output}`);
  }
  return { name: options.name, pid: child.pid!, url, stop: () => stopChild(child) };
}

async function waitUntilReady(
  child: ChildProcess,
  url: string,
  timeoutMs: number,
  anyAnswer: boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (response) => anyAnswer || response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * With BENCH_CPU_PROFILE_DIR set, our API and worker write V8 CPU profiles there when they stop
 * (open them in Chrome DevTools or speedscope): how the ingest path was profiled.
 */
function cpuProfileArgs(): string[] {
  const directory = process.env.BENCH_CPU_PROFILE_DIR;
  return directory ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(directory)}`] : [];
}

let serverBuilt: Promise<void> | undefined;

/**
 * `pnpm --filter @streamleads/server build`, once per bench run however many processes start: the
 * compiled server is what production runs (tsx costs 60-90 MiB per process). Incremental,
 * so a second run with no source change takes seconds.
 */
function buildServerOnce(): Promise<void> {
  serverBuilt ??= runToEnd('pnpm', ['run', 'build'], { cwd: serverDir }).then(() => undefined);
  return serverBuilt;
}

/** Our API or worker, as `pnpm --filter @streamleads/server start <role>` runs it in production. */
export async function startStreamLeads(
  role: 'api' | 'worker',
  databaseUrl: string,
): Promise<Service> {
  await buildServerOnce();
  const port = await freePort();
  return startService({
    name: role,
    command: 'node',
    // The heap limit the start scripts, the Dockerfile and docker-compose.yml set (README, Processes).
    args: [...cpuProfileArgs(), '--max-old-space-size=512', 'dist/main.js', role],
    cwd: serverDir,
    port,
    readyPath: role === 'api' ? '/readyz' : '/metrics',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(port),
      // The bench's one key sends every request: the limits are the subject of other tests.
      RATE_LIMIT_PER_KEY: '1000000000',
      RATE_LIMIT_PER_IP: '1000000000',
      STREAMLEADS_ADMIN_EMAIL: 'admin@bench.example.com',
      STREAMLEADS_ADMIN_PASSWORD: `bench-${Math.random().toString(36).slice(2)}-Password1`,
      STREAMLEADS_SECRET_KEY: randomBytes(32).toString('base64'),
    },
  });
}

/** PostGraphile 5 with the amber preset, exposing the `peer` schema. */
export async function startPostGraphile(databaseUrl: string): Promise<Service> {
  const port = await freePort();
  return startService({
    name: 'postgraphile',
    command: path.join(benchDir, 'node_modules', '.bin', 'postgraphile'),
    args: [
      '-P',
      'postgraphile/presets/amber',
      '-c',
      databaseUrl,
      '-s',
      'peer',
      '-p',
      String(port),
      '-n',
      '127.0.0.1',
    ],
    cwd: benchDir,
    port,
    readyPath: '/graphql',
    anyAnswer: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      GRAPHILE_ENV: 'production',
      PORT: String(port),
    },
  });
}
