import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Prisma } from '../generated/prisma/client.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';
import { leadWhere, leadWhereSql, type LeadFilter } from './lead-filter.ts';

let database: CountingDatabase;
let app: TestApp;

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

interface GraphQLResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult<T>;
}

interface LeadsPage {
  leads: {
    totalCount: number;
    edges: { cursor: string; node: { name: string; email: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

const LEADS = /* GraphQL */ `
  query Leads($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      __typename
      ... on LeadConnection {
        totalCount
        edges {
          cursor
          node {
            name
            email
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
      }
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

async function leadNames(variables: Record<string, unknown>): Promise<string[]> {
  const result = await graphql<LeadsPage>(LEADS, variables);
  expect(result.errors).toBeUndefined();
  return result.data!.leads.edges.map((edge) => edge.node.name);
}

async function refusal(variables: Record<string, unknown>) {
  const result = await graphql<{ leads: { __typename: string; fieldErrors: unknown[] } }>(
    LEADS,
    variables,
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!.leads.__typename).toBe('ValidationError');
  return result.data!.leads.fieldErrors;
}

const now = Date.now();
const hoursAgo = (hours: number) => new Date(now - hours * 3_600_000);

type LeadRow = Prisma.LeadCreateManyInput;

function lead(name: string, overrides: Partial<LeadRow> = {}): LeadRow {
  const local = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.');
  return { name, email: `${local}@example.com`, origin: 'SITE', ...overrides };
}

// The fixed set most tests read. "Zé Ninguém" matches none of the filters used below: every
// filtered result would show him if a condition were dropped.
const fixture: LeadRow[] = [
  lead('Ana Souza', {
    phone: '+5511987654321',
    city: 'São Paulo',
    score: 30,
    status: 'HOT',
    processedAt: hoursAgo(5),
    followUpAt: hoursAgo(1),
    createdAt: hoursAgo(50),
  }),
  lead('João Pereira', {
    phone: '+5521912345678',
    origin: 'META_ADS',
    city: 'Rio de Janeiro',
    score: 18,
    status: 'WARM',
    processedAt: hoursAgo(4),
    followUpAt: hoursAgo(-24),
    createdAt: hoursAgo(40),
  }),
  lead('Maria Conceição', {
    origin: 'WHATSAPP',
    city: 'sao paulo',
    score: 5,
    status: 'COLD',
    processedAt: hoursAgo(3),
    createdAt: hoursAgo(30),
  }),
  lead('Pedro Álvares', {
    phone: '+5519933332222',
    origin: 'GOOGLE_ADS',
    city: 'Campinas',
    createdAt: hoursAgo(20),
  }),
  lead('Zé Ninguém', {
    email: 'ze_100%@example.com',
    origin: 'OTHER',
    city: 'Belém',
    score: 12,
    status: 'COLD',
    processedAt: hoursAgo(2),
    createdAt: hoursAgo(10),
  }),
];

describe('leads filters', () => {
  beforeAll(async () => {
    await database.prisma.lead.deleteMany();
    await database.prisma.lead.createMany({ data: fixture });
  });

  it('lists every lead newest first with its total count', async () => {
    const result = await graphql<LeadsPage>(LEADS, {});
    expect(result.errors).toBeUndefined();
    expect(result.data!.leads.totalCount).toBe(5);
    expect(result.data!.leads.edges.map((edge) => edge.node.name)).toEqual([
      'Zé Ninguém',
      'Pedro Álvares',
      'Maria Conceição',
      'João Pereira',
      'Ana Souza',
    ]);
    expect(result.data!.leads.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
    });
  });

  it('keeps leads with any of several statuses', async () => {
    const names = await leadNames({ filter: { status: ['HOT', 'PROCESSING'] } });
    expect(names).toEqual(['Pedro Álvares', 'Ana Souza']);
  });

  it('keeps leads from any of several origins', async () => {
    const names = await leadNames({ filter: { origin: ['META_ADS', 'WHATSAPP'] } });
    expect(names).toEqual(['Maria Conceição', 'João Pereira']);
  });

  it('matches the city ignoring case and accents', async () => {
    expect(await leadNames({ filter: { city: 'SAO PAULO' } })).toEqual([
      'Maria Conceição',
      'Ana Souza',
    ]);
    expect(await leadNames({ filter: { city: '  São   Paulo ' } })).toHaveLength(2);
    expect(await leadNames({ filter: { city: 'Sao' } })).toEqual([]);
  });

  it('keeps leads created within the range, the end excluded', async () => {
    const names = await leadNames({
      filter: { createdFrom: hoursAgo(40).toISOString(), createdTo: hoursAgo(20).toISOString() },
    });
    expect(names).toEqual(['Maria Conceição', 'João Pereira']);
  });

  it('keeps leads within the score range, both ends included', async () => {
    expect(await leadNames({ filter: { scoreMin: 5, scoreMax: 18 } })).toEqual([
      'Zé Ninguém',
      'Maria Conceição',
      'João Pereira',
    ]);
  });

  it('separates leads whose follow-up is due from the others', async () => {
    expect(await leadNames({ filter: { followUpDue: true } })).toEqual(['Ana Souza']);
    expect(await leadNames({ filter: { followUpDue: false } })).toEqual([
      'Zé Ninguém',
      'Pedro Álvares',
      'Maria Conceição',
      'João Pereira',
    ]);
  });

  it('finds leads by name or email ignoring case and accents', async () => {
    expect(await leadNames({ filter: { search: 'CONCEICAO' } })).toEqual(['Maria Conceição']);
    expect(await leadNames({ filter: { search: 'joão' } })).toEqual(['João Pereira']);
    expect(await leadNames({ filter: { search: 'ana.souza@' } })).toEqual(['Ana Souza']);
  });

  it('finds a lead by its phone written with punctuation', async () => {
    expect(await leadNames({ filter: { search: '(11) 98765-4321' } })).toEqual(['Ana Souza']);
    expect(await leadNames({ filter: { search: '+55 21 91234' } })).toEqual(['João Pereira']);
  });

  it('treats percent signs and underscores in a search as plain text', async () => {
    expect(await leadNames({ filter: { search: '_100%' } })).toEqual(['Zé Ninguém']);
    expect(await leadNames({ filter: { search: 'a%a' } })).toEqual([]);
    expect(await leadNames({ filter: { search: 'a_s' } })).toEqual([]);
  });

  it('combines conditions and counts only the matching leads', async () => {
    const result = await graphql<LeadsPage>(LEADS, {
      filter: { city: 'são paulo', status: ['COLD', 'WARM', 'HOT'], scoreMin: 10 },
      first: 1,
    });
    expect(result.data!.leads.totalCount).toBe(1);
    expect(result.data!.leads.edges.map((edge) => edge.node.name)).toEqual(['Ana Souza']);
  });

  it('refuses a search shorter than three letters or digits', async () => {
    expect(await refusal({ filter: { search: ' é- ' } })).toEqual([
      { path: 'filter.search', message: 'Type at least 3 letters or digits' },
    ]);
  });

  it('refuses a score range whose minimum is above its maximum', async () => {
    expect(await refusal({ filter: { scoreMin: 20, scoreMax: 10 } })).toEqual([
      { path: 'filter.scoreMax', message: 'The maximum score must not be below the minimum' },
    ]);
  });

  it('words the refusals in the language of Accept-Language', async () => {
    const result = await graphql<{ leads: { fieldErrors: unknown[] } }>(
      LEADS,
      { filter: { search: 'ab', scoreMin: 20, scoreMax: 10 }, first: 101 },
      { 'accept-language': 'pt-BR' },
    );
    expect(result.data!.leads.fieldErrors).toEqual([
      { path: 'filter.search', message: 'Digite pelo menos 3 letras ou dígitos' },
      { path: 'filter.scoreMax', message: 'A pontuação máxima não pode ser menor que a mínima' },
      { path: 'first', message: 'No máximo 100 leads por página' },
    ]);
  });

  it('refuses a page of more than 100 leads', async () => {
    expect(await refusal({ first: 101 })).toEqual([
      { path: 'first', message: 'At most 100 leads per page' },
    ]);
    expect(await leadNames({ first: 100 })).toHaveLength(5);
  });

  it('selects the same leads in SQL as through Prisma, for every filter field', async () => {
    const owner = await database.prisma.user.create({
      data: { email: 'owner@example.com', name: 'Owner', role: 'SALES', passwordHash: 'x' },
    });
    await database.prisma.lead.update({
      where: { email: 'joao.pereira@example.com' },
      data: { ownerId: owner.id, stage: 'CONTACTED' },
    });
    const viewer = { userId: owner.id };
    const filters: LeadFilter[] = [
      {},
      { status: ['HOT', 'PROCESSING'] },
      { origin: ['META_ADS', 'WHATSAPP'] },
      { city: 'SAO PAULO' },
      { createdFrom: hoursAgo(40), createdTo: hoursAgo(20) },
      { scoreMin: 5, scoreMax: 18 },
      { followUpDue: true },
      { followUpDue: false },
      { search: 'CONCEICAO' },
      { search: '(11) 98765-4321' },
      { search: '_100%' },
      { search: 'a%a' },
      { stage: ['CONTACTED', 'WON'] },
      { ownerIds: [owner.id] },
      { assigned: true },
      { assigned: false },
      { mine: true },
      { mine: false },
      { city: 'são paulo', status: ['COLD', 'WARM', 'HOT'], scoreMin: 10 },
    ];
    const now = new Date();
    const total = await database.prisma.lead.count();
    const matches = async (filter: LeadFilter) => {
      const rows = await database.prisma.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM leads WHERE ${leadWhereSql(filter, now, viewer)} ORDER BY id`;
      const found = await database.prisma.lead.findMany({
        where: leadWhere(filter, now, viewer),
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return { filter, prisma: found.map(({ id }) => id), sql: rows.map(({ id }) => id) };
    };
    const results = await Promise.all(filters.map(matches));
    expect(results.map(({ filter, sql }) => ({ filter, ids: sql }))).toEqual(
      results.map(({ filter, prisma }) => ({ filter, ids: prisma })),
    );
    // Every filter but the empty one narrows the list, so a condition dropped on both sides would
    // show too.
    for (const { filter, prisma } of results.filter(({ filter }) => Object.keys(filter).length)) {
      expect(prisma.length, JSON.stringify(filter)).toBeLessThan(total);
    }
  });
});

describe('leads order and pages', () => {
  const count = 130;

  beforeEach(async () => {
    await database.prisma.lead.deleteMany();
    // Groups of three share a createdAt and a score, so only the id tie-breaker orders them.
    await database.prisma.lead.createMany({
      data: Array.from({ length: count }, (_, index) =>
        lead(`Lead ${String(index).padStart(3, '0')}`, {
          createdAt: hoursAgo(200 - Math.floor(index / 3)),
          score: Math.floor(index / 3) % 7,
        }),
      ),
    });
  });

  async function pageAll(
    variables: Record<string, unknown>,
    betweenPages: (page: number) => Promise<void> = async () => {},
  ): Promise<string[]> {
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const result: GraphQLResult<LeadsPage> = await graphql<LeadsPage>(LEADS, {
        ...variables,
        first: 25,
        after,
      });
      expect(result.errors).toBeUndefined();
      const { edges, pageInfo } = result.data!.leads;
      names.push(...edges.map((edge) => edge.node.name));
      if (!pageInfo.hasNextPage) return names;
      after = pageInfo.endCursor;
      await betweenPages(page);
    }
    throw new Error('paging did not end');
  }

  async function arrive(names: string[]): Promise<void> {
    await database.prisma.lead.createMany({ data: names.map((name) => lead(name)) });
  }

  it('pages newest first without gaps or repeats while new leads arrive', async () => {
    const expected = await database.prisma.lead.findMany({
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { name: true },
    });
    const names = await pageAll({}, (page) => arrive([`New ${page}a`, `New ${page}b`]));
    expect(names).toEqual(expected.map((row) => row.name));
    expect(new Set(names).size).toBe(count);
    expect(await database.prisma.lead.count()).toBe(count + 10);
  });

  it('pages oldest first to the leads that arrived while paging', async () => {
    const names = await pageAll({ orderBy: { field: 'CREATED_AT', direction: 'ASC' } }, (page) =>
      arrive([`New ${page}`]),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, count)).toEqual(
      Array.from({ length: count }, (_, index) => `Lead ${String(index).padStart(3, '0')}`).sort(
        (left, right) => left.localeCompare(right),
      ),
    );
    expect(names.slice(count).sort()).toEqual(['New 0', 'New 1', 'New 2', 'New 3', 'New 4']);
  });

