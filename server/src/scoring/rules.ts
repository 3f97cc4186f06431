import { z } from 'zod';
import { AppError } from '../errors.ts';
import { LeadOrigin } from '../generated/prisma/enums.ts';
import {
  BRAZILIAN_STATES,
  CityMatcher,
  KeywordMatcher,
  parseCity,
  wordKeys,
  type CityMatch,
  type KeywordMatch,
} from './text-matching.ts';

/*
 * Scoring rules as data. A rule set is JSON (stored in a jsonb column, edited by admins through
 * GraphQL), so its shape is a zod schema and the TypeScript types are derived from it.
 *
 * Points are never negative: every rule awards its points or nothing, so a score is never below
 * zero and the explanation entries add up to it with no hidden clamping. (Penalties were allowed
 * once, but only in sets whose lowest total stayed ≥ 0, which no set with a penalty can reach
 * while every rule may award nothing: the rule refused every penalty with a roundabout message.)
 */

export const RULE_KINDS = [
  'REQUIRED_FIELDS',
  'INTEREST_KEYWORDS',
  'SERVED_REGION',
  'INCOME_BANDS',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const REQUIRED_FIELD_NAMES = ['name', 'email', 'phone', 'origin'] as const;
export type RequiredField = (typeof REQUIRED_FIELD_NAMES)[number];

/** The classes a scored lead can get (LeadStatus without PROCESSING). */
export type ScoreStatus = 'HOT' | 'WARM' | 'COLD';

const MAX_POINTS = 1000;
const MAX_THRESHOLD = 100_000;

const pointsSchema = z
  .number({ error: 'Points must be a number' })
  .int('Points must be a whole number')
  .min(0, 'Points cannot be negative: a rule awards its points or nothing')
  .max(MAX_POINTS, `Points are at most ${MAX_POINTS}`);

const ruleBase = {
  /** Stable identifier, kept across edits; explanation entries refer to it. */
  id: z
    .string({ error: 'A rule needs an id' })
    .trim()
    .min(1, 'A rule needs an id')
    .max(64, 'A rule id has at most 64 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'A rule id may contain only letters, digits, "-" and "_"'),
  /** What admins and the lead's explanation call the rule. */
  label: z
    .string({ error: 'A rule needs a label' })
    .trim()
    .min(1, 'A rule needs a label')
    .max(120, 'A label has at most 120 characters'),
};

const hasWords = (text: string) => wordKeys(text).length > 0;

export const requiredFieldsRuleSchema = z
  .object({
    kind: z.literal('REQUIRED_FIELDS'),
    ...ruleBase,
    /** Awarded when every listed field is present and valid. */
    points: pointsSchema,
    fields: z
      .array(
        z.enum(REQUIRED_FIELD_NAMES, {
          error: `A required field is one of ${REQUIRED_FIELD_NAMES.join(', ')}`,
        }),
        { error: 'List the required fields' },
      )
      .min(1, 'List at least one required field'),
  })
  .superRefine((rule, context) => {
    rule.fields.forEach((field, index) => {
      if (rule.fields.indexOf(field) !== index) {
        context.addIssue({
          code: 'custom',
          path: ['fields', index],
          message: `"${field}" is listed twice`,
        });
      }
    });
  });

export const interestKeywordsRuleSchema = z.object({
  kind: z.literal('INTEREST_KEYWORDS'),
  ...ruleBase,
  /** Awarded once when the interest mentions any keyword, however many it mentions. */
  points: pointsSchema,
  /** Whole words or phrases; case, accents and Portuguese plurals do not matter. */
  keywords: z
    .array(
      z
        .string({ error: 'A keyword must be text' })
        .trim()
        .min(1, 'A keyword cannot be blank')
        .max(100, 'A keyword has at most 100 characters')
        .refine(hasWords, 'A keyword needs at least one letter or digit'),
      { error: 'List the keywords' },
    )
    .min(1, 'List at least one keyword')
    .max(500, 'A rule has at most 500 keywords'),
});

export const servedRegionRuleSchema = z
  .object({
    kind: z.literal('SERVED_REGION'),
    ...ruleBase,
    /** Awarded when the lead's city is one of the cities or carries one of the states' suffix. */
    points: pointsSchema,
    /** Whole city names; accents optional; may carry a state ("Campinas - SP") to pin it. */
    cities: z
      .array(
        z
          .string({ error: 'A city must be text' })
          .trim()
          .min(1, 'A city cannot be blank')
          .max(100, 'A city has at most 100 characters')
          .refine(hasWords, 'A city needs at least one letter')
          .refine(
            (city) => !hasWords(city) || parseCity(city).nameKey !== '',
            'This is a state abbreviation: list it under states, not cities',
          ),
        { error: 'List the cities' },
      )
      .max(500, 'A rule has at most 500 cities'),
    /**
     * State abbreviations served as a whole: a lead's city with that suffix ("Jundiaí - SP")
     * counts. A state counts only when listed here.
     */
    states: z
      .array(
        z
          .string({ error: 'A state must be text' })
          .trim()
          .toUpperCase()
          .pipe(
            z.enum(BRAZILIAN_STATES, {
              error: 'A state is a Brazilian state abbreviation such as SP or RJ',
            }),
          ),
      )
      .default([]),
  })
  .superRefine((rule, context) => {
    if (rule.cities.length === 0 && rule.states.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['cities'],
        message: 'List at least one city or state',
      });
    }
  });

