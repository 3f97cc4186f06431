import { describe, expect, test } from 'vitest';
import { catalogMessage } from '../localization/catalog.ts';
import { defaultRuleSet } from './default-rule-set.ts';
import {
  classifyScore,
  compileRuleSet,
  parseIncome,
  parseRuleSet,
  RuleSetValidationError,
  scoreBounds,
  scoreLead,
  validateRuleSet,
  type ExplanationEntry,
  type RuleSetInput,
  type ScoringLead,
} from './rules.ts';
import { CityMatcher, KeywordMatcher, normalizeText, pluralForms } from './text-matching.ts';

const completeLead: ScoringLead = {
  name: 'Maria Souza',
  email: 'maria@example.com',
  phone: '+5511999999999',
  origin: 'META_ADS',
  interest: null,
  approximateIncome: null,
  city: null,
};

function entry(explanation: ExplanationEntry[], ruleId: string): ExplanationEntry {
  const found = explanation.find((candidate) => candidate.ruleId === ruleId);
  if (found === undefined) throw new Error(`no explanation entry for ${ruleId}`);
  return found;
}

function scoreWithDefaults(changes: Partial<ScoringLead>) {
  return scoreLead({ ...completeLead, ...changes }, defaultRuleSet);
}

function sumOf(explanation: ExplanationEntry[]): number {
  return explanation.reduce((sum, item) => sum + item.points, 0);
}