  it('pages by score with ties broken by id', async () => {
    const expected = await database.prisma.lead.findMany({
      orderBy: [{ score: 'desc' }, { id: 'desc' }],
      select: { name: true },
    });
    const names = await pageAll({ orderBy: { field: 'SCORE', direction: 'DESC' } });
    expect(names).toEqual(expected.map((row) => row.name));
  });

  it('keeps its place by score when the lead at the cursor is rescored or deleted', async () => {
    const order = { field: 'SCORE', direction: 'DESC' };
    const expected = await database.prisma.lead.findMany({
      orderBy: [{ score: 'desc' }, { id: 'desc' }],
      select: { name: true },
    });
    const first = await graphql<LeadsPage>(LEADS, { orderBy: order, first: 30 });
    const edges = first.data!.leads.edges;
    await database.prisma.lead.update({
      where: { email: edges.at(-1)!.node.email },
      data: { score: 100 },
    });
    await database.prisma.lead.delete({ where: { email: edges.at(-2)!.node.email } });
    const second = await leadNames({ orderBy: order, first: 30, after: edges.at(-1)!.cursor });
    expect(second).toEqual(expected.slice(30, 60).map((row) => row.name));
  });

  it('pages backwards from a cursor', async () => {
    const all = await leadNames({ first: 100 });
    const middle = await graphql<LeadsPage>(LEADS, { first: 60 });
    const cursor = middle.data!.leads.edges.at(-1)!.cursor;
    const query = /* GraphQL */ `
      query Back($before: String) {
        leads(last: 10, before: $before) {
          ... on LeadConnection {
            edges {
              node {
                name
              }
            }
            pageInfo {
              hasPreviousPage
            }
          }
        }
      }
    `;
    const result = await graphql<{
      leads: { edges: { node: { name: string } }[]; pageInfo: { hasPreviousPage: boolean } };
    }>(query, { before: cursor });
    expect(result.data!.leads.edges.map((edge) => edge.node.name)).toEqual(all.slice(49, 59));
    expect(result.data!.leads.pageInfo.hasPreviousPage).toBe(true);
  });

