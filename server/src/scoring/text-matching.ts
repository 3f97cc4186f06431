/**
 * Word and city matching for the scoring rules.
 *
 * The original system matched substrings, so "casamento" (wedding) counted as "casa" and any
 * city containing the letters "sp" counted as served. Everything here compares whole words or
 * whole names, case- and accent-insensitively.
 */

/** The 27 Brazilian federative units (26 states and the Federal District). */
export const BRAZILIAN_STATES = [
  'AC', 'AL', 'AP', 'AM', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MT', 'MS', 'MG', 'PA',
  'PB', 'PR', 'PE', 'PI', 'RJ', 'RN', 'RS', 'RO', 'RR', 'SC', 'SP', 'SE', 'TO',
] as const; // prettier-ignore

export type BrazilianState = (typeof BRAZILIAN_STATES)[number];

const stateByKey = new Map<string, BrazilianState>(
  BRAZILIAN_STATES.map((state) => [state.toLowerCase(), state]),
);

const combiningMarks = /\p{M}/gu;
// Marks stay inside a word so that text arriving already decomposed (NFD) is not split at them.
const wordSeparators = /[^\p{L}\p{N}\p{M}]+/u;

/** Lower-case, without accents: "IMÓVEL" and "imovel" both become "imovel". */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(combiningMarks, '').toLowerCase();
}

/** A word as written in the text and its normalised form. */
export type Word = { text: string; key: string };

/** Splits on anything that is not a letter or a digit, so punctuation and hyphens separate words. */
export function splitWords(text: string): Word[] {
  return text
    .normalize('NFC')
    .split(wordSeparators)
    .filter((word) => word !== '')
    .map((word) => ({ text: word, key: normalizeText(word) }));
}

/** The normalised words of a text, e.g. "Casa-de Praia!" -> ["casa", "de", "praia"]. */
export function wordKeys(text: string): string[] {
  return splitWords(text).map((word) => word.key);
}

/**
 * The singular and the plural forms of one normalised word. Accents are already gone, so where
 * the plural depends on stress (lápis/lápis but mês/meses; funil/funis but fácil/fáceis) every
 * candidate is accepted: a spare form costs nothing, a missing one loses a match.
 */
export function pluralForms(word: string): string[] {
  if (word === '' || /\d$/.test(word)) return [word];
  const stem = (length: number) => word.slice(0, word.length - length);
  if (word.endsWith('ao')) return [word, `${stem(2)}oes`, `${stem(2)}aes`, `${stem(2)}aos`];
  if (word.endsWith('il')) return [word, `${stem(2)}is`, `${stem(2)}eis`];
  // imóvel -> imóveis, comercial -> comerciais; mal -> males is the rare exception.
  if (word.endsWith('l')) return [word, `${stem(1)}is`, `${word}es`];
  if (word.endsWith('m')) return [word, `${stem(1)}ns`];
  if (/[rz]$/.test(word)) return [word, `${word}es`];
  // Unstressed -s words do not change (lápis, ônibus); stressed ones take -es (mês, português).
  if (word.endsWith('s')) return [word, `${word}es`];
  if (word.endsWith('x')) return [word];
  if (/[aeiouy]$/.test(word)) return [word, `${word}s`];
  // Other consonants (hífen, abdômen, loanwords): both -s and -es are in use.
  return [word, `${word}s`, `${word}es`];
}

/** Where a keyword was found: the configured keyword and the words as written in the text. */
export type KeywordMatch = { keyword: string; found: string };

type CompiledPhrase = { keyword: string; words: ReadonlySet<string>[] };

/**
 * Finds configured keywords in free text. Single words are looked up in a map built once;
 * phrases ("casa de praia") match consecutive whole words, each in singular or plural.
 */
export class KeywordMatcher {
  private readonly singleWords = new Map<string, string>();
  private readonly phrases: CompiledPhrase[] = [];

