// Attribution through createLead against real PostgreSQL: UTM parameters, landing page and
// referrer are validated, kept on the submission, and the lead's first touch survives merges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';
import { normaliseAttribution } from './lead-input.ts';

let database: CountingDatabase;
let app: TestApp;
let bystander: { id: string; updatedAt: Date };

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
  bystander = await database.prisma.lead.create({
    data: {
      name: 'Bia Bystander',
      email: 'bystander@example.com',
      origin: 'REFERRAL',
      submissions: {
        create: {
          channel: 'WEB_FORM',
          payload: {},
          createdLead: true,
          payloadHash: '0'.repeat(64),
          utmSource: 'newsletter',
        },
      },
    },
    select: { id: true, updatedAt: true },
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

interface GraphqlResult {
  data?: Record<string, unknown>;
  errors?: { message: string }[];
}

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await app.yoga.fetch('http://api.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult;
}

const attributionFields = `utmSource utmMedium utmCampaign utmTerm utmContent landingPage referrer channel`;

async function createLead(input: Record<string, unknown>) {
  const result = await graphql(
    `mutation ($input: CreateLeadInput!) {
      createLead(input: $input) {
        __typename
        ... on CreateLeadPayload {
          created
          lead {
            id
            firstTouch { ${attributionFields} }
            submissions { attribution { ${attributionFields} } }
          }
        }
        ... on ValidationError { fieldErrors { path message } }
      }
    }`,
    { input },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.['createLead'] as Record<string, unknown> & {
    lead: {
      id: string;
      firstTouch: Record<string, unknown> | null;
      submissions: { attribution: Record<string, unknown> | null }[];
    };
  };
}

const firstVisit = {
  utmSource: 'instagram',
  utmMedium: 'paid_social',
  utmCampaign: 'verao-2026',
  utmTerm: '  apartamento   2 quartos ',
  utmContent: 'video-a',
  landingPage: 'https://www.example.com/imoveis?utm_source=instagram',
  referrer: 'https://l.instagram.com/',
};

async function expectBystanderUntouched() {
  const lead = await database.prisma.lead.findUniqueOrThrow({
    where: { id: bystander.id },
    include: { submissions: true },
  });
  expect(lead.updatedAt).toEqual(bystander.updatedAt);
  expect(lead.submissions).toHaveLength(1);
}

describe('attribution through createLead', () => {
  it('keeps UTM parameters, landing page and referrer on the submission and as first touch', async () => {
    const result = await createLead({
      name: 'Marina Costa',
      email: 'marina@example.com',
      origin: 'SITE',
      attribution: firstVisit,
    });
    const expected = {
      ...firstVisit,
      utmTerm: 'apartamento 2 quartos',
      channel: 'API',
    };
    expect(result).toMatchObject({ __typename: 'CreateLeadPayload', created: true });
    expect(result.lead.firstTouch).toEqual(expected);
    expect(result.lead.submissions).toEqual([{ attribution: expected }]);
    const stored = await database.prisma.leadSubmission.findFirstOrThrow({
      where: { leadId: result.lead.id },
    });
    expect(stored).toMatchObject({ referrer: 'https://l.instagram.com/', utmContent: 'video-a' });
    await expectBystanderUntouched();
  });

  it('refuses invalid attribution with one typed error per field, recording nothing', async () => {
    const submissionsBefore = await database.prisma.leadSubmission.count();
    const result = await createLead({
      name: 'Nina Rocha',
      email: 'nina@example.com',
      origin: 'SITE',
      attribution: {
        utmSource: 'x'.repeat(256),
        utmCampaign: 'fine',
        landingPage: 'javascript:alert(1)',
        referrer: 'not a url',
      },
    });
    expect(result).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'attribution.utmSource', message: 'UTM source must be at most 255 characters' },
        { path: 'attribution.landingPage', message: 'Landing page must be an http(s) URL' },
        { path: 'attribution.referrer', message: 'Referrer must be an http(s) URL' },
      ],
    });
    expect(await database.prisma.lead.count({ where: { email: 'nina@example.com' } })).toBe(0);
    expect(await database.prisma.leadSubmission.count()).toBe(submissionsBefore);
    await expectBystanderUntouched();
  });

  it('keeps the first touch when a later submission merges with other attribution', async () => {
    const first = await createLead({
      name: 'Otávio Nunes',
      email: 'otavio@example.com',
      origin: 'SITE',
      attribution: { utmSource: 'google', utmMedium: 'cpc', landingPage: 'https://a.example/' },
    });
    // A submission without attribution neither becomes the first touch nor clears it.
    await createLead({ name: 'Otávio Nunes', email: 'otavio@example.com', origin: 'SITE' });
    const merged = await createLead({
      name: 'Otávio Nunes',
      email: 'otavio@example.com',
      origin: 'SITE',
      attribution: { utmSource: 'newsletter', utmCampaign: 'black-friday' },
    });
    expect(merged).toMatchObject({ created: false });
    expect(merged.lead.id).toBe(first.lead.id);
    expect(merged.lead.firstTouch).toMatchObject({
      utmSource: 'google',
      utmMedium: 'cpc',
      utmCampaign: null,
      landingPage: 'https://a.example/',
    });
    expect(merged.lead.submissions.map((submission) => submission.attribution)).toEqual([
      expect.objectContaining({ utmSource: 'newsletter', utmCampaign: 'black-friday' }),
      null,
      expect.objectContaining({ utmSource: 'google', utmMedium: 'cpc' }),
    ]);
  });

  it('reads first touch for a list of leads in one statement, however many leads', async () => {
    const query = `{ leads(first: 50) { ... on LeadConnection { edges { node { email firstTouch { utmSource } } } } } }`;
    database.reset();
    const before = await graphql(query);
    const statementsBefore = database.resolverStatements.length;
    for (const n of [1, 2, 3, 4, 5]) {
      await createLead({
        name: 'Paula Lima',
        email: `paula${n}@example.com`,
        origin: 'SITE',
        attribution: { utmSource: `source-${n}` },
      });
    }
    database.reset();
    const after = await graphql(query);
    expect(after.errors).toBeUndefined();
    const edges = (after.data?.['leads'] as { edges: { node: Record<string, unknown> }[] }).edges;
    expect(edges.length).toBe((before.data?.['leads'] as { edges: unknown[] }).edges.length + 5);
    expect(edges.map((edge) => edge.node)).toContainEqual({
      email: 'paula3@example.com',
      firstTouch: { utmSource: 'source-3' },
    });
    expect(edges.map((edge) => edge.node)).toContainEqual({
      email: 'bystander@example.com',
      firstTouch: { utmSource: 'newsletter' },
    });
    expect(database.resolverStatements.length).toBe(statementsBefore);
  });
});

