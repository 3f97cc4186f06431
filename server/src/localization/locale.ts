// The languages the API words its messages in. Most people who fill in a lead form or work in the
// dashboard read Portuguese; scripts and n8n send no Accept-Language and get English, the
// language of the schema's documentation.

export const LOCALES = ['en', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];

/** A message's wording in the languages besides English (its `message`). */
export type Translations = Partial<Record<Exclude<Locale, 'en'>, string>>;

/** Something worded in English with optional translations, such as a FieldError. */
export interface TranslatableText {
  message: string;
  translations?: Translations;
}

/** The wording of `text` for `locale`: its translation when it has one, else the English. */
export function localize(text: TranslatableText, locale: Locale): string {
  return locale === 'en' ? text.message : (text.translations?.[locale] ?? text.message);
}

/**
 * The locale an Accept-Language header (RFC 9110) prefers among ours: the highest-weighted range
 * that matches one (`pt`, `pt-BR` and `pt-PT` all read Portuguese); English when none does or the
 * header is absent.
 */
export function preferredLocale(acceptLanguage: string | null | undefined): Locale {
  let best: { locale: Locale; weight: number } | undefined;
  for (const entry of (acceptLanguage ?? '').split(',')) {
    const [range = '', ...parameters] = entry.trim().toLowerCase().split(';');
    const quality = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    const weight = quality === undefined ? 1 : Number(quality);
    const locale = localeOfRange(range.trim());
    if (locale && weight > 0 && (!best || weight > best.weight)) best = { locale, weight };
  }
  return best?.locale ?? 'en';
}

function localeOfRange(range: string): Locale | undefined {
  if (range === 'pt' || range.startsWith('pt-')) return 'pt-BR';
  if (range === 'en' || range.startsWith('en-')) return 'en';
  return undefined;
}
