import { z } from 'zod';
import { AppError } from '../errors.ts';
import { LeadOrigin } from '../generated/prisma/enums.ts';
import { bilingual, bilingualTemplate, translationsOf } from '../localization/catalog.ts';
import { localize, type Locale, type Translations } from '../localization/locale.ts';
import { defaultIssueTranslations } from '../localization/zod-messages.ts';
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

// Every message below is shown beside a setting of the dashboard's rule editor, so each comes
// with its Portuguese (see validateRuleSet).

const pointsSchema = z
  .number({ error: bilingual('Points must be a number', 'Os pontos devem ser um número') })
  .int(bilingual('Points must be a whole number', 'Os pontos devem ser um número inteiro'))
  .min(
    0,
    bilingual(
      'Points cannot be negative: a rule awards its points or nothing',
      'Os pontos não podem ser negativos: uma regra dá seus pontos ou nada',
    ),
  )
  .max(
    MAX_POINTS,
    bilingual(
      `Points are at most ${MAX_POINTS.toLocaleString('en-US')}`,
      `Os pontos podem ser no máximo ${MAX_POINTS.toLocaleString('pt-BR')}`,
    ),
  );

const ruleNeedsId = bilingual('A rule needs an id', 'A regra precisa de um identificador');
const ruleNeedsLabel = bilingual('A rule needs a label', 'A regra precisa de um nome');

const ruleBase = {
  /** Stable identifier, kept across edits; explanation entries refer to it. */
  id: z
    .string({ error: ruleNeedsId })
    .trim()
    .min(1, ruleNeedsId)
    .max(
      64,
      bilingual(
        'A rule id has at most 64 characters',
        'O identificador tem no máximo 64 caracteres',
      ),
    )
    .regex(
      /^[A-Za-z0-9_-]+$/,
      bilingual(
        'A rule id may contain only letters, digits, "-" and "_"',
        'O identificador só pode ter letras, números, "-" e "_"',
      ),
    ),
  /** What admins and the lead's explanation call the rule. */
  label: z
    .string({ error: ruleNeedsLabel })
    .trim()
    .min(1, ruleNeedsLabel)
    .max(
      120,
      bilingual(
        'A label has at most 120 characters',
        'O nome da regra tem no máximo 120 caracteres',
      ),
    ),
};

const hasWords = (text: string) => wordKeys(text).length > 0;

const listedTwice = bilingualTemplate<'field'>(
  '"{field}" is listed twice',
  '"{field}" aparece duas vezes',
);

