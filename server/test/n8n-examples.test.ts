// The importable n8n workflows in examples/n8n: valid workflow JSON, and they work against the
// real thing — the signature check accepts StreamLeads' own deliveries and refuses forgeries, and
// the GraphQL node's request creates a lead through the API with a form key.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiKey } from '../src/access/api-keys.ts';
import { defaultSettings, type RunPayload } from '../src/automations/automations.ts';
import { deliver, signature } from '../src/automations/delivery.ts';
import { encryptSecret } from '../src/automations/secrets.ts';
import { schema } from '../src/schema.ts';
import { startTestApp, type TestApp } from './app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

const examples = new URL('../../examples/n8n/', import.meta.url);
const readExample = (name: string) => readFile(new URL(name, examples), 'utf8');

const nodeSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1),
  type: z.string().regex(/^n8n-nodes-base\.[a-zA-Z]+$/),
  typeVersion: z.number().positive(),
  position: z.tuple([z.number(), z.number()]),
  parameters: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.object({ id: z.string(), name: z.string() })).optional(),
  webhookId: z.uuid().optional(),
});

const connectionSchema = z.object({
  node: z.string(),
  type: z.literal('main'),
  index: z.number().int().min(0),
});

/** The shape n8n's "Import from file" accepts (n8n-workflow's IWorkflowBase, what we use of it). */
const workflowSchema = z.object({
  name: z.string().min(1),
  nodes: z.array(nodeSchema).min(2),
  connections: z.record(
    z.string(),
    z.object({ main: z.array(z.array(connectionSchema)) }).strict(),
  ),
  active: z.boolean(),
  settings: z.object({ executionOrder: z.literal('v1') }),
  pinData: z.record(z.string(), z.unknown()),
});

type Workflow = z.infer<typeof workflowSchema>;

async function workflow(name: string): Promise<Workflow> {
  return workflowSchema.parse(JSON.parse(await readExample(name)));
}

function nodeOf(flow: Workflow, type: string) {
  const node = flow.nodes.find((candidate) => candidate.type === type);
  if (!node) throw new Error(`no ${type} node`);
  return node;
}

describe.each(['hot-lead-to-crm.json', 'create-lead-graphql.json'])('%s', (file) => {
  it('is valid n8n workflow JSON whose connections join existing nodes', async () => {
    const flow = await workflow(file);
    const names = flow.nodes.map((node) => node.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(flow.nodes.map((node) => node.id)).size).toBe(names.length);
    for (const [from, outputs] of Object.entries(flow.connections)) {
      expect(names).toContain(from);
      for (const target of outputs.main.flat()) expect(names).toContain(target.node);
    }
    // Every node but the trigger has an incoming connection.
    const targets = new Set(Object.values(flow.connections).flatMap((o) => o.main.flat()));
    const reached = new Set([...targets].map((target) => target.node));
    expect(flow.nodes.filter((node) => !reached.has(node.name))).toHaveLength(1);
  });
});

// n8n runs a Code node's source as the body of an async function with these in scope.
async function runCodeNode(
  source: string,
  input: { headers: IncomingHttpHeaders; rawBody: string },
  secret: string | undefined,
) {
  const item = { json: { headers: input.headers, body: JSON.parse(input.rawBody) as unknown } };
  const context = {
    helpers: {
      getBinaryDataBuffer: (index: number, property: string) => {
        expect([index, property]).toEqual([0, 'data']);
        return Promise.resolve(Buffer.from(input.rawBody));
      },
    },
  };
  const run = runInNewContext(`(async function () {\n${source}\n})`, {
    require: createRequire(import.meta.url),
    Buffer,
    $input: { all: () => [item], first: () => item },
    $env: { STREAMLEADS_WEBHOOK_SECRET: secret },
  }) as (this: typeof context) => Promise<{ json: Record<string, unknown> }[]>;
  return run.call(context);
}

