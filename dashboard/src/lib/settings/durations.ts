/** The units a delay is typed in; stored as minutes. */
export const DURATION_UNITS = ['minutes', 'hours', 'days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

const MINUTES_PER: Record<DurationUnit, number> = { minutes: 1, hours: 60, days: 24 * 60 };

/** A delay as a form holds it: an amount (null while the field is empty) and its unit. */
export interface Duration {
  amount: number | null;
  unit: DurationUnit;
}

/** The largest unit that shows the minutes as a whole number: 4320 is 3 days, 90 is 90 minutes. */
export function durationFromMinutes(minutes: number): Duration {
  for (const unit of ['days', 'hours'] as const) {
    if (minutes > 0 && minutes % MINUTES_PER[unit] === 0) {
      return { amount: minutes / MINUTES_PER[unit], unit };
    }
  }
  return { amount: minutes, unit: 'minutes' };
}

/** The delay in minutes; null when the amount is missing or does not make whole minutes. */
export function durationMinutes(duration: Duration): number | null {
  if (duration.amount === null || !Number.isFinite(duration.amount)) return null;
  const minutes = duration.amount * MINUTES_PER[duration.unit];
  return Number.isInteger(minutes) ? minutes : null;
}

/** A number of minutes in words, in its largest whole unit: "3 dias", "90 minutes". */
export function formatDuration(minutes: number, locale: string): string {
  const { amount, unit } = durationFromMinutes(minutes);
  const intlUnit = { minutes: 'minute', hours: 'hour', days: 'day' }[unit];
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: intlUnit,
    unitDisplay: 'long',
  }).format(amount ?? 0);
}