const incomeBandSchema = z.object({
  /** The lowest income (inclusive) that falls in this band. */
  min: z
    .number({ error: 'A band needs a minimum income' })
    .min(0, 'A minimum income cannot be negative'),
  points: pointsSchema,
});

export const incomeBandsRuleSchema = z
  .object({
    kind: z.literal('INCOME_BANDS'),
    ...ruleBase,
    /** The highest band whose minimum is ≤ the income awards its points; below all bands, 0. */
    bands: z
      .array(incomeBandSchema, { error: 'List the income bands' })
      .min(1, 'List at least one income band')
      .max(50, 'A rule has at most 50 bands'),
  })
  .superRefine((rule, context) => {
    for (let index = 1; index < rule.bands.length; index++) {
      const previous = rule.bands[index - 1]!.min;
      const current = rule.bands[index]!.min;
      if (current <= previous) {
        context.addIssue({
          code: 'custom',
          path: ['bands', index, 'min'],
          message:
            current === previous
              ? 'Two bands cannot start at the same income'
              : 'Bands must be in ascending order of minimum income',
        });
      }
    }
  });

export const ruleSchema = z.discriminatedUnion(
  'kind',
  [
    requiredFieldsRuleSchema,
    interestKeywordsRuleSchema,
    servedRegionRuleSchema,
    incomeBandsRuleSchema,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `Unknown rule kind; use one of ${RULE_KINDS.join(', ')}`
        : undefined,
  },
);

const thresholdSchema = z
  .number({ error: 'A threshold must be a number' })
  .int('A threshold must be a whole number')
  .min(0, 'A threshold cannot be negative')
  .max(MAX_THRESHOLD, `A threshold is at most ${MAX_THRESHOLD}`);

/** The lowest score of each class: HOT from `hot` up, WARM from `warm` to hot - 1, COLD below. */
export const thresholdsSchema = z
  .object({ hot: thresholdSchema, warm: thresholdSchema }, { error: 'Set the thresholds' })
  .superRefine((thresholds, context) => {
    if (thresholds.hot <= thresholds.warm) {
      context.addIssue({
        code: 'custom',
        path: ['hot'],
        message: 'The hot threshold must be above the warm threshold',
      });
    }
  });

export const ruleSetSchema = z
  .object(
    {
      rules: z
        .array(ruleSchema, { error: 'List the rules' })
        .min(1, 'A rule set needs at least one rule')
        .max(100, 'A rule set has at most 100 rules'),
      thresholds: thresholdsSchema,
    },
    { error: 'A rule set is an object with rules and thresholds' },
  )
  .superRefine((ruleSet, context) => {
    const firstIndexById = new Map<string, number>();
    ruleSet.rules.forEach((rule, index) => {
      if (firstIndexById.has(rule.id)) {
        context.addIssue({
          code: 'custom',
          path: ['rules', index, 'id'],
          message: `The id "${rule.id}" is already used by rule ${firstIndexById.get(rule.id)! + 1}`,
        });
      } else {
        firstIndexById.set(rule.id, index);
      }
    });
  });

export type RequiredFieldsRule = z.infer<typeof requiredFieldsRuleSchema>;
export type InterestKeywordsRule = z.infer<typeof interestKeywordsRuleSchema>;
export type ServedRegionRule = z.infer<typeof servedRegionRuleSchema>;
export type IncomeBandsRule = z.infer<typeof incomeBandsRuleSchema>;
export type IncomeBand = z.infer<typeof incomeBandSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type Thresholds = z.infer<typeof thresholdsSchema>;
/** A validated rule set (what is stored). */
export type RuleSet = z.infer<typeof ruleSetSchema>;
/** What an admin may submit: like RuleSet, but `states` may be omitted or lower-case. */
export type RuleSetInput = z.input<typeof ruleSetSchema>;

/** The lowest and highest points one rule can award. */
export function ruleBounds(rule: Rule): { min: number; max: number } {
  // Every rule can also award 0: fields missing, no keyword, no city, income unknown.
  const outcomes =
    rule.kind === 'INCOME_BANDS' ? rule.bands.map((band) => band.points) : [rule.points];
  return { min: Math.min(0, ...outcomes), max: Math.max(0, ...outcomes) };
}

