import { createContext } from 'svelte';
import { en } from './en';
import { createFormatters, type Formatters } from './format';
import { localeCookie, type Locale } from './locale';
import { ptBR, type MessageKey, type Messages } from './pt-br';

const catalogs: Record<Locale, Messages> = { 'pt-BR': ptBR, en };

export type MessageParams = Record<string, string | number>;

export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const message = catalogs[locale][key];
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in params ? String(params[name]) : placeholder,
  );
}

/**
 * The current language and everything that depends on it. One instance per app (per request on
 * the server, so users never see each other's language), handed down through context.
 */
export class I18n {
  locale: Locale = $state('pt-BR');
  readonly format: Formatters = $derived(createFormatters(this.locale));

  constructor(locale: Locale) {
    this.locale = locale;
  }

  t = (key: MessageKey, params?: MessageParams): string => translate(this.locale, key, params);

  /** Switches language from a user action and remembers it for the next visits. */
  choose(locale: Locale): void {
    this.locale = locale;
    if (typeof document === 'undefined') return;
    document.cookie = localeCookie(locale);
    document.documentElement.lang = locale;
  }
}

export const [getI18n, setI18n] = createContext<I18n>();
