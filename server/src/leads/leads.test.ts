// The leads write API through yoga.fetch against real PostgreSQL: createLead (validation, merging
// by email, idempotency, awaitScoring, crash safety, n8n's request shapes), lead, updateLead,
// deleteLead and rescoreLead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startEventBus, type AppEvent, type EventBus } from '../events.ts';
import { createLogger } from '../logger.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';

let database: TestDatabase;
let app: TestApp;
let events: EventBus;
const received: AppEvent[] = [];
let bystander: unknown;

beforeAll(async () => {
  database = await createTestDatabase();
  // No scoring worker runs in this file: every lead stays PROCESSING with its jobs queued.
  app = await startTestApp(database);
  events = await startEventBus({ url: database.url, logger: createLogger('silent') });
  events.subscribe((event) => received.push(event));

  const created = await database.prisma.lead.create({
    data: {
      name: 'Bia Bystander',
      email: 'bystander@example.com',
      phone: '+5511988887777',
      origin: 'REFERRAL',
      city: 'Santos',
      approximateIncome: '9000.00',
      status: 'WARM',
      score: 55,
      processedAt: new Date('2026-01-01T00:00:00Z'),
      submissions: {
        create: {
          channel: 'WEB_FORM',
          payload: { name: 'bia bystander', email: 'BYSTANDER@example.com' },
          createdLead: true,
          idempotencyKey: 'bystander-key',
          payloadHash: '0'.repeat(64),
        },
      },
    },
  });
  bystander = await readBystander(created.id);
});

const readBystander = (id: string) =>
  database.prisma.lead.findUnique({ where: { id }, include: { submissions: true } });

afterAll(async () => {
  await events?.close();
  await app?.stop();
  await database?.drop();
});

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

async function graphql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

const LEAD_FIELDS = /* GraphQL */ `
  id
  name
  email
  phone
  origin
  interest
  approximateIncome
  city
  notes
  status
  score
  processedAt
  statusOverride
  statusOverrideReason
  statusOverrideBy
  statusOverrideAt
`;

const CREATE_LEAD = /* GraphQL */ `
  mutation CreateLead($input: CreateLeadInput!, $key: String, $awaitScoring: Boolean) {
    createLead(input: $input, idempotencyKey: $key, awaitScoring: $awaitScoring) {
      __typename
      ... on CreateLeadPayload {
        created
        replayed
        lead { ${LEAD_FIELDS} }
      }
      ... on ValidationError {
        message
        fieldErrors { path message }
      }
      ... on Error {
        message
      }
    }
  }
`;

interface LeadFields {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  origin: string;
  interest: string | null;
  approximateIncome: string | null;
  city: string | null;
  notes: string | null;
  status: string;
  score: number;
  processedAt: string | null;
  statusOverride: string | null;
  statusOverrideReason: string | null;
  statusOverrideBy: string | null;
  statusOverrideAt: string | null;
}

interface CreateLeadResult {
  __typename: string;
  created?: boolean;
  replayed?: boolean;
  lead?: LeadFields;
  message?: string;
  fieldErrors?: { path: string; message: string }[];
}

