// LGPD through yoga.fetch against real PostgreSQL, with the scoring and automation workers running
// and a receiver that fails: consent recorded with each submission, exportLeadData, and
// eraseLead, checked by searching every row of every table (public and pgboss) for the person.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { startTestWorker } from '../../test/worker.ts';
import { createApiKey } from '../access/api-keys.ts';
import { automationsJobs } from '../automations/automations.jobs.ts';
import { settingsId } from '../automations/automations.ts';
import { encryptSecret } from '../automations/secrets.ts';
import type { AutomationRun } from '../generated/prisma/client.ts';
import { scoringJobs } from '../scoring/scoring.jobs.ts';
import { enqueueScoring, scoreLeadQueue } from '../scoring/scoring.ts';
import { erasedLeadEmail, erasedLeadName, erasedRunSkipReason } from './privacy.ts';

let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;
let receiver: HttpSink;
let readerKey: string;

interface Person {
  name: string;
  typedEmail: string;
  email: string;
  typedPhone: string;
  phone: string;
}

const bystander: Person = {
  name: 'Bia Bystander',
  typedEmail: 'Bystander@Example.com',
  email: 'bystander@example.com',
  typedPhone: '(21) 99888-7766',
  phone: '+5521998887766',
};

/** A form as a site sends it, HOT under the default rules, with consent. */
function formOf(person: Person, extra: Record<string, unknown> = {}) {
  return {
    name: person.name.toLowerCase(),
    email: person.typedEmail,
    phone: person.typedPhone,
    origin: 'SITE',
    interest: 'Apartamento para investimento',
    approximateIncome: '25.000,00',
    city: 'São Paulo',
    notes: `Call ${person.name} after 6pm`,
    consent: {
      textVersion: 'privacy-2026-03',
      givenAt: '2026-03-10T12:00:00.000Z',
      source: `https://example.com/contato?ref=${person.email}`,
    },
    ...extra,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  // Fails and quotes what it was sent, as some receivers do: the run's error then holds the lead.
  receiver = await startHttpSink({ status: 500, echoBody: true });
  worker = await startTestWorker(database, [scoringJobs, automationsJobs]);
  const settings = {
    // remarketing-list: the consenting lead joins the remarketing audience (erasure removes it).
    plan: { HOT: ['notify-slack', 'schedule-follow-up', 'remarketing-list'], WARM: [], COLD: [] },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    // One failed attempt leaves the run FAILED with its retry ten minutes away.
    maxAttempts: 2,
    retryDelaySeconds: 600,
    slackWebhookUrlEncrypted: encryptSecret(`${receiver.url}/slack`),
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...settings },
    update: settings,
  });
  readerKey = (await createApiKey(database.prisma, { name: 'reader', scopes: ['leads:read'] })).key;
  bystanderId = await createPerson(bystander);
  bystanderBefore = await snapshotOf(bystanderId);
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await receiver?.close();
  await database?.drop();
});

let bystanderId: string;
let bystanderBefore: Awaited<ReturnType<typeof snapshotOf>>;

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  key = app.adminKey,
): Promise<GraphQLResponse<T>> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

interface CreateLeadResult {
  __typename: string;
  created?: boolean;
  replayed?: boolean;
  leadId?: string;
  fieldErrors?: { path: string; message: string }[];
}

async function createLead(
  input: Record<string, unknown>,
  options: { key?: string; awaitScoring?: boolean } = {},
): Promise<CreateLeadResult> {
  const response = await graphql<{ createLead: CreateLeadResult }>(
    /* GraphQL */ `
      mutation CreateLead($input: CreateLeadInput!, $key: String, $awaitScoring: Boolean) {
        createLead(input: $input, idempotencyKey: $key, awaitScoring: $awaitScoring) {
          __typename
          ... on CreateLeadPayload {
            created
            replayed
            leadId
          }
          ... on ValidationError {
            fieldErrors {
              path
              message
            }
          }
        }
      }
    `,
    { input, key: options.key, awaitScoring: options.awaitScoring },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createLead;
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

const runsOf = (leadId: string) =>
  database.prisma.automationRun.findMany({
    where: { leadId },
    orderBy: [{ createdAt: 'asc' }, { action: 'asc' }],
  });

const settled = (runs: AutomationRun[]) =>
  runs.length === 3 && runs.every((run) => run.state !== 'PENDING' && run.state !== 'RUNNING');

/** Sends the person's form twice (a merge, with an idempotency key), scored HOT, runs settled. */
async function createPerson(person: Person): Promise<string> {
  const first = await createLead(formOf(person), { awaitScoring: true });
  expect(first).toMatchObject({ __typename: 'CreateLeadPayload', created: true });
  const second = await createLead(
    formOf(person, {
      interest: `Cobertura; write to ${person.email}`,
      consent: { textVersion: 'privacy-2026-04', source: `landing page of ${person.name}` },
    }),
    { key: `retry-${person.email}` },
  );
  expect(second).toMatchObject({ created: false });
  const leadId = first.leadId!;
  await waitFor(() => runsOf(leadId), settled);
  await waitFor(
    () => database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } }),
    (lead) => lead.status === 'HOT' && lead.followUpAt !== null,
  );
  await scoringFinished(leadId);
  return leadId;
}

