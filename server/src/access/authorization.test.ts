// Every root field of the schema, called by every kind of caller: each is refused exactly when
// the rule this file states for it does not grant that caller. The table is written by hand, so a
// new operation fails here until someone decides who may call it.
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodes,
  postGraphql,
  sessionCookieHeader,
  signedInUser,
  type Fetcher,
  type GraphqlResponse,
} from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import type { UserRole } from '../generated/prisma/enums.ts';
import { schema } from '../schema.ts';
import { createApiKey } from './api-keys.ts';
import type { ApiKeyScope, Permission } from './permissions.ts';
import { startSession } from './sessions.ts';

type Rule = 'public' | 'authenticated' | 'signedIn' | Permission;

const expectedRules: Record<string, Rule> = {
  // Query
  activeScoringRuleSet: 'leads:read',
  apiKeys: 'admin',
  auditEvents: 'admin',
  automationRuns: 'leads:read',
  automationSettings: 'admin',
  emailMessage: 'leads:read',
  emailSettings: 'admin',
  emailTemplates: 'admin',
  inboundPayloads: 'admin',
  inboundSettings: 'admin',
  lead: 'leads:read',
  leadImport: 'leads:write',
  leadStats: 'leads:read',
  leads: 'leads:read',
  pipelineSettings: 'admin',
  pipelineStats: 'leads:read',
  previewEmailTemplate: 'admin',
  previewScore: 'leads:read',
  remarketingAudience: 'admin',
  rescoreRun: 'leads:read',
  salesReps: 'leads:read',
  scoringRuleSet: 'leads:read',
  scoringRuleSets: 'leads:read',
  users: 'admin',
  version: 'authenticated',
  viewer: 'public',
  webForms: 'admin',
  // Mutation
  activateScoringRuleSet: 'rules:write',
  changePassword: 'signedIn',
  checkLeadImport: 'leads:write',
  createApiKey: 'admin',
  createLead: 'leads:create',
  createRemarketingExport: 'admin',
  createUser: 'admin',
  createWebForm: 'admin',
  deleteLead: 'leads:write',
  deleteWebForm: 'admin',
  eraseLead: 'admin',
  exportLeadData: 'admin',
  importLeads: 'leads:write',
  reassignLead: 'admin',
  removeNurturePdf: 'admin',
  reprocessInboundPayload: 'admin',
  rescoreLead: 'leads:write',
  rescoreLeads: 'rules:write',
  retryAutomationRun: 'leads:write',
  revokeApiKey: 'admin',
  saveScoringRuleSet: 'rules:write',
  setLeadStage: 'pipeline:write',
  signIn: 'public',
  signOut: 'signedIn',
  testAutomationTarget: 'admin',
  testEmailConnection: 'admin',
  updateAutomationSettings: 'admin',
  updateEmailSettings: 'admin',
  updateEmailTemplate: 'admin',
  updateInboundSettings: 'admin',
  updateLead: 'pipeline:write',
  updatePipelineSettings: 'admin',
  updateSalesRep: 'admin',
  updateUser: 'admin',
  updateWebForm: 'admin',
  uploadNurturePdf: 'admin',
  withdrawLeadConsent: 'admin',
  // Subscription
  leadStatsUpdated: 'leads:read',
  leadUpdated: 'leads:read',
  pipelineStatsUpdated: 'leads:read',
};

/**
 * What each caller may do, stated here rather than read from permissions.ts, so a change to a
 * role or scope shows up as a failing test.
 */
