// Rule set versioning, preview and the scoring fields of Lead, through yoga.fetch against real
// PostgreSQL: version 1 from the built-in rules, saves, validation errors, activation, history,
// previewScore with the active and with draft rules, and starting a rescore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { defaultRuleSet } from './default-rule-set.ts';
import { scoreLead, type RuleSetInput } from './rules.ts';

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

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

async function graphql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  expect(body.errors).toBeUndefined();
  return body.data!;
}

const RULE_SET_FIELDS = /* GraphQL */ `
  id
  version
  definition
  note
  createdBy
  createdAt
  activatedAt
  active
  thresholds { hot warm }
  scoreRange { min max }
  rules {
    __typename
    kind
    ruleId
    label
    ... on RequiredFieldsRule { points fields }
    ... on InterestKeywordsRule { points keywords }
    ... on ServedRegionRule { points cities states }
    ... on IncomeBandsRule { bands { min points } }
  }
`;

interface RuleSetView {
  id: string;
  version: number;
  definition: unknown;
  note: string | null;
  createdBy: string;
  createdAt: string;
  activatedAt: string | null;
  active: boolean;
  thresholds: { hot: number; warm: number };
  scoreRange: { min: number; max: number };
  rules: Record<string, unknown>[];
}

const ACTIVE = /* GraphQL */ `
  query { activeScoringRuleSet { ${RULE_SET_FIELDS} } }
`;

const SAVE = /* GraphQL */ `
  mutation Save($input: SaveScoringRuleSetInput!) {
    saveScoringRuleSet(input: $input) {
      __typename
      ... on ScoringRuleSet { ${RULE_SET_FIELDS} }
      ... on RuleSetValidationError { message issues { path message } }
      ... on ValidationError { fieldErrors { path message } }
      ... on Error { message }
    }
  }
`;

const ACTIVATE = /* GraphQL */ `
  mutation Activate($version: Int!) {
    activateScoringRuleSet(version: $version) {
      __typename
      ... on ScoringRuleSet {
        version
        active
        activatedAt
      }
      ... on ScoringRuleSetNotFoundError {
        message
        version
      }
    }
  }
`;