/** Waits until no scoring job (of the lead, or of any lead) is queued or running. */
async function scoringFinished(leadId?: string): Promise<void> {
  await waitFor(
    () => database.prisma.$queryRaw<{ state: string }[]>`
      SELECT state::text FROM pgboss.job
      WHERE name = ${scoreLeadQueue} AND state IN ('created', 'retry', 'active')
        AND (${leadId ?? null}::text IS NULL OR data->>'leadId' = ${leadId ?? null}::text)`,
    (open) => open.length === 0,
  );
}

/**
 * An email sent to the person, as the email automation records it (sending one is tested with
 * that feature): the address, a subject with the first name, the server's answer quoting the
 * recipient, and a guide generated for them.
 */
async function recordSentEmail(leadId: string, person: Person): Promise<void> {
  const run = await database.prisma.automationRun.findFirstOrThrow({
    where: { leadId, action: 'remarketing-list' },
  });
  const guide = Buffer.from(`%PDF-1.4 guide for ${person.name}`);
  await database.prisma.emailMessage.create({
    data: {
      leadId,
      runId: run.id,
      templateKey: 'nurture',
      locale: 'pt-BR',
      subject: `${person.name.split(' ')[0]}, seu guia chegou`,
      toAddress: person.email,
      fromAddress: 'vendas@streamleads.test',
      messageId: `<${run.deliveryId}@streamleads.test>`,
      smtpResponse: `250 OK queued for ${person.email}`,
      sentAt: new Date('2026-03-11T09:00:00.000Z'),
      attachmentName: 'guia.pdf',
      attachmentSize: guide.length,
      attachmentContent: guide,
    },
  });
}

/** The lead's row and everything under it, for "stays untouched" comparisons. */
function snapshotOf(leadId: string) {
  return database.prisma.lead.findUniqueOrThrow({
    where: { id: leadId },
    include: {
      submissions: { orderBy: { id: 'asc' } },
      consents: { orderBy: { id: 'asc' } },
      automationRuns: { orderBy: { id: 'asc' } },
    },
  });
}

/**
 * Every table of the app and of pg-boss whose rows, as text, contain `value` (any case), or whose
 * binary columns (shown in hex) contain its UTF-8 bytes.
 */
