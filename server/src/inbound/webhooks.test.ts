import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import {
  describeFieldErrors,
  payloadReasonIn,
  processInboundPayload,
  processInboundQueue,
  type ProcessInboundJob,
} from './inbound.ts';

const appSecret = 'meta app secret';
const googleKey = 'google key 123';

let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;
let graph: HttpSink;
const logLines: string[] = [];
/** What the fake Graph API answers per leadgen id. */
const graphLeads = new Map<string, unknown>();

beforeAll(async () => {
  database = await createTestDatabase();
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  app = await startTestApp(database, { logger });
  worker = createJobs({ url: database.url, poolSize: 2, logger, maintain: false });
  await worker.start();
  graph = await startHttpSink({
    respond: (request) => {
      const id = new URL(request.path, 'http://graph').pathname.split('/').pop() ?? '';
      const lead = graphLeads.get(id);
      return lead ? { status: 200, body: lead } : { status: 404, body: { error: 'no lead' } };
    },
  });
  await updateSettings({
    metaVerifyToken: 'verify me',
    metaAppSecret: appSecret,
    metaAccessToken: 'page token',
    metaGraphBaseUrl: `${graph.url}/v21.0`,
    metaFormQuestions: [
      { formId: 'form-1', interestQuestion: 'o_que_procura', incomeQuestion: 'renda' },
    ],
    googleKey,
  });
});

afterAll(async () => {
  await graph?.close();
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

// A lead that no webhook is about: it must come out of every test exactly as it went in.
let untouched: { id: string; updatedAt: Date };
beforeEach(async () => {
  const lead = await database.prisma.lead.upsert({
    where: { email: 'bystander@example.com' },
    create: { name: 'Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
    update: {},
  });
  untouched = { id: lead.id, updatedAt: lead.updatedAt };
});

async function expectBystanderUntouched() {
  const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: untouched.id } });
  expect(lead.updatedAt).toEqual(untouched.updatedAt);
  expect(await database.prisma.leadSubmission.count({ where: { leadId: untouched.id } })).toBe(0);
}

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await app.yoga.fetch('http://api.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

async function updateSettings(input: Record<string, unknown>) {
  const result = await graphql(
    `
      mutation ($input: UpdateInboundSettingsInput!) {
        updateInboundSettings(input: $input) {
          __typename
          ... on Error {
            message
          }
        }
      }
    `,
    { input },
  );
  expect(result.data?.['updateInboundSettings']).toEqual({ __typename: 'InboundSettings' });
}

function sign(body: string, secret = appSecret): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function leadgenBody(leadgenId: string, formId = 'form-1'): string {
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: 'page-1',
        time: 1_764_000_000,
        changes: [
          {
            field: 'leadgen',
            value: { leadgen_id: leadgenId, form_id: formId, page_id: 'page-1', created_time: 1 },
          },
        ],
      },
    ],
  });
}

function postMeta(body: string, signature: string | null) {
  return app.yoga.fetch('http://api.test/inbound/meta', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature && { 'x-hub-signature-256': signature }),
    },
    body,
  });
}