const callers: {
  name: string;
  kind: 'anonymous' | 'user' | 'api-key';
  role?: UserRole;
  scope?: ApiKeyScope;
  permissions: Permission[];
}[] = [
  { name: 'anonymous', kind: 'anonymous', permissions: [] },
  {
    name: 'ADMIN user',
    kind: 'user',
    role: 'ADMIN',
    permissions: [
      'leads:create',
      'leads:read',
      'leads:write',
      'pipeline:write',
      'rules:write',
      'admin',
    ],
  },
  {
    name: 'MANAGER user',
    kind: 'user',
    role: 'MANAGER',
    permissions: ['leads:create', 'leads:read', 'leads:write', 'pipeline:write', 'rules:write'],
  },
  {
    name: 'SALES user',
    kind: 'user',
    role: 'SALES',
    permissions: ['leads:read', 'pipeline:write'],
  },
  {
    name: 'leads:create key',
    kind: 'api-key',
    scope: 'leads:create',
    permissions: ['leads:create'],
  },
  { name: 'leads:read key', kind: 'api-key', scope: 'leads:read', permissions: ['leads:read'] },
  {
    name: 'leads:write key',
    kind: 'api-key',
    scope: 'leads:write',
    permissions: ['leads:create', 'leads:read', 'leads:write', 'pipeline:write'],
  },
  {
    name: 'admin key',
    kind: 'api-key',
    scope: 'admin',
    permissions: [
      'leads:create',
      'leads:read',
      'leads:write',
      'pipeline:write',
      'rules:write',
      'admin',
    ],
  },
];

function grants(rule: Rule, caller: (typeof callers)[number]): boolean {
  switch (rule) {
    case 'public':
      return true;
    case 'authenticated':
      return caller.kind !== 'anonymous';
    case 'signedIn':
      return caller.kind === 'user';
    default:
      return caller.permissions.includes(rule);
  }
}

type OperationKind = 'query' | 'mutation' | 'subscription';

function rootFields(): { kind: OperationKind; field: GraphQLField<unknown, unknown> }[] {
  const roots: [OperationKind, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) =>
    Object.values(type?.getFields() ?? {}).map((field) => ({ kind, field })),
  );
}

/** Stands for an uploaded file: the request is then sent as multipart with a small CSV part. */
const uploadedFile = Symbol('uploaded file');

/** A value of the type that passes GraphQL's own input coercion; resolvers may still refuse it. */
function dummyValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummyValue(type.ofType);
  if (isListType(type)) return [dummyValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const chosen = type.isOneOf
      ? fields.slice(0, 1)
      : fields.filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(chosen.map((field) => [field.name, dummyValue(field.type)]));
  }
  if (isScalarType(type)) {
    const scalars: Record<string, unknown> = {
      ID: randomUUID(),
      String: `dummy-${randomUUID()}`,
      Int: 1,
      Float: 1,
      Boolean: false,
      DateTime: new Date().toISOString(),
      JSON: {},
      Decimal: '1',
      File: uploadedFile,
    };
    if (type.name in scalars) return scalars[type.name];
  }
  throw new Error(`No dummy value for ${String(type)}: add one to dummyValue`);
}

/** The smallest operation that reaches the field: its required arguments, and __typename. */
function operationFor(kind: OperationKind, field: GraphQLField<unknown, unknown>) {
  const required = field.args.filter(
    (arg) => isNonNullType(arg.type) && arg.defaultValue === undefined,
  );
  const declarations = required.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = required.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return {
    query: `${kind}${declarations ? `(${declarations})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((arg) => [arg.name, dummyValue(arg.type)])),
  };
}

let database: TestDatabase;
let app: TestApp;
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);
const keys = new Map<ApiKeyScope, string>();
const users = new Map<UserRole, string>();

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  for (const caller of callers) {
    if (!caller.scope) continue;
    const { key } = await createApiKey(database.prisma, {
      name: caller.name,
      scopes: [caller.scope],
    });
    keys.set(caller.scope, key);
  }
  for (const caller of callers) {
    if (caller.role)
      users.set(caller.role, (await signedInUser(database.prisma, caller.role)).user.id);
  }
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

/** Headers for one call; a person gets a fresh session, so signOut cannot end the next call's. */
async function headersOf(caller: (typeof callers)[number]): Promise<Record<string, string>> {
  if (caller.kind === 'api-key') return { authorization: `Bearer ${keys.get(caller.scope!)}` };
  if (caller.kind === 'user') {
    const session = await startSession(database.prisma, users.get(caller.role!)!, {
      ip: null,
      userAgent: null,
    });
    return { cookie: sessionCookieHeader(session.token) };
  }
  return {};
}

