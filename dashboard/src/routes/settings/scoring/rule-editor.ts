import type { ScoringRuleKind } from '$lib/graphql/generated/graphql';

/*
 * The scoring rules as the editor holds them, and the definition JSON the API takes and returns
 * (server/src/scoring/rules.ts). The editor keeps what people type: numbers may be missing,
 * lists are one item per line. The API checks the result (previewScore and saveScoringRuleSet
 * take the same definition) and answers with issues by path, which `issuesOf` puts back on the
 * rule and field they are about.
 */

export const RULE_KINDS = [
  'REQUIRED_FIELDS',
  'INTEREST_KEYWORDS',
  'SERVED_REGION',
  'INCOME_BANDS',
] as const satisfies readonly ScoringRuleKind[];

/** The lead fields a REQUIRED_FIELDS rule can require, as the definition names them. */
export const REQUIRED_FIELD_NAMES = ['name', 'email', 'phone', 'origin'] as const;
export type RequiredField = (typeof REQUIRED_FIELD_NAMES)[number];

/** Brazil's 26 states and the Federal District, as SERVED_REGION rules list them. */
export const BRAZILIAN_STATES = [
  'AC',
  'AL',
  'AP',
  'AM',
  'BA',
  'CE',
  'DF',
  'ES',
  'GO',
  'MA',
  'MT',
  'MS',
  'MG',
  'PA',
  'PB',
  'PR',
  'PE',
  'PI',
  'RJ',
  'RN',
  'RS',
  'RO',
  'RR',
  'SC',
  'SP',
  'SE',
  'TO',
] as const;

interface DraftBase {
  /** Identifies the rule in the editor while its id is being edited (keyed lists, labels). */
  key: string;
  id: string;
  label: string;
}

export interface RequiredFieldsDraft extends DraftBase {
  kind: 'REQUIRED_FIELDS';
  points: number | null;
  fields: RequiredField[];
}

export interface InterestKeywordsDraft extends DraftBase {
  kind: 'INTEREST_KEYWORDS';
  points: number | null;
  /** One keyword or phrase per line. */
  keywords: string;
}

export interface ServedRegionDraft extends DraftBase {
  kind: 'SERVED_REGION';
  points: number | null;
  /** One city per line. */
  cities: string;
  states: string[];
}

export interface IncomeBandDraft {
  key: string;
  min: number | null;
  points: number | null;
}

export interface IncomeBandsDraft extends DraftBase {
  kind: 'INCOME_BANDS';
  bands: IncomeBandDraft[];
}

export type RuleDraft =
  RequiredFieldsDraft | InterestKeywordsDraft | ServedRegionDraft | IncomeBandsDraft;

export type RuleKind = RuleDraft['kind'];

export interface RuleSetDraft {
  rules: RuleDraft[];
  thresholds: { hot: number | null; warm: number | null };
}

/** The JSON saveScoringRuleSet and previewScore take (ScoringRuleSet.definition's shape). */
export interface RuleSetDefinition {
  rules: Record<string, unknown>[];
  thresholds: { hot: number | null; warm: number | null };
}

let lastKey = 0;
const nextKey = () => `k${++lastKey}`;

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

function isRuleKind(value: unknown): value is RuleKind {
  return (RULE_KINDS as readonly unknown[]).includes(value);
}

/** The editor's copy of a stored definition. Rules of a kind this dashboard does not know are left out. */
export function toDraft(definition: unknown): RuleSetDraft {
  const source = record(definition);
  const thresholds = record(source.thresholds);
  const rules = (Array.isArray(source.rules) ? source.rules : []).flatMap((value): RuleDraft[] => {
    const rule = record(value);
    if (!isRuleKind(rule.kind)) return [];
    const base = { key: nextKey(), id: text(rule.id), label: text(rule.label) };
    switch (rule.kind) {
      case 'REQUIRED_FIELDS':
        return [
          {
            ...base,
            kind: rule.kind,
            points: number(rule.points),
            fields: REQUIRED_FIELD_NAMES.filter((field) => strings(rule.fields).includes(field)),
          },
        ];
      case 'INTEREST_KEYWORDS':
        return [
          {
            ...base,
            kind: rule.kind,
            points: number(rule.points),
            keywords: strings(rule.keywords).join('\n'),
          },
        ];
      case 'SERVED_REGION':
        return [
          {
            ...base,
            kind: rule.kind,
            points: number(rule.points),
            cities: strings(rule.cities).join('\n'),
            states: strings(rule.states).map((state) => state.toUpperCase()),
          },
        ];
      case 'INCOME_BANDS':
        return [
          {
            ...base,
            kind: rule.kind,
            bands: (Array.isArray(rule.bands) ? rule.bands : []).map((band) => ({
              key: nextKey(),
              min: number(record(band).min),
              points: number(record(band).points),
            })),
          },
        ];
    }
  });
  return { rules, thresholds: { hot: number(thresholds.hot), warm: number(thresholds.warm) } };
}

const listOf = (value: string) =>
  value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/**
 * The definition to send. Rules and bands keep their order, so the API's issue paths
 * (`rules.2.bands.1.min`) point back at the same rule and band of the draft.
 */