async function createLead(
  input: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string>; awaitScoring?: boolean } = {},
): Promise<CreateLeadResult> {
  const response = await graphql<{ createLead: CreateLeadResult }>(
    CREATE_LEAD,
    { input, key: options.key, awaitScoring: options.awaitScoring },
    options.headers,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createLead;
}

const form = (email: string, extra: Record<string, unknown> = {}) => ({
  name: 'maria da silva',
  email,
  phone: '(11) 98765-4321',
  origin: 'SITE',
  interest: 'Apartamento de 2 quartos',
  approximateIncome: '15.000,50',
  city: 'São Paulo',
  ...extra,
});

async function scoringJobs(leadId: string): Promise<number> {
  const [row] = await database.prisma.$queryRaw<{ count: bigint }[]>`
    SELECT count(*) AS count FROM pgboss.job
    WHERE name = ${scoreLeadQueue} AND data->>'leadId' = ${leadId}`;
  return Number(row!.count);
}

async function totals() {
  const [leads, submissions, jobs] = await Promise.all([
    database.prisma.lead.count(),
    database.prisma.leadSubmission.count(),
    database.prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM pgboss.job WHERE name = ${scoreLeadQueue}`,
  ]);
  return { leads, submissions, jobs: Number(jobs[0]!.count) };
}

/** Resolves with the first event `matches` accepts, received from now on. */
function nextEvent(matches: (event: AppEvent) => boolean, timeoutMs = 5_000): Promise<AppEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('no matching event'));
    }, timeoutMs);
    const stop = events.subscribe((event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

const changesOf = (leadId: string) =>
  received.flatMap((event) =>
    event.type === 'lead.changed' && event.leadId === leadId ? [event.change] : [],
  );

describe('createLead', () => {
  it('creates a normalised lead, keeps the raw submission and commits its scoring job', async () => {
    const input = form('Maria.Silva@Example.com');
    const result = await createLead(input);

    expect(result).toMatchObject({
      __typename: 'CreateLeadPayload',
      created: true,
      replayed: false,
    });
    expect(result.lead).toMatchObject({
      name: 'Maria da Silva',
      email: 'maria.silva@example.com',
      phone: '+5511987654321',
      origin: 'SITE',
      approximateIncome: '15000.50',
      city: 'São Paulo',
      status: 'PROCESSING',
      processedAt: null,
    });
    const leadId = result.lead!.id;
    const submissions = await database.prisma.leadSubmission.findMany({ where: { leadId } });
    expect(submissions).toHaveLength(1);
    expect(submissions[0]).toMatchObject({ channel: 'API', createdLead: true, payload: input });
    expect(submissions[0]!.payloadHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await scoringJobs(leadId)).toBe(1);
  });

  it('publishes a created event once the lead commits', async () => {
    const event = nextEvent((e) => e.type === 'lead.changed' && e.change === 'created');
    const result = await createLead(form('evented@example.com'));
    expect(await event).toEqual({
      type: 'lead.changed',
      leadId: result.lead!.id,
      change: 'created',
    });
  });

  describe('refuses invalid input with a message per field and records nothing', () => {
    const cases: {
      title: string;
      input: Record<string, unknown>;
      fieldErrors: { path: string; message: string }[];
    }[] = [
      {
        title: 'missing required fields',
        input: { phone: '11 98765-4321' },
        fieldErrors: [
          { path: 'name', message: 'Name is required' },
          { path: 'email', message: 'Email is required' },
          { path: 'origin', message: 'Origin is required' },
        ],
      },
      {
        title: 'blank required fields',
        input: { name: '   ', email: '', origin: 'SITE' },
        fieldErrors: [
          { path: 'name', message: 'Name is required' },
          { path: 'email', message: 'Email is required' },
        ],
      },
      {
        title: 'a malformed email and phone',
        input: form('maria@', { phone: '12345' }),
        fieldErrors: [
          { path: 'email', message: 'Enter a valid email address' },
          {
            path: 'phone',
            message: 'Enter a valid phone number with area code, e.g. (11) 99999-9999',
          },
        ],
      },
      {
        title: 'an ambiguous income',
        input: form('ambiguous@example.com', { approximateIncome: '15.000' }),
        fieldErrors: [
          { path: 'approximateIncome', message: 'Ambiguous amount: write 15000.00 or 15.000,00' },
        ],
      },
      {
        title: 'a negative income given as a number',
        input: form('negative@example.com', { approximateIncome: -10 }),
        fieldErrors: [{ path: 'approximateIncome', message: 'Income cannot be negative' }],
      },
      {
        title: 'a name with digits',
        input: form('digits@example.com', { name: 'R2D2' }),
        fieldErrors: [
          {
            path: 'name',
            message: 'Name can only contain letters, spaces, hyphens, apostrophes and periods',
          },
        ],
      },
    ];

    for (const { title, input, fieldErrors } of cases) {
      it(`refuses ${title}`, async () => {
        const before = await totals();
        const result = await createLead(input);
        expect(result.__typename).toBe('ValidationError');
        expect(result.fieldErrors).toEqual(fieldErrors);
        expect(result.message).toBe(fieldErrors.map((e) => `${e.path}: ${e.message}`).join('; '));
        expect(await totals()).toEqual(before);
      });
    }
  });

  it('words field errors in the language of Accept-Language', async () => {
    const input = form('maria@', { phone: '12345' });
    const portuguese = await createLead(input, {
      headers: { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' },
    });
    expect(portuguese.fieldErrors).toEqual([
      { path: 'email', message: 'Informe um e-mail válido' },
      {
        path: 'phone',
        message: 'Informe um telefone válido com DDD, por exemplo (11) 99999-9999',
      },
    ]);
    expect(portuguese.message).toBe(
      'email: Informe um e-mail válido; phone: Informe um telefone válido com DDD, por exemplo (11) 99999-9999',
    );
    const english = await createLead(input, { headers: { 'accept-language': 'en-US' } });
    expect(english.fieldErrors?.[0]?.message).toBe('Enter a valid email address');
  });

  it('rejects an unknown input field as a GraphQL error', async () => {
    const before = await totals();
    const response = await graphql(CREATE_LEAD, { input: { ...form('x@example.com'), age: 30 } });
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0]?.message).toMatch(/Field "age" is not defined/);
    expect(await totals()).toEqual(before);
  });

  it('merges a known email into its lead, taking only the non-empty new values', async () => {
    const first = await createLead(form('merge@example.com', { notes: 'first note' }));
    const leadId = first.lead!.id;
    // As if the worker had scored it: a merge keeps that class until the rescore commits.
    await database.prisma.lead.update({
      where: { id: leadId },
      data: { status: 'HOT', score: 90, processedAt: new Date() },
    });
    const merged = nextEvent((e) => e.type === 'lead.changed' && e.change === 'merged');

    const second = await createLead({
      name: 'Maria Souza',
      email: '  MERGE@example.com ',
      origin: 'WHATSAPP',
      phone: '',
      city: 'Campinas',
      approximateIncome: null,
    });

    expect(second).toMatchObject({ created: false, replayed: false });
    expect(second.lead).toMatchObject({
      id: leadId,
      name: 'Maria Souza',
      origin: 'WHATSAPP',
      phone: '+5511987654321',
      interest: 'Apartamento de 2 quartos',
      approximateIncome: '15000.50',
      city: 'Campinas',
      notes: 'first note',
      status: 'HOT',
      score: 90,
    });
    expect(await merged).toMatchObject({ leadId, change: 'merged' });
    const submissions = await database.prisma.leadSubmission.findMany({
      where: { leadId },
      orderBy: { createdAt: 'asc' },
    });
    expect(submissions.map((s) => s.createdLead)).toEqual([true, false]);
    expect(submissions[1]!.payload).toMatchObject({ email: '  MERGE@example.com ', phone: '' });
    expect(await scoringJobs(leadId)).toBe(2);
    expect(await database.prisma.lead.count({ where: { email: 'merge@example.com' } })).toBe(1);
  });

  it('ends concurrent submissions of one new email as one lead with every submission', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        createLead(form('race@example.com', { notes: `attempt ${index}` })),
      ),
    );

    const ids = new Set(results.map((result) => result.lead?.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const [leadId] = [...ids] as string[];
    expect(await database.prisma.leadSubmission.count({ where: { leadId } })).toBe(8);
    expect(await database.prisma.lead.count({ where: { email: 'race@example.com' } })).toBe(1);
    expect(await scoringJobs(leadId!)).toBe(8);
  });

  describe('idempotency', () => {
    it('answers a retry with the same header key with the first result and records nothing', async () => {
      const headers = { 'Idempotency-Key': 'form-submission-1' };
      const first = await createLead(form('retry@example.com'), { headers });
      const before = await totals();
      const retry = await createLead(form('retry@example.com'), { headers });

      expect(retry).toMatchObject({ created: true, replayed: true });
      expect(retry.lead!.id).toBe(first.lead!.id);
      expect(await totals()).toEqual(before);
      const submission = await database.prisma.leadSubmission.findUnique({
        where: { idempotencyKey: 'form-submission-1' },
      });
      expect(submission?.leadId).toBe(first.lead!.id);
    });

    it('treats an argument key like the header and ignores the order of input fields', async () => {
      const input = form('retry-argument@example.com');
      const first = await createLead(input, { key: 'argument-key' });
      const reordered = Object.fromEntries(Object.entries(input).reverse());
      const retry = await createLead(reordered, { headers: { 'Idempotency-Key': 'argument-key' } });
      expect(retry).toMatchObject({ replayed: true, lead: { id: first.lead!.id } });
    });

    it('refuses a key reused with different input and records nothing', async () => {
      await createLead(form('conflict@example.com'), { key: 'reused-key' });
      const before = await totals();
      const result = await createLead(form('other@example.com'), { key: 'reused-key' });
      expect(result).toMatchObject({
        __typename: 'IdempotencyKeyConflictError',
        message:
          'This idempotency key was already used for a different request; send a new key for new data',
      });
      expect(await totals()).toEqual(before);
    });

    it('records concurrent requests with one key once and answers each with that result', async () => {
      const before = await totals();
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          createLead(form('same-key@example.com'), { key: 'double-click' }),
        ),
      );
      expect(new Set(results.map((result) => result.lead?.id)).size).toBe(1);
      expect(results.filter((result) => !result.replayed)).toHaveLength(1);
      expect(results.every((result) => result.created)).toBe(true);
      expect(await totals()).toEqual({
        leads: before.leads + 1,
        submissions: before.submissions + 1,
        jobs: before.jobs + 1,
      });
    });

    it('refuses an argument key that differs from the header', async () => {
      const result = await createLead(form('two-keys@example.com'), {
        key: 'one',
        headers: { 'Idempotency-Key': 'two' },
      });
      expect(result.fieldErrors).toEqual([
        {
          path: 'idempotencyKey',
          message: 'The idempotencyKey argument and the Idempotency-Key header differ',
        },
      ]);
    });
  });

  it('returns the lead as it is after 5 seconds of awaitScoring when no worker scores it', async () => {
    const started = performance.now();
    const result = await createLead(form('unscored@example.com'), { awaitScoring: true });
    const elapsed = performance.now() - started;
    expect(result.lead).toMatchObject({ status: 'PROCESSING', processedAt: null });
    expect(elapsed).toBeGreaterThanOrEqual(4_900);
    expect(elapsed).toBeLessThan(7_000);
  });
});

describe("n8n's GraphQL node", () => {
  const n8nJsonHeaders = () => ({
    accept: 'application/json',
    'content-type': 'application/json',
    'accept-encoding': 'gzip, compress, deflate, br',
    'x-api-key': app.adminKey,
  });

  it('accepts the raw format: the query alone as an application/graphql body', async () => {
    const query = `mutation {
      createLead(input: {
        name: "JOÃO SOUZA", email: "joao@example.com", origin: META_ADS,
        phone: "+55 21 99876-5432", approximateIncome: 8000
      }) {
        __typename
        ... on CreateLeadPayload { created replayed lead { id name phone approximateIncome status } }
        ... on ValidationError { fieldErrors { path message } }
        ... on Error { message }
      }
    }`;
    const send = () =>
      app.yoga.fetch('http://test/graphql', {
        method: 'POST',
        headers: {
          accept: 'application/json, text/plain, */*',
          'content-type': 'application/graphql',
          'x-api-key': app.adminKey,
          'idempotency-key': 'n8n-execution-42-item-0',
        },
        body: query,
      });

    const response = await send();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const first = (await response.json()) as { data: { createLead: CreateLeadResult } };
    expect(first.data.createLead).toMatchObject({
      __typename: 'CreateLeadPayload',
      created: true,
      replayed: false,
      lead: {
        name: 'João Souza',
        phone: '+5521998765432',
        approximateIncome: '8000.00',
        status: 'PROCESSING',
      },
    });
    const retry = (await (await send()).json()) as { data: { createLead: CreateLeadResult } };
    expect(retry.data.createLead).toMatchObject({
      replayed: true,
      lead: { id: first.data.createLead.lead!.id },
    });
  });

  it('returns per-field errors to a raw-format request with missing fields', async () => {
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/graphql', ...app.adminHeaders },
      body: 'mutation { createLead(input: { name: "Ana Lima" }) { ... on ValidationError { fieldErrors { path message } } } }',
    });
    expect(await response.json()).toEqual({
      data: {
        createLead: {
          fieldErrors: [
            { path: 'email', message: 'Email is required' },
            { path: 'origin', message: 'Origin is required' },
          ],
        },
      },
    });
  });

  it('accepts the JSON format with variables and a null operationName', async () => {
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: n8nJsonHeaders(),
      body: JSON.stringify({
        query: CREATE_LEAD,
        variables: { input: form('n8n-json@example.com'), awaitScoring: false },
        operationName: null,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { createLead: CreateLeadResult } };
    expect(body.data.createLead).toMatchObject({
      __typename: 'CreateLeadPayload',
      created: true,
      lead: { email: 'n8n-json@example.com', status: 'PROCESSING' },
    });
  });

  it('answers a lead query sent with GET', async () => {
    const { lead } = await createLead(form('n8n-get@example.com'));
    const query = `{ lead(id: "${lead!.id}") { ... on Lead { email status } } }`;
    const response = await app.yoga.fetch(
      `http://test/graphql?query=${encodeURIComponent(query)}`,
      { headers: { 'content-type': 'application/graphql', 'x-api-key': app.adminKey } },
    );
    expect(await response.json()).toEqual({
      data: { lead: { email: 'n8n-get@example.com', status: 'PROCESSING' } },
    });
  });
});

