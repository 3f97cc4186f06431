import { localize, type Locale, type Translations } from './locale.ts';

// A gettext-style catalog: messages are written in English where they are raised, with their
// Portuguese beside them, and the catalog finds the Portuguese again from the English. That lets
// one English string travel through zod issues, job results and database columns (a run's skip
// reason, a payload's refusal) and still be shown in Portuguese when it is read.

const portugueseByEnglish = new Map<string, string>();

interface Template {
  /** Matches the English with the placeholders' values captured, in order. */
  english: RegExp;
  names: string[];
  portuguese: string;
  /** Characters of the English outside placeholders: how specific the template is. */
  literalLength: number;
}

// Most specific first: "missing: {missing}; invalid: {invalid}" must win over "missing: {fields}",
// which also matches it, whichever module registers first.
const templates: Template[] = [];

/**
 * `english`, recorded with its Portuguese translation. Registering the same English with another
 * Portuguese is a programming mistake and throws when the module loads.
 */
export function bilingual(english: string, portuguese: string): string {
  const known = portugueseByEnglish.get(english);
  if (known !== undefined && known !== portuguese) {
    throw new Error(`"${english}" is translated twice: "${known}" and "${portuguese}"`);
  }
  portugueseByEnglish.set(english, portuguese);
  return english;
}

/**
 * A message with `{placeholders}`, e.g. `bilingualTemplate('Stage {stage} is closed', 'A etapa
 * {stage} está fechada')`: returns the function that fills in the English, and records the
 * Portuguese so that a filled-in English message read back later is translated with the same
 * values. Numbers are written as each language writes them (10,000.5 and 10.000,5).
 */
export function bilingualTemplate<Name extends string>(
  english: string,
  portuguese: string,
): (values: Record<Name, string | number>) => string {
  const names: string[] = [];
  const pattern = english
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '(.*?)';
    })
    .join('');
  const literalLength = english.replace(/\{\w+\}/g, '').length;
  const at = templates.findIndex((template) => template.literalLength < literalLength);
  const template = { english: new RegExp(`^${pattern}$`, 's'), names, portuguese, literalLength };
  templates.splice(at === -1 ? templates.length : at, 0, template);
  return (values) => fill(english, values);
}

/** The recorded translations of an English message, or undefined when the catalog lacks it. */
export function translationsOf(english: string): Translations | undefined {
  const exact = portugueseByEnglish.get(english);
  if (exact !== undefined) return { 'pt-BR': exact };
  for (const template of templates) {
    const match = template.english.exec(english);
    if (!match) continue;
    const values = Object.fromEntries(
      template.names.map((name, index) => [name, portugueseNumber(match[index + 1]!)]),
    );
    return { 'pt-BR': fill(template.portuguese, values) };
  }
  return undefined;
}

/**
 * An English message from the catalog worded for `locale`: for text that was stored or passed
 * along as English (a run's skip reason, a payload's refusal) and is read by a person now.
 */
export function catalogMessage(english: string, locale: Locale): string {
  return localize({ message: english, translations: translationsOf(english) }, locale);
}

const englishNumbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const portugueseNumbers = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 2 });
// A number as englishNumbers writes it: "10,000", "1,234.5", "-3".
const englishNumber = /^-?\d{1,3}(,\d{3})*(\.\d+)?$/;

function fill(text: string, values: Record<string, string | number | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) return placeholder;
    return typeof value === 'number' ? englishNumbers.format(value) : value;
  });
}

/** A value read back from an English message, with a number in it written the Brazilian way. */
function portugueseNumber(value: string): string {
  if (!englishNumber.test(value)) return value;
  return portugueseNumbers.format(Number(value.replaceAll(',', '')));
}