describe('attribution of an erased lead', () => {
  it('keeps UTM parameters and the pages without their query or fragment', async () => {
    const result = await createLead({
      name: 'Rita Alves',
      email: 'rita@example.com',
      origin: 'SITE',
      attribution: {
        utmSource: 'email',
        landingPage: 'https://www.example.com/oferta?email=rita@example.com#form',
        referrer: 'https://mail.example.com/inbox#rita',
      },
    });
    const erased = await graphql(
      'mutation ($id: ID!) { eraseLead(id: $id) { __typename ... on Lead { firstTouch { utmSource landingPage referrer } } } }',
      { id: result.lead.id },
    );
    expect(erased.data?.['eraseLead']).toEqual({
      __typename: 'Lead',
      firstTouch: {
        utmSource: 'email',
        landingPage: 'https://www.example.com/oferta',
        referrer: 'https://mail.example.com/inbox',
      },
    });
    const marina = await database.prisma.leadSubmission.findFirstOrThrow({
      where: { lead: { email: 'marina@example.com' } },
    });
    expect(marina.landingPage).toBe('https://www.example.com/imoveis?utm_source=instagram');
    await expectBystanderUntouched();
  });
});

describe('normaliseAttribution', () => {
  it('drops credentials from URLs and keeps valid fields beside refused ones', () => {
    const result = normaliseAttribution({
      utmSource: ' meta ',
      utmMedium: '',
      landingPage: 'https://user:secret@www.example.com/p?q=1',
      referrer: 'ftp://files.example.com/',
    });
    expect(result.value).toEqual({
      utmSource: 'meta',
      utmMedium: null,
      utmCampaign: null,
      utmTerm: null,
      utmContent: null,
      landingPage: 'https://www.example.com/p?q=1',
      referrer: null,
    });
    expect(result.fieldErrors).toEqual([
      {
        path: 'attribution.referrer',
        message: 'Referrer must be an http(s) URL',
        translations: { 'pt-BR': 'A página de origem deve ser uma URL http(s)' },
      },
    ]);
  });
});