async function tablesHolding(value: string): Promise<string[]> {
  const tables = await database.prisma.$queryRaw<{ schema: string; name: string }[]>`
    SELECT DISTINCT c.table_schema AS schema, c.table_name AS name
    FROM information_schema.columns c
    JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema IN ('public', 'pgboss') AND t.table_type = 'BASE TABLE'
    ORDER BY 1, 2`;
  expect(tables.length).toBeGreaterThan(10);
  const holding: string[] = [];
  for (const { schema, name } of tables) {
    const [row] = await database.prisma.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) AS count FROM "${schema}"."${name}" AS t
       WHERE strpos(lower(t::text), lower($1)) > 0
         OR strpos(t::text, encode(convert_to($1, 'UTF8'), 'hex')) > 0`,
      value,
    );
    if (Number(row!.count) > 0) holding.push(`${schema}.${name}`);
  }
  return holding;
}

/** Every form in which the person's data could be stored. */
const tracesOf = (person: Person) => [
  person.email,
  person.name,
  person.phone,
  person.typedPhone,
  person.phone.slice(3),
  encodeURIComponent(person.email),
];

async function auditEntries(action: string, targetId: string) {
  return database.prisma.auditEvent.findMany({
    where: { action, targetId },
    orderBy: { at: 'asc' },
  });
}

const LEAD_CONSENTS = /* GraphQL */ `
  query Consents($id: ID!) {
    lead(id: $id) {
      ... on Lead {
        consents {
          givenAt
          source
          textVersion
          submission {
            id
          }
        }
        submissions {
          id
        }
      }
    }
  }
`;

interface ConsentView {
  givenAt: string;
  source: string;
  textVersion: string;
  submission: { id: string } | null;
}

async function consentsOf(leadId: string) {
  const response = await graphql<{
    lead: { consents: ConsentView[]; submissions: { id: string }[] };
  }>(LEAD_CONSENTS, { id: leadId });
  expect(response.errors).toBeUndefined();
  return response.data!.lead;
}

describe('consent', () => {
  const person: Person = {
    name: 'Carla Consentida',
    typedEmail: 'carla.consent@example.com',
    email: 'carla.consent@example.com',
    typedPhone: '(31) 97777-1234',
    phone: '+5531977771234',
  };

  it('records consent with its time, source and text version, newest first', async () => {
    const first = await createLead(formOf(person));
    const skewed = new Date(Date.now() + 60_000);
    const before = Date.now();
    await createLead(
      formOf(person, { consent: { textVersion: 'privacy-2026-04', givenAt: skewed } }),
    );
    await createLead(formOf(person, { consent: { textVersion: ' privacy-2026-05 ' } }));
    const after = Date.now();

    const { consents, submissions } = await consentsOf(first.leadId!);
    expect(consents.map(({ textVersion, source }) => ({ textVersion, source }))).toEqual([
      // A little ahead of the server clock (skew) is accepted as sent.
      { textVersion: 'privacy-2026-04', source: 'API' },
      { textVersion: 'privacy-2026-05', source: 'API' },
      {
        textVersion: 'privacy-2026-03',
        source: 'https://example.com/contato?ref=carla.consent@example.com',
      },
    ]);
    expect(consents[0]!.givenAt).toBe(skewed.toISOString());
    // No givenAt: the time of receipt.
    const receipt = Date.parse(consents[1]!.givenAt);
    expect(receipt).toBeGreaterThanOrEqual(before);
    expect(receipt).toBeLessThanOrEqual(after);
    expect(consents[2]!.givenAt).toBe('2026-03-10T12:00:00.000Z');
    // Each consent points at the submission it came with.
    expect(consents.map((consent) => consent.submission?.id).sort()).toEqual(
      submissions.map((submission) => submission.id).sort(),
    );
  });

  it('refuses a consent without text version, dated in the future or with a long source', async () => {
    const counts = async () => ({
      leads: await database.prisma.lead.count(),
      submissions: await database.prisma.leadSubmission.count(),
      consents: await database.prisma.leadConsent.count(),
    });
    const before = await counts();
    const result = await createLead(
      formOf(
        { ...person, typedEmail: 'refused.consent@example.com' },
        {
          phone: '123',
          consent: {
            textVersion: '  ',
            givenAt: new Date(Date.now() + 10 * 60_000).toISOString(),
            source: 'x'.repeat(256),
          },
        },
      ),
    );
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors).toEqual([
      { path: 'phone', message: expect.any(String) as string },
      {
        path: 'consent.textVersion',
        message: 'Say which version of the consent text was shown',
      },
      { path: 'consent.givenAt', message: 'Consent time cannot be in the future' },
      { path: 'consent.source', message: 'Consent source must be at most 255 characters' },
    ]);
    const tooLong = await createLead(formOf(person, { consent: { textVersion: 'v'.repeat(65) } }));
    expect(tooLong.fieldErrors).toEqual([
      {
        path: 'consent.textVersion',
        message: 'Consent text version must be at most 64 characters',
      },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('records one consent for a request replayed with its idempotency key', async () => {
    const input = formOf({ ...person, typedEmail: 'replayed.consent@example.com' });
    const first = await createLead(input, { key: 'consent-replay' });
    const replay = await createLead(input, { key: 'consent-replay' });
    expect(replay).toMatchObject({ replayed: true, leadId: first.leadId });
    expect(await database.prisma.leadConsent.count({ where: { leadId: first.leadId } })).toBe(1);
    expect(await database.prisma.leadSubmission.count({ where: { leadId: first.leadId } })).toBe(1);
  });

  it('keeps the consent time in the submission payload as sent', async () => {
    const result = await createLead(
      formOf({ ...person, typedEmail: 'payload.consent@example.com' }),
    );
    const [submission] = await database.prisma.leadSubmission.findMany({
      where: { leadId: result.leadId },
    });
    expect(submission!.payload).toMatchObject({
      consent: { givenAt: '2026-03-10T12:00:00.000Z', textVersion: 'privacy-2026-03' },
    });
  });
});

const EXPORT = /* GraphQL */ `
  mutation Export($id: ID!) {
    exportLeadData(id: $id) {
      __typename
      ... on LeadDataExport {
        leadId
        data
      }
      ... on Error {
        message
      }
    }
  }
`;

const ERASE = /* GraphQL */ `
  mutation Erase($id: ID!) {
    eraseLead(id: $id) {
      __typename
      ... on Lead {
        id
        name
        email
        phone
        city
        notes
        origin
        status
        score
        erasedAt
        consents {
          source
          textVersion
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

interface ExportResult {
  __typename: string;
  leadId?: string;
  data?: Record<string, unknown> & {
    lead: Record<string, unknown>;
    scoring: Record<string, unknown>;
    submissions: { payload: Record<string, unknown> }[];
    consents: { textVersion: string; source: string }[];
    automationRuns: ({ id: string; action: string; lastError: string | null } & Record<
      string,
      unknown
    >)[];
  };
  message?: string;
}

describe('exportLeadData', () => {
  const person: Person = {
    name: 'Ester Exportada',
    typedEmail: 'Ester.Export@Example.com',
    email: 'ester.export@example.com',
    typedPhone: '(41) 98888-1212',
    phone: '+5541988881212',
  };
  let leadId: string;

  beforeAll(async () => {
    leadId = await createPerson(person);
    await recordSentEmail(leadId, person);
  });

  it('exports the lead, its submissions, consents and automation runs as JSON', async () => {
    const started = Date.now();
    const response = await graphql<{ exportLeadData: ExportResult }>(EXPORT, { id: leadId });
    expect(response.errors).toBeUndefined();
    const result = response.data!.exportLeadData;
    expect(result).toMatchObject({ __typename: 'LeadDataExport', leadId });
    const data = result.data!;
    expect(data.formatVersion).toBe(1);
    expect(Date.parse(data.exportedAt as string)).toBeGreaterThanOrEqual(started);
    expect(data.lead).toMatchObject({
      id: leadId,
      name: person.name,
      email: person.email,
      phone: person.phone,
      origin: 'SITE',
      approximateIncome: '25000.00',
      city: 'São Paulo',
      notes: `Call ${person.name} after 6pm`,
      erasedAt: null,
    });
    expect(data.scoring).toMatchObject({ score: 40, status: 'HOT', ruleSetVersion: 1 });
    expect(data.scoring.explanation).toEqual(expect.arrayContaining([expect.anything()]));

    // Each submission as it was received, mixed-case email and typed phone included.
    expect(data.submissions.map((submission) => submission.payload)).toEqual([
      formOf(person),
      formOf(person, {
        interest: `Cobertura; write to ${person.email}`,
        consent: { textVersion: 'privacy-2026-04', source: `landing page of ${person.name}` },
      }),
    ]);
    expect(data.consents.map(({ textVersion, source }) => ({ textVersion, source }))).toEqual([
      {
        textVersion: 'privacy-2026-03',
        source: 'https://example.com/contato?ref=ester.export@example.com',
      },
      { textVersion: 'privacy-2026-04', source: `landing page of ${person.name}` },
    ]);

    const runs = Object.fromEntries(data.automationRuns.map((run) => [run.action, run]));
    expect(Object.keys(runs).sort()).toEqual([
      'notify-slack',
      'remarketing-list',
      'schedule-follow-up',
    ]);
    expect(runs['notify-slack']).toMatchObject({
      state: 'FAILED',
      attempts: 1,
      maxAttempts: 2,
      responseStatus: 500,
      payload: { lead: { email: person.email, phone: person.phone }, status: 'HOT' },
    });
    expect(runs['notify-slack']!.lastError).toContain(person.email);
    expect(runs['remarketing-list']).toMatchObject({ state: 'SUCCEEDED' });
    expect(data.emailsSent).toEqual([
      {
        id: expect.any(String) as string,
        automationRunId: runs['remarketing-list']!.id,
        sentAt: '2026-03-11T09:00:00.000Z',
        template: 'nurture',
        locale: 'pt-BR',
        to: person.email,
        from: 'vendas@streamleads.test',
        subject: 'Ester, seu guia chegou',
        messageId: expect.any(String) as string,
        smtpResponse: `250 OK queued for ${person.email}`,
        attachment: {
          name: 'guia.pdf',
          size: 34,
          contentBase64: Buffer.from(`%PDF-1.4 guide for ${person.name}`).toString('base64'),
        },
      },
    ]);
  });

  it('records the export in the audit log with counts only', async () => {
    const before = (await auditEntries('lead.export', leadId)).length;
    await graphql(EXPORT, { id: leadId });
    const entries = await auditEntries('lead.export', leadId);
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)).toMatchObject({
      actorKind: 'api-key',
      actorLabel: app.adminLabel,
      targetType: 'lead',
      targetId: leadId,
      details: { submissions: 2, consents: 2, automationRuns: 3, emails: 1 },
    });
    const text = JSON.stringify(entries.at(-1)).toLowerCase();
    for (const trace of tracesOf(person)) expect(text).not.toContain(trace.toLowerCase());
  });

  it('answers LeadNotFoundError for an unknown or malformed id and records nothing', async () => {
    const audits = await database.prisma.auditEvent.count();
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const exported = await graphql<{ exportLeadData: ExportResult }>(EXPORT, { id });
      expect(exported.data!.exportLeadData.__typename).toBe('LeadNotFoundError');
      const erased = await graphql<{ eraseLead: { __typename: string } }>(ERASE, { id });
      expect(erased.data!.eraseLead.__typename).toBe('LeadNotFoundError');
    }
    expect(await database.prisma.auditEvent.count()).toBe(audits);
  });

  it('refuses export and erasure to a key without the admin scope', async () => {
    const audits = await database.prisma.auditEvent.count();
    const before = await snapshotOf(leadId);
    for (const query of [EXPORT, ERASE]) {
      const response = await graphql(query, { id: leadId }, readerKey);
      expect(response.data).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await snapshotOf(leadId)).toEqual(before);
    expect(await database.prisma.auditEvent.count()).toBe(audits);
  });

  it("exports the lead's stage and the history of its stage changes", async () => {
    const rep = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body: JSON.stringify({
        query: `mutation ($id: ID!) {
          setLeadStage(id: $id, stage: LOST, lostReason: "Bought elsewhere") { __typename }
        }`,
        variables: { id: leadId },
      }),
    });
    expect(await rep.json()).toEqual({ data: { setLeadStage: { __typename: 'Lead' } } });
    const response = await graphql<{ exportLeadData: ExportResult }>(EXPORT, { id: leadId });
    expect(response.data!.exportLeadData.data!.pipeline).toMatchObject({
      stage: 'LOST',
      lostReason: 'Bought elsewhere',
      stageChanges: [
        { from: 'NEW', to: 'LOST', lostReason: 'Bought elsewhere', by: app.adminLabel },
      ],
    });
  });
});