export const requiredFieldsRuleSchema = z
  .object({
    kind: z.literal('REQUIRED_FIELDS'),
    ...ruleBase,
    /** Awarded when every listed field is present and valid. */
    points: pointsSchema,
    fields: z
      .array(
        z.enum(REQUIRED_FIELD_NAMES, {
          error: bilingual(
            `A required field is one of ${REQUIRED_FIELD_NAMES.join(', ')}`,
            `Um campo obrigatório é um destes: ${REQUIRED_FIELD_NAMES.join(', ')}`,
          ),
        }),
        { error: bilingual('List the required fields', 'Liste os campos obrigatórios') },
      )
      .min(
        1,
        bilingual('List at least one required field', 'Escolha pelo menos um campo obrigatório'),
      ),
  })
  .superRefine((rule, context) => {
    rule.fields.forEach((field, index) => {
      if (rule.fields.indexOf(field) !== index) {
        context.addIssue({
          code: 'custom',
          path: ['fields', index],
          message: listedTwice({ field }),
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
        .string({
          error: bilingual('A keyword must be text', 'Uma palavra-chave deve ser um texto'),
        })
        .trim()
        .min(
          1,
          bilingual('A keyword cannot be blank', 'Uma palavra-chave não pode ficar em branco'),
        )
        .max(
          100,
          bilingual(
            'A keyword has at most 100 characters',
            'Uma palavra-chave tem no máximo 100 caracteres',
          ),
        )
        .refine(
          hasWords,
          bilingual(
            'A keyword needs at least one letter or digit',
            'Uma palavra-chave precisa de pelo menos uma letra ou número',
          ),
        ),
      { error: bilingual('List the keywords', 'Liste as palavras-chave') },
    )
    .min(1, bilingual('List at least one keyword', 'Informe pelo menos uma palavra-chave'))
    .max(
      500,
      bilingual('A rule has at most 500 keywords', 'Uma regra tem no máximo 500 palavras-chave'),
    ),
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
          .string({ error: bilingual('A city must be text', 'Uma cidade deve ser um texto') })
          .trim()
          .min(1, bilingual('A city cannot be blank', 'Uma cidade não pode ficar em branco'))
          .max(
            100,
            bilingual(
              'A city has at most 100 characters',
              'Uma cidade tem no máximo 100 caracteres',
            ),
          )
          .refine(
            hasWords,
            bilingual(
              'A city needs at least one letter',
              'Uma cidade precisa de pelo menos uma letra',
            ),
          )
          .refine(
            (city) => !hasWords(city) || parseCity(city).nameKey !== '',
            bilingual(
              'This is a state abbreviation: list it under states, not cities',
              'Isto é a sigla de um estado: coloque-a em estados, não em cidades',
            ),
          ),
        { error: bilingual('List the cities', 'Liste as cidades') },
      )
      .max(500, bilingual('A rule has at most 500 cities', 'Uma regra tem no máximo 500 cidades')),
    /**
     * State abbreviations served as a whole: a lead's city with that suffix ("Jundiaí - SP")
     * counts. A state counts only when listed here.
     */
    states: z
      .array(
        z
          .string({ error: bilingual('A state must be text', 'Um estado deve ser um texto') })
          .trim()
          .toUpperCase()
          .pipe(
            z.enum(BRAZILIAN_STATES, {
              error: bilingual(
                'A state is a Brazilian state abbreviation such as SP or RJ',
                'Um estado é a sigla de um estado brasileiro, como SP ou RJ',
              ),
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
        message: bilingual(
          'List at least one city or state',
          'Informe pelo menos uma cidade ou estado',
        ),
      });
    }
  });

const incomeBandSchema = z.object({
  /** The lowest income (inclusive) that falls in this band. */
  min: z
    .number({
      error: bilingual('A band needs a minimum income', 'A faixa precisa de uma renda mínima'),
    })
    .min(
      0,
      bilingual('A minimum income cannot be negative', 'A renda mínima não pode ser negativa'),
    ),
  points: pointsSchema,
});

export const incomeBandsRuleSchema = z
  .object({
    kind: z.literal('INCOME_BANDS'),
    ...ruleBase,
    /** The highest band whose minimum is ≤ the income awards its points; below all bands, 0. */
    bands: z
      .array(incomeBandSchema, {
        error: bilingual('List the income bands', 'Liste as faixas de renda'),
      })
      .min(1, bilingual('List at least one income band', 'Informe pelo menos uma faixa de renda'))
      .max(50, bilingual('A rule has at most 50 bands', 'Uma regra tem no máximo 50 faixas')),
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
              ? bilingual(
                  'Two bands cannot start at the same income',
                  'Duas faixas não podem começar na mesma renda',
                )
              : bilingual(
                  'Bands must be in ascending order of minimum income',
                  'As faixas devem estar em ordem crescente de renda mínima',
                ),
        });
      }
    }
  });

const unknownKind = bilingual(
  `Unknown rule kind; use one of ${RULE_KINDS.join(', ')}`,
  `Tipo de regra desconhecido; use um destes: ${RULE_KINDS.join(', ')}`,
);

export const ruleSchema = z.discriminatedUnion(
  'kind',
  [
    requiredFieldsRuleSchema,
    interestKeywordsRuleSchema,
    servedRegionRuleSchema,
    incomeBandsRuleSchema,
  ],
  {
    error: (issue) => (issue.code === 'invalid_union' ? unknownKind : undefined),
  },
);

const thresholdSchema = z
  .number({ error: bilingual('A threshold must be a number', 'Um limite deve ser um número') })
  .int(bilingual('A threshold must be a whole number', 'Um limite deve ser um número inteiro'))
  .min(0, bilingual('A threshold cannot be negative', 'Um limite não pode ser negativo'))
  .max(
    MAX_THRESHOLD,
    bilingual(
      `A threshold is at most ${MAX_THRESHOLD}`,
      `Um limite pode ser no máximo ${MAX_THRESHOLD.toLocaleString('pt-BR')}`,
    ),
  );

/** The lowest score of each class: HOT from `hot` up, WARM from `warm` to hot - 1, COLD below. */
export const thresholdsSchema = z
  .object(
    { hot: thresholdSchema, warm: thresholdSchema },
    { error: bilingual('Set the thresholds', 'Defina os limites') },
  )
  .superRefine((thresholds, context) => {
    if (thresholds.hot <= thresholds.warm) {
      context.addIssue({
        code: 'custom',
        path: ['hot'],
        message: bilingual(
          'The hot threshold must be above the warm threshold',
          'O limite de quente deve ser maior que o de morno',
        ),
      });
    }
  });