const LEAD_QUERY = /* GraphQL */ `
  query Lead($id: ID!) {
    lead(id: $id) {
      __typename
      ... on Lead { ${LEAD_FIELDS} submissions { channel createdLead } }
      ... on LeadNotFoundError { message leadId }
    }
  }
`;

describe('lead', () => {
  it('reads a lead with its submissions', async () => {
    const { lead } = await createLead(form('read@example.com'));
    const response = await graphql(LEAD_QUERY, { id: lead!.id });
    expect(response.data).toEqual({
      lead: {
        __typename: 'Lead',
        ...lead,
        submissions: [{ channel: 'API', createdLead: true }],
      },
    });
  });

  it('answers LeadNotFoundError for an unknown or malformed id', async () => {
    for (const id of ['01a2f000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const response = await graphql(LEAD_QUERY, { id });
      expect(response.data).toEqual({
        lead: {
          __typename: 'LeadNotFoundError',
          leadId: id,
          message: `No lead has the id "${id}"; it may have been deleted`,
        },
      });
    }
  });

  it('words the error in the language of Accept-Language', async () => {
    const id = '01a2f000-0000-7000-8000-000000000002';
    const response = await graphql(LEAD_QUERY, { id }, { 'accept-language': 'pt-BR' });
    expect(response.data).toEqual({
      lead: {
        __typename: 'LeadNotFoundError',
        leadId: id,
        message: `Nenhum lead tem o id "${id}"; ele pode ter sido excluído`,
      },
    });
  });
});

const UPDATE_LEAD = /* GraphQL */ `
  mutation UpdateLead($id: ID!, $input: UpdateLeadInput!) {
    updateLead(id: $id, input: $input) {
      __typename
      ... on Lead { ${LEAD_FIELDS} }
      ... on ValidationError { fieldErrors { path message } }
      ... on Error { message }
    }
  }
`;

type UpdateLeadResult = Partial<LeadFields> & {
  __typename: string;
  fieldErrors?: { path: string; message: string }[];
  message?: string;
};

async function updateLead(id: string, input: Record<string, unknown>) {
  const response = await graphql<{ updateLead: UpdateLeadResult }>(UPDATE_LEAD, { id, input });
  expect(response.errors).toBeUndefined();
  return response.data!.updateLead;
}

describe('updateLead', () => {
  it('changes the given fields, clears a null one, rescores and publishes an update', async () => {
    const { lead } = await createLead(form('update@example.com', { notes: 'keep me' }));
    const updated = nextEvent(
      (e) => e.type === 'lead.changed' && e.leadId === lead!.id && e.change === 'updated',
    );
    const result = await updateLead(lead!.id, { city: '  Rio de Janeiro ', phone: null });
    expect(result).toMatchObject({
      __typename: 'Lead',
      id: lead!.id,
      city: 'Rio de Janeiro',
      phone: null,
      name: 'Maria da Silva',
      notes: 'keep me',
    });
    await updated;
    expect(await scoringJobs(lead!.id)).toBe(2);
  });

  it('changes the notes without rescoring', async () => {
    const { lead } = await createLead(form('notes-only@example.com'));
    const result = await updateLead(lead!.id, { notes: 'Called back on Monday' });
    expect(result.notes).toBe('Called back on Monday');
    expect(await scoringJobs(lead!.id)).toBe(1);
  });

  it('refuses invalid changes with a message per field and changes nothing', async () => {
    const { lead } = await createLead(form('refused-update@example.com'));
    const before = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead!.id } });
    const result = await updateLead(lead!.id, { name: null, email: 'nope', city: 'Recife' });
    expect(result).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'name', message: 'Name is required' },
        { path: 'email', message: 'Enter a valid email address' },
      ],
      message: 'name: Name is required; email: Enter a valid email address',
    });
    expect(await database.prisma.lead.findUniqueOrThrow({ where: { id: lead!.id } })).toEqual(
      before,
    );
    expect(await scoringJobs(lead!.id)).toBe(1);
  });

  it('refuses an input that changes nothing', async () => {
    const { lead } = await createLead(form('no-change@example.com'));
    expect(await updateLead(lead!.id, { clearStatusOverride: false })).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: '', message: 'Change at least one field' }],
      message: 'Change at least one field',
    });
  });

  it('refuses an email that another lead already has', async () => {
    const { lead } = await createLead(form('taken-a@example.com'));
    await createLead(form('taken-b@example.com'));
    const result = await updateLead(lead!.id, { email: 'Taken-B@example.com' });
    expect(result.fieldErrors).toEqual([
      { path: 'email', message: 'Another lead already has this email' },
    ]);
    const inPortuguese = await graphql<{ updateLead: UpdateLeadResult }>(
      UPDATE_LEAD,
      { id: lead!.id, input: { email: 'taken-b@example.com' } },
      { 'accept-language': 'pt-BR' },
    );
    expect(inPortuguese.data?.updateLead.fieldErrors).toEqual([
      { path: 'email', message: 'Outro lead já tem este e-mail' },
    ]);
    expect(await database.prisma.lead.count({ where: { email: 'taken-b@example.com' } })).toBe(1);
  });

  it('records a status override with its reason, author and time, and sets the status', async () => {
    const { lead } = await createLead(form('override@example.com'));
    const result = await updateLead(lead!.id, {
      statusOverride: 'COLD',
      statusOverrideReason: ' Asked not to be called again ',
    });
    expect(result).toMatchObject({
      status: 'COLD',
      statusOverride: 'COLD',
      statusOverrideReason: 'Asked not to be called again',
      statusOverrideBy: app.adminLabel,
    });
    expect(Date.now() - Date.parse(result.statusOverrideAt!)).toBeLessThan(60_000);
    expect(await scoringJobs(lead!.id)).toBe(1);
  });

  it('refuses an override without a reason, to PROCESSING, or set and cleared at once', async () => {
    const { lead } = await createLead(form('bad-override@example.com'));
    expect((await updateLead(lead!.id, { statusOverride: 'HOT' })).fieldErrors).toEqual([
      { path: 'statusOverrideReason', message: 'Say why the status is set by hand' },
    ]);
    expect(
      (await updateLead(lead!.id, { statusOverride: 'PROCESSING', statusOverrideReason: 'x' }))
        .fieldErrors,
    ).toEqual([{ path: 'statusOverride', message: 'Choose HOT, WARM or COLD' }]);
    expect(
      (
        await updateLead(lead!.id, {
          statusOverride: 'HOT',
          statusOverrideReason: 'VIP',
          clearStatusOverride: true,
        })
      ).fieldErrors,
    ).toEqual([
      {
        path: 'clearStatusOverride',
        message: 'Either set a status override or clear it, not both',
      },
    ]);
    expect(
      (await updateLead(lead!.id, { statusOverrideReason: 'VIP', city: 'Natal' })).fieldErrors,
    ).toEqual([{ path: 'statusOverrideReason', message: 'A reason goes with a status override' }]);
    const unchanged = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead!.id } });
    expect(unchanged).toMatchObject({
      statusOverride: null,
      status: 'PROCESSING',
      city: 'São Paulo',
    });
  });

  it('clears a status override and rescores the lead', async () => {
    const { lead } = await createLead(form('clear-override@example.com'));
    await updateLead(lead!.id, { statusOverride: 'HOT', statusOverrideReason: 'Board member' });
    const result = await updateLead(lead!.id, { clearStatusOverride: true });
    expect(result).toMatchObject({
      statusOverride: null,
      statusOverrideReason: null,
      statusOverrideBy: null,
      statusOverrideAt: null,
    });
    expect(await scoringJobs(lead!.id)).toBe(2);
  });

  it('answers LeadNotFoundError for an unknown id', async () => {
    const id = '01a2f000-0000-7000-8000-000000000001';
    expect(await updateLead(id, { city: 'Natal' })).toEqual({
      __typename: 'LeadNotFoundError',
      message: `No lead has the id "${id}"; it may have been deleted`,
    });
  });
});

