import { parseRuleSet } from './rules.ts';

/**
 * The original system's rules and values, unchanged; only the matching is stricter (whole words
 * and whole city names instead of substrings). Parsed at load, so a typo fails at startup.
 * Its documentation's example: interest "Apartamento para investimento", income 15,000, city
 * São Paulo, with name, email, phone and origin valid, scores 10 + 15 + 5 + 7 = 37, HOT.
 */
export const defaultRuleSet = parseRuleSet({
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
      keywords: [
        'imóvel',
        'apartamento',
        'casa',
        'terreno',
        'lote',
        'investimento',
        'premium',
        'luxo',
        'cobertura',
        'comercial',
        'empresarial',
        'corporativo',
        'aplicação',
        'patrimônio',
        'loja',
        'escritório',
        'galpão',
      ],
    },
    {
      kind: 'SERVED_REGION',
      id: 'served-region',
      label: 'Served region',
      points: 5,
      cities: [
        'São Paulo',
        'Rio de Janeiro',
        'Belo Horizonte',
        'Brasília',
        'Salvador',
        'Fortaleza',
        'Recife',
        'Porto Alegre',
        'Curitiba',
        'Goiânia',
        'Campinas',
        'Santos',
        'Osasco',
      ],
      states: [],
    },
    {
      kind: 'INCOME_BANDS',
      id: 'income',
      label: 'Income',
      // Below 3,000 no band applies and the rule awards 0.
      bands: [
        { min: 3_000, points: 3 },
        { min: 5_000, points: 5 },
        { min: 10_000, points: 7 },
        { min: 20_000, points: 10 },
      ],
    },
  ],
  thresholds: { hot: 25, warm: 15 },
});
