// An acknowledged lead is never left unscored: its scoring job commits with it, so an API process
// killed right after answering loses nothing, and a worker started afterwards scores the lead.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { freePort, runScript } from '../../test/processes.ts';
import { startTestWorker } from '../../test/worker.ts';
import { createApiKey } from '../access/api-keys.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

let database: TestDatabase;
let formKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ key: formKey } = await createApiKey(database.prisma, {
    name: 'n8n',
    scopes: ['leads:create', 'leads:read'],
  }));
  await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
});

afterAll(async () => {
  await database?.drop();
});

it('scores a lead with a worker started after the API died right after acknowledging it', async () => {
  const port = await freePort();
  const { DATABASE_URL: _unset, TEST_DATABASE_URL: _alsoUnset, ...inherited } = process.env;
  const api = runScript('src/main.ts', ['api'], {
    ...inherited,
    DATABASE_URL: database.url,
    PORT: String(port),
    LOG_LEVEL: 'info',
  });
  await api.waitFor('StreamLeads started');

  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': formKey },
    body: JSON.stringify({
      query: `mutation {
        createLead(input: { name: "Caio Prado", email: "caio@example.com", origin: SITE }) {
          ... on CreateLeadPayload { lead { id status } }
        }
      }`,
    }),
  });
  const body = (await response.json()) as {
    data: { createLead: { lead: { id: string; status: string } } };
  };
  api.child.kill('SIGKILL');
  expect(await api.exited).toBe('SIGKILL');
  const { id: leadId, status } = body.data.createLead.lead;
  expect(status).toBe('PROCESSING');

  const [queued] = await database.prisma.$queryRaw<{ state: string }[]>`
    SELECT state::text FROM pgboss.job WHERE name = ${scoreLeadQueue} AND data->>'leadId' = ${leadId}`;
  expect(queued).toEqual({ state: 'created' });

  const laterWorker = await startTestWorker(database, [scoringJobs], { poolSize: 2 });
  try {
    const scored = await waitUntil(
      () => database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } }),
      (lead) => lead.processedAt !== null,
    );
    expect(scored.status).toBe('COLD');
  } finally {
    await laterWorker.stop({ graceful: false, close: true });
  }
  const bystander = await database.prisma.lead.findUniqueOrThrow({
    where: { email: 'bystander@example.com' },
  });
  expect(bystander).toMatchObject({ name: 'Bia Bystander', status: 'PROCESSING' });
});

async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the lead to be scored');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
