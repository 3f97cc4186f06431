export const LOCALES = ['pt-BR', 'en'] as const;

export type Locale = (typeof LOCALES)[number];

/** StreamLeads is built for Brazilian sales teams first. */
export const DEFAULT_LOCALE: Locale = 'pt-BR';

/** Cookie holding the language the user picked; a cookie (not localStorage) so SSR honours it. */
export const LOCALE_COOKIE = 'streamleads_locale';

const ONE_YEAR_IN_SECONDS = 60 * 60 * 24 * 365;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * Portuguese in any variant ('pt', 'pt-BR', 'pt-PT') gets pt-BR, every other language English.
 * With no language at all (a bot, a bare HTTP client) the product default applies.
 */
export function pickLocale(languageTag: string | null | undefined): Locale {
  const tag = languageTag?.trim();
  if (!tag) return DEFAULT_LOCALE;
  return /^pt(-|_|$)/i.test(tag) ? 'pt-BR' : 'en';
}

/** The browser's first preference in an Accept-Language header, as navigator.language would be. */
export function preferredLanguageFromHeader(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const quality = params
        .map((param) => param.trim())
        .find((param) => param.startsWith('q='))
        ?.slice(2);
      return { tag: tag.trim(), quality: quality === undefined ? 1 : Number(quality), index };
    })
    .filter(({ tag, quality }) => tag !== '' && tag !== '*' && quality > 0)
    // A stable sort keeps the header's order among equal weights.
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked[0]?.tag;
}

/** A remembered choice wins; otherwise the browser's language decides. */
export function resolveLocale(remembered: string | null | undefined, preferredLanguage?: string) {
  if (isLocale(remembered)) return { locale: remembered, remembered: true };
  return { locale: pickLocale(preferredLanguage), remembered: false };
}

export function localeCookie(locale: Locale): string {
  return `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=${ONE_YEAR_IN_SECONDS}; SameSite=Lax`;
}