describe('deleteLead', () => {
  const DELETE_LEAD = /* GraphQL */ `
    mutation DeleteLead($id: ID!) {
      deleteLead(id: $id) {
        __typename
        ... on DeleteLeadPayload {
          deletedId
        }
        ... on Error {
          message
        }
      }
    }
  `;

  it('deletes a lead with its submissions and publishes the deletion', async () => {
    const { lead } = await createLead(form('delete@example.com'));
    const deleted = nextEvent(
      (e) => e.type === 'lead.changed' && e.leadId === lead!.id && e.change === 'deleted',
    );
    const response = await graphql(DELETE_LEAD, { id: lead!.id });
    expect(response.data).toEqual({
      deleteLead: { __typename: 'DeleteLeadPayload', deletedId: lead!.id },
    });
    await deleted;
    expect(await database.prisma.lead.findUnique({ where: { id: lead!.id } })).toBeNull();
    expect(await database.prisma.leadSubmission.count({ where: { leadId: lead!.id } })).toBe(0);
    expect(changesOf(lead!.id)).toEqual(['created', 'deleted']);
  });

  it('answers LeadNotFoundError when the lead is already gone', async () => {
    const { lead } = await createLead(form('delete-twice@example.com'));
    await graphql(DELETE_LEAD, { id: lead!.id });
    const response = await graphql(DELETE_LEAD, { id: lead!.id });
    expect(response.data).toEqual({
      deleteLead: {
        __typename: 'LeadNotFoundError',
        message: `No lead has the id "${lead!.id}"; it may have been deleted`,
      },
    });
  });
});