export function toDefinition(draft: RuleSetDraft): RuleSetDefinition {
  return {
    rules: draft.rules.map((rule) => {
      const base = { kind: rule.kind, id: rule.id.trim(), label: rule.label.trim() };
      switch (rule.kind) {
        case 'REQUIRED_FIELDS':
          return {
            ...base,
            points: rule.points,
            fields: REQUIRED_FIELD_NAMES.filter((field) => rule.fields.includes(field)),
          };
        case 'INTEREST_KEYWORDS':
          return { ...base, points: rule.points, keywords: listOf(rule.keywords) };
        case 'SERVED_REGION':
          return {
            ...base,
            points: rule.points,
            cities: listOf(rule.cities),
            states: BRAZILIAN_STATES.filter((state) => rule.states.includes(state)),
          };
        case 'INCOME_BANDS':
          return {
            ...base,
            bands: rule.bands.map((band) => ({ min: band.min, points: band.points })),
          };
      }
    }),
    thresholds: { hot: draft.thresholds.hot, warm: draft.thresholds.warm },
  };
}

/** Whether two definitions score every lead alike, ignoring how the draft happens to hold them. */
export function sameDefinition(a: RuleSetDraft, b: RuleSetDraft): boolean {
  return JSON.stringify(toDefinition(a)) === JSON.stringify(toDefinition(b));
}

/** An id like the others ("interest-keywords-2"), not used by any rule of the draft yet. */
export function unusedRuleId(kind: RuleKind, rules: readonly RuleDraft[]): string {
  const stem = kind.toLowerCase().replaceAll('_', '-');
  const taken = new Set(rules.map((rule) => rule.id.trim()));
  if (!taken.has(stem)) return stem;
  let suffix = 2;
  while (taken.has(`${stem}-${suffix}`)) suffix++;
  return `${stem}-${suffix}`;
}

/** A new rule of a kind, with settings a person only has to adjust. */
export function newRule(kind: RuleKind, label: string, rules: readonly RuleDraft[]): RuleDraft {
  const base = { key: nextKey(), id: unusedRuleId(kind, rules), label };
  switch (kind) {
    case 'REQUIRED_FIELDS':
      return { ...base, kind, points: 5, fields: ['name', 'email'] };
    case 'INTEREST_KEYWORDS':
      return { ...base, kind, points: 5, keywords: '' };
    case 'SERVED_REGION':
      return { ...base, kind, points: 5, cities: '', states: [] };
    case 'INCOME_BANDS':
      return { ...base, kind, bands: [newBand(5_000, 5)] };
  }
}

export function newBand(min: number | null = null, points: number | null = null): IncomeBandDraft {
  return { key: nextKey(), min, points };
}

/** A band above the highest one, so a new band does not break the ascending order. */
export function nextBand(bands: readonly IncomeBandDraft[]): IncomeBandDraft {
  const highest = Math.max(0, ...bands.map((band) => band.min ?? 0));
  const points = Math.max(0, ...bands.map((band) => band.points ?? 0));
  return newBand(highest > 0 ? highest * 2 : 1_000, points + 1);
}

/** The lowest and highest scores a draft can give: every rule awards its points or nothing. */
export function scoreBounds(draft: RuleSetDraft): { min: number; max: number } {
  let max = 0;
  for (const rule of draft.rules) {
    const outcomes =
      rule.kind === 'INCOME_BANDS' ? rule.bands.map((band) => band.points) : [rule.points];
    max += Math.max(0, ...outcomes.map((points) => points ?? 0));
  }
  return { min: 0, max };
}

/** One issue of a rule, relative to it: `field` is "points", "bands.1.min", "keywords.3"... */
export interface RuleIssue {
  field: string;
  message: string;
}

export interface DraftIssues {
  /** Issues about the rule set as a whole (no rule, no threshold), e.g. "needs at least one rule". */
  general: string[];
  /** By threshold ("hot", "warm"), or "" for the thresholds as a whole. */
  thresholds: Partial<Record<'hot' | 'warm' | '', string[]>>;
  /** By rule index in the draft. */
  rules: Map<number, RuleIssue[]>;
}

/** Puts each of the API's issues (`path` dotted, "" for the whole set) where it belongs. */
export function issuesOf(issues: readonly { path: string; message: string }[]): DraftIssues {
  const result: DraftIssues = { general: [], thresholds: {}, rules: new Map() };
  for (const { path, message } of issues) {
    const [head, second, ...rest] = path === '' ? [] : path.split('.');
    if (head === 'thresholds') {
      const which = second === 'hot' || second === 'warm' ? second : '';
      (result.thresholds[which] ??= []).push(message);
    } else if (head === 'rules' && second !== undefined && /^\d+$/.test(second)) {
      const index = Number(second);
      const list = result.rules.get(index) ?? [];
      list.push({ field: rest.join('.'), message });
      result.rules.set(index, list);
    } else {
      result.general.push(message);
    }
  }
  return result;
}

/** The issues of one field of a rule; `under` also takes those of its items ("bands" → "bands.1.min"). */
export function fieldIssues(
  issues: readonly RuleIssue[] | undefined,
  field: string,
  under = false,
): RuleIssue[] {
  return (issues ?? []).filter(
    (issue) => issue.field === field || (under && issue.field.startsWith(`${field}.`)),
  );
}

/**
 * The messages for a list written one item per line ("keywords", "cities"): an issue about the
 * third item reads "Item 3: …" (the wording of `item`), since the lines carry no other name.
 */
export function listIssueMessages(
  issues: readonly RuleIssue[] | undefined,
  field: string,
  item: (position: number) => string,
): string[] {
  return fieldIssues(issues, field, true).map((issue) => {
    const index = issue.field.slice(field.length + 1).split('.')[0];
    return index && /^\d+$/.test(index)
      ? `${item(Number(index) + 1)}: ${issue.message}`
      : issue.message;
  });
}
