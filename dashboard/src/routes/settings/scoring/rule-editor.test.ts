import { describe, expect, test } from 'vitest';
import {
  fieldIssues,
  issuesOf,
  listIssueMessages,
  newRule,
  nextBand,
  sameDefinition,
  scoreBounds,
  toDefinition,
  toDraft,
  unusedRuleId,
  type IncomeBandsDraft,
  type InterestKeywordsDraft,
  type ServedRegionDraft,
} from './rule-editor';

/** The server's default rule set (server/src/scoring/default-rule-set.ts), shortened. */
const stored = {
  rules: [
    {
      kind: 'REQUIRED_FIELDS',
      id: 'required-fields',
      label: 'Required fields',
      points: 10,
      fields: ['name', 'email', 'phone', 'origin'],
    },
    {
      kind: 'INTEREST_KEYWORDS',
      id: 'high-ticket-interest',
      label: 'High-ticket interest',
      points: 15,
      keywords: ['imóvel', 'apartamento', 'investimento'],
    },
    {
      kind: 'SERVED_REGION',
      id: 'served-region',
      label: 'Served region',
      points: 5,
      cities: ['São Paulo', 'Campinas'],
      states: [],
    },
    {
      kind: 'INCOME_BANDS',
      id: 'income',
      label: 'Income',
      bands: [
        { min: 3000, points: 3 },
        { min: 5000, points: 5 },
        { min: 10000, points: 7 },
        { min: 20000, points: 10 },
      ],
    },
  ],
  thresholds: { hot: 25, warm: 15 },
};

describe('rule editor model', () => {
  test('turns a stored definition into a draft and back unchanged', () => {
    expect(toDefinition(toDraft(stored))).toEqual(stored);
  });

  test('holds keyword and city lists one item per line and drops blank lines', () => {
    const draft = toDraft(stored);
    const keywords = draft.rules[1] as InterestKeywordsDraft;
    expect(keywords.keywords).toBe('imóvel\napartamento\ninvestimento');

    keywords.keywords = '  casa \n\n terreno\r\n';
    const region = draft.rules[2] as ServedRegionDraft;
    region.states = ['SP', 'RJ'];
    const definition = toDefinition(draft);
    expect(definition.rules[1]).toMatchObject({ keywords: ['casa', 'terreno'] });
    // States go in the map's order whatever order they were ticked in.
    expect(definition.rules[2]).toMatchObject({ states: ['RJ', 'SP'] });
  });

  test('sends an emptied number as null for the API to refuse beside its field', () => {
    const draft = toDraft(stored);
    const income = draft.rules[3] as IncomeBandsDraft;
    income.bands[1]!.points = null;
    draft.thresholds.hot = null;
    const definition = toDefinition(draft);
    expect((definition.rules[3] as { bands: unknown[] }).bands[1]).toEqual({
      min: 5000,
      points: null,
    });
    expect(definition.thresholds).toEqual({ hot: null, warm: 15 });
  });

  test('leaves out rules of a kind it does not know and tolerates missing parts', () => {
    const draft = toDraft({
      rules: [
        { kind: 'FUTURE_KIND', id: 'x' },
        { kind: 'SERVED_REGION', id: 'r' },
      ],
    });
    expect(draft.rules).toHaveLength(1);
    expect(toDefinition(draft)).toEqual({
      rules: [{ kind: 'SERVED_REGION', id: 'r', label: '', points: null, cities: [], states: [] }],
      thresholds: { hot: null, warm: null },
    });
  });

  test('tells a real change from the same rules held differently', () => {
    const original = toDraft(stored);
    const reordered = toDraft({
      ...stored,
      rules: [
        { ...stored.rules[0], fields: ['origin', 'phone', 'email', 'name'] },
        ...stored.rules.slice(1),
      ],
    });
    expect(sameDefinition(original, reordered)).toBe(true);

    const changed = toDraft(stored);
    (changed.rules[2] as ServedRegionDraft).points = 20;
    expect(sameDefinition(original, changed)).toBe(false);
  });

  test('adds a rule with an id no other rule uses', () => {
    const draft = toDraft(stored);
    expect(unusedRuleId('INCOME_BANDS', draft.rules)).toBe('income-bands');
    const first = newRule('INTEREST_KEYWORDS', 'Keywords', draft.rules);
    draft.rules.push(first);
    expect(first.id).toBe('interest-keywords');
    expect(newRule('INTEREST_KEYWORDS', 'More', draft.rules).id).toBe('interest-keywords-2');
    expect(toDefinition({ ...draft, rules: [first] }).rules[0]).toEqual({
      kind: 'INTEREST_KEYWORDS',
      id: 'interest-keywords',
      label: 'Keywords',
      points: 5,
      keywords: [],
    });
  });

  test('adds an income band above the highest one', () => {
    const income = toDraft(stored).rules[3] as IncomeBandsDraft;
    expect(nextBand(income.bands)).toMatchObject({ min: 40000, points: 11 });
    expect(nextBand([])).toMatchObject({ min: 1000, points: 1 });
  });

  test('adds up the highest score the rules can give', () => {
    expect(scoreBounds(toDraft(stored))).toEqual({ min: 0, max: 40 });
  });

  test('puts each API issue on its rule, threshold or the set as a whole', () => {
    const issues = issuesOf([
      { path: 'rules.3.bands.1.min', message: 'Bands must be in ascending order' },
      { path: 'rules.1.keywords.2', message: 'A keyword cannot be blank' },
      { path: 'rules.1.points', message: 'Points are at most 1000' },
      { path: 'thresholds.hot', message: 'The hot threshold must be above the warm threshold' },
      { path: 'thresholds', message: 'Set the thresholds' },
      { path: 'rules', message: 'A rule set needs at least one rule' },
      { path: '', message: 'A rule set is an object' },
    ]);
    expect(issues.general).toEqual([
      'A rule set needs at least one rule',
      'A rule set is an object',
    ]);
    expect(issues.thresholds).toEqual({
      hot: ['The hot threshold must be above the warm threshold'],
      '': ['Set the thresholds'],
    });
    expect(issues.rules.get(3)).toEqual([
      { field: 'bands.1.min', message: 'Bands must be in ascending order' },
    ]);
    expect(fieldIssues(issues.rules.get(1), 'points')).toHaveLength(1);
    expect(fieldIssues(issues.rules.get(1), 'keywords')).toHaveLength(0);
    expect(listIssueMessages(issues.rules.get(1), 'keywords', (n) => `Item ${n}`)).toEqual([
      'Item 3: A keyword cannot be blank',
    ]);
    expect(fieldIssues(issues.rules.get(3), 'bands', true)).toHaveLength(1);
  });
});