function postGoogle(body: Record<string, unknown>) {
  return app.yoga.fetch('http://api.test/inbound/google', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Runs the queued inbound jobs the way the worker does, and marks them done. */
async function runInboundJobs(): Promise<number> {
  const jobs = await worker.fetch<ProcessInboundJob>(processInboundQueue, { batchSize: 100 });
  for (const job of jobs) {
    await processInboundPayload(
      { prisma: database.prisma, pool: database.pool, jobs: worker, fetch },
      job.data.payloadId,
    );
  }
  if (jobs.length > 0)
    await worker.complete(
      processInboundQueue,
      jobs.map((job) => job.id),
    );
  return jobs.length;
}

function metaLead(id: string, answers: Record<string, string>, formId = 'form-1') {
  return {
    id,
    form_id: formId,
    campaign_id: 'camp-9',
    field_data: Object.entries(answers).map(([name, value]) => ({ name, values: [value] })),
  };
}

describe('Meta lead ads', () => {
  it('answers the verification handshake with the challenge only for the verify token', async () => {
    const ok = await app.yoga.fetch(
      'http://api.test/inbound/meta?hub.mode=subscribe&hub.verify_token=verify%20me&hub.challenge=1158201444',
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await app.yoga.fetch(
      'http://api.test/inbound/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1',
    );
    expect(wrong.status).toBe(403);
  });

  it('refuses posts with a missing or invalid signature and logs them without the body', async () => {
    const body = leadgenBody('sig-1');
    logLines.length = 0;
    expect((await postMeta(body, null)).status).toBe(401);
    expect((await postMeta(body, sign(body, 'another secret'))).status).toBe(401);
    expect((await postMeta(body, 'sha256=zz')).status).toBe(401);
    // A valid signature of another body does not cover this one.
    expect((await postMeta(body, sign(leadgenBody('sig-2')))).status).toBe(401);
    expect(await database.prisma.inboundPayload.count()).toBe(0);
    const refusals = logLines.filter((line) => line.includes('inbound signature refused'));
    expect(refusals).toHaveLength(4);
    expect(refusals.join('')).not.toContain('sig-1');
    expect(refusals[0]).toContain('"signature":"missing"');
    await expectBystanderUntouched();
  });

  it('creates a META_ADS lead from a signed leadgen event, mapping the form’s custom questions', async () => {
    graphLeads.set(
      'lg-100',
      metaLead('lg-100', {
        full_name: 'ana souza',
        email: 'Ana@Example.com',
        phone_number: '+5511987654321',
        city: 'Campinas',
        o_que_procura: 'Apartamento de 2 quartos',
        renda: '15000',
      }),
    );
    const body = leadgenBody('lg-100');
    const response = await postMeta(body, sign(body));
    expect(response.status).toBe(200);
    const stored = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { externalId: 'meta:lg-100' },
    });
    expect(stored.status).toBe('RECEIVED');

    expect(await runInboundJobs()).toBe(1);
    const graphCall = graph.requests.find((request) => request.path.includes('/lg-100'))!;
    expect(graphCall.path).toMatch(/^\/v21\.0\/lg-100\?fields=/);
    expect(graphCall.headers.authorization).toBe('Bearer page token');
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'ana@example.com' },
      include: { submissions: true },
    });
    expect(lead).toMatchObject({
      name: 'Ana Souza',
      phone: '+5511987654321',
      city: 'Campinas',
      origin: 'META_ADS',
      interest: 'Apartamento de 2 quartos',
    });
    expect(lead.approximateIncome?.toFixed(2)).toBe('15000.00');
    expect(lead.submissions).toHaveLength(1);
    expect(lead.submissions[0]).toMatchObject({
      channel: 'META_ADS',
      idempotencyKey: 'meta:lg-100',
      utmSource: 'facebook',
      utmCampaign: 'camp-9',
    });
    const processed = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { id: stored.id },
    });
    expect(processed).toMatchObject({ status: 'PROCESSED', leadId: lead.id });
    await expectBystanderUntouched();
  });

  it('creates nothing new for a replayed delivery or a repeated leadgen_id', async () => {
    graphLeads.set(
      'lg-200',
      metaLead('lg-200', { full_name: 'Bruno Lima', email: 'bruno@example.com' }),
    );
    const body = leadgenBody('lg-200');
    expect((await postMeta(body, sign(body))).status).toBe(200);
    await runInboundJobs();
    // The same signed request again (a replay), and the id in another delivery.
    expect((await postMeta(body, sign(body))).status).toBe(200);
    const again = body.replace('"time":1764000000', '"time":1764000001');
    expect(again).not.toBe(body);
    expect((await postMeta(again, sign(again))).status).toBe(200);
    expect(await runInboundJobs()).toBe(0);
    expect(
      await database.prisma.inboundPayload.count({ where: { externalId: 'meta:lg-200' } }),
    ).toBe(1);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'bruno@example.com' },
      include: { submissions: true },
    });
    expect(lead.submissions).toHaveLength(1);
    // The job running twice for one payload changes nothing either.
    const payload = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { externalId: 'meta:lg-200' },
    });
    await processInboundPayload(
      { prisma: database.prisma, pool: database.pool, jobs: worker },
      payload.id,
    );
    expect(await database.prisma.leadSubmission.count({ where: { leadId: lead.id } })).toBe(1);
    await expectBystanderUntouched();
  });

  it('keeps an unmappable lead with the reason and imports it when reprocessed after the mapping is fixed', async () => {
    graphLeads.set(
      'lg-300',
      metaLead(
        'lg-300',
        {
          full_name: 'Carla Dias',
          email: 'carla@example.com',
          renda_faixa: 'cerca de 8 mil',
          renda_valor: '8000',
        },
        'form-2',
      ),
    );
    await updateSettings({
      metaFormQuestions: [
        { formId: 'form-1', interestQuestion: 'o_que_procura', incomeQuestion: 'renda' },
        { formId: 'form-2', incomeQuestion: 'renda_faixa' },
      ],
    });
    const body = leadgenBody('lg-300', 'form-2');
    await postMeta(body, sign(body));
    await runInboundJobs();
    const unmappable = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { externalId: 'meta:lg-300' },
    });
    expect(unmappable.status).toBe('UNMAPPABLE');
    expect(unmappable.reason).toMatch(/^approximateIncome: /);
    expect(unmappable.fetched).toMatchObject({ id: 'lg-300' });
    expect(await database.prisma.lead.count({ where: { email: 'carla@example.com' } })).toBe(0);

    const listed = await graphql(`
      {
        inboundPayloads(status: UNMAPPABLE) {
          id
          reason
        }
      }
    `);
    expect(listed.data?.['inboundPayloads']).toEqual([
      { id: unmappable.id, reason: unmappable.reason },
    ]);

    await updateSettings({
      metaFormQuestions: [
        { formId: 'form-1', interestQuestion: 'o_que_procura', incomeQuestion: 'renda' },
        { formId: 'form-2', incomeQuestion: 'renda_valor' },
      ],
    });
    const graphCalls = graph.requests.length;
    const reprocessed = await graphql(
      `
        mutation ($id: ID!) {
          reprocessInboundPayload(id: $id) {
            __typename
            ... on InboundPayload {
              status
            }
          }
        }
      `,
      { id: unmappable.id },
    );
    expect(reprocessed.data?.['reprocessInboundPayload']).toEqual({
      __typename: 'InboundPayload',
      status: 'RECEIVED',
    });
    expect(await runInboundJobs()).toBe(1);
    // What was fetched the first time is used again: Meta is not asked twice.
    expect(graph.requests.length).toBe(graphCalls);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'carla@example.com' },
    });
    expect(lead.approximateIncome?.toFixed(2)).toBe('8000.00');
    const done = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { id: unmappable.id },
    });
    expect(done).toMatchObject({ status: 'PROCESSED', reason: null, leadId: lead.id });

    const refused = await graphql(
      `
        mutation ($id: ID!) {
          reprocessInboundPayload(id: $id) {
            __typename
          }
        }
      `,
      { id: unmappable.id },
    );
    expect(refused.data?.['reprocessInboundPayload']).toEqual({
      __typename: 'InboundPayloadNotReprocessableError',
    });
    await expectBystanderUntouched();
  });
});