  constructor(keywords: readonly string[]) {
    for (const keyword of keywords) {
      const keys = wordKeys(keyword);
      if (keys.length === 1) {
        for (const form of pluralForms(keys[0]!)) {
          if (!this.singleWords.has(form)) this.singleWords.set(form, keyword);
        }
      } else if (keys.length > 1) {
        this.phrases.push({ keyword, words: keys.map((key) => new Set(pluralForms(key))) });
      }
    }
  }

  /** Every distinct configured keyword found, in the order it first appears in the text. */
  findAll(text: string): KeywordMatch[] {
    const words = splitWords(text);
    const matches: KeywordMatch[] = [];
    const seen = new Set<string>();
    const add = (keyword: string, found: string) => {
      if (seen.has(keyword)) return;
      seen.add(keyword);
      matches.push({ keyword, found });
    };
    for (let index = 0; index < words.length; index++) {
      for (const phrase of this.phrases) {
        if (phraseStartsAt(phrase, words, index)) {
          const found = words.slice(index, index + phrase.words.length);
          add(phrase.keyword, found.map((word) => word.text).join(' '));
        }
      }
      const word = words[index]!;
      const keyword = this.singleWords.get(word.key);
      if (keyword !== undefined) add(keyword, word.text);
    }
    return matches;
  }
}

function phraseStartsAt(phrase: CompiledPhrase, words: Word[], start: number): boolean {
  if (start + phrase.words.length > words.length) return false;
  return phrase.words.every((forms, offset) => forms.has(words[start + offset]!.key));
}

/** A city as typed: its normalised name and the state suffix, if it had one. */
export type ParsedCity = {
  /** Every word normalised, suffix included: "sao paulo sp". */
  fullKey: string;
  /** Without the state suffix: "sao paulo"; empty when the text was only a state ("SP"). */
  nameKey: string;
  state: BrazilianState | null;
};

/**
 * Reads "São Paulo", "Sao Paulo - SP", "são paulo/sp", "SAO PAULO (SP)", "São Paulo, SP" or
 * "São Paulo SP". Punctuation is a word separator, so all of these reduce to words; the last word
 * is taken as the state only when it is one of the 27 abbreviations.
 */
export function parseCity(text: string): ParsedCity {
  const keys = wordKeys(text);
  const fullKey = keys.join(' ');
  const state = keys.length > 0 ? stateByKey.get(keys[keys.length - 1]!) : undefined;
  if (state === undefined) return { fullKey, nameKey: fullKey, state: null };
  return { fullKey, nameKey: keys.slice(0, -1).join(' '), state };
}

/** Where a city was found: the configured city or the configured state it belongs to. */
export type CityMatch = { by: 'city'; city: string } | { by: 'state'; state: BrazilianState };

type CompiledCity = {
  city: string;
  nameKey: string;
  fullKey: string;
  state: BrazilianState | null;
};

/**
 * Matches a lead's city against configured cities (whole name, accents optional, optional state
 * suffix) and configured states. A configured city may carry its own state ("Campinas - SP"):
 * then a lead's city with a different state suffix does not match it.
 */
export class CityMatcher {
  private readonly cities: CompiledCity[];
  private readonly states: ReadonlySet<BrazilianState>;

  constructor(cities: readonly string[], states: readonly BrazilianState[] = []) {
    this.cities = cities.map((city) => ({ city, ...parseCity(city) }));
    this.states = new Set(states);
  }

  match(text: string): CityMatch | null {
    const parsed = parseCity(text);
    if (parsed.fullKey === '') return null;
    for (const candidate of this.cities) {
      if (sameCity(candidate, parsed)) return { by: 'city', city: candidate.city };
    }
    if (parsed.state !== null && this.states.has(parsed.state)) {
      return { by: 'state', state: parsed.state };
    }
    return null;
  }
}

function sameCity(configured: CompiledCity, typed: ParsedCity): boolean {
  // The full form covers a city whose own last word looks like a state abbreviation.
  if (configured.fullKey === typed.fullKey) return true;
  if (typed.nameKey === '' || configured.nameKey !== typed.nameKey) return false;
  return configured.state === null || typed.state === null || configured.state === typed.state;
}
