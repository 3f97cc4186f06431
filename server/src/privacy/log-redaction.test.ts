// Logs never hold a lead's personal data (LGPD): the API, the scoring worker and the automations
// runner share one logger at trace level writing into memory, a lead goes through intake,
// validation errors, scoring, a failing delivery and GraphQL errors, and the captured text is
// searched for the lead's email, phone and name.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { startTestWorker } from '../../test/worker.ts';
import { automationsJobs } from '../automations/automations.jobs.ts';
import { settingsId } from '../automations/automations.ts';
import { encryptSecret } from '../automations/secrets.ts';
import { createLogger } from '../logger.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

const person = {
  name: 'Zuleica Quixabeira',
  typedEmail: 'Zuleica.Quixabeira.Logs@Example.com',
  email: 'zuleica.quixabeira.logs@example.com',
  typedPhone: '(11) 98765-4321',
  phone: '+5511987654321',
};

const captured: string[] = [];
const logger = createLogger('trace', { write: (line: string) => void captured.push(line) });

let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;
let receiver: HttpSink;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database, { logger });
  // A receiver that fails and quotes what it was sent: the run's error then holds the lead.
  receiver = await startHttpSink({ status: 500, echoBody: true });
  worker = await startTestWorker(database, [scoringJobs, automationsJobs], { logger });
  const settings = {
    plan: { HOT: ['notify-slack', 'send-to-crm'], WARM: [], COLD: [] },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    maxAttempts: 2,
    retryDelaySeconds: 1,
    slackWebhookUrlEncrypted: encryptSecret(`${receiver.url}/slack`),
    n8nWebhookUrl: `${receiver.url}/n8n`,
    n8nSecretEncrypted: encryptSecret('n8n-secret'),
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...settings },
    update: settings,
  });
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await receiver?.close();
  await database?.drop();
});

async function post(body: unknown): Promise<Record<string, unknown>> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

const CREATE_LEAD = /* GraphQL */ `
  mutation CreateLead($input: CreateLeadInput!) {
    createLead(input: $input) {
      __typename
      ... on CreateLeadPayload {
        lead {
          id
          status
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

const form = {
  name: person.name.toLowerCase(),
  email: person.typedEmail,
  phone: person.typedPhone,
  origin: 'SITE',
  interest: 'Apartamento para investimento',
  approximateIncome: 25_000,
  city: 'São Paulo',
  consent: {
    textVersion: 'privacy-2026-03',
    source: `https://example.com/form?email=${person.email}`,
  },
};

/** The forms of the person's data found in `text`, ignoring case. */
function personalDataIn(text: string): string[] {
  const lower = text.toLowerCase();
  return [
    person.email,
    person.name,
    person.phone,
    person.phone.slice(1),
    person.typedPhone,
    '98765-4321',
    '987654321',
  ].filter((value) => lower.includes(value.toLowerCase()));
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('log redaction', () => {
  it("keeps a lead's email, phone and name out of every log line of its journey", async () => {
    // Validation errors: a phone that is not one, a bad consent, a value of the wrong type.
    const refused = await post({
      query: CREATE_LEAD,
      variables: {
        input: { ...form, phone: `${person.typedPhone} ramal 12`, consent: { textVersion: '' } },
      },
    });
    expect(refused).toMatchObject({ data: { createLead: { __typename: 'ValidationError' } } });
    const coercion = await post({
      query: CREATE_LEAD,
      variables: { input: { ...form, phone: Number(person.phone.slice(1)) } },
    });
    expect(coercion.errors).toBeDefined();

    // A constraint violation in the scoring write: PostgreSQL's error then carries the failing
    // row, personal data included, into the worker's error path. Dropped once it has failed.
    await database.prisma.$executeRawUnsafe(
      `ALTER TABLE leads ADD CONSTRAINT refuse_scoring_once
       CHECK (email <> '${person.email}' OR "processedAt" IS NULL) NOT VALID`,
    );
    const created = await post({
      query: CREATE_LEAD,
      variables: { input: form },
    });
    const lead = (created.data as { createLead: { lead: { id: string; status: string } } })
      .createLead.lead;
    await waitFor(
      () => Promise.resolve(captured.join('')),
      (text) => text.includes('scoring a lead failed'),
    );
    await database.prisma.$executeRawUnsafe(
      `ALTER TABLE leads DROP CONSTRAINT refuse_scoring_once`,
    );
    await waitFor(
      () => database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } }),
      (row) => row.status === 'HOT',
    );

    const runs = await waitFor(
      () => database.prisma.automationRun.findMany({ where: { leadId: lead.id } }),
      (all) => all.length === 2 && all.every((run) => run.state === 'DEAD'),
    );
    // The failure holds the lead (the receiver quoted it): it must stay in the row, not the log.
    expect(runs.map((run) => run.lastError).join(' ')).toContain(person.email);

    // GraphQL error paths: an unknown id, a refused update, a document that does not parse and
    // one that does not validate, each carrying personal data.
    await post({
      query: `query { lead(id: "${person.email}") { ... on Error { message } } }`,
    });
    await post({
      query: `mutation($id: ID!) { updateLead(id: $id, input: { phone: "${person.typedPhone}x", email: "${person.name}" }) { ... on Error { message } } }`,
      variables: { id: lead.id },
    });
    await post({ query: `mutation { createLead(input: { email: "${person.email}" ` });
    await post({
      query: `query { lead(id: "${lead.id}") { ... on Lead { email(format: "${person.phone}") } } }`,
    });
    await post('{"query": "not json');
    await post({
      query: `mutation($id: ID!) { exportLeadData(id: $id) { ... on LeadDataExport { data } } }`,
      variables: { id: lead.id },
    });

    // A job that is not ours, carrying personal data instead of a lead id.
    await worker.send(scoreLeadQueue, { email: person.email, phone: person.phone });
    await waitFor(
      () => Promise.resolve(captured.join('')),
      (text) => text.includes('scoring job without a lead id'),
    );

    const text = captured.join('');
    // Every path logged something, or the search below proves nothing.
    for (const message of [
      'Processing GraphQL Parameters',
      'scoring a lead failed',
      'violates check constraint \\"refuse_scoring_once\\"',
      'automation run attempt',
      'scoring job without a lead id',
    ]) {
      expect(text).toContain(message);
    }
    expect(personalDataIn(text)).toEqual([]);
  });

  it('cuts the arguments Prisma prints out of a logged error and keeps its reason', async () => {
    const error: unknown = await database.prisma.lead
      .create({ data: { name: person.name, email: person.email, phone: person.phone } as never })
      .catch((failure: unknown) => failure);
    expect(personalDataIn(String(error))).not.toEqual([]);
    const before = captured.length;
    logger.error({ err: error }, 'writing a lead failed');
    const line = captured.slice(before).join('');
    expect(line).toContain('Argument `origin` is missing');
    expect(line).toContain('.create()` invocation: [arguments [redacted]]');
    expect(personalDataIn(line)).toEqual([]);
  });
});
