import type { Handle } from '@sveltejs/kit';
import { LOCALE_COOKIE, preferredLanguageFromHeader, resolveLocale } from '$lib/i18n/locale';

export const handle: Handle = async ({ event, resolve }) => {
  const { locale, remembered } = resolveLocale(
    event.cookies.get(LOCALE_COOKIE),
    preferredLanguageFromHeader(event.request.headers.get('accept-language')),
  );
  event.locals.locale = locale;
  event.locals.localeRemembered = remembered;
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', locale),
  });
};