function googleLead(leadId: string, extra: Record<string, unknown> = {}) {
  return {
    lead_id: leadId,
    form_id: 44,
    campaign_id: 77,
    google_key: googleKey,
    is_test: false,
    user_column_data: [
      { column_id: 'FULL_NAME', column_name: 'Full Name', string_value: 'Diego Alves' },
      {
        column_id: 'EMAIL',
        column_name: 'User Email',
        string_value: `diego.${leadId}@example.com`,
      },
      { column_id: 'PHONE_NUMBER', column_name: 'User Phone', string_value: '+5521987654321' },
      { column_id: 'CITY', column_name: 'City', string_value: 'Niterói' },
    ],
    ...extra,
  };
}

describe('Google Ads lead forms', () => {
  it('refuses a webhook with a wrong or missing google_key', async () => {
    expect((await postGoogle(googleLead('g-0', { google_key: 'google key 124' }))).status).toBe(
      401,
    );
    const { google_key: _key, ...withoutKey } = googleLead('g-0');
    expect((await postGoogle(withoutKey)).status).toBe(401);
    expect(await database.prisma.inboundPayload.count({ where: { channel: 'GOOGLE_ADS' } })).toBe(
      0,
    );
    await expectBystanderUntouched();
  });

  it('creates a GOOGLE_ADS lead once per lead_id', async () => {
    expect((await postGoogle(googleLead('g-1'))).status).toBe(200);
    expect((await postGoogle(googleLead('g-1'))).status).toBe(200);
    expect(await runInboundJobs()).toBe(1);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'diego.g-1@example.com' },
      include: { submissions: true },
    });
    expect(lead).toMatchObject({ name: 'Diego Alves', city: 'Niterói', origin: 'GOOGLE_ADS' });
    expect(lead.submissions).toHaveLength(1);
    expect(lead.submissions[0]).toMatchObject({ utmSource: 'google', utmCampaign: '77' });
    const stored = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { externalId: 'google:g-1' },
    });
    expect(stored.payload).not.toHaveProperty('google_key');
    await expectBystanderUntouched();
  });

  it('maps a Google form’s custom questions to interest and income, by column id or question', async () => {
    await updateSettings({
      googleFormQuestions: [
        { formId: '45', interestQuestion: 'qual_imovel', incomeQuestion: 'Qual é a sua renda?' },
      ],
    });
    const custom = (income: string) => [
      { column_id: 'qual_imovel', column_name: 'Qual imóvel procura?', string_value: 'Casa' },
      { column_id: 'renda_7f', column_name: 'Qual é a sua renda?', string_value: income },
    ];
    const withCustom = (leadId: string, formId: number, income: string) => {
      const lead = googleLead(leadId, { form_id: formId });
      return { ...lead, user_column_data: [...lead.user_column_data, ...custom(income)] };
    };
    expect((await postGoogle(withCustom('g-custom', 45, '12.500,00'))).status).toBe(200);
    // Another form with the same questions but no mapping: its answers stay out of the lead.
    expect((await postGoogle(withCustom('g-other-form', 44, '12.500,00'))).status).toBe(200);
    // A mapped answer the lead rules refuse keeps the payload, with the reason, to fix and replay.
    expect((await postGoogle(withCustom('g-bad-income', 45, 'muito'))).status).toBe(200);
    expect(await runInboundJobs()).toBe(3);

    const mapped = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'diego.g-custom@example.com' },
    });
    expect(mapped).toMatchObject({ interest: 'Casa', origin: 'GOOGLE_ADS' });
    expect(mapped.approximateIncome?.toFixed(2)).toBe('12500.00');
    const unmapped = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'diego.g-other-form@example.com' },
    });
    expect(unmapped).toMatchObject({ interest: null, approximateIncome: null });
    const refused = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { externalId: 'google:g-bad-income' },
    });
    expect(refused.status).toBe('UNMAPPABLE');
    expect(refused.reason).toMatch(/^approximateIncome: /);
    expect(
      await database.prisma.lead.count({ where: { email: 'diego.g-bad-income@example.com' } }),
    ).toBe(0);

    const settings = await graphql(
      '{ inboundSettings { googleFormQuestions { formId interestQuestion incomeQuestion } } }',
    );
    expect(settings.data?.['inboundSettings']).toEqual({
      googleFormQuestions: [
        { formId: '45', interestQuestion: 'qual_imovel', incomeQuestion: 'Qual é a sua renda?' },
      ],
    });
    await expectBystanderUntouched();
  });

  it('refuses a custom question mapping without a form id, changing nothing', async () => {
    const result = await graphql(
      `
        mutation ($input: UpdateInboundSettingsInput!) {
          updateInboundSettings(input: $input) {
            __typename
            ... on ValidationError {
              fieldErrors {
                path
                message
              }
            }
          }
        }
      `,
      { input: { googleFormQuestions: [{ formId: ' ', interestQuestion: 'x' }] } },
    );
    expect(result.data?.['updateInboundSettings']).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        {
          path: 'googleFormQuestions.0.formId',
          message: 'Enter the form id (up to 100 characters)',
        },
      ],
    });
    const stored = await database.prisma.inboundSettings.findUniqueOrThrow({
      where: { id: 'default' },
    });
    expect(stored.googleFormQuestions).toEqual({
      '45': { interest: 'qual_imovel', income: 'Qual é a sua renda?' },
    });
  });

  it('refuses a bad URL and origin as a typed ValidationError with every field, changing nothing', async () => {
    const result = await graphql(
      `
        mutation ($input: UpdateInboundSettingsInput!) {
          updateInboundSettings(input: $input) {
            __typename
            ... on ValidationError {
              fieldErrors {
                path
              }
            }
          }
        }
      `,
      {
        input: {
          formThankYouUrl: 'javascript:alert(1)',
          formAllowedOrigins: ['https://ok.example.com', 'not an origin'],
          metaGraphBaseUrl: 'ftp://graph.example.com',
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const refused = result.data?.['updateInboundSettings'] as {
      __typename: string;
      fieldErrors: { path: string }[];
    };
    expect(refused.__typename).toBe('ValidationError');
    expect(refused.fieldErrors.map((error) => error.path).sort()).toEqual([
      'formAllowedOrigins.1',
      'formThankYouUrl',
      'metaGraphBaseUrl',
    ]);
    const stored = await database.prisma.inboundSettings.findUniqueOrThrow({
      where: { id: 'default' },
    });
    expect(stored.formThankYouUrl).not.toBe('javascript:alert(1)');
  });

  it('stores test leads as TEST or drops them, as the setting decides', async () => {
    expect((await postGoogle(googleLead('g-test', { is_test: true }))).status).toBe(200);
    expect(await runInboundJobs()).toBe(0);
    const kept = await database.prisma.inboundPayload.findUniqueOrThrow({
      where: { externalId: 'google:test:g-test' },
    });
    expect(kept.status).toBe('TEST');

    await updateSettings({ googleTestLeads: 'DROP' });
    expect((await postGoogle(googleLead('g-test-2', { is_test: true }))).status).toBe(200);
    expect(
      await database.prisma.inboundPayload.count({
        where: { externalId: { contains: 'g-test-2' } },
      }),
    ).toBe(0);
    expect(
      await database.prisma.lead.count({ where: { email: { startsWith: 'diego.g-test' } } }),
    ).toBe(0);
    await updateSettings({ googleTestLeads: 'STORE' });
    await expectBystanderUntouched();
  });
});

describe('messages in the reader’s language', () => {
  const portuguese = { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' };

  it('words the stored reasons of refused payloads in Portuguese for a Portuguese reader', async () => {
    const { user_column_data: _columns, ...withoutColumns } = googleLead('g-no-columns');
    expect((await postGoogle(withoutColumns)).status).toBe(200);
    // The fake Graph API knows no lead lg-missing: it answers 404, which no retry would change.
    const body = leadgenBody('lg-missing');
    expect((await postMeta(body, sign(body))).status).toBe(200);
    expect(await runInboundJobs()).toBe(2);
    const query = `
      {
        inboundPayloads(first: 2) {
          externalId
          status
          reason
        }
      }
    `;
    const stored = await database.prisma.inboundPayload.findMany({
      where: { externalId: { in: ['google:g-no-columns', 'meta:lg-missing'] } },
      select: { externalId: true, reason: true },
      orderBy: { externalId: 'asc' },
    });
    expect(stored).toEqual([
      { externalId: 'google:g-no-columns', reason: 'The payload has no user_column_data' },
      { externalId: 'meta:lg-missing', reason: 'The Graph API answered 404' },
    ]);

    const inPortuguese = await graphql(query, {}, portuguese);
    expect(inPortuguese.data?.['inboundPayloads']).toEqual([
      { externalId: 'meta:lg-missing', status: 'FAILED', reason: 'A Graph API respondeu 404' },
      {
        externalId: 'google:g-no-columns',
        status: 'UNMAPPABLE',
        reason: 'O payload não tem user_column_data',
      },
    ]);
    const inEnglish = await graphql(query);
    expect(inEnglish.data?.['inboundPayloads']).toEqual([
      { externalId: 'meta:lg-missing', status: 'FAILED', reason: 'The Graph API answered 404' },
      {
        externalId: 'google:g-no-columns',
        status: 'UNMAPPABLE',
        reason: 'The payload has no user_column_data',
      },
    ]);
    await expectBystanderUntouched();
  });

  it('words each field of a stored refusal by the lead rules that the catalog knows', () => {
    // "Enter a name" is in the catalog (web-forms.ts declares it); the other message is not.
    const reason = describeFieldErrors([
      { path: 'name', message: 'Enter a name' },
      { path: 'city', message: 'A message the catalog lacks' },
    ]);
    expect(reason).toBe('name: Enter a name; city: A message the catalog lacks');
    expect(payloadReasonIn(reason, 'pt-BR')).toBe(
      'name: Informe um nome; city: A message the catalog lacks',
    );
    expect(payloadReasonIn(reason, 'en')).toBe(reason);
  });

  it('words a stored refusal of the lead rules in Portuguese, field by field', () => {
    const reason = describeFieldErrors([
      { path: 'approximateIncome', message: 'Enter an amount such as 15000.50 or 15.000,50' },
      { path: 'city', message: 'City must be at most 100 characters' },
    ]);
    expect(payloadReasonIn(reason, 'pt-BR')).toBe(
      'approximateIncome: Informe um valor como 15000.50 ou 15.000,50; city: A cidade pode ter no máximo 100 caracteres',
    );
  });

  it('refuses invalid inbound settings in Portuguese for a Portuguese reader, changing nothing', async () => {
    const before = await database.prisma.inboundSettings.findUniqueOrThrow({
      where: { id: 'default' },
    });
    const mutation = `
      mutation ($input: UpdateInboundSettingsInput!) {
        updateInboundSettings(input: $input) {
          __typename
          ... on ValidationError {
            message
            fieldErrors {
              path
              message
            }
          }
        }
      }
    `;
    const input = {
      metaAppSecret: '  ',
      formThankYouUrl: 'obrigado.html',
      formAllowedOrigins: ['https://www.example.com/contato'],
      googleFormQuestions: [{ formId: '', incomeQuestion: 'x'.repeat(501) }],
    };
    const inPortuguese = await graphql(mutation, { input }, portuguese);
    expect(inPortuguese.data?.['updateInboundSettings']).toEqual({
      __typename: 'ValidationError',
      message:
        'metaAppSecret: Informe um valor, ou null para apagá-lo; ' +
        'formThankYouUrl: Informe uma URL http(s); ' +
        'formAllowedOrigins.0: Informe só a origem, como https://www.example.com (sem caminho); ' +
        'googleFormQuestions.0.formId: Informe o ID do formulário (até 100 caracteres); ' +
        'googleFormQuestions.0.incomeQuestion: No máximo 500 caracteres',
      fieldErrors: [
        { path: 'metaAppSecret', message: 'Informe um valor, ou null para apagá-lo' },
        { path: 'formThankYouUrl', message: 'Informe uma URL http(s)' },
        {
          path: 'formAllowedOrigins.0',
          message: 'Informe só a origem, como https://www.example.com (sem caminho)',
        },
        {
          path: 'googleFormQuestions.0.formId',
          message: 'Informe o ID do formulário (até 100 caracteres)',
        },
        { path: 'googleFormQuestions.0.incomeQuestion', message: 'No máximo 500 caracteres' },
      ],
    });
    const inEnglish = await graphql(mutation, { input });
    expect(inEnglish.data?.['updateInboundSettings']).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'metaAppSecret', message: 'Enter a value or null to clear it' },
        { path: 'formThankYouUrl', message: 'Enter an http(s) URL' },
        {
          path: 'formAllowedOrigins.0',
          message: 'Enter an origin such as https://www.example.com (no path)',
        },
        {
          path: 'googleFormQuestions.0.formId',
          message: 'Enter the form id (up to 100 characters)',
        },
        { path: 'googleFormQuestions.0.incomeQuestion', message: 'At most 500 characters' },
      ],
    });
    const after = await database.prisma.inboundSettings.findUniqueOrThrow({
      where: { id: 'default' },
    });
    expect(after).toEqual(before);
  });

  it('tells a Portuguese reader in Portuguese why a payload cannot be reprocessed', async () => {
    const processed = await database.prisma.inboundPayload.findFirstOrThrow({
      where: { status: 'PROCESSED' },
    });
    const result = await graphql(
      `
        mutation ($id: ID!) {
          reprocessInboundPayload(id: $id) {
            __typename
            ... on Error {
              message
            }
          }
        }
      `,
      { id: processed.id },
      portuguese,
    );
    expect(result.data?.['reprocessInboundPayload']).toEqual({
      __typename: 'InboundPayloadNotReprocessableError',
      message:
        'Só payloads UNMAPPABLE ou FAILED podem ser reprocessados; este está PROCESSED, então reprocessá-lo não mudaria nada',
    });
  });
});