/** The range of scores a rule set can give, e.g. for a settings screen. */
export function scoreBounds(ruleSet: RuleSet): { min: number; max: number } {
  return ruleSet.rules.reduce(
    (bounds, rule) => {
      const { min, max } = ruleBounds(rule);
      return { min: bounds.min + min, max: bounds.max + max };
    },
    { min: 0, max: 0 },
  );
}

/** One validation problem: where (e.g. ["rules", 2, "bands", 1, "min"]) and what to do. */
export type RuleSetIssue = { path: (string | number)[]; message: string };

/** A rule set an admin submitted (or one read back from storage) is not valid. */
export class RuleSetValidationError extends AppError {
  override name = 'RuleSetValidationError';

  constructor(readonly issues: RuleSetIssue[]) {
    // One line, like ValidationError's: clients that read only `message` (n8n, scripts) see all.
    super(
      `Invalid rule set: ${issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ')}`,
    );
  }
}

function formatPath(path: (string | number)[]): string {
  return path.length === 0 ? '(rule set)' : path.join('.');
}

export type RuleSetValidation =
  { success: true; ruleSet: RuleSet } | { success: false; issues: RuleSetIssue[] };

/** Validates without throwing, for forms that show every issue next to its field. */
export function validateRuleSet(input: unknown): RuleSetValidation {
  const parsed = ruleSetSchema.safeParse(input);
  if (parsed.success) return { success: true, ruleSet: parsed.data };
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
    message: issue.message,
  }));
  return { success: false, issues };
}

/** Returns the validated (trimmed, normalised) rule set or throws RuleSetValidationError. */
export function parseRuleSet(input: unknown): RuleSet {
  const validation = validateRuleSet(input);
  if (!validation.success) throw new RuleSetValidationError(validation.issues);
  return validation.ruleSet;
}

/** A lead as stored: phone already E.164, email lower-case, income possibly a Decimal string. */
export type ScoringLead = {
  name: string | null;
  email: string | null;
  phone: string | null;
  origin: string | null;
  interest: string | null;
  approximateIncome: number | string | null;
  city: string | null;
};

/** Why a lead got (or did not get) one rule's points. */
export const explanationEntrySchema = z.object({
  ruleId: z.string(),
  kind: z.enum(RULE_KINDS),
  label: z.string(),
  points: z.number().int(),
  matched: z.boolean(),
  /** e.g. `keyword "apartamento"`, `city "São Paulo"`, `band ≥ 10,000`, `missing: phone`. */
  detail: z.string(),
});
export type ExplanationEntry = z.infer<typeof explanationEntrySchema>;

/** A lead's score, class and one explanation entry per rule; the entries' points sum to score. */
export type ScoreResult = { score: number; status: ScoreStatus; explanation: ExplanationEntry[] };

export type LeadScorer = (lead: ScoringLead) => ScoreResult;

export function classifyScore(score: number, thresholds: Thresholds): ScoreStatus {
  if (score >= thresholds.hot) return 'HOT';
  if (score >= thresholds.warm) return 'WARM';
  return 'COLD';
}

type RuleOutcome = { points: number; matched: boolean; detail: string };
type CompiledRule = { rule: Rule; evaluate: (lead: ScoringLead) => RuleOutcome };

/**
 * Validates a rule set and prepares its matchers once (normalised keywords and their plurals,
 * normalised cities), so scoring many leads does no repeated work.
 */
export function compileRuleSet(ruleSet: RuleSetInput): LeadScorer {
  const valid = parseRuleSet(ruleSet);
  const compiled: CompiledRule[] = valid.rules.map((rule) => ({
    rule,
    evaluate: compileRule(rule),
  }));
  return (lead) => {
    const explanation = compiled.map(({ rule, evaluate }): ExplanationEntry => {
      const outcome = evaluate(lead);
      return { ruleId: rule.id, kind: rule.kind, label: rule.label, ...outcome };
    });
    const score = explanation.reduce((sum, entry) => sum + entry.points, 0);
    return { score, status: classifyScore(score, valid.thresholds), explanation };
  };
}

// Rule sets are treated as immutable values: a rule set object is compiled once, on first use.
const scorerCache = new WeakMap<object, LeadScorer>();

/** Scores one lead. Reuses the compiled form of the same rule set object across calls. */
export function scoreLead(lead: ScoringLead, ruleSet: RuleSetInput): ScoreResult {
  let scorer = scorerCache.get(ruleSet);
  if (scorer === undefined) {
    scorer = compileRuleSet(ruleSet);
    scorerCache.set(ruleSet, scorer);
  }
  return scorer(lead);
}