const HISTORY = /* GraphQL */ `
  query History($first: Int, $after: String) {
    scoringRuleSets(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          version
          active
          note
          definition
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const PREVIEW = /* GraphQL */ `
  query Preview($input: PreviewLeadInput!, $draftRules: JSON) {
    previewScore(input: $input, draftRules: $draftRules) {
      __typename
      ... on ScorePreview {
        score
        status
        scoreRange {
          min
          max
        }
        ruleSet {
          version
        }
        explanation {
          ruleId
          kind
          label
          points
          matched
          detail
        }
      }
      ... on RuleSetValidationError {
        issues {
          path
          message
        }
      }
      ... on ValidationError {
        fieldErrors {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`;

type SaveResult = { saveScoringRuleSet: RuleSetView & Record<string, unknown> };

function withThresholds(hot: number, warm: number): RuleSetInput {
  return { ...defaultRuleSet, thresholds: { hot, warm } };
}

async function countRuleSets(): Promise<number> {
  return database.prisma.scoringRuleSet.count();
}

const documentationLead = {
  name: 'Maria Souza',
  email: 'Maria@Example.com',
  phone: '(11) 99999-9999',
  origin: 'META_ADS',
  interest: 'Apartamento para investimento',
  approximateIncome: '15.000,00',
  city: 'São Paulo',
};

describe('version 1', () => {
  it('is created once from the built-in rules when several requests ask at the same time', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => graphql<{ activeScoringRuleSet: RuleSetView }>(ACTIVE)),
    );

    const ids = new Set(answers.map((answer) => answer.activeScoringRuleSet.id));
    expect(ids.size).toBe(1);
    expect(await countRuleSets()).toBe(1);
    const active = answers[0]!.activeScoringRuleSet;
    expect(active).toMatchObject({
      version: 1,
      createdBy: 'system',
      active: true,
      definition: JSON.parse(JSON.stringify(defaultRuleSet)) as unknown,
      thresholds: { hot: 25, warm: 15 },
      scoreRange: { min: 0, max: 40 },
    });
    expect(active.activatedAt).not.toBeNull();
  });

  it('exposes each rule as a typed object with its settings', async () => {
    const { activeScoringRuleSet } = await graphql<{ activeScoringRuleSet: RuleSetView }>(ACTIVE);

    expect(activeScoringRuleSet.rules.map((rule) => rule.__typename)).toEqual([
      'RequiredFieldsRule',
      'InterestKeywordsRule',
      'ServedRegionRule',
      'IncomeBandsRule',
    ]);
    expect(activeScoringRuleSet.rules[0]).toEqual({
      __typename: 'RequiredFieldsRule',
      kind: 'REQUIRED_FIELDS',
      ruleId: 'required-fields',
      label: 'Required fields',
      points: 10,
      fields: ['NAME', 'EMAIL', 'PHONE', 'ORIGIN'],
    });
    expect(activeScoringRuleSet.rules[3]).toEqual({
      __typename: 'IncomeBandsRule',
      kind: 'INCOME_BANDS',
      ruleId: 'income',
      label: 'Income',
      bands: [
        { min: 3000, points: 3 },
        { min: 5000, points: 5 },
        { min: 10000, points: 7 },
        { min: 20000, points: 10 },
      ],
    });
  });
});

describe('saveScoringRuleSet', () => {
  it('saves a new active version with its author and note, leaving the earlier one unchanged', async () => {
    const before = await database.prisma.scoringRuleSet.findUniqueOrThrow({
      where: { version: 1 },
    });
    const secondKeywordRule = {
      kind: 'INTEREST_KEYWORDS',
      id: 'rural',
      label: 'Rural land',
      points: 4,
      keywords: ['fazenda', 'sítio'],
    };
    const definition = {
      ...defaultRuleSet,
      rules: [...defaultRuleSet.rules, secondKeywordRule],
      thresholds: { hot: 30, warm: 15 },
    };

    const { saveScoringRuleSet: saved } = await graphql<SaveResult>(SAVE, {
      input: { definition, note: '  A second keyword rule  ' },
    });

    expect(saved).toMatchObject({
      __typename: 'ScoringRuleSet',
      version: 2,
      createdBy: app.adminLabel,
      note: 'A second keyword rule',
      active: true,
      thresholds: { hot: 30, warm: 15 },
      scoreRange: { min: 0, max: 44 },
    });
    expect(saved.rules[4]).toEqual({
      __typename: 'InterestKeywordsRule',
      kind: 'INTEREST_KEYWORDS',
      ruleId: 'rural',
      label: 'Rural land',
      points: 4,
      keywords: ['fazenda', 'sítio'],
    });
    const { activeScoringRuleSet } = await graphql<{ activeScoringRuleSet: RuleSetView }>(ACTIVE);
    expect(activeScoringRuleSet.version).toBe(2);
    const after = await database.prisma.scoringRuleSet.findUniqueOrThrow({ where: { version: 1 } });
    expect(after).toEqual(before);
  });

  it('saves an inactive version when asked, keeping the active one', async () => {
    const { saveScoringRuleSet: saved } = await graphql<SaveResult>(SAVE, {
      input: { definition: withThresholds(35, 20), note: 'Draft for review', activate: false },
    });

    expect(saved).toMatchObject({ version: 3, active: false, activatedAt: null });
    const { activeScoringRuleSet } = await graphql<{ activeScoringRuleSet: RuleSetView }>(ACTIVE);
    expect(activeScoringRuleSet.version).toBe(2);
  });

  it('refuses an invalid rule set with every issue and where it is, saving nothing', async () => {
    const count = await countRuleSets();
    const definition = {
      rules: [
        {
          kind: 'INCOME_BANDS',
          id: 'income',
          label: 'Income',
          bands: [
            { min: 5000, points: 5 },
            { min: 3000, points: 3 },
          ],
        },
        { kind: 'INTEREST_KEYWORDS', id: 'kw', label: 'Keywords', points: -5, keywords: ['casa'] },
      ],
      thresholds: { hot: 10, warm: 20 },
    };

    const { saveScoringRuleSet: result } = await graphql<SaveResult>(SAVE, {
      input: { definition },
    });

    expect(result.__typename).toBe('RuleSetValidationError');
    expect(result.issues).toEqual([
      {
        path: 'rules.0.bands.1.min',
        message: 'Bands must be in ascending order of minimum income',
      },
      {
        path: 'rules.1.points',
        message: 'Points cannot be negative: a rule awards its points or nothing',
      },
      { path: 'thresholds.hot', message: 'The hot threshold must be above the warm threshold' },
    ]);
    expect(result.message).toContain('rules.0.bands.1.min');
    expect(await countRuleSets()).toBe(count);
  });

  it('words the issues and their summary in Portuguese for a dashboard in Portuguese', async () => {
    const count = await countRuleSets();
    const definition = {
      rules: [{ kind: 'INTEREST_KEYWORDS', id: 'kw', label: 'Keywords', points: 5, keywords: [] }],
      thresholds: { hot: 10, warm: 20 },
    };

    const { saveScoringRuleSet: result } = await graphql<SaveResult>(
      SAVE,
      { input: { definition } },
      { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' },
    );

    expect(result).toEqual({
      __typename: 'RuleSetValidationError',
      message:
        'Regras inválidas: rules.0.keywords: Informe pelo menos uma palavra-chave; ' +
        'thresholds.hot: O limite de quente deve ser maior que o de morno',
      issues: [
        { path: 'rules.0.keywords', message: 'Informe pelo menos uma palavra-chave' },
        { path: 'thresholds.hot', message: 'O limite de quente deve ser maior que o de morno' },
      ],
    });
    expect(await countRuleSets()).toBe(count);
  });

  it('refuses a definition that is not a rule set at all', async () => {
    const { saveScoringRuleSet: result } = await graphql<SaveResult>(SAVE, {
      input: { definition: ['not', 'an', 'object'] },
    });

    expect(result).toMatchObject({
      __typename: 'RuleSetValidationError',
      issues: [{ path: '', message: 'A rule set is an object with rules and thresholds' }],
    });
  });

  it('refuses a note that is too long', async () => {
    const { saveScoringRuleSet: result } = await graphql<SaveResult>(SAVE, {
      input: { definition: defaultRuleSet, note: 'x'.repeat(2_001) },
    });

    expect(result).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: 'note', message: 'A note has at most 2,000 characters' }],
    });
    const { saveScoringRuleSet: portuguese } = await graphql<SaveResult>(
      SAVE,
      { input: { definition: defaultRuleSet, note: 'x'.repeat(2_001) } },
      { 'accept-language': 'pt-BR' },
    );
    expect(portuguese).toMatchObject({
      fieldErrors: [{ path: 'note', message: 'Escreva no máximo 2.000 caracteres' }],
    });
  });

  it('numbers concurrent saves one after another, without gaps or duplicates', async () => {
    const before = await database.prisma.scoringRuleSet.aggregate({ _max: { version: true } });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        graphql<SaveResult>(SAVE, {
          input: { definition: withThresholds(40 + index, 20), activate: index % 2 === 0 },
        }),
      ),
    );

    const versions = results.map((result) => result.saveScoringRuleSet.version).sort();
    const first = before._max.version! + 1;
    expect(versions).toEqual([first, first + 1, first + 2, first + 3, first + 4]);
    const activations = await database.prisma.scoringRuleSet.findMany({
      where: { version: { gte: first }, activatedAt: { not: null } },
      select: { activatedAt: true },
    });
    const times = activations.map((row) => row.activatedAt!.getTime());
    expect(new Set(times).size).toBe(3);
  });
});

describe('activateScoringRuleSet', () => {
  it('makes an older version active again, as a rollback', async () => {
    const { activateScoringRuleSet } = await graphql<{
      activateScoringRuleSet: { __typename: string; version: number; active: boolean };
    }>(ACTIVATE, { version: 1 });

    expect(activateScoringRuleSet).toMatchObject({
      __typename: 'ScoringRuleSet',
      version: 1,
      active: true,
    });
    const { activeScoringRuleSet } = await graphql<{ activeScoringRuleSet: RuleSetView }>(ACTIVE);
    expect(activeScoringRuleSet.version).toBe(1);
    const stillActive = await database.prisma.scoringRuleSet.count({
      where: { activatedAt: { not: null } },
    });
    expect(stillActive).toBeGreaterThan(1);
  });

  it('leaves the active version as it is when it is activated again', async () => {
    const before = await database.prisma.scoringRuleSet.findUniqueOrThrow({
      where: { version: 1 },
    });

    await graphql(ACTIVATE, { version: 1 });

    const after = await database.prisma.scoringRuleSet.findUniqueOrThrow({ where: { version: 1 } });
    expect(after.activatedAt).toEqual(before.activatedAt);
  });

  it('answers an unknown version with ScoringRuleSetNotFoundError', async () => {
    const { activateScoringRuleSet } = await graphql<{
      activateScoringRuleSet: { __typename: string; version: number; message: string };
    }>(ACTIVATE, { version: 999 });

    expect(activateScoringRuleSet).toEqual({
      __typename: 'ScoringRuleSetNotFoundError',
      version: 999,
      message: 'No scoring rule set has version 999',
    });
    const { activateScoringRuleSet: portuguese } = await graphql<{
      activateScoringRuleSet: { message: string };
    }>(ACTIVATE, { version: 999 }, { 'accept-language': 'pt-BR' });
    expect(portuguese.message).toBe('Nenhum conjunto de regras de pontuação tem a versão 999');
    const { activeScoringRuleSet } = await graphql<{ activeScoringRuleSet: RuleSetView }>(ACTIVE);
    expect(activeScoringRuleSet.version).toBe(1);
  });
});

describe('scoringRuleSets', () => {
  it('lists every version newest first, page by page, with one active', async () => {
    type History = {
      scoringRuleSets: {
        totalCount: number;
        edges: {
          cursor: string;
          node: { version: number; active: boolean; note: string | null };
        }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const total = await countRuleSets();
    const versions: number[] = [];
    const active: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { scoringRuleSets }: History = await graphql<History>(HISTORY, { first: 3, after });
      expect(scoringRuleSets.totalCount).toBe(total);
      for (const { node } of scoringRuleSets.edges) {
        versions.push(node.version);
        if (node.active) active.push(node.version);
      }
      if (!scoringRuleSets.pageInfo.hasNextPage) break;
      after = scoringRuleSets.pageInfo.endCursor;
    }

    expect(versions).toEqual(Array.from({ length: total }, (_, index) => total - index));
    expect(active).toEqual([1]);
  });

  it('reads one version by number, and null for a number that does not exist', async () => {
    const { scoringRuleSet, missing } = await graphql<{
      scoringRuleSet: { version: number; note: string };
      missing: null;
    }>(/* GraphQL */ `
      query {
        scoringRuleSet(version: 3) {
          version
          note
        }
        missing: scoringRuleSet(version: 999) {
          version
        }
      }
    `);

    expect(scoringRuleSet).toEqual({ version: 3, note: 'Draft for review' });
    expect(missing).toBeNull();
  });
});

describe('previewScore', () => {
  type Preview = {
    previewScore: {
      __typename: string;
      score: number;
      status: string;
      scoreRange: { min: number; max: number };
      ruleSet: { version: number } | null;
      explanation: { ruleId: string; points: number; matched: boolean; detail: string }[];
      issues?: { path: string; message: string }[];
      fieldErrors?: { path: string; message: string }[];
    };
  };

  it('scores a lead normalised like createLead with the active rules, saving nothing', async () => {
    const leads = await database.prisma.lead.count();

    const { previewScore } = await graphql<Preview>(PREVIEW, { input: documentationLead });

    expect(previewScore).toMatchObject({
      __typename: 'ScorePreview',
      score: 37,
      status: 'HOT',
      scoreRange: { min: 0, max: 40 },
      ruleSet: { version: 1 },
    });
    expect(previewScore.explanation).toEqual([
      {
        ruleId: 'required-fields',
        kind: 'REQUIRED_FIELDS',
        label: 'Required fields',
        points: 10,
        matched: true,
        detail: 'present and valid: name, email, phone, origin',
      },
      {
        ruleId: 'high-ticket-interest',
        kind: 'INTEREST_KEYWORDS',
        label: 'High-ticket interest',
        points: 15,
        matched: true,
        detail: 'keywords "apartamento", "investimento"',
      },
      {
        ruleId: 'served-region',
        kind: 'SERVED_REGION',
        label: 'Served region',
        points: 5,
        matched: true,
        detail: 'city "São Paulo"',
      },
      {
        ruleId: 'income',
        kind: 'INCOME_BANDS',
        label: 'Income',
        points: 7,
        matched: true,
        detail: 'band ≥ 10,000',
      },
    ]);
    expect(await database.prisma.lead.count()).toBe(leads);
  });

  it('words the explanation in the language of Accept-Language', async () => {
    const portuguese = await graphql<Preview>(
      PREVIEW,
      { input: documentationLead },
      { 'accept-language': 'pt-BR' },
    );
    expect(portuguese.previewScore.explanation.map((entry) => entry.detail)).toEqual([
      'presentes e válidos: name, email, phone, origin',
      'palavras-chave "apartamento", "investimento"',
      'cidade "São Paulo"',
      'faixa ≥ 10.000',
    ]);
    const empty = await graphql<Preview>(PREVIEW, { input: {} }, { 'accept-language': 'pt-BR' });
    expect(empty.previewScore.explanation.map((entry) => entry.detail)).toEqual([
      'faltando: name, email, phone, origin',
      'interesse não informado',
      'cidade não informada',
      'renda não informada',
    ]);
  });

  it('scores an empty lead as having nothing', async () => {
    const { previewScore } = await graphql<Preview>(PREVIEW, { input: {} });

    expect(previewScore).toMatchObject({ score: 0, status: 'COLD' });
    expect(previewScore.explanation.map((entry) => entry.detail)).toEqual([
      'missing: name, email, phone, origin',
      'no interest given',
      'no city given',
      'no income given',
    ]);
  });

  it('scores with draft rules instead of the active ones when given', async () => {
    const draft = withThresholds(40, 30);

    const { previewScore } = await graphql<Preview>(PREVIEW, {
      input: documentationLead,
      draftRules: draft,
    });

    expect(previewScore).toMatchObject({ score: 37, status: 'WARM', ruleSet: null });
    const expected = scoreLead(
      {
        name: 'Maria Souza',
        email: 'maria@example.com',
        phone: '+5511999999999',
        origin: 'META_ADS',
        interest: 'Apartamento para investimento',
        approximateIncome: '15000.00',
        city: 'São Paulo',
      },
      draft,
    );
    expect(previewScore.explanation).toEqual(expected.explanation);
  });

  it('refuses draft rules the way a save would, with their issues', async () => {
    const { previewScore } = await graphql<Preview>(PREVIEW, {
      input: documentationLead,
      draftRules: { rules: [], thresholds: { hot: 10, warm: 5 } },
    });

    expect(previewScore).toEqual({
      __typename: 'RuleSetValidationError',
      message: 'Invalid rule set: rules: A rule set needs at least one rule',
      issues: [{ path: 'rules', message: 'A rule set needs at least one rule' }],
    });
  });

  it('refuses a lead field that createLead would refuse', async () => {
    const { previewScore } = await graphql<Preview>(PREVIEW, {
      input: { ...documentationLead, phone: '12' },
    });

    expect(previewScore.__typename).toBe('ValidationError');
    expect(previewScore.fieldErrors?.map((error) => error.path)).toEqual(['phone']);
  });
});

describe('Lead scoring fields', () => {
  it("exposes a lead's explanation and the version it was scored with", async () => {
    const version = await database.prisma.scoringRuleSet.findUniqueOrThrow({
      where: { version: 2 },
    });
    const lead = {
      name: 'Maria Souza',
      email: 'maria.fields@example.com',
      phone: '+5511999999999',
      origin: 'META_ADS' as const,
      interest: 'Apartamento',
      approximateIncome: '15000.00',
      city: 'Recife',
    };
    const result = scoreLead(lead, version.definition as RuleSetInput);
    const created = await database.prisma.lead.create({
      data: {
        ...lead,
        score: result.score,
        status: result.status,
        scoreExplanation: result.explanation,
        scoredWithId: version.id,
        processedAt: new Date(),
      },
    });
    const unscored = await database.prisma.lead.create({
      data: { name: 'Bia Unscored', email: 'bia.unscored@example.com', origin: 'SITE' },
    });

    const data = await graphql<{
      scored: {
        score: number;
        scoreExplanation: { points: number }[];
        scoredWith: { version: number };
      };
      unscored: { scoreExplanation: null; scoredWith: null };
    }>(
      /* GraphQL */ `
        query Lead($scored: ID!, $unscored: ID!) {
          scored: lead(id: $scored) {
            ... on Lead {
              score
              scoreExplanation {
                ruleId
                kind
                label
                points
                matched
                detail
              }
              scoredWith {
                version
              }
            }
          }
          unscored: lead(id: $unscored) {
            ... on Lead {
              scoreExplanation {
                points
              }
              scoredWith {
                version
              }
            }
          }
        }
      `,
      { scored: created.id, unscored: unscored.id },
    );

    expect(data.scored.scoreExplanation).toEqual(result.explanation);
    expect(data.scored.scoreExplanation.reduce((sum, entry) => sum + entry.points, 0)).toBe(
      data.scored.score,
    );
    expect(data.scored.scoredWith).toEqual({ version: 2 });
    expect(data.unscored).toEqual({ scoreExplanation: null, scoredWith: null });
  });
});

describe('rescoreLeads', () => {
  it('starts a run with the active version and the matching count, and answers rescoreRun', async () => {
    const active = await database.prisma.scoringRuleSet.findUniqueOrThrow({
      where: { version: 1 },
    });
    const leads = await database.prisma.lead.count({ where: { origin: 'META_ADS' } });

    const { rescoreLeads } = await graphql<{
      rescoreLeads: { __typename: string; id: string; state: string; total: number };
    }>(
      /* GraphQL */ `
        mutation Rescore($filter: LeadFilter) {
          rescoreLeads(filter: $filter) {
            __typename
            ... on RescoreRun {
              id
              state
              total
              processed
              changed
              ruleSet {
                version
              }
            }
          }
        }
      `,
      { filter: { origin: ['META_ADS'] } },
    );

    expect(rescoreLeads).toMatchObject({
      __typename: 'RescoreRun',
      state: 'RUNNING',
      total: leads,
      processed: 0,
      changed: 0,
      ruleSet: { version: 1 },
    });
    const { rescoreRun } = await graphql<{ rescoreRun: { id: string; filter: unknown } }>(
      /* GraphQL */ `
        query Run($id: ID!) {
          rescoreRun(id: $id) {
            id
            filter
            requestedBy
            ruleSet {
              id
            }
          }
        }
      `,
      { id: rescoreLeads.id },
    );
    expect(rescoreRun).toEqual({
      id: rescoreLeads.id,
      filter: { origin: ['META_ADS'] },
      requestedBy: app.adminLabel,
      ruleSet: { id: active.id },
    });
    const planned = await database.prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM pgboss.job
      WHERE name = 'scoring.plan-rescore' AND data->>'runId' = ${rescoreLeads.id}`;
    expect(Number(planned[0]!.count)).toBe(1);
  });

  it('refuses a filter leadWhere cannot apply, starting nothing', async () => {
    const runs = await database.prisma.rescoreRun.count();

    const { rescoreLeads } = await graphql<{
      rescoreLeads: { __typename: string; fieldErrors: { path: string; message: string }[] };
    }>(/* GraphQL */ `
      mutation {
        rescoreLeads(filter: { scoreMin: 30, scoreMax: 10 }) {
          __typename
          ... on ValidationError {
            fieldErrors {
              path
              message
            }
          }
        }
      }
    `);

    expect(rescoreLeads).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'filter.scoreMax', message: 'The maximum score must not be below the minimum' },
      ],
    });
    expect(await database.prisma.rescoreRun.count()).toBe(runs);
  });

  it('answers null for a run id that does not exist or is not an id', async () => {
    const data = await graphql<{ unknown: null; malformed: null }>(/* GraphQL */ `
      query {
        unknown: rescoreRun(id: "01890000-0000-7000-8000-000000000000") {
          id
        }
        malformed: rescoreRun(id: "nope") {
          id
        }
      }
    `);

    expect(data).toEqual({ unknown: null, malformed: null });
  });
});