describe('the signature check of hot-lead-to-crm.json', () => {
  const secret = 'a shared secret of the n8n workflow';
  let delivery: { headers: IncomingHttpHeaders; rawBody: string };

  beforeAll(async () => {
    const sink = createServer((request, response) => {
      let rawBody = '';
      request.on('data', (chunk: Buffer) => (rawBody += String(chunk)));
      request.on('end', () => {
        delivery = { headers: request.headers, rawBody };
        response.end('ok');
      });
    });
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    const payload: RunPayload = {
      lead: {
        id: '01a2257e-504c-7191-a787-d7f4ec6b433c',
        name: 'Maria Souza',
        email: 'maria@example.com',
        phone: '+5511999999999',
        origin: 'META_ADS',
        interest: 'Apartamento',
        city: 'São Paulo',
        approximateIncome: '15000.00',
        score: 85,
        status: 'HOT',
      },
      previousStatus: 'WARM',
      status: 'HOT',
      occurredAt: new Date().toISOString(),
    };
    await deliver({
      action: 'send-to-crm',
      deliveryId: '5f1b7f0e-6a43-4c8e-9a55-3f0f4f3e2a10',
      payload,
      settings: {
        ...defaultSettings(),
        n8nWebhookUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/webhook`,
        n8nSecretEncrypted: encryptSecret(secret),
      },
    });
    sink.close();
  });

  it('is the code kept in verify-signature.js', async () => {
    const flow = await workflow('hot-lead-to-crm.json');
    expect(nodeOf(flow, 'n8n-nodes-base.code').parameters.jsCode).toBe(
      await readExample('verify-signature.js'),
    );
  });

  it('accepts a delivery StreamLeads signed and passes on the event and delivery id', async () => {
    const [result] = await runCodeNode(await readExample('verify-signature.js'), delivery, secret);
    expect(result?.json).toMatchObject({
      valid: true,
      event: 'lead.hot',
      status: 'HOT',
      previousStatus: 'WARM',
      deliveryId: '5f1b7f0e-6a43-4c8e-9a55-3f0f4f3e2a10',
      lead: { email: 'maria@example.com' },
    });
  });

  it('refuses an altered body, another secret and an old timestamp', async () => {
    const source = await readExample('verify-signature.js');
    const altered = { ...delivery, rawBody: delivery.rawBody.replace('"score":85', '"score":99') };
    expect((await runCodeNode(source, altered, secret))[0]?.json.valid).toBe(false);
    expect((await runCodeNode(source, delivery, 'another secret'))[0]?.json.valid).toBe(false);
    // A replay an hour later: re-signed correctly for that timestamp, but too old.
    const old = String(Math.floor(Date.now() / 1000) - 3_600);
    const replay = {
      rawBody: delivery.rawBody,
      headers: {
        ...delivery.headers,
        'x-streamleads-timestamp': old,
        'x-streamleads-signature': signature(secret, old, delivery.rawBody),
      },
    };
    expect((await runCodeNode(source, replay, secret))[0]?.json.valid).toBe(false);
  });

  it('fails loudly when the secret is not configured', async () => {
    await expect(
      runCodeNode(await readExample('verify-signature.js'), delivery, undefined),
    ).rejects.toThrow('STREAMLEADS_WEBHOOK_SECRET');
  });
});

describe('the GraphQL node of create-lead-graphql.json', () => {
  let database: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp(database);
  });

  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('sends a mutation that is valid against the schema', async () => {
    const flow = await workflow('create-lead-graphql.json');
    const query = String(nodeOf(flow, 'n8n-nodes-base.graphql').parameters.query);
    expect(validate(schema, parse(query))).toEqual([]);
  });

  it('creates a lead through the API with a form key, as n8n sends it', async () => {
    const flow = await workflow('create-lead-graphql.json');
    const { query, variables, endpoint } = nodeOf(flow, 'n8n-nodes-base.graphql').parameters;
    expect(endpoint).toBe('http://api:4000/graphql');
    // An n8n expression is `={{ <JavaScript> }}` evaluated with the item as $json.
    const expression = String(variables)
      .replace(/^=\{\{/, '')
      .replace(/\}\}$/, '');
    const formAnswer = {
      Nome: 'Lucas Prado',
      'E-mail': 'lucas@example.com',
      WhatsApp: '11 98765-4321',
      Interesse: 'Casa',
      Cidade: 'Campinas',
    };
    const body = runInNewContext(expression, {
      $json: formAnswer,
      $execution: { id: '812' },
      $itemIndex: 0,
      JSON,
    }) as string;
    const { key } = await createApiKey(database.prisma, { name: 'n8n', scopes: ['leads:create'] });
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables: JSON.parse(body) as unknown }),
    });
    expect(await response.json()).toMatchObject({
      data: {
        createLead: { __typename: 'CreateLeadPayload', created: null, leadId: null, lead: null },
      },
    });
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'lucas@example.com' },
    });
    expect(lead).toMatchObject({ name: 'Lucas Prado', phone: '+5511987654321', city: 'Campinas' });
  });
});
