import type { Locale } from '$lib/i18n/locale';

// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Locals {
      /** The language this request renders in: the remembered choice, else Accept-Language. */
      locale: Locale;
      /** Whether the locale came from the user's remembered choice (cookie). */
      localeRemembered: boolean;
    }
  }
}

export {};