/** Runs the operation and returns the auth codes it was refused with (empty: it was let in). */
async function authCodesOf(
  kind: OperationKind,
  operation: { query: string; variables: Record<string, unknown> },
  headers: Record<string, string>,
): Promise<string[]> {
  let response: GraphqlResponse;
  const files = Object.keys(operation.variables).filter(
    (name) => operation.variables[name] === uploadedFile,
  );
  if (files.length > 0) {
    // The GraphQL multipart request spec: the file variables are null, `map` points at the parts.
    const form = new FormData();
    const variables = {
      ...operation.variables,
      ...Object.fromEntries(files.map((name) => [name, null])),
    };
    form.set('operations', JSON.stringify({ query: operation.query, variables }));
    form.set(
      'map',
      JSON.stringify(
        Object.fromEntries(files.map((name, index) => [index, [`variables.${name}`]])),
      ),
    );
    files.forEach((_name, index) =>
      form.set(String(index), new File(['name,email\n'], 'leads.csv', { type: 'text/csv' })),
    );
    const raw = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      // Multipart is a content type a cross-site form may send: CSRF prevention wants its header.
      headers: { 'x-graphql-yoga-csrf': '1', ...headers },
      body: form,
    });
    response = { status: raw.status, headers: raw.headers, ...((await raw.json()) as object) };
  } else if (kind === 'subscription') {
    // Over HTTP a subscription streams (SSE): a refusal is its one event, then the stream ends;
    // an accepted one answers 200 and stays open until cancelled.
    const raw = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify(operation),
    });
    if (raw.status === 200) {
      // yoga's stream sets up in start(), which runs on the first read: cancel after it.
      const reader = raw.body!.getReader();
      await reader.read();
      await reader.cancel();
      return [];
    }
    const data = (await raw.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as GraphqlResponse)
      .find((event) => event.errors);
    response = { status: raw.status, headers: raw.headers, ...data };
  } else {
    response = await postGraphql(fetcher, 'http://test', operation, headers);
  }
  const codes = errorCodes(response);
  // An operation refused before execution (bad syntax or variables) would say nothing about auth.
  const unexecuted = codes.find(
    (code) => code?.startsWith('GRAPHQL_') || code === 'BAD_USER_INPUT',
  );
  if (unexecuted) throw new Error(`${operation.query} did not run: ${JSON.stringify(response)}`);
  return codes.filter((code): code is string => code === 'UNAUTHENTICATED' || code === 'FORBIDDEN');
}

describe('authorization of root fields', () => {
  it('states a rule for every root field of the schema and for no other', () => {
    const inSchema = rootFields()
      .map(({ field }) => field.name)
      .sort();
    expect(inSchema).toEqual(Object.keys(expectedRules).sort());
  });

  it.each(callers.map((caller) => [caller.name, caller] as const))(
    'refuses %s exactly the root fields its permissions do not grant',
    async (_name, caller) => {
      const outcomes: string[] = [];
      const expected: string[] = [];
      for (const { kind, field } of rootFields()) {
        const rule = expectedRules[field.name];
        if (!rule) continue;
        const codes = await authCodesOf(kind, operationFor(kind, field), await headersOf(caller));
        const refusal = caller.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        outcomes.push(`${field.name}: ${codes.length === 0 ? 'allowed' : codes.join(',')}`);
        expected.push(`${field.name}: ${grants(rule, caller) ? 'allowed' : refusal}`);
      }
      expect(outcomes).toEqual(expected);
    },
  );
});

const createLeadMutation = `mutation ($input: CreateLeadInput!) {
  createLead(input: $input) {
    __typename
    ... on CreateLeadPayload { leadId created lead { id email } }
    ... on Error { message }
  }
}`;

