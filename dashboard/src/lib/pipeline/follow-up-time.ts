import { DEFAULT_TIME_ZONE } from '$lib/i18n/format';

// Follow-ups are picked in São Paulo time, whatever the browser's zone: sales agrees times with
// Brazilian customers. A datetime-local field holds wall-clock time with no zone, so the zone's
// offset at that moment is worked out through Intl (Brazil has had no DST since 2019, but a
// hard-coded -03:00 would silently break if it came back).

const LOCAL_VALUE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

const wallClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: DEFAULT_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function wallClockParts(instant: Date): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of wallClock.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts;
}

/** How far São Paulo's wall clock is ahead of UTC at `instant`, in milliseconds (negative). */
function zoneOffsetMs(instant: Date): number {
  const p = wallClockParts(instant);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** An instant as a datetime-local value in São Paulo time, e.g. "2026-05-01T09:30". */
export function toFollowUpInput(value: string | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  const p = wallClockParts(new Date(value));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month!)}-${pad(p.day!)}T${pad(p.hour!)}:${pad(p.minute!)}`;
}

/** A datetime-local value read as São Paulo time, as an ISO instant; null when it is malformed. */
export function fromFollowUpInput(value: string): string | null {
  const match = LOCAL_VALUE.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute] = match.map(Number);
  const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!);
  // The offset at the guess, then at the corrected instant: right on both sides of a change.
  let instant = asUtc - zoneOffsetMs(new Date(asUtc));
  instant = asUtc - zoneOffsetMs(new Date(instant));
  return new Date(instant).toISOString();
}