  it('refuses a cursor made for another order', async () => {
    const page = await graphql<LeadsPage>(LEADS, { first: 2 });
    const cursor = page.data!.leads.edges[1]!.cursor;
    expect(await refusal({ orderBy: { field: 'NAME', direction: 'ASC' }, after: cursor })).toEqual([
      {
        path: 'after',
        message: 'This cursor does not belong to this order; start again from the first page',
      },
    ]);
    expect(await refusal({ after: 'not a cursor' })).toHaveLength(1);
  });

  it('sorts by name in both directions', async () => {
    const ascending = await leadNames({ orderBy: { field: 'NAME', direction: 'ASC' }, first: 3 });
    expect(ascending).toEqual(['Lead 000', 'Lead 001', 'Lead 002']);
    const descending = await leadNames({ orderBy: { field: 'NAME', direction: 'DESC' }, first: 2 });
    expect(descending).toEqual(['Lead 129', 'Lead 128']);
  });

  it('reads a page of 50 leads with its total in two SQL statements', async () => {
    database.reset();
    const result = await graphql<LeadsPage>(LEADS, { first: 50, filter: { search: 'lead' } });
    expect(result.data!.leads.edges).toHaveLength(50);
    expect(result.data!.leads.totalCount).toBe(count);
    expect(database.resolverStatements).toHaveLength(2);
  });