interface LeadStatsView {
  total: number;
  scoredCount: number;
  averageScore: number | null;
  byStatus: { status: string; count: number }[];
  byOrigin: { origin: string; count: number }[];
  scoreHistogram: { min: number; max: number | null; count: number }[];
}

async function leadStats(): Promise<LeadStatsView> {
  const response = await graphql<{ leadStats: LeadStatsView }>(/* GraphQL */ `
    query {
      leadStats(range: { preset: LAST_7_DAYS }) {
        ... on LeadStats {
          total
          scoredCount
          averageScore
          byStatus {
            status
            count
          }
          byOrigin {
            origin
            count
          }
          scoreHistogram {
            min
            max
            count
          }
        }
      }
    }
  `);
  expect(response.errors).toBeUndefined();
  return response.data!.leadStats;
}

describe('eraseLead', () => {
  const person: Person = {
    name: 'Odete Apagada',
    typedEmail: 'Odete.Apagada.LGPD@Example.com',
    email: 'odete.apagada.lgpd@example.com',
    typedPhone: '(11) 98765-4321',
    phone: '+5511987654321',
  };
  let leadId: string;
  let holdingBefore: string[];
  let statsBefore: LeadStatsView;
  let erased: Record<string, unknown>;
  let rescoreRunId: string;

  beforeAll(async () => {
    leadId = await createPerson(person);
    await recordSentEmail(leadId, person);
    // A bulk rescore searched by the person's email: its filter is stored, and its batch job
    // lists the lead.
    const rescore = await graphql<{ rescoreLeads: { id: string } }>(
      /* GraphQL */ `
        mutation ($search: String!) {
          rescoreLeads(filter: { search: $search }) {
            ... on RescoreRun {
              id
            }
          }
        }
      `,
      { search: person.email },
    );
    rescoreRunId = rescore.data!.rescoreLeads.id;
    await waitFor(
      () => database.prisma.rescoreRun.findUniqueOrThrow({ where: { id: rescoreRunId } }),
      (run) => run.state === 'SUCCEEDED',
    );
    // Stands for a failed attempt whose error quoted the lead, as a Prisma validation error does
    // (it prints the call's arguments): pg-boss keeps a job's output for days.
    await database.prisma.$executeRaw`
      UPDATE pgboss.job SET output = jsonb_build_object('message', ${`bad lead ${person.email}`}::text)
      WHERE name = ${scoreLeadQueue} AND data->>'leadId' = ${leadId}`;

    // Every lead of this file scored, so the statistics move only if the erasure moves them.
    await scoringFinished();
    holdingBefore = await tablesHolding(person.email);
    statsBefore = await leadStats();
    const response = await graphql<{ eraseLead: Record<string, unknown> }>(ERASE, { id: leadId });
    expect(response.errors).toBeUndefined();
    erased = response.data!.eraseLead;
  });

  it('returns the lead with placeholders and its non-identifying fields', () => {
    expect(erased).toMatchObject({
      __typename: 'Lead',
      id: leadId,
      name: erasedLeadName,
      email: erasedLeadEmail(leadId),
      phone: null,
      city: null,
      notes: null,
      origin: 'SITE',
      status: 'HOT',
      score: 40,
      erasedAt: expect.any(String) as string,
    });
    // Consents stay as proof of when and which text; what named the person goes.
    expect(erased.consents).toEqual([
      { textVersion: 'privacy-2026-04', source: '[erased]' },
      { textVersion: 'privacy-2026-03', source: 'https://example.com/contato' },
    ]);
  });

  it('leaves no trace of the person in any column of any table', async () => {
    // The search finds what is there: the person was in these tables before.
    expect(holdingBefore).toEqual(
      expect.arrayContaining([
        'public.leads',
        'public.lead_submissions',
        'public.lead_consents',
        'public.automation_runs',
        'public.rescore_runs',
        'public.email_messages',
        'pgboss.job',
      ]),
    );
    expect(await tablesHolding(bystander.email)).toEqual(
      expect.arrayContaining(['public.leads', 'public.lead_submissions', 'public.automation_runs']),
    );
    for (const trace of tracesOf(person)) {
      expect(await tablesHolding(trace), trace).toEqual([]);
    }
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(lead).toMatchObject({ cityKey: null, scoreExplanation: null, approximateIncome: null });
    expect(lead.searchText).toBe(`erased lead ${erasedLeadEmail(leadId)} `);
  });

  it('keeps submissions, runs and the rescore as records without personal data', async () => {
    const submissions = await database.prisma.leadSubmission.findMany({ where: { leadId } });
    expect(submissions).toHaveLength(2);
    for (const submission of submissions) {
      expect(submission).toMatchObject({ payload: {}, idempotencyKey: null, channel: 'API' });
    }
    const runs = Object.fromEntries((await runsOf(leadId)).map((run) => [run.action, run]));
    expect(runs['notify-slack']).toMatchObject({
      // It was FAILED with a retry ahead: nobody is left to notify about.
      state: 'SKIPPED',
      skipReason: erasedRunSkipReason,
      nextAttemptAt: null,
      attempts: 1,
      responseStatus: 500,
      lastError: null,
      payload: {},
    });
    expect(runs['schedule-follow-up']).toMatchObject({ state: 'SUCCEEDED', payload: {} });
    expect(runs['remarketing-list']).toMatchObject({ state: 'SUCCEEDED', payload: {} });
    expect(
      await database.prisma.remarketingMember.findMany({
        where: { leadId },
        select: { removedReason: true },
      }),
    ).toEqual([{ removedReason: 'erased' }]);
    const [email, ...more] = await database.prisma.emailMessage.findMany({ where: { leadId } });
    expect(more).toEqual([]);
    expect(email).toMatchObject({
      templateKey: 'nurture',
      sentAt: new Date('2026-03-11T09:00:00.000Z'),
      toAddress: '',
      subject: '[erased]',
      smtpResponse: null,
      attachmentContent: null,
    });
    const rescore = await database.prisma.rescoreRun.findUniqueOrThrow({
      where: { id: rescoreRunId },
    });
    expect(rescore.filter).toEqual({ search: '[erased]' });
  });

  it('keeps the statistics as they were', async () => {
    expect(await leadStats()).toEqual(statsBefore);
  });

  it('leaves the other leads untouched', async () => {
    expect(await snapshotOf(bystanderId)).toEqual(bystanderBefore);
  });

  it('records the erasure in the audit log with counts only', async () => {
    const [entry, ...more] = await auditEntries('lead.erase', leadId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actorKind: 'api-key',
      actorLabel: app.adminLabel,
      targetType: 'lead',
      details: {
        submissions: 2,
        consents: 2,
        automationRuns: 3,
        rescoreRuns: 1,
        alreadyErased: false,
      },
    });
    expect((entry!.details as { jobs: number }).jobs).toBeGreaterThan(0);
  });

  it('erases again harmlessly, keeping the first erasure time', async () => {
    const before = await snapshotOf(leadId);
    const again = await graphql<{ eraseLead: { erasedAt: string } }>(ERASE, { id: leadId });
    expect(again.data!.eraseLead.erasedAt).toBe(erased.erasedAt);
    const after = await snapshotOf(leadId);
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
    const entries = await auditEntries('lead.erase', leadId);
    expect(
      entries.map((entry) => (entry.details as { alreadyErased: boolean }).alreadyErased),
    ).toEqual([false, true]);
  });

  it('refuses updateLead and rescoreLead on the erased lead', async () => {
    const update = await graphql<{ updateLead: { __typename: string } }>(
      /* GraphQL */ `
        mutation ($id: ID!, $phone: String) {
          updateLead(id: $id, input: { phone: $phone }) {
            __typename
          }
        }
      `,
      { id: leadId, phone: person.typedPhone },
    );
    expect(update.data!.updateLead.__typename).toBe('LeadErasedError');
    const rescore = await graphql<{ rescoreLead: { __typename: string } }>(
      /* GraphQL */ `
        mutation ($id: ID!) {
          rescoreLead(id: $id) {
            __typename
          }
        }
      `,
      { id: leadId },
    );
    expect(rescore.data!.rescoreLead.__typename).toBe('LeadErasedError');
    expect(await tablesHolding(person.phone)).toEqual([]);
  });

  it('leaves an erased lead alone when a scoring job queued for it runs', async () => {
    const before = await snapshotOf(leadId);
    await database.prisma.$transaction((tx) => enqueueScoring(worker, tx, leadId));
    await scoringFinished(leadId);
    expect(await snapshotOf(leadId)).toEqual(before);
  });

  it("refuses a submission with an erased lead's placeholder email", async () => {
    const result = await createLead(formOf({ ...person, typedEmail: erasedLeadEmail(leadId) }));
    expect(result.fieldErrors).toEqual([{ path: 'email', message: 'Enter a valid email address' }]);
  });

  it('starts a new lead when the person submits again', async () => {
    const result = await createLead(formOf(person));
    expect(result).toMatchObject({ __typename: 'CreateLeadPayload', created: true });
    expect(result.leadId).not.toBe(leadId);
    const { consents, submissions } = await consentsOf(result.leadId!);
    expect(submissions).toHaveLength(1);
    expect(consents).toHaveLength(1);
    const old = await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(old).toMatchObject({ name: erasedLeadName, email: erasedLeadEmail(leadId) });
  });
});
