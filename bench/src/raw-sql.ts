import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runToEnd } from './processes.ts';

export interface RawSqlResult {
  transactions: number;
  perSecond: number;
  averageMs: number;
}

// What createLead must do at the least: insert the lead and enqueue its scoring job, in one
// transaction, into the same tables (with their indexes and triggers) the API writes. Under -M
// prepared every :variable is a bound parameter, hence the casts.
const SCRIPT = `
\\set n random(1, 9000000000000000000)
BEGIN;
INSERT INTO leads (id, name, email, origin, city, interest, "updatedAt")
  VALUES (gen_random_uuid(), 'Bench Lead', 'raw-' || :n || '@example.com', 'SITE', 'São Paulo', 'apartamento', now())
  RETURNING id AS lead_id \\gset
INSERT INTO pgboss.job (name, data) VALUES ('scoring.score-lead', json_build_object('leadId', :lead_id::text));
END;
`;

/** pgbench -M prepared at `clients` connections for `seconds`. */
export async function runPgbench(
  databaseUrl: string,
  options: { clients: number; seconds: number },
): Promise<RawSqlResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'streamleads-pgbench-'));
  try {
    const script = path.join(dir, 'create-lead.sql');
    await writeFile(script, SCRIPT);
    const { stdout } = await runToEnd('pgbench', [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(options.clients),
      '-j',
      String(Math.min(2, options.clients)),
      '-T',
      String(options.seconds),
      '-f',
      script,
      databaseUrl,
    ]);
    const transactions = Number(
      stdout.match(/number of transactions actually processed: (\d+)/)?.[1],
    );
    const perSecond = Number(stdout.match(/tps = ([\d.]+)/)?.[1]);
    const averageMs = Number(stdout.match(/latency average = ([\d.]+) ms/)?.[1]);
    if (!Number.isFinite(perSecond)) throw new Error(`pgbench printed no rate:\n${stdout}`);
    return { transactions, perSecond, averageMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
