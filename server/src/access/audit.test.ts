// The audit log records settings and scoring changes with who made them, through the real API:
// names of what changed, never secret values or a filter's search text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { defaultRuleSet } from '../scoring/default-rule-set.ts';
import { createApiKey } from './api-keys.ts';

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

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

interface AuditView {
  action: string;
  actorKind: string;
  actorLabel: string;
  targetType: string | null;
  details: Record<string, unknown> | null;
}

async function auditOf(action: string): Promise<AuditView[]> {
  const { auditEvents } = await graphql<{ auditEvents: { edges: { node: AuditView }[] } }>(
    `
      query ($action: String) {
        auditEvents(filter: { action: $action }) {
          edges {
            node {
              action
              actorKind
              actorLabel
              targetType
              details
            }
          }
        }
      }
    `,
    { action },
  );
  return auditEvents.edges.map((edge) => edge.node);
}

describe('audit log', () => {
  it('records an automations settings change by name, without the secret values', async () => {
    await graphql(`
      mutation {
        updateAutomationSettings(
          input: {
            slackWebhookUrl: "https://hooks.slack.test/services/SECRET-PATH"
            maxAttempts: 4
          }
        ) {
          __typename
        }
      }
    `);
    const [entry] = await auditOf('settings.automations.update');
    expect(entry).toEqual({
      action: 'settings.automations.update',
      actorKind: 'api-key',
      actorLabel: app.adminLabel,
      targetType: 'settings',
      details: { changed: expect.arrayContaining(['maxAttempts']) as unknown },
    });
    expect(JSON.stringify(entry)).not.toContain('SECRET-PATH');
  });

  it('records saving and activating rule sets with their versions', async () => {
    await graphql(
      `
        mutation ($input: SaveScoringRuleSetInput!) {
          saveScoringRuleSet(input: $input) {
            __typename
          }
        }
      `,
      { input: { definition: defaultRuleSet, activate: false } },
    );
    await graphql(`
      mutation {
        activateScoringRuleSet(version: 2) {
          __typename
        }
      }
    `);
    expect(await auditOf('scoring.rule-set.save')).toMatchObject([
      { targetType: 'rule-set', details: { version: 2, activated: false } },
    ]);
    expect(await auditOf('scoring.rule-set.activate')).toMatchObject([
      { actorLabel: app.adminLabel, details: { version: 2 } },
    ]);
  });

  it('records a bulk rescore with the filter names but not a search text', async () => {
    await graphql(`
      mutation {
        rescoreLeads(filter: { search: "maria@example.com" }) {
          __typename
        }
      }
    `);
    const [entry] = await auditOf('leads.rescore');
    expect(entry?.details).toEqual({ filteredBy: ['search'], total: 0 });
    expect(JSON.stringify(entry)).not.toContain('maria');
  });

  it('records a leads export once, on its first page, with the filter names only', async () => {
    const page = (after?: string) =>
      graphql<{ leads: { pageInfo: { endCursor: string | null } } }>(
        `
          query ($after: String) {
            leads(filter: { search: "joana@example.com" }, export: true, first: 1, after: $after) {
              ... on LeadConnection {
                pageInfo {
                  endCursor
                }
              }
            }
          }
        `,
        { after },
      );
    await graphql(`
      {
        leads(first: 1) {
          __typename
        }
      }
    `);
    const first = await page();
    await page(first.leads.pageInfo.endCursor ?? 'x');
    const entries = await auditOf('leads.export');
    expect(entries).toEqual([
      {
        action: 'leads.export',
        actorKind: 'api-key',
        actorLabel: app.adminLabel,
        targetType: null,
        details: { filteredBy: ['search'], orderBy: 'CREATED_AT' },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain('joana');
  });

  it('refuses the audit log to a key without the admin scope', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'reader', scopes: ['leads:read'] });
    const response = await app.yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ auditEvents { edges { node { id } } } }' }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