const idTaken = bilingualTemplate<'id' | 'position'>(
  'The id "{id}" is already used by rule {position}',
  'O identificador "{id}" já é usado pela regra {position}',
);

export const ruleSetSchema = z
  .object(
    {
      rules: z
        .array(ruleSchema, { error: bilingual('List the rules', 'Liste as regras') })
        .min(1, bilingual('A rule set needs at least one rule', 'É preciso pelo menos uma regra'))
        .max(100, bilingual('A rule set has at most 100 rules', 'Use no máximo 100 regras')),
      thresholds: thresholdsSchema,
    },
    {
      error: bilingual(
        'A rule set is an object with rules and thresholds',
        'Esperava um objeto com rules e thresholds',
      ),
    },
  )
  .superRefine((ruleSet, context) => {
    const firstIndexById = new Map<string, number>();
    ruleSet.rules.forEach((rule, index) => {
      if (firstIndexById.has(rule.id)) {
        context.addIssue({
          code: 'custom',
          path: ['rules', index, 'id'],
          message: idTaken({ id: rule.id, position: firstIndexById.get(rule.id)! + 1 }),
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

/**
 * One validation problem: where (e.g. ["rules", 2, "bands", 1, "min"]) and what to do, in English
 * with its translations.
 */
export type RuleSetIssue = {
  path: (string | number)[];
  message: string;
  translations?: Translations;
};

/** A rule set an admin submitted (or one read back from storage) is not valid. */
export class RuleSetValidationError extends AppError {
  override name = 'RuleSetValidationError';

  constructor(readonly issues: RuleSetIssue[]) {
    // One line, like ValidationError's: clients that read only `message` (n8n, scripts) see all.
    super(ruleSetSummary(issues, 'en'), { 'pt-BR': ruleSetSummary(issues, 'pt-BR') });
  }
}

const summaryWords: Record<Locale, { invalid: string; wholeSet: string }> = {
  en: { invalid: 'Invalid rule set', wholeSet: '(rule set)' },
  'pt-BR': { invalid: 'Regras inválidas', wholeSet: '(regras)' },
};

/** Every issue in one line, in `locale`: "Invalid rule set: rules.0.points: …; …". */
function ruleSetSummary(issues: readonly RuleSetIssue[], locale: Locale): string {
  const words = summaryWords[locale];
  const located = issues.map(
    (issue) =>
      `${issue.path.length === 0 ? words.wholeSet : issue.path.join('.')}: ${localize(issue, locale)}`,
  );
  return `${words.invalid}: ${located.join('; ')}`;
}

export type RuleSetValidation =
  { success: true; ruleSet: RuleSet } | { success: false; issues: RuleSetIssue[] };

/** Validates without throwing, for forms that show every issue next to its field. */
export function validateRuleSet(input: unknown): RuleSetValidation {
  const parsed = ruleSetSchema.safeParse(input);
  if (parsed.success) return { success: true, ruleSet: parsed.data };
  const issues = parsed.error.issues.map((issue): RuleSetIssue => {
    // Our messages are in the catalog; checks without one are worded by zod-messages.ts.
    const translations = translationsOf(issue.message) ?? defaultIssueTranslations(issue);
    return {
      path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
      message: issue.message,
      ...(translations && { translations }),
    };
  });
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
  /**
   * e.g. `keyword "apartamento"`, `city "São Paulo"`, `band ≥ 10,000`, `missing: phone`; stored
   * in English, a catalog entry (read it with catalogMessage).
   */
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

// Explanation details are stored in English with the lead and worded in the reader's language
// when read (catalogMessage): every one is a catalog entry.
const listedFields = bilingualTemplate<'fields'>(
  'present and valid: {fields}',
  'presentes e válidos: {fields}',
);
const missingAndInvalidFields = bilingualTemplate<'missing' | 'invalid'>(
  'missing: {missing}; invalid: {invalid}',
  'faltando: {missing}; inválidos: {invalid}',
);
const missingFields = bilingualTemplate<'fields'>('missing: {fields}', 'faltando: {fields}');
const invalidFields = bilingualTemplate<'fields'>('invalid: {fields}', 'inválidos: {fields}');
const oneKeyword = bilingualTemplate<'keywords'>('keyword {keywords}', 'palavra-chave {keywords}');
const manyKeywords = bilingualTemplate<'keywords'>(
  'keywords {keywords}',
  'palavras-chave {keywords}',
);
const servedCity = bilingualTemplate<'city'>('city "{city}"', 'cidade "{city}"');
const cityInState = bilingualTemplate<'city' | 'state'>(
  'city "{city}" in state {state}',
  'cidade "{city}" no estado {state}',
);

const details = {
  valid: (fields: readonly string[]) => listedFields({ fields: fields.join(', ') }),
  fieldProblems(missing: string[], invalid: string[]): string {
    if (invalid.length === 0) return missingFields({ fields: missing.join(', ') });
    if (missing.length === 0) return invalidFields({ fields: invalid.join(', ') });
    return missingAndInvalidFields({ missing: missing.join(', '), invalid: invalid.join(', ') });
  },
  noInterest: bilingual('no interest given', 'interesse não informado'),
  noKeyword: bilingual('no keyword mentioned', 'nenhuma palavra-chave mencionada'),
  keywords(matches: KeywordMatch[]): string {
    const keywords = matches.map(describeKeyword).join(', ');
    return matches.length === 1 ? oneKeyword({ keywords }) : manyKeywords({ keywords });
  },
  noCity: bilingual('no city given', 'cidade não informada'),
  cityNotServed: bilingualTemplate<'city'>(
    'city "{city}" is not served',
    'a cidade "{city}" não é atendida',
  ),
  city: (match: CityMatch, typed: string) =>
    match.by === 'city'
      ? servedCity({ city: match.city })
      : cityInState({ city: typed, state: match.state }),
  noIncome: bilingual('no income given', 'renda não informada'),
  incomeNotNumber: bilingualTemplate<'income'>(
    'income "{income}" is not a number',
    'a renda "{income}" não é um número',
  ),
  belowLowestBand: bilingualTemplate<'income' | 'min'>(
    'income {income} is below the lowest band (≥ {min})',
    'a renda {income} está abaixo da menor faixa (≥ {min})',
  ),
  band: bilingualTemplate<'min'>('band ≥ {min}', 'faixa ≥ {min}'),
};

// The keyword, and in parentheses the words that stood for it when they were not simply the
// keyword itself (a plural): `"apartamento" ("apartamentos")`, the same in both languages.
function describeKeyword({ keyword, found }: KeywordMatch): string {
  const sameWords = wordKeys(found).join(' ') === wordKeys(keyword).join(' ');
  return sameWords ? `"${keyword}"` : `"${keyword}" ("${found}")`;
}

function compileRequiredFields(rule: RequiredFieldsRule): CompiledRule['evaluate'] {
  return (lead) => {
    const states = rule.fields.map((field) => ({ field, state: fieldState(lead, field) }));
    const missing = states.filter(({ state }) => state === 'missing').map(({ field }) => field);
    const invalid = states.filter(({ state }) => state === 'invalid').map(({ field }) => field);
    if (missing.length === 0 && invalid.length === 0) {
      return { points: rule.points, matched: true, detail: details.valid(rule.fields) };
    }
    return { points: 0, matched: false, detail: details.fieldProblems(missing, invalid) };
  };
}

function compileInterestKeywords(rule: InterestKeywordsRule): CompiledRule['evaluate'] {
  const matcher = new KeywordMatcher(rule.keywords);
  return (lead) => {
    const interest = lead.interest?.trim() ?? '';
    if (interest === '') return { points: 0, matched: false, detail: details.noInterest };
    const matches = matcher.findAll(interest);
    if (matches.length === 0) return { points: 0, matched: false, detail: details.noKeyword };
    return { points: rule.points, matched: true, detail: details.keywords(matches) };
  };
}

function compileServedRegion(rule: ServedRegionRule): CompiledRule['evaluate'] {
  const matcher = new CityMatcher(rule.cities, rule.states);
  return (lead) => {
    const city = lead.city?.trim() ?? '';
    if (city === '') return { points: 0, matched: false, detail: details.noCity };
    const match = matcher.match(city);
    if (match === null)
      return { points: 0, matched: false, detail: details.cityNotServed({ city }) };
    return { points: rule.points, matched: true, detail: details.city(match, city) };
  };
}

const decimalText = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** The income as a number; null when absent or not a number. Decimal columns arrive as text. */
export function parseIncome(value: number | string | null): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim();
  return decimalText.test(text) ? Number(text) : null;
}

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
        ? details.incomeNotNumber({ income: String(lead.approximateIncome) })
        : details.noIncome;
      return { points: 0, matched: false, detail };
    }
    const band = bands.find((candidate) => candidate.min <= income);
    if (band === undefined) {
      const detail = details.belowLowestBand({ income, min: lowest.min });
      return { points: 0, matched: false, detail };
    }
    return { points: band.points, matched: true, detail: details.band({ min: band.min }) };
  };
}
