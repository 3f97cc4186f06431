import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/src/database/embedded-postgres.ts';
import { runToEnd, serverDir } from './processes.ts';

/** A database of its own for one bench run, dropped (or its server stopped) by `drop`. */
export interface ScratchDatabase {
  url: string;
  /** Where it came from, for the report: "PostgreSQL 15.20 on 127.0.0.1:5432" or "embedded". */
  server: string;
  drop(): Promise<void>;
}

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * CREATE DATABASE streamleads_bench_<random> on BENCH_DATABASE_URL, DATABASE_URL or the local
 * default; an embedded PostgreSQL in a temporary directory when none of them answers.
 */
export async function openScratchDatabase(log: (line: string) => void): Promise<ScratchDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_URL;
  const name = `streamleads_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    log(
      `No PostgreSQL answers at ${redact(adminUrl)} (${String(error)}): starting an embedded one.`,
    );
    return openEmbedded(name, log);
  }
  try {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.href,
      server: `PostgreSQL ${rows[0]?.server_version} on ${url.host}`,
      drop: () => dropDatabase(adminUrl, name),
    };
  } finally {
    await admin.end();
  }
}

async function openEmbedded(name: string, log: (line: string) => void): Promise<ScratchDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'streamleads-bench-pg-'));
  const embedded = await startEmbeddedPostgres({ dataDir, port: 54_339, database: name, log });
  return {
    url: embedded.url,
    server: 'embedded PostgreSQL',
    async drop() {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}

/** Applies every migration with the project's own command, as a deployment does. */
export async function migrate(url: string): Promise<void> {
  await runToEnd('node', ['--import', 'tsx', 'src/database/migrate-command.ts', 'deploy'], {
    cwd: serverDir,
    env: { ...process.env, DATABASE_URL: url },
  });
}

/**
 * An API key as createApiKey stores it (SHA-256 of the key): `leads:write` creates and reads
 * leads, is limited per key only (not per address, as a publishable key is) and is what n8n uses.
 */
export async function createBenchApiKey(db: pg.Pool): Promise<string> {
  const key = `slk_${randomBytes(32).toString('base64url')}`;
  await db.query(
    `INSERT INTO api_keys (id, name, prefix, "keyHash", scopes, "allowedOrigins")
     VALUES (gen_random_uuid(), 'bench', $1, $2, ARRAY['leads:write'], '{}')`,
    [key.slice(0, 12), createHash('sha256').update(key).digest('hex')],
  );
  return key;
}

/** Empties the leads (and what hangs off them) and the scoring jobs between two runs. */
export async function truncateLeads(db: pg.Pool): Promise<void> {
  await db.query('TRUNCATE leads CASCADE');
  await db.query(`DELETE FROM pgboss.job WHERE name = 'scoring.score-lead'`);
}

/**
 * PostGraphile's table: the same columns, defaults, checks, indexes and search-key trigger as
 * leads, in a schema of its own. Ids and updatedAt get database defaults, which our leads take
 * from the application.
 */
export async function createPeerTable(db: pg.Pool): Promise<void> {
  await db.query(`
    CREATE SCHEMA peer;
    CREATE TABLE peer.leads (LIKE public.leads INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
    ALTER TABLE peer.leads ALTER COLUMN id SET DEFAULT gen_random_uuid();
    ALTER TABLE peer.leads ALTER COLUMN "updatedAt" SET DEFAULT now();
    CREATE TRIGGER leads_set_search_keys BEFORE INSERT OR UPDATE ON peer.leads
      FOR EACH ROW EXECUTE FUNCTION public.leads_set_search_keys();
  `);
}

/** Dataset shape for the reads at scale. */
export interface DatasetOptions {
  leads: number;
  days: number;
}

/**
 * `leads` leads created over the last `days` days, in one INSERT ... SELECT: origins, cities,
 * scores and classes in skewed proportions like a real intake, 2% still PROCESSING, 1% with a
 * status set by a person. Loaded the way a bulk import is: secondary indexes rebuilt afterwards
 * and the stats summaries computed once for the whole load (the same rows the per-lead trigger
 * would log), then the table is analysed as autovacuum would.
 */
export async function generateLeads(db: pg.Pool, options: DatasetOptions): Promise<void> {
  // One connection throughout: the session setting below must apply to the index builds.
  const client = await db.connect();
  try {
    await loadLeads(client, options);
  } finally {
    client.release();
  }
}

async function loadLeads(client: pg.PoolClient, options: DatasetOptions): Promise<void> {
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
    SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = 'public' AND tablename = 'leads'
      AND indexname NOT IN ('leads_pkey', 'leads_email_key')`);
  for (const { name } of indexes) await client.query(`DROP INDEX "${name}"`);
  await client.query('ALTER TABLE leads DISABLE TRIGGER leads_record_stats_delta');
  await client.query(
    `
    INSERT INTO leads (id, name, email, phone, origin, city, interest, score, status,
      "processedAt", "createdAt", "updatedAt", "statusOverride")
    SELECT gen_random_uuid(), names[(1 + (i * 7) % array_length(names, 1))::int] || ' ' || surnames[(1 + (i * 13) % array_length(surnames, 1))::int],
      'lead' || i || '@' || domains[(1 + i % array_length(domains, 1))::int],
      '+5511' || lpad((900000000 + i)::text, 9, '0'),
      origin, cities[(1 + (i * 31 + (i / 7)) % array_length(cities, 1))::int],
      interests[(1 + (i * 17) % array_length(interests, 1))::int],
      score,
      CASE WHEN processing THEN 'PROCESSING'::"LeadStatus"
        WHEN overridden THEN 'HOT'
        WHEN score >= 70 THEN 'HOT' WHEN score >= 40 THEN 'WARM' ELSE 'COLD' END,
      CASE WHEN processing THEN NULL ELSE created + interval '40 milliseconds' END,
      created, created, CASE WHEN overridden THEN 'HOT'::"LeadStatus" END
    FROM (
      SELECT i,
        (ARRAY['META_ADS','META_ADS','META_ADS','GOOGLE_ADS','GOOGLE_ADS','WHATSAPP','SITE','SITE','REFERRAL','OTHER'])[(1 + (i * 3) % 10)::int]::"LeadOrigin" AS origin,
        -- Most leads cold or warm, a tail of hot ones; a few negative scores.
        least(130, greatest(-15, ((i * 7919) % 100) - ((i * 104729) % 60) + 20))::int AS score,
        i % 50 = 0 AS processing, i % 100 = 1 AS overridden,
        now() - ($2::float8 * 86400 * ((i * 2654435761::bigint) % $1)::float8 / $1) * interval '1 second' AS created
      FROM generate_series(1, $1::bigint) AS i
    ) AS generated,
    (SELECT ARRAY['Ana','Bruno','Carla','Diego','Elisa','Fábio','Gabriela','Heitor','Isabela','João','Larissa','Marcos','Natália','Otávio','Paula','Rafael','Sofia','Tiago'] AS names,
            ARRAY['Silva','Santos','Oliveira','Souza','Lima','Pereira','Costa','Ferreira','Almeida','Ribeiro','Gomes','Martins'] AS surnames,
            ARRAY['example.com','mail.example.com','empresa.example.com.br'] AS domains,
            ARRAY['São Paulo','São Paulo','São Paulo','Rio de Janeiro','Rio de Janeiro','Belo Horizonte','Curitiba','Porto Alegre','Salvador','Recife','Fortaleza','Campinas','Brasília','Goiânia'] AS cities,
            ARRAY['apartamento','casa','consórcio','seguro de vida','plano de saúde','financiamento'] AS interests) AS pools
    `,
    [options.leads, options.days],
  );
  await client.query('ALTER TABLE leads ENABLE TRIGGER leads_record_stats_delta');
  await client.query(`
    INSERT INTO lead_stats_deltas
    SELECT lead_stats_hour("createdAt"), "status", "origin", lead_score_band("score"), count(*),
      count("processedAt"), coalesce(sum("score") FILTER (WHERE "processedAt" IS NOT NULL), 0)
    FROM leads GROUP BY 1, 2, 3, 4`);
  await client.query('SELECT lead_stats_fold()');
  await client.query(`SET maintenance_work_mem = '256MB'`);
  for (const { definition } of indexes) await client.query(definition);
  await client.query('RESET maintenance_work_mem');
  await client.query('VACUUM ANALYZE lead_stats_deltas');
  await client.query('VACUUM ANALYZE leads');
  await client.query('VACUUM ANALYZE lead_stats_hours, lead_stats_days');
}
