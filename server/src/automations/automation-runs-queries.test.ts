// N+1 guard: a page of leads with their runs, and a page of runs with their leads, each cost the
// same number of SQL statements whatever the page size.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postGraphql, type Fetcher } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';

const LEADS = 60;
const RUNS_PER_LEAD = 3;

let database: CountingDatabase;
let app: TestApp;
/** yoga.fetch, bound to its app. */
const fetchApp: Fetcher = (url, init) => app.yoga.fetch(url, init);

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
  const leads = await database.prisma.lead.createManyAndReturn({
    data: Array.from({ length: LEADS }, (_, index) => ({
      name: `Lead ${String(index).padStart(3, '0')}`,
      email: `lead-${index}@example.com`,
      origin: 'SITE' as const,
      status: 'HOT' as const,
      score: 80,
    })),
    select: { id: true },
  });
  await database.prisma.automationRun.createMany({
    data: leads.flatMap((lead) =>
      ['notify-slack', 'send-to-crm', 'schedule-follow-up']
        .slice(0, RUNS_PER_LEAD)
        .map((action) => ({
          leadId: lead.id,
          action,
          trigger: 'class:PROCESSING->HOT#1',
          payload: {},
          maxAttempts: 3,
          state: 'SUCCEEDED' as const,
        })),
    ),
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

async function statementsFor<Data>(query: string, variables: Record<string, unknown>) {
  database.reset();
  const result = await postGraphql<Data>(
    fetchApp,
    'http://localhost',
    { query, variables },
    app.adminHeaders,
  );
  expect(result.errors).toBeUndefined();
  return { data: result.data!, statements: [...database.resolverStatements] };
}

const leadsWithRuns = /* GraphQL */ `
  query ($first: Int!) {
    leads(first: $first) {
      ... on LeadConnection {
        edges {
          node {
            id
            automationRuns {
              id
              action
              state
              deliveryId
              lead {
                id
              }
            }
          }
        }
      }
    }
  }
`;

it('loads a page of 50 leads with their automation runs in a constant number of statements', async () => {
  type Page = { leads: { edges: { node: { automationRuns: unknown[] } }[] } };
  const small = await statementsFor<Page>(leadsWithRuns, { first: 5 });
  const large = await statementsFor<Page>(leadsWithRuns, { first: 50 });
  expect(large.data.leads.edges).toHaveLength(50);
  expect(
    large.data.leads.edges.every((edge) => edge.node.automationRuns.length === RUNS_PER_LEAD),
  ).toBe(true);
  expect(large.statements).toHaveLength(small.statements.length);
  // The leads, every run of the page in one statement, and the runs' leads in one more.
  expect(large.statements.map(table)).toEqual(['leads', 'automation_runs', 'leads']);
});

const allRuns = /* GraphQL */ `
  query ($first: Int!) {
    automationRuns(first: $first) {
      edges {
        node {
          id
          action
          state
          lead {
            id
            name
            status
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

it('loads a page of runs with their leads in a constant number of statements', async () => {
  type Page = { automationRuns: { edges: { node: { lead: { id: string } } }[] } };
  const small = await statementsFor<Page>(allRuns, { first: 5 });
  const large = await statementsFor<Page>(allRuns, { first: 150 });
  expect(large.data.automationRuns.edges).toHaveLength(150);
  expect(new Set(large.data.automationRuns.edges.map((edge) => edge.node.lead.id)).size).toBe(50);
  expect(large.statements).toHaveLength(small.statements.length);
  expect(large.statements.map(table)).toEqual(['automation_runs', 'leads']);
});

/** The table a SELECT reads first. */
function table(statement: string): string {
  return /FROM "public"\."(\w+)"/.exec(statement)?.[1] ?? statement;
}
