import type { MessageKey } from '$lib/i18n/pt-br';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * A time to first contact in its largest sensible unit, one decimal at most: "45 s", "12 min",
 * "3,5 h", "2 d". Sales reads these at a glance; exact seconds would only be noise.
 */
export function formatDuration(
  seconds: number,
  t: Translate,
  number: (value: number) => string,
): string {
  const round = (value: number) => number(Math.round(value * 10) / 10);
  if (seconds < 60) return t('duration.seconds', { value: number(Math.round(seconds)) });
  if (seconds < 3_600) return t('duration.minutes', { value: round(seconds / 60) });
  if (seconds < 86_400) return t('duration.hours', { value: round(seconds / 3_600) });
  return t('duration.days', { value: round(seconds / 86_400) });
}