function compileRule(rule: Rule): CompiledRule['evaluate'] {
  switch (rule.kind) {
    case 'REQUIRED_FIELDS':
      return compileRequiredFields(rule);
    case 'INTEREST_KEYWORDS':
      return compileInterestKeywords(rule);
    case 'SERVED_REGION':
      return compileServedRegion(rule);
    case 'INCOME_BANDS':
      return compileIncomeBands(rule);
  }
}

const emailSchema = z.email();
const e164 = /^\+[1-9]\d{7,14}$/;
const leadOrigins = new Set<string>(Object.values(LeadOrigin));

type FieldState = 'valid' | 'missing' | 'invalid';

function fieldState(lead: ScoringLead, field: RequiredField): FieldState {
  const value = lead[field]?.trim() ?? '';
  if (value === '') return 'missing';
  switch (field) {
    case 'name':
      return 'valid';
    case 'email':
      return emailSchema.safeParse(value).success ? 'valid' : 'invalid';
    case 'phone':
      return e164.test(value) ? 'valid' : 'invalid';
    case 'origin':
      return leadOrigins.has(value) ? 'valid' : 'invalid';
  }
}

function compileRequiredFields(rule: RequiredFieldsRule): CompiledRule['evaluate'] {
  return (lead) => {
    const states = rule.fields.map((field) => ({ field, state: fieldState(lead, field) }));
    const missing = states.filter(({ state }) => state === 'missing').map(({ field }) => field);
    const invalid = states.filter(({ state }) => state === 'invalid').map(({ field }) => field);
    if (missing.length === 0 && invalid.length === 0) {
      return {
        points: rule.points,
        matched: true,
        detail: `present and valid: ${rule.fields.join(', ')}`,
      };
    }
    const problems = [
      missing.length > 0 ? `missing: ${missing.join(', ')}` : null,
      invalid.length > 0 ? `invalid: ${invalid.join(', ')}` : null,
    ];
    return {
      points: 0,
      matched: false,
      detail: problems.filter((part) => part !== null).join('; '),
    };
  };
}

function compileInterestKeywords(rule: InterestKeywordsRule): CompiledRule['evaluate'] {
  const matcher = new KeywordMatcher(rule.keywords);
  return (lead) => {
    const interest = lead.interest?.trim() ?? '';
    if (interest === '') return { points: 0, matched: false, detail: 'no interest given' };
    const matches = matcher.findAll(interest);
    if (matches.length === 0) return { points: 0, matched: false, detail: 'no keyword mentioned' };
    const noun = matches.length === 1 ? 'keyword' : 'keywords';
    return {
      points: rule.points,
      matched: true,
      detail: `${noun} ${matches.map(describeKeyword).join(', ')}`,
    };
  };
}

function describeKeyword({ keyword, found }: KeywordMatch): string {
  // Says which word stood for the keyword when it was not simply the keyword itself (a plural).
  const sameWords = wordKeys(found).join(' ') === wordKeys(keyword).join(' ');
  return sameWords ? `"${keyword}"` : `"${keyword}" (as "${found}")`;
}

function compileServedRegion(rule: ServedRegionRule): CompiledRule['evaluate'] {
  const matcher = new CityMatcher(rule.cities, rule.states);
  return (lead) => {
    const city = lead.city?.trim() ?? '';
    if (city === '') return { points: 0, matched: false, detail: 'no city given' };
    const match = matcher.match(city);
    if (match === null)
      return { points: 0, matched: false, detail: `city "${city}" is not served` };
    return { points: rule.points, matched: true, detail: describeCity(match, city) };
  };
}

function describeCity(match: CityMatch, typed: string): string {
  return match.by === 'city' ? `city "${match.city}"` : `city "${typed}" in state ${match.state}`;
}

const decimalText = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** The income as a number; null when absent or not a number. Decimal columns arrive as text. */
export function parseIncome(value: number | string | null): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim();
  return decimalText.test(text) ? Number(text) : null;
}

const moneyFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function compileIncomeBands(rule: IncomeBandsRule): CompiledRule['evaluate'] {
  // Validation guarantees ascending minimums, so the last band that fits is the highest.
  const bands = [...rule.bands].reverse();
  const lowest = rule.bands[0]!;
  return (lead) => {
    const income = parseIncome(lead.approximateIncome);
    if (income === null) {
      const given =
        typeof lead.approximateIncome === 'string' && lead.approximateIncome.trim() !== '';
      const detail = given
        ? `income "${String(lead.approximateIncome)}" is not a number`
        : 'no income given';
      return { points: 0, matched: false, detail };
    }
    const band = bands.find((candidate) => candidate.min <= income);
    if (band === undefined) {
      const detail = `income ${moneyFormat.format(income)} is below the lowest band (≥ ${moneyFormat.format(lowest.min)})`;
      return { points: 0, matched: false, detail };
    }
    return { points: band.points, matched: true, detail: `band ≥ ${moneyFormat.format(band.min)}` };
  };
}
