import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { scoreLeadQueue } from '../scoring/scoring.ts';
import { importLeads, importLeadsQueue, type ImportLeadsJob } from './csv-import.ts';

let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;
let bystander: { id: string; updatedAt: Date };

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  worker = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await worker.start();
  bystander = await database.prisma.lead.create({
    data: { name: 'Bystander', email: 'bystander@example.com', origin: 'REFERRAL', city: 'Recife' },
    select: { id: true, updatedAt: true },
  });
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

const mapping = {
  name: 'Nome',
  email: 'E-mail',
  phone: 'Telefone',
  city: 'Cidade',
  defaultOrigin: 'REFERRAL',
};

/** A multipart request (GraphQL multipart request spec) with the CSV as its one file. */
async function upload<T = { __typename: string; message?: string }>(
  field: 'checkLeadImport' | 'importLeads',
  csv: string,
  selection: string,
  headers: Record<string, string> = {},
): Promise<T> {
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query: `mutation ($file: File!, $mapping: LeadImportMappingInput!) {
        ${field}(file: $file, mapping: $mapping) { __typename ${selection} ... on Error { message } }
      }`,
      variables: { file: null, mapping },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([csv], { type: 'text/csv' }), 'leads.csv');
  const response = await app.yoga.fetch('http://api.test/graphql', {
    method: 'POST',
    headers: { ...app.adminHeaders, 'x-graphql-yoga-csrf': '1', ...headers },
    body: form,
  });
  const body = (await response.json()) as { data?: Record<string, T>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data![field]!;
}

describe('CSV import', () => {
  it('reports the errors of each row in a dry run and stores nothing', async () => {
    const csv = [
      'Nome;E-mail;Telefone;Cidade',
      'Gabi Rocha;gabi@example.com;(11) 98765-4321;São Paulo',
      'H;sem-email;123;Santos',
      '"Iara, a ""Primeira""";iara@example.com;;Rio',
    ].join('\r\n');
    const check = await upload<{ errors: unknown[] }>(
      'checkLeadImport',
      csv,
      '... on LeadImportCheck { totalRows validRows invalidRows errors { row path message } }',
    );
    expect(check).toMatchObject({ totalRows: 3, validRows: 1, invalidRows: 2 });
    expect(check.errors).toEqual(
      expect.arrayContaining([
        { row: 3, path: 'email', message: 'Enter a valid email address' },
        { row: 3, path: 'name', message: 'Name must have at least 2 letters' },
        expect.objectContaining({ row: 3, path: 'phone' }),
        expect.objectContaining({ row: 4, path: 'name' }),
      ]),
    );
    expect(await database.prisma.lead.count()).toBe(1);
  });

  it('refuses a mapping that names a column the file does not have', async () => {
    const result = await upload('checkLeadImport', 'Name,Email\nAna,ana@example.com', '');
    expect(result.__typename).toBe('ImportMappingError');
    expect(result.message).toContain('"Nome"');
  });

  it('refuses a mapping in Portuguese for a Portuguese reader', async () => {
    const result = await upload('checkLeadImport', 'Name,Email\nAna,ana@example.com', '', {
      'accept-language': 'pt-BR,pt;q=0.9',
    });
    expect(result).toEqual({
      __typename: 'ImportMappingError',
      message:
        'O arquivo não tem a coluna "Nome", "E-mail", "Telefone", "Cidade"; suas colunas são "Name", "Email"',
    });
  });

  it('words the error of an import the job refused in the reader’s language', async () => {
    // The file changed meaning after the dry run: its stored mapping names a column it lacks.
    const leadImport = await database.prisma.leadImport.create({
      data: {
        filename: 'renamed.csv',
        mapping: { columns: { name: 'Nome', email: 'Email' }, defaultOrigin: 'OTHER' },
        content: new Uint8Array(Buffer.from('Nome;E-mail\nAna Lima;ana.lima@example.com')),
        totalRows: 1,
        requestedBy: 'test',
      },
      select: { id: true },
    });
    await importLeads({ prisma: database.prisma, jobs: worker }, leadImport.id);
    const read = async (headers: Record<string, string>) => {
      const response = await app.yoga.fetch('http://api.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
        body: JSON.stringify({
          query: 'query ($id: ID!) { leadImport(id: $id) { ... on LeadImport { state error } } }',
          variables: { id: leadImport.id },
        }),
      });
      return ((await response.json()) as { data: { leadImport: unknown } }).data.leadImport;
    };
    expect(await read({ 'accept-language': 'pt-BR' })).toEqual({
      state: 'FAILED',
      error: 'O arquivo não tem a coluna "Email"; suas colunas são "Nome", "E-mail"',
    });
    expect(await read({})).toEqual({
      state: 'FAILED',
      error: 'The file has no column "Email"; its columns are "Nome", "E-mail"',
    });
    expect(await database.prisma.lead.count({ where: { email: 'ana.lima@example.com' } })).toBe(0);
  });

  it('imports 100,000 rows in under a minute, merging by email and enqueuing their scoring', async () => {
    const lines = ['Nome;E-mail;Telefone;Cidade'];
    for (let index = 0; index < 100_000; index += 1) {
      lines.push(
        `Pessoa Numero ${toWords(index)};pessoa${index}@example.com;;Cidade ${index % 50}`,
      );
    }
    // A repeated email merges into one lead (as createLead does); an invalid row is skipped.
    lines.push('Bystander Two;bystander2@example.com;;Olinda');
    lines.push('Pessoa Repetida;pessoa7@example.com;(11) 98765-4321;');
    lines.push('X;invalid;;');
    const started = Date.now();
    const created = await upload<{ id: string }>(
      'importLeads',
      lines.join('\n'),
      '... on LeadImport { id state totalRows }',
    );
    expect(created).toMatchObject({ state: 'QUEUED', totalRows: 100_003 });
    const [job] = await worker.fetch<ImportLeadsJob>(importLeadsQueue);
    await importLeads({ prisma: database.prisma, jobs: worker }, job!.data.importId);
    const elapsed = Date.now() - started;
    console.info(`CSV import of 100,003 rows took ${elapsed} ms`);
    expect(elapsed).toBeLessThan(60_000);

    const done = await database.prisma.leadImport.findUniqueOrThrow({ where: { id: created.id } });
    expect(done).toMatchObject({
      state: 'SUCCEEDED',
      processed: 100_003,
      created: 100_001,
      merged: 0,
      invalid: 1,
      content: null,
    });
    expect(await database.prisma.lead.count()).toBe(100_001 + 1);
    const repeated = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'pessoa7@example.com' },
      include: { _count: { select: { submissions: true } } },
    });
    expect(repeated).toMatchObject({
      name: 'Pessoa Repetida',
      city: 'Cidade 7',
      phone: '+5511987654321',
    });
    expect(repeated._count.submissions).toBe(2);
    const [{ queued }] = await database.prisma
      .$queryRawUnsafe<{ queued: bigint }[]>(
        `SELECT count(*) AS queued FROM pgboss.job WHERE name = '${scoreLeadQueue}'`,
      )
      .then((rows) => rows as [{ queued: bigint }]);
    expect(Number(queued)).toBeGreaterThanOrEqual(100_001);
    const untouched = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystander.id } });
    expect(untouched.updatedAt).toEqual(bystander.updatedAt);
  }, 120_000);
});

// Names allow letters only: the row number spelled with letters.
function toWords(value: number): string {
  return String(value)
    .split('')
    .map((digit) => 'abcdefghij'[Number(digit)])
    .join('');
}
