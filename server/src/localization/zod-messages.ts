import { z } from 'zod';
import type { Locale, Translations } from './locale.ts';

// zod's own wording ("Too big: expected string to have <=500 characters") is written for
// developers, and its Portuguese locale is European and just as technical. Checks without a
// message of their own are worded here instead, for the people who see them beside a field, in
// both languages. Only the issue's kept fields are read (never its input, which zod drops from
// finished issues), so a finished issue can be worded again in Portuguese.

/** The fields of a zod issue, raw or finished, that its wording depends on. */
interface IssueFacts {
  code?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  exact?: boolean;
  format?: string;
  expected?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
  divisor?: number;
}

/** How `issue` reads in `locale` when its check gave no message of its own. */
export function defaultIssueMessage(issue: IssueFacts, locale: Locale): string {
  const words = locale === 'en' ? english : portuguese;
  const number = (value: number | bigint | undefined) =>
    typeof value === 'number' || typeof value === 'bigint'
      ? value.toLocaleString(locale === 'en' ? 'en-US' : 'pt-BR')
      : '';
  switch (issue.code) {
    case 'too_small':
      return words.tooSmall(number(issue.minimum), unitOf(issue.origin), issue);
    case 'too_big':
      return words.tooBig(number(issue.maximum), unitOf(issue.origin), issue);
    case 'invalid_format':
      return words.format(issue.format ?? '');
    case 'invalid_type':
      return words.expected(issue.expected ?? '');
    case 'invalid_value':
      return words.oneOf((issue.values ?? []).map(String));
    case 'unrecognized_keys':
      return words.unknownFields(issue.keys ?? []);
    case 'not_multiple_of':
      return words.multipleOf(number(issue.divisor));
    default:
      return words.invalid;
  }
}

/**
 * The Portuguese of a finished issue worded by `defaultIssueMessage`; undefined when its message
 * is not ours (a check with a message of its own).
 */
export function defaultIssueTranslations(
  issue: IssueFacts & { message: string },
): Translations | undefined {
  if (issue.message !== defaultIssueMessage(issue, 'en')) return undefined;
  return { 'pt-BR': defaultIssueMessage(issue, 'pt-BR') };
}

type Unit = 'characters' | 'items' | 'value';

function unitOf(origin: string | undefined): Unit {
  if (origin === 'string') return 'characters';
  if (origin === 'array' || origin === 'set') return 'items';
  return 'value';
}

interface Words {
  tooSmall(limit: string, unit: Unit, bound: IssueFacts): string;
  tooBig(limit: string, unit: Unit, bound: IssueFacts): string;
  format(format: string): string;
  expected(type: string): string;
  oneOf(values: string[]): string;
  unknownFields(keys: readonly string[]): string;
  multipleOf(divisor: string): string;
  invalid: string;
}

const english: Words = {
  tooSmall: (limit, unit, { inclusive, exact }) => {
    if (unit === 'characters' && limit === '1') return 'Must not be empty';
    const suffix = { characters: ' characters', items: ' items', value: '' }[unit];
    if (exact) return `Exactly ${limit}${suffix}`;
    return inclusive === false ? `More than ${limit}${suffix}` : `At least ${limit}${suffix}`;
  },
  tooBig: (limit, unit, { inclusive, exact }) => {
    const suffix = { characters: ' characters', items: ' items', value: '' }[unit];
    if (exact) return `Exactly ${limit}${suffix}`;
    return inclusive === false ? `Less than ${limit}${suffix}` : `At most ${limit}${suffix}`;
  },
  format: (format) =>
    ({
      email: 'Not a valid email address',
      url: 'Not a valid URL',
      uuid: 'Not a valid id',
      datetime: 'Not a valid date and time',
      date: 'Not a valid date',
      time: 'Not a valid time',
    })[format] ?? 'Not in the expected format',
  expected: (type) =>
    ({
      string: 'Expected text',
      number: 'Expected a number',
      int: 'Expected a whole number',
      boolean: 'Expected true or false',
      array: 'Expected a list',
      object: 'Expected an object',
      date: 'Expected a date',
    })[type] ?? 'Not a valid value',
  oneOf: (values) =>
    values.length === 1 ? `Must be ${values[0]}` : `Must be one of ${values.join(', ')}`,
  unknownFields: (keys) =>
    `${keys.length === 1 ? 'Unknown field' : 'Unknown fields'}: ${keys.join(', ')}`,
  multipleOf: (divisor) => `Must be a multiple of ${divisor}`,
  invalid: 'Not a valid value',
};

const portuguese: Words = {
  tooSmall: (limit, unit, { inclusive, exact }) => {
    if (unit === 'characters' && limit === '1') return 'Não pode ficar vazio';
    const suffix = { characters: ' caracteres', items: ' itens', value: '' }[unit];
    if (exact) return `Exatamente ${limit}${suffix}`;
    return inclusive === false ? `Mais de ${limit}${suffix}` : `Pelo menos ${limit}${suffix}`;
  },
  tooBig: (limit, unit, { inclusive, exact }) => {
    const suffix = { characters: ' caracteres', items: ' itens', value: '' }[unit];
    if (exact) return `Exatamente ${limit}${suffix}`;
    return inclusive === false ? `Menos de ${limit}${suffix}` : `No máximo ${limit}${suffix}`;
  },
  format: (format) =>
    ({
      email: 'E-mail inválido',
      url: 'URL inválida',
      uuid: 'Identificador inválido',
      datetime: 'Data e hora inválidas',
      date: 'Data inválida',
      time: 'Hora inválida',
    })[format] ?? 'Formato inválido',
  expected: (type) =>
    ({
      string: 'Esperava um texto',
      number: 'Esperava um número',
      int: 'Esperava um número inteiro',
      boolean: 'Esperava verdadeiro ou falso',
      array: 'Esperava uma lista',
      object: 'Esperava um objeto',
      date: 'Esperava uma data',
    })[type] ?? 'Valor inválido',
  oneOf: (values) =>
    values.length === 1 ? `Deve ser ${values[0]}` : `Deve ser um destes: ${values.join(', ')}`,
  unknownFields: (keys) =>
    `${keys.length === 1 ? 'Campo desconhecido' : 'Campos desconhecidos'}: ${keys.join(', ')}`,
  multipleOf: (divisor) => `Deve ser múltiplo de ${divisor}`,
  invalid: 'Valor inválido',
};

/**
 * Makes `defaultIssueMessage` zod's wording for checks without a message of their own, in every
 * schema of the process. Called once by errors.ts, which every module that refuses input imports.
 */
export function useOurZodWording(): void {
  z.config({ localeError: (issue) => defaultIssueMessage(issue, 'en') });
}
