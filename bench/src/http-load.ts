import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runToEnd } from './processes.ts';

/** One GraphQL mutation sent over and over, each time with a new email. */
export interface MutationLoad {
  url: string;
  headers: Record<string, string>;
  /** The request body with `EMAIL_PLACEHOLDER` where each request's email goes. */
  body: string;
  /** Text every successful answer contains (a 200 can still carry GraphQL errors). */
  success: string;
}

export const EMAIL_PLACEHOLDER = '__BENCH_EMAIL__';

export interface HttpResult {
  /** 2xx answers with `success` in the body and no `errors`. */
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Drives `load` with wrk (one thread, `connections` connections) for `seconds`. With `delayMs`
 * each connection waits that long before its next request, which holds the rate near
 * connections * 1000 / (delayMs + latency).
 */
export async function runWrk(
  load: MutationLoad,
  options: { connections: number; seconds: number; delayMs?: number },
): Promise<HttpResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'streamleads-wrk-'));
  try {
    const script = path.join(dir, 'mutation.lua');
    await writeFile(script, luaScript(load, options.delayMs ?? 0));
    const { stdout } = await runToEnd('wrk', [
      '-t1',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      load.url,
    ]);
    const line = stdout.split('\n').find((candidate) => candidate.startsWith('BENCH_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
    const raw = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
      ok: number;
      failed: number;
      durationUs: number;
      p50: number;
      p99: number;
    };
    const seconds = raw.durationUs / 1e6;
    for (const failure of stdout.split('\n').filter((line) => line.startsWith('BENCH_FAILURE '))) {
      console.warn(`${raw.failed} failures at c=${options.connections}: ${failure.slice(14)}`);
    }
    return {
      ok: raw.ok,
      failed: raw.failed,
      seconds,
      perSecond: raw.ok / seconds,
      p50Ms: raw.p50 / 1000,
      p99Ms: raw.p99 / 1000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const lua = (text: string) => JSON.stringify(text); // a JSON string is a valid Lua string here

function luaScript(load: MutationLoad, delayMs: number): string {
  const [before, after] = load.body.split(EMAIL_PLACEHOLDER);
  if (after === undefined) throw new Error('the body has no email placeholder');
  const run = randomBytes(4).toString('hex');
  const headers = Object.entries(load.headers)
    .map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`)
    .join('\n');
  return `
wrk.method = "POST"
${headers}
local threads = {}
local counter = 0
ok = 0
failed = 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local email = "bench-${run}-" .. counter .. "@example.com"
  return wrk.format(nil, nil, nil, ${lua(before!)} .. email .. ${lua(after)})
end

${delayMs > 0 ? `function delay() return ${delayMs} end` : ''}

function response(status, headers, body)
  if status >= 200 and status < 300 and not string.find(body, '"errors"', 1, true)
    and string.find(body, ${lua(load.success)}, 1, true) then
    ok = ok + 1
  else
    failed = failed + 1
    if sample == nil then sample = status .. " " .. string.gsub(string.sub(body, 1, 300), "\\n", " ") end
  end
end

function done(summary, latency, requests)
  local good, bad, sample = 0, 0, nil
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    bad = bad + thread:get("failed")
    sample = sample or thread:get("sample")
  end
  if sample then io.write("BENCH_FAILURE " .. sample .. "\\n") end
  local errors = summary.errors
  local socket = errors.connect + errors.read + errors.write + errors.timeout
  if socket > 0 then
    io.write(string.format("BENCH_FAILURE %d socket errors (connect %d, read %d, write %d, timeout %d)\\n",
      socket, errors.connect, errors.read, errors.write, errors.timeout))
  end
  bad = bad + socket
  io.write(string.format('BENCH_RESULT {"ok":%d,"failed":%d,"durationUs":%d,"p50":%d,"p99":%d}\\n',
    good, bad, summary.duration, latency:percentile(50), latency:percentile(99)))
end
`;
}