describe('rescoreLead', () => {
  const RESCORE_LEAD = /* GraphQL */ `
    mutation RescoreLead($id: ID!) {
      rescoreLead(id: $id) {
        __typename
        ... on Lead {
          id
          status
        }
        ... on Error {
          message
        }
      }
    }
  `;

  it('enqueues a scoring of the lead and returns it', async () => {
    const { lead } = await createLead(form('rescore@example.com'));
    const response = await graphql(RESCORE_LEAD, { id: lead!.id });
    expect(response.data).toEqual({
      rescoreLead: { __typename: 'Lead', id: lead!.id, status: 'PROCESSING' },
    });
    expect(await scoringJobs(lead!.id)).toBe(2);
  });

  it('answers LeadNotFoundError for an unknown id and enqueues nothing', async () => {
    const id = '01a2f000-0000-7000-8000-000000000002';
    const response = await graphql(RESCORE_LEAD, { id });
    expect(response.data).toEqual({
      rescoreLead: {
        __typename: 'LeadNotFoundError',
        message: `No lead has the id "${id}"; it may have been deleted`,
      },
    });
    expect(await scoringJobs(id)).toBe(0);
  });
});

it('leaves the bystander lead and its submission untouched', async () => {
  const current = await readBystander((bystander as { id: string }).id);
  expect(current).toEqual(bystander);
});
