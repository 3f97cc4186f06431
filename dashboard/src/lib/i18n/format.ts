import type { Locale } from './locale';

/** Lead times are shown in Brazil's business time zone unless a user setting says otherwise. */
export const DEFAULT_TIME_ZONE = 'America/Sao_Paulo';

export interface Formatters {
  /** e.g. "28/11/2025" in pt-BR. */
  date(value: Date | string | number): string;
  /** e.g. "28/11/2025, 14:05" in pt-BR. */
  dateTime(value: Date | string | number): string;
  /** Day and month only, for chart axes: "28/11" in pt-BR, "11/28" in English. */
  dayMonth(value: Date | string | number): string;
  /** Time of day only, for chart axes: "14:00" in pt-BR, "2:00 PM" in English. */
  time(value: Date | string | number): string;
  /** e.g. "1.234,5" in pt-BR. */
  number(value: number): string;
  /** Brazilian reais in the locale's notation: "R$ 1.234,56" in pt-BR, "R$1,234.56" in English. */
  currency(value: number): string;
  /** e.g. "12,5%" in pt-BR, for a ratio of 0.125. */
  percent(value: number): string;
  /** A change, always signed unless zero: "+1.234", "-5", "0". */
  signedNumber(value: number): string;
  /** A change in a ratio, always signed unless zero: "+12,5%" in pt-BR for 0.125. */
  signedPercent(value: number): string;
  /** Joins items the way the language does: "a, b e c" in pt-BR, "a, b, and c" in English. */
  list(items: readonly string[]): string;
  /**
   * A wait in words: seconds under a minute, whole minutes (rounded up) from there on, e.g.
   * "45 segundos", "15 minutos".
   */
  waitTime(seconds: number): string;
}

/** Builds the Intl formatters once per locale; Intl constructors are costly to call per cell. */
export function createFormatters(locale: Locale, timeZone: string = DEFAULT_TIME_ZONE): Formatters {
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeZone });
  const dateTime = new Intl.DateTimeFormat(locale, {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone,
  });
  const dayMonth = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', timeZone });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone });
  const number = new Intl.NumberFormat(locale);
  const currency = new Intl.NumberFormat(locale, { style: 'currency', currency: 'BRL' });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const signedNumber = new Intl.NumberFormat(locale, { signDisplay: 'exceptZero' });
  const signedPercent = new Intl.NumberFormat(locale, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const list = new Intl.ListFormat(locale, { type: 'conjunction' });
  const seconds = new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'second',
    unitDisplay: 'long',
  });
  const minutes = new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'minute',
    unitDisplay: 'long',
  });
  return {
    date: (value) => date.format(new Date(value)),
    dateTime: (value) => dateTime.format(new Date(value)),
    dayMonth: (value) => dayMonth.format(new Date(value)),
    time: (value) => time.format(new Date(value)),
    number: (value) => number.format(value),
    currency: (value) => currency.format(value),
    percent: (value) => percent.format(value),
    signedNumber: (value) => signedNumber.format(value),
    signedPercent: (value) => signedPercent.format(value),
    list: (items) => list.format(items),
    // Rounded up: "try again in 14 minutes" when 14.5 remain would send people back too early.
    waitTime: (value) =>
      value < 60
        ? seconds.format(Math.max(1, Math.ceil(value)))
        : minutes.format(Math.ceil(value / 60)),
  };
}
