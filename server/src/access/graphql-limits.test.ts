import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, type Fetcher, type GraphqlResponse } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { graphqlLimits } from './graphql-limits.ts';

let database: TestDatabase;
let app: TestApp;
let url: string;
const fetcher: Fetcher = (target, init) => app.yoga.fetch(target, init);
/** The test app's MAX_REQUEST_BODY_BYTES. */
const maxBodyBytes = 1_048_576;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  url = await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const asAdmin = (query: string) =>
  postGraphql(
    fetcher,
    'http://test',
    { query },
    {
      ...app.adminHeaders,
      accept: 'application/graphql-response+json',
    },
  );

function expectRefused(
  response: GraphqlResponse,
  message: RegExp,
  code = 'GRAPHQL_VALIDATION_FAILED',
) {
  expect(response.status).toBe(400);
  expect(response.data ?? null).toBeNull();
  expect(response.errors).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(message) as string,
      extensions: expect.objectContaining({ code }) as object,
    }),
  ]);
}

/** lead → automationRuns → lead → ...: a valid query of any depth. */
function nestedRuns(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level++)
    selection = `automationRuns { lead { ${selection} } }`;
  return `{ lead(id: "00000000-0000-0000-0000-000000000000") { ... on Lead { ${selection} } } }`;
}

describe('operation limits', () => {
  it('runs a query within every limit', async () => {
    const response = await asAdmin(nestedRuns(3));
    expect(response.errors).toBeUndefined();
  });

  it('refuses a query deeper than the limit', async () => {
    expectRefused(
      await asAdmin(nestedRuns(6)),
      new RegExp(`depth limit of ${graphqlLimits.maxDepth}`),
    );
  });

  it('refuses a query with too many aliases', async () => {
    const aliases = Array.from(
      { length: graphqlLimits.maxAliases + 1 },
      (_, index) => `a${index}: version`,
    );
    expectRefused(
      await asAdmin(`{ ${aliases.join(' ')} }`),
      new RegExp(`Aliases limit of ${graphqlLimits.maxAliases}`),
    );
  });

  it('refuses a query with too many tokens', async () => {
    const fields = Array.from({ length: graphqlLimits.maxTokens }, () => 'version');
    expectRefused(
      await asAdmin(`{ ${fields.join(' ')} }`),
      new RegExp(`Token limit of ${graphqlLimits.maxTokens}`),
      'GRAPHQL_PARSE_FAILED',
    );
  });

  it('refuses a query with too many directives', async () => {
    const fields = Array.from(
      { length: graphqlLimits.maxDirectives + 1 },
      () => '__typename @skip(if: false)',
    );
    expectRefused(
      await asAdmin(`{ ${fields.join(' ')} }`),
      new RegExp(`Directives limit of ${graphqlLimits.maxDirectives}`),
    );
  });

  it('refuses a query that costs too much', async () => {
    // Within depth, alias and token limits: it is a large page of leads with many fields.
    const fields =
      'id name email phone city interest notes status score origin createdAt updatedAt';
    const page = (size: number) =>
      `{ leads(first: ${size}) { ... on LeadConnection { edges { node { ${fields} } } } } }`;
    expectRefused(
      await asAdmin(page(500)),
      new RegExp(`Query Cost limit of ${graphqlLimits.maxCost}`),
    );
    expect((await asAdmin(page(50))).errors).toBeUndefined();
  });
});

describe('request shape', () => {
  it('refuses a body over the size limit with 413 before reading it', async () => {
    const body = JSON.stringify({
      query: '{ version }',
      variables: { padding: 'x'.repeat(maxBodyBytes) },
    });
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: `Request body larger than ${maxBodyBytes} bytes.`,
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
  });

  it('lets a caller with credentials upload a file larger than an operation, and nobody else', async () => {
    const rows = ['Nome,E-mail'];
    for (let size = 0; size <= maxBodyBytes * 2; size += rows.at(-1)!.length + 1) {
      rows.push(`Pessoa ${rows.length},pessoa${rows.length}@example.com`);
    }
    const form = () => {
      const body = new FormData();
      body.set(
        'operations',
        JSON.stringify({
          query: `mutation ($file: File!) {
            checkLeadImport(file: $file, mapping: { name: "Nome", email: "E-mail" }) {
              __typename ... on LeadImportCheck { totalRows }
            }
          }`,
          variables: { file: null },
        }),
      );
      body.set('map', JSON.stringify({ 0: ['variables.file'] }));
      body.set('0', new Blob([rows.join('\n')], { type: 'text/csv' }), 'leads.csv');
      return body;
    };
    const anonymous = await fetch(`${url}/graphql`, { method: 'POST', body: form() });
    expect(anonymous.status).toBe(413);
    const admin = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: app.adminHeaders,
      body: form(),
    });
    expect(await admin.json()).toEqual({
      data: { checkLeadImport: { __typename: 'LeadImportCheck', totalRows: rows.length - 1 } },
    });
  });

  it('refuses a body without a declared length with 411', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ query: '{ version }' })));
        controller.close();
      },
    });
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'LENGTH_REQUIRED' } }],
    });
  });

  it('refuses a batch of operations in one request', async () => {
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.adminHeaders },
      body: JSON.stringify([{ query: '{ version }' }, { query: '{ version }' }]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain('0.1.0');
  });
});

describe('unexpected errors', () => {
  it('reach the caller masked, without the internal message or a stack', async () => {
    // A table missing under the resolver: a driver error no client should see the details of.
    await database.pool.query('ALTER TABLE audit_events RENAME TO audit_events_hidden');
    try {
      const response = await asAdmin('{ auditEvents { edges { node { id } } } }');
      expect(response.errors).toEqual([
        expect.objectContaining({ message: 'Unexpected error.', path: ['auditEvents'] }),
      ]);
      const text = JSON.stringify(response);
      expect(text).not.toMatch(/audit_events|prisma|stack|originalError|at \w+ \(/i);
    } finally {
      await database.pool.query('ALTER TABLE audit_events_hidden RENAME TO audit_events');
    }
  });
});