  it('loads the submissions of a page of 50 leads in one statement for all', async () => {
    const query = /* GraphQL */ `
      {
        leads(first: 50) {
          ... on LeadConnection {
            edges {
              node {
                name
                submissions {
                  channel
                }
              }
            }
          }
        }
      }
    `;
    database.reset();
    const result = await graphql<{ leads: { edges: unknown[] } }>(query);
    expect(result.data!.leads.edges).toHaveLength(50);
    expect(database.resolverStatements).toHaveLength(2);
    expect(database.resolverStatements[1]).toContain('lead_submissions');
  });
});

describe('leads counts', () => {
  interface CountedPage {
    leads: {
      totalCount: number;
      cappedCount: { count: number; capped: boolean };
      edges: unknown[];
    };
  }

  const COUNTED = /* GraphQL */ `
    query Counted($filter: LeadFilter, $first: Int) {
      leads(filter: $filter, first: $first) {
        ... on LeadConnection {
          totalCount
          cappedCount {
            count
            capped
          }
          edges {
            cursor
          }
        }
      }
    }
  `;

  async function counted(variables: Record<string, unknown>) {
    const result = await graphql<CountedPage>(COUNTED, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.leads;
  }

  const silvas = { status: ['WARM'], origin: ['META_ADS'], search: 'silva' };

  beforeAll(async () => {
    await database.prisma.lead.deleteMany();
    // 1,001 warm Silvas from Meta, scored 0 to 1000; the other leads each fail one condition.
    await database.prisma.lead.createMany({
      data: [
        ...Array.from({ length: 1_001 }, (_, index) =>
          lead(`Silva ${index}`, { origin: 'META_ADS', status: 'WARM', score: index }),
        ),
        ...Array.from({ length: 7 }, (_, index) =>
          lead(`Souza ${index}`, { origin: 'META_ADS', status: 'HOT' }),
        ),
        lead('Silva Ninguém', { origin: 'OTHER', status: 'WARM' }),
        lead('Silva Quente', { origin: 'META_ADS', status: 'HOT' }),
      ],
    });
  });

  it('stops counting past 1,000 matches and says the count is capped', async () => {
    const page = await counted({ filter: silvas, first: 50 });
    expect(page.cappedCount).toEqual({ count: 1_000, capped: true });
    expect(page.totalCount).toBe(1_001);
  });

  it('counts exactly 1,000 matches as exact, not capped', async () => {
    const page = await counted({ filter: { ...silvas, scoreMin: 1 }, first: 50 });
    expect(page.cappedCount).toEqual({ count: 1_000, capped: false });
    expect(page.totalCount).toBe(1_000);
  });

  it('counts fewer matches than the cap exactly, beyond the first page', async () => {
    const page = await counted({ filter: { origin: ['META_ADS'], search: 'souza' }, first: 2 });
    expect(page.edges).toHaveLength(2);
    expect(page.cappedCount).toEqual({ count: 7, capped: false });
    expect(page.totalCount).toBe(7);
  });

  it('caps the count of an unfiltered list too', async () => {
    const page = await counted({ first: 1 });
    expect(page.cappedCount).toEqual({ count: 1_000, capped: true });
    expect(page.totalCount).toBe(1_010);
  });

  it('counts a capped page in two SQL statements, stopping at 1,001 rows unsorted', async () => {
    const query = /* GraphQL */ `
      query Capped($filter: LeadFilter) {
        leads(filter: $filter, first: 50) {
          ... on LeadConnection {
            cappedCount {
              count
            }
            edges {
              cursor
            }
          }
        }
      }
    `;
    database.reset();
    const result = await graphql<{ leads: { cappedCount: { count: number } } }>(query, {
      filter: silvas,
    });
    expect(result.data!.leads.cappedCount.count).toBe(1_000);
    expect(database.resolverStatements).toHaveLength(2);
    // Sorted, PostgreSQL would have to find every match before the limit could stop it.
    expect(database.resolverStatements[1]).toMatch(/count\(\*\)[\s\S]*LIMIT/i);
    expect(database.resolverStatements[1]).not.toMatch(/ORDER BY/i);
  });
});