describe('the documentation example', () => {
  test('scores "Apartamento para investimento", 15,000, São Paulo as 37, HOT', () => {
    const result = scoreWithDefaults({
      interest: 'Apartamento para investimento',
      approximateIncome: '15000.00',
      city: 'São Paulo',
    });

    expect(result.score).toBe(37);
    expect(result.status).toBe('HOT');
    expect(sumOf(result.explanation)).toBe(37);
    expect(result.explanation).toEqual([
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
  });
});

describe('the default rule set', () => {
  test('holds the original values', () => {
    expect(defaultRuleSet.thresholds).toEqual({ hot: 25, warm: 15 });
    expect(defaultRuleSet.rules.map((rule) => [rule.id, rule.kind])).toEqual([
      ['required-fields', 'REQUIRED_FIELDS'],
      ['high-ticket-interest', 'INTEREST_KEYWORDS'],
      ['served-region', 'SERVED_REGION'],
      ['income', 'INCOME_BANDS'],
    ]);
    const [required, keywords, region, income] = defaultRuleSet.rules;
    expect(required).toMatchObject({ points: 10, fields: ['name', 'email', 'phone', 'origin'] });
    expect(keywords).toMatchObject({ points: 15 });
    expect(keywords?.kind === 'INTEREST_KEYWORDS' && keywords.keywords).toHaveLength(17);
    expect(region).toMatchObject({ points: 5, states: [] });
    expect(region?.kind === 'SERVED_REGION' && region.cities).toHaveLength(13);
    expect(income).toMatchObject({
      bands: [
        { min: 3000, points: 3 },
        { min: 5000, points: 5 },
        { min: 10000, points: 7 },
        { min: 20000, points: 10 },
      ],
    });
  });

  test('passes validation unchanged', () => {
    expect(validateRuleSet(defaultRuleSet)).toEqual({ success: true, ruleSet: defaultRuleSet });
  });

  test('ranges from 0 to 40 points', () => {
    expect(scoreBounds(defaultRuleSet)).toEqual({ min: 0, max: 40 });
  });

  test('survives a JSON round trip, as a jsonb column does', () => {
    const stored: unknown = JSON.parse(JSON.stringify(defaultRuleSet));
    expect(parseRuleSet(stored)).toEqual(defaultRuleSet);
  });
});

describe('interest keywords', () => {
  test.each([
    { interest: 'Casamento na praia', detail: 'no keyword mentioned' },
    { interest: 'casarão antigo', detail: 'no keyword mentioned' },
    { interest: 'quero lotear', detail: 'no keyword mentioned' },
    { interest: 'Quero comprar um carro', detail: 'no keyword mentioned' },
    { interest: '   ', detail: 'no interest given' },
    { interest: null, detail: 'no interest given' },
  ])('gives no points for interest $interest', ({ interest, detail }) => {
    const result = scoreWithDefaults({ interest });
    expect(entry(result.explanation, 'high-ticket-interest')).toMatchObject({
      points: 0,
      matched: false,
      detail,
    });
  });

  test.each([
    { interest: 'Casas no litoral', detail: 'keyword "casa" ("Casas")' },
    { interest: 'imóveis para alugar', detail: 'keyword "imóvel" ("imóveis")' },
    { interest: 'dois apartamentos', detail: 'keyword "apartamento" ("apartamentos")' },
    { interest: 'lojas de rua', detail: 'keyword "loja" ("lojas")' },
    { interest: 'um imovel', detail: 'keyword "imóvel"' },
    { interest: 'IMÓVEL NOVO', detail: 'keyword "imóvel"' },
    { interest: 'imo\u0301vel decomposto', detail: 'keyword "imóvel"' },
    { interest: 'Galpões industriais', detail: 'keyword "galpão" ("Galpões")' },
    { interest: 'aplicacoes financeiras', detail: 'keyword "aplicação" ("aplicacoes")' },
    { interest: 'Lote-12, quadra B', detail: 'keyword "lote"' },
    { interest: 'salas: escritórios!', detail: 'keyword "escritório" ("escritórios")' },
    {
      interest: 'imóveis comerciais',
      detail: 'keywords "imóvel" ("imóveis"), "comercial" ("comerciais")',
    },
  ])('awards 15 points for interest $interest', ({ interest, detail }) => {
    const result = scoreWithDefaults({ interest });
    expect(entry(result.explanation, 'high-ticket-interest')).toMatchObject({
      points: 15,
      matched: true,
      detail,
    });
  });

  test('awards a rule once however many keywords the interest mentions', () => {
    const result = scoreWithDefaults({ interest: 'casa, apartamento, terreno e loja de luxo' });
    expect(entry(result.explanation, 'high-ticket-interest').points).toBe(15);
    expect(result.score).toBe(25);
  });

  test('lets a second keyword rule award its own points', () => {
    const ruleSet: RuleSetInput = {
      ...defaultRuleSet,
      rules: [
        ...defaultRuleSet.rules,
        {
          kind: 'INTEREST_KEYWORDS',
          id: 'beach',
          label: 'Beach property',
          points: 8,
          keywords: ['casa de praia', 'litoral'],
        },
      ],
    };
    const scorer = compileRuleSet(ruleSet);

    const both = scorer({ ...completeLead, interest: 'Casas de praia no litoral' });
    expect(entry(both.explanation, 'high-ticket-interest')).toMatchObject({ points: 15 });
    expect(entry(both.explanation, 'beach')).toMatchObject({
      points: 8,
      matched: true,
      detail: 'keywords "casa de praia" ("Casas de praia"), "litoral"',
    });
    expect(both.score).toBe(10 + 15 + 8);
    expect(sumOf(both.explanation)).toBe(both.score);

    const notThePhrase = scorer({ ...completeLead, interest: 'casa perto da praia' });
    expect(entry(notThePhrase.explanation, 'beach')).toMatchObject({ points: 0, matched: false });
    expect(notThePhrase.score).toBe(25);
  });
});

describe('served region', () => {
  test.each([
    'São Paulo',
    'Sao Paulo - SP',
    'são paulo/sp',
    'SÃO PAULO',
    'Sao Paulo (SP)',
    'São Paulo, SP',
    'São Paulo SP',
    'São Paulo-SP',
    '  sao   paulo  ',
  ])('awards 5 points for the city %s', (city) => {
    const result = scoreWithDefaults({ city });
    expect(entry(result.explanation, 'served-region')).toMatchObject({
      points: 5,
      matched: true,
      detail: 'city "São Paulo"',
    });
  });

  test.each([
    ['Brasilia - DF', 'city "Brasília"'],
    ['rio de janeiro/RJ', 'city "Rio de Janeiro"'],
    ['GOIANIA', 'city "Goiânia"'],
  ])('matches %s to its configured spelling', (city, detail) => {
    expect(entry(scoreWithDefaults({ city }).explanation, 'served-region').detail).toBe(detail);
  });

  test.each([
    'Espírito Santo',
    'Campinas do Sul',
    'sp',
    'SP',
    'Jundiaí - SP',
    'São Paulo do Potengi',
    'Santos Dumont',
  ])('gives no points for the city %s', (city) => {
    const result = scoreWithDefaults({ city });
    expect(entry(result.explanation, 'served-region')).toMatchObject({
      points: 0,
      matched: false,
      detail: `city "${city}" is not served`,
    });
  });

  test('explains a missing city', () => {
    expect(entry(scoreWithDefaults({ city: ' ' }).explanation, 'served-region').detail).toBe(
      'no city given',
    );
  });

  const withStateRegion = compileRuleSet({
    rules: [
      {
        kind: 'SERVED_REGION',
        id: 'sp',
        label: 'São Paulo state',
        points: 5,
        cities: [],
        states: ['sp'],
      },
    ],
    thresholds: { hot: 10, warm: 5 },
  });

  test.each([
    ['Jundiaí - SP', 'city "Jundiaí - SP" in state SP'],
    ['campinas/sp', 'city "campinas/sp" in state SP'],
    ['SP', 'city "SP" in state SP'],
  ])('counts %s when SP is configured as a state region', (city, detail) => {
    expect(withStateRegion({ ...completeLead, city }).explanation[0]).toMatchObject({
      points: 5,
      matched: true,
      detail,
    });
  });

  test.each(['Niterói - RJ', 'Espírito Santo', 'Jundiaí'])(
    'does not count %s when only SP is configured as a state region',
    (city) => {
      expect(withStateRegion({ ...completeLead, city }).explanation[0]).toMatchObject({
        points: 0,
        matched: false,
      });
    },
  );

  test('holds a configured city to its own state when the lead gives one', () => {
    const matcher = new CityMatcher(['Campinas - SP']);
    expect(matcher.match('Campinas')).toEqual({ by: 'city', city: 'Campinas - SP' });
    expect(matcher.match('campinas/sp')).toEqual({ by: 'city', city: 'Campinas - SP' });
    expect(matcher.match('Campinas - GO')).toBeNull();
  });
});

describe('income bands', () => {
  test.each([
    { income: null, points: 0, detail: 'no income given' },
    { income: 0, points: 0, detail: 'income 0 is below the lowest band (≥ 3,000)' },
    { income: 2999.99, points: 0, detail: 'income 2,999.99 is below the lowest band (≥ 3,000)' },
    { income: 3000, points: 3, detail: 'band ≥ 3,000' },
    { income: '3000.00', points: 3, detail: 'band ≥ 3,000' },
    { income: 4999.99, points: 3, detail: 'band ≥ 3,000' },
    { income: 5000, points: 5, detail: 'band ≥ 5,000' },
    { income: '9999.99', points: 5, detail: 'band ≥ 5,000' },
    { income: '10000', points: 7, detail: 'band ≥ 10,000' },
    { income: 19999.99, points: 7, detail: 'band ≥ 10,000' },
    { income: 20000, points: 10, detail: 'band ≥ 20,000' },
    { income: '1500000.50', points: 10, detail: 'band ≥ 20,000' },
    { income: 'abc', points: 0, detail: 'income "abc" is not a number' },
    { income: '', points: 0, detail: 'no income given' },
  ])('awards $points points for income $income', ({ income, points, detail }) => {
    const result = scoreWithDefaults({ approximateIncome: income });
    expect(entry(result.explanation, 'income')).toMatchObject({
      points,
      matched: points > 0,
      detail,
    });
  });

  test.each([
    ['15000.00', 15000],
    [' 42 ', 42],
    ['.5', 0.5],
    ['1e5', null],
    ['15.000,00', null],
    [Number.NaN, null],
  ])('parses income %s as %s', (income, expected) => {
    expect(parseIncome(income)).toBe(expected);
  });
});

describe('required fields', () => {
  test.each([
    { problem: 'no phone', changes: { phone: null }, detail: 'missing: phone' },
    { problem: 'a blank name', changes: { name: '   ' }, detail: 'missing: name' },
    { problem: 'a malformed email', changes: { email: 'not-an-email' }, detail: 'invalid: email' },
    { problem: 'a phone without +', changes: { phone: '11999999999' }, detail: 'invalid: phone' },
    {
      problem: 'a phone with country code 0',
      changes: { phone: '+0123456789' },
      detail: 'invalid: phone',
    },
    { problem: 'an unknown origin', changes: { origin: 'TIKTOK' }, detail: 'invalid: origin' },
    {
      problem: 'several problems at once',
      changes: { name: null, phone: '', email: 'maria@', origin: null },
      detail: 'missing: name, phone, origin; invalid: email',
    },
  ])('withholds the points for $problem and says why', ({ changes, detail }) => {
    const result = scoreWithDefaults(changes);
    expect(entry(result.explanation, 'required-fields')).toMatchObject({
      points: 0,
      matched: false,
      detail,
    });
  });

  test('checks only the configured fields', () => {
    const scorer = compileRuleSet({
      rules: [
        { kind: 'REQUIRED_FIELDS', id: 'contact', label: 'Contact', points: 4, fields: ['email'] },
      ],
      thresholds: { hot: 4, warm: 2 },
    });
    const result = scorer({ ...completeLead, name: null, phone: null, origin: null });
    expect(result).toMatchObject({ score: 4, status: 'HOT' });
  });
});

describe('classes', () => {
  test.each([
    [0, 'COLD'],
    [14, 'COLD'],
    [15, 'WARM'],
    [24, 'WARM'],
    [25, 'HOT'],
    [40, 'HOT'],
  ] as const)('classifies %i points as %s with the default thresholds', (score, status) => {
    expect(classifyScore(score, defaultRuleSet.thresholds)).toBe(status);
    const scorer = compileRuleSet({
      rules: [
        { kind: 'REQUIRED_FIELDS', id: 'all', label: 'All', points: score, fields: ['name'] },
      ],
      thresholds: defaultRuleSet.thresholds,
    });
    expect(scorer(completeLead)).toMatchObject({ score, status });
  });
});

describe('explanations', () => {
  test('always add up to the score, with one entry per rule', () => {
    const interests = [null, 'casamento', 'Casas e lojas', 'aplicação financeira', 'carro'];
    const cities = [null, 'São Paulo - SP', 'Espírito Santo', 'recife'];
    const incomes = [null, '2999.99', 3000, '15000.00', 20000];
    const scorer = compileRuleSet(defaultRuleSet);
    let checked = 0;
    for (const interest of interests) {
      for (const city of cities) {
        for (const approximateIncome of incomes) {
          for (const phone of ['+5511999999999', null]) {
            const lead = { ...completeLead, interest, city, approximateIncome, phone };
            const result = scorer(lead);
            expect(result.explanation.map((item) => item.ruleId)).toEqual([
              'required-fields',
              'high-ticket-interest',
              'served-region',
              'income',
            ]);
            expect(sumOf(result.explanation)).toBe(result.score);
            expect(result.score).toBeGreaterThanOrEqual(0);
            expect(result.status).toBe(classifyScore(result.score, defaultRuleSet.thresholds));
            expect(scoreLead(lead, defaultRuleSet)).toEqual(result);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(200);
  });
});

describe('rule set validation', () => {
  const keywordRule = {
    kind: 'INTEREST_KEYWORDS',
    id: 'kw',
    label: 'Keywords',
    points: 5,
    keywords: ['casa'],
  };
  const thresholds = { hot: 10, warm: 5 };

  function issuesOf(input: unknown) {
    const validation = validateRuleSet(input);
    if (validation.success) throw new Error('expected the rule set to be invalid');
    return validation.issues;
  }

  test.each([
    {
      problem: 'descending bands',
      input: {
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
        ],
        thresholds,
      },
      path: ['rules', 0, 'bands', 1, 'min'],
      message: 'Bands must be in ascending order of minimum income',
      portuguese: 'As faixas devem estar em ordem crescente de renda mínima',
    },
    {
      problem: 'two bands at the same income',
      input: {
        rules: [
          {
            kind: 'INCOME_BANDS',
            id: 'income',
            label: 'Income',
            bands: [
              { min: 3000, points: 3 },
              { min: 3000, points: 5 },
            ],
          },
        ],
        thresholds,
      },
      path: ['rules', 0, 'bands', 1, 'min'],
      message: 'Two bands cannot start at the same income',
      portuguese: 'Duas faixas não podem começar na mesma renda',
    },
    {
      problem: 'a hot threshold below the warm one',
      input: { rules: [keywordRule], thresholds: { hot: 15, warm: 25 } },
      path: ['thresholds', 'hot'],
      message: 'The hot threshold must be above the warm threshold',
      portuguese: 'O limite de quente deve ser maior que o de morno',
    },
    {
      problem: 'equal thresholds',
      input: { rules: [keywordRule], thresholds: { hot: 15, warm: 15 } },
      path: ['thresholds', 'hot'],
      message: 'The hot threshold must be above the warm threshold',
      portuguese: 'O limite de quente deve ser maior que o de morno',
    },
    {
      problem: 'negative points',
      input: {
        rules: [
          keywordRule,
          { ...keywordRule, id: 'rent', label: 'Rent only', points: -5, keywords: ['aluguel'] },
        ],
        thresholds,
      },
      path: ['rules', 1, 'points'],
      message: 'Points cannot be negative: a rule awards its points or nothing',
      portuguese: 'Os pontos não podem ser negativos: uma regra dá seus pontos ou nada',
    },
    {
      problem: 'a band with negative points',
      input: {
        rules: [
          { kind: 'INCOME_BANDS', id: 'income', label: 'Income', bands: [{ min: 0, points: -1 }] },
        ],
        thresholds,
      },
      path: ['rules', 0, 'bands', 0, 'points'],
      message: 'Points cannot be negative: a rule awards its points or nothing',
      portuguese: 'Os pontos não podem ser negativos: uma regra dá seus pontos ou nada',
    },
    {
      problem: 'an unknown kind',
      input: { rules: [{ ...keywordRule, kind: 'AGE' }], thresholds },
      path: ['rules', 0, 'kind'],
      message:
        'Unknown rule kind; use one of REQUIRED_FIELDS, INTEREST_KEYWORDS, SERVED_REGION, INCOME_BANDS',
      portuguese:
        'Tipo de regra desconhecido; use um destes: REQUIRED_FIELDS, INTEREST_KEYWORDS, SERVED_REGION, INCOME_BANDS',
    },
    {
      problem: 'an empty keyword list',
      input: { rules: [{ ...keywordRule, keywords: [] }], thresholds },
      path: ['rules', 0, 'keywords'],
      message: 'List at least one keyword',
      portuguese: 'Informe pelo menos uma palavra-chave',
    },
    {
      problem: 'a blank keyword',
      input: { rules: [{ ...keywordRule, keywords: ['casa', '  '] }], thresholds },
      path: ['rules', 0, 'keywords', 1],
      message: 'A keyword cannot be blank',
      portuguese: 'Uma palavra-chave não pode ficar em branco',
    },
    {
      problem: 'a keyword of punctuation only',
      input: { rules: [{ ...keywordRule, keywords: ['--'] }], thresholds },
      path: ['rules', 0, 'keywords', 0],
      message: 'A keyword needs at least one letter or digit',
      portuguese: 'Uma palavra-chave precisa de pelo menos uma letra ou número',
    },
    {
      problem: 'a duplicate rule id',
      input: { rules: [keywordRule, { ...keywordRule, label: 'Other' }], thresholds },
      path: ['rules', 1, 'id'],
      message: 'The id "kw" is already used by rule 1',
      portuguese: 'O identificador "kw" já é usado pela regra 1',
    },
    {
      problem: 'fractional points',
      input: { rules: [{ ...keywordRule, points: 2.5 }], thresholds },
      path: ['rules', 0, 'points'],
      message: 'Points must be a whole number',
      portuguese: 'Os pontos devem ser um número inteiro',
    },
    {
      problem: 'points above the maximum',
      input: { rules: [{ ...keywordRule, points: 1001 }], thresholds },
      path: ['rules', 0, 'points'],
      message: 'Points are at most 1,000',
      portuguese: 'Os pontos podem ser no máximo 1.000',
    },
    {
      problem: 'a state listed as a city',
      input: {
        rules: [{ kind: 'SERVED_REGION', id: 'r', label: 'Region', points: 5, cities: ['SP'] }],
        thresholds,
      },
      path: ['rules', 0, 'cities', 0],
      message: 'This is a state abbreviation: list it under states, not cities',
      portuguese: 'Isto é a sigla de um estado: coloque-a em estados, não em cidades',
    },
    {
      problem: 'an unknown state',
      input: {
        rules: [
          {
            kind: 'SERVED_REGION',
            id: 'r',
            label: 'Region',
            points: 5,
            cities: [],
            states: ['XX'],
          },
        ],
        thresholds,
      },
      path: ['rules', 0, 'states', 0],
      message: 'A state is a Brazilian state abbreviation such as SP or RJ',
      portuguese: 'Um estado é a sigla de um estado brasileiro, como SP ou RJ',
    },
    {
      problem: 'a region with neither cities nor states',
      input: {
        rules: [{ kind: 'SERVED_REGION', id: 'r', label: 'Region', points: 5, cities: [] }],
        thresholds,
      },
      path: ['rules', 0, 'cities'],
      message: 'List at least one city or state',
      portuguese: 'Informe pelo menos uma cidade ou estado',
    },
    {
      problem: 'a field listed twice',
      input: {
        rules: [
          {
            kind: 'REQUIRED_FIELDS',
            id: 'f',
            label: 'Fields',
            points: 5,
            fields: ['name', 'name'],
          },
        ],
        thresholds,
      },
      path: ['rules', 0, 'fields', 1],
      message: '"name" is listed twice',
      portuguese: '"name" aparece duas vezes',
    },
    {
      problem: 'an unknown required field',
      input: {
        rules: [{ kind: 'REQUIRED_FIELDS', id: 'f', label: 'Fields', points: 5, fields: ['age'] }],
        thresholds,
      },
      path: ['rules', 0, 'fields', 0],
      message: 'A required field is one of name, email, phone, origin',
      portuguese: 'Um campo obrigatório é um destes: name, email, phone, origin',
    },
    {
      problem: 'no rules',
      input: { rules: [], thresholds },
      path: ['rules'],
      message: 'A rule set needs at least one rule',
      portuguese: 'É preciso pelo menos uma regra',
    },
    {
      problem: 'something that is not a rule set',
      input: 'casa',
      path: [],
      message: 'A rule set is an object with rules and thresholds',
      portuguese: 'Esperava um objeto com rules e thresholds',
    },
  ])(
    'rejects $problem with a located message in English and Portuguese',
    ({ input, path, message, portuguese }) => {
      expect(issuesOf(input)).toContainEqual({
        path,
        message,
        translations: { 'pt-BR': portuguese },
      });
    },
  );

  test('words every issue in Portuguese too, including checks without a message of their own', () => {
    const issues = issuesOf({
      rules: [
        { kind: 'REQUIRED_FIELDS', id: 7, label: '', points: '5', fields: 'name' },
        {
          kind: 'INTEREST_KEYWORDS',
          id: 'a b',
          label: 'x'.repeat(121),
          points: 1.5,
          keywords: [3],
        },
        { kind: 'SERVED_REGION', id: 'r', label: 'Region', points: 5, cities: 'SP', states: 'SP' },
        { kind: 'INCOME_BANDS', id: 'i', label: 'Income', bands: [{ points: 1 }, 'band'] },
        { kind: 'AGE' },
        'rule',
      ],
      thresholds: { hot: 'high', warm: -1 },
    });
    expect(issues.length).toBeGreaterThan(10);
    for (const issue of issues) {
      expect(issue.translations?.['pt-BR'], issue.message).toMatch(/\S/);
      expect(issue.translations?.['pt-BR'], issue.message).not.toBe(issue.message);
    }
  });

  test('accepts zero points and normalises states and text', () => {
    const ruleSet = parseRuleSet({
      rules: [
        { ...keywordRule, id: ' kw ', label: ' Keywords ', points: 0, keywords: [' casa '] },
        { kind: 'SERVED_REGION', id: 'r', label: 'Region', points: 5, cities: [], states: [' sp'] },
      ],
      thresholds,
    });
    expect(ruleSet.rules[0]).toMatchObject({ id: 'kw', label: 'Keywords', keywords: ['casa'] });
    expect(ruleSet.rules[1]).toMatchObject({ states: ['SP'] });
  });

  test('throws every issue at once from parseRuleSet and compileRuleSet', () => {
    const input = { rules: [{ ...keywordRule, keywords: [] }], thresholds: { hot: 1, warm: 2 } };
    let thrown: unknown;
    try {
      parseRuleSet(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuleSetValidationError);
    expect((thrown as RuleSetValidationError).issues.map((issue) => issue.path)).toEqual([
      ['rules', 0, 'keywords'],
      ['thresholds', 'hot'],
    ]);
    expect((thrown as RuleSetValidationError).message).toBe(
      'Invalid rule set: rules.0.keywords: List at least one keyword; ' +
        'thresholds.hot: The hot threshold must be above the warm threshold',
    );
    expect((thrown as RuleSetValidationError).translations).toEqual({
      'pt-BR':
        'Regras inválidas: rules.0.keywords: Informe pelo menos uma palavra-chave; ' +
        'thresholds.hot: O limite de quente deve ser maior que o de morno',
    });
    expect(() => compileRuleSet(input as RuleSetInput)).toThrow(RuleSetValidationError);
  });
});

describe('text matching', () => {
  test.each([
    ['casa', ['casa', 'casas']],
    ['imovel', ['imovel', 'imoveis', 'imoveles']],
    ['comercial', ['comercial', 'comerciais', 'comerciales']],
    ['galpao', ['galpao', 'galpoes', 'galpaes', 'galpaos']],
    ['facil', ['facil', 'facis', 'faceis']],
    ['homem', ['homem', 'homens']],
    ['mulher', ['mulher', 'mulheres']],
    ['luz', ['luz', 'luzes']],
    ['mes', ['mes', 'meses']],
    ['torax', ['torax']],
    ['hifen', ['hifen', 'hifens', 'hifenes']],
    ['2024', ['2024']],
  ])('gives %s the plural forms %j', (word, forms) => {
    expect(pluralForms(word)).toEqual(forms);
  });

  test('normalises case and accents in either Unicode form', () => {
    expect(normalizeText('SÃO Paulo')).toBe('sao paulo');
    expect(normalizeText('Sa\u0303o')).toBe('sao');
  });

  test('matches a keyword only as a whole word', () => {
    const matcher = new KeywordMatcher(['casa']);
    expect(matcher.findAll('casamento, casarão, encasa')).toEqual([]);
    expect(matcher.findAll('a CASA')).toEqual([{ keyword: 'casa', found: 'CASA' }]);
  });
});

describe('explanation details in Portuguese', () => {
  test('reads back every stored English detail in Portuguese, numbers the Brazilian way', () => {
    const cases: [string, string][] = [
      ['missing: phone; invalid: email', 'faltando: phone; inválidos: email'],
      ['invalid: phone', 'inválidos: phone'],
      ['keyword "casa" ("Casas")', 'palavra-chave "casa" ("Casas")'],
      ['no keyword mentioned', 'nenhuma palavra-chave mencionada'],
      ['city "Santos" is not served', 'a cidade "Santos" não é atendida'],
      ['city "Campinas" in state SP', 'cidade "Campinas" no estado SP'],
      ['income "muito" is not a number', 'a renda "muito" não é um número'],
      [
        'income 2,500.5 is below the lowest band (≥ 5,000)',
        'a renda 2.500,5 está abaixo da menor faixa (≥ 5.000)',
      ],
    ];
    for (const [english, portuguese] of cases) {
      expect(catalogMessage(english, 'pt-BR')).toBe(portuguese);
      expect(catalogMessage(english, 'en')).toBe(english);
    }
  });
});