function leadInput(email: string) {
  return { name: 'Ana Souza', email, phone: '11 98765-4321', origin: 'SITE', city: 'São Paulo' };
}

describe('field rules', () => {
  it('answers createLead to a key that may only create leads without the lead, its id or whether it existed', async () => {
    const response = await postGraphql<{
      createLead: { leadId: string | null; created: boolean | null; lead: unknown };
    }>(
      fetcher,
      'http://test',
      { query: createLeadMutation, variables: { input: leadInput('form@example.com') } },
      { authorization: `Bearer ${keys.get('leads:create')}` },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.createLead).toMatchObject({ leadId: null, created: null, lead: null });
    // The lead was stored all the same.
    expect(await database.prisma.lead.count({ where: { email: 'form@example.com' } })).toBe(1);
  });

  it('answers createLead with the lead to a key that may also read leads', async () => {
    const { key } = await createApiKey(database.prisma, {
      name: 'create and read',
      scopes: ['leads:create', 'leads:read'],
    });
    const response = await postGraphql<{
      createLead: { leadId: string; lead: { id: string; email: string } | null };
    }>(
      fetcher,
      'http://test',
      { query: createLeadMutation, variables: { input: leadInput('reader@example.com') } },
      { authorization: `Bearer ${key}` },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.createLead.lead).toEqual({
      id: response.data?.createLead.leadId,
      email: 'reader@example.com',
    });
  });

  describe('updateLead by a SALES user', () => {
    const updateLead = `mutation ($id: ID!, $input: UpdateLeadInput!) {
      updateLead(id: $id, input: $input) {
        __typename
        ... on Lead { name email notes status statusOverride statusOverrideBy }
        ... on Error { message }
      }
    }`;
    let leadId: string;
    let untouchedId: string;
    let cookie: string;
    let salesEmail: string;

    beforeAll(async () => {
      const lead = await database.prisma.lead.create({
        data: { name: 'Bruno Lima', email: 'bruno@example.com', origin: 'SITE', status: 'COLD' },
      });
      const untouched = await database.prisma.lead.create({
        data: { name: 'Clara Reis', email: 'clara@example.com', origin: 'SITE', status: 'WARM' },
      });
      leadId = lead.id;
      untouchedId = untouched.id;
      const sales = await signedInUser(database.prisma, 'SALES');
      cookie = sales.cookie;
      salesEmail = sales.user.email;
    });

    const update = (input: Record<string, unknown>) =>
      postGraphql<{ updateLead: Record<string, unknown> }>(
        fetcher,
        'http://test',
        { query: updateLead, variables: { id: leadId, input } },
        { cookie },
      );

    it('changes notes and overrides the status', async () => {
      const response = await update({
        notes: 'Called, wants a demo',
        statusOverride: 'HOT',
        statusOverrideReason: 'Asked for a proposal on the phone',
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?.updateLead).toMatchObject({
        __typename: 'Lead',
        notes: 'Called, wants a demo',
        status: 'HOT',
        statusOverride: 'HOT',
        statusOverrideBy: salesEmail,
      });
    });

    it.each([
      ['name', { name: 'Someone Else' }],
      ['email', { email: 'else@example.com' }],
      ['phone', { phone: '11 91234-5678' }],
      ['origin', { origin: 'META_ADS' }],
      ['interest', { interest: 'Other plan' }],
      ['approximateIncome', { approximateIncome: '99999' }],
      ['city', { city: 'Recife' }],
      ['notes with name', { notes: 'also renaming', name: 'Someone Else' }],
    ])('refuses a change of %s with FORBIDDEN and changes nothing', async (_field, input) => {
      const before = await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } });
      const response = await update(input);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } })).toEqual(
        before,
      );
    });

    it('leaves the other lead untouched', async () => {
      expect(
        await database.prisma.lead.findUniqueOrThrow({ where: { id: untouchedId } }),
      ).toMatchObject({ name: 'Clara Reis', status: 'WARM', notes: null });
    });
  });
});
