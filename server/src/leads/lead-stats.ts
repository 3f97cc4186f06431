import type { FieldError } from '../errors.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { LeadOrigin, LeadStatus } from '../generated/prisma/enums.ts';

/** The zone the business runs in: "today" and day buckets follow its midnight by default. */
export const DEFAULT_STATS_TIME_ZONE = 'America/Sao_Paulo';

/** Ranges up to this long are bucketed by hour, longer ones by day. */
export const HOURLY_SERIES_MAX_MS = 2 * 24 * 3_600_000;
/** The longest range accepted: a year and a bit, so a day series stays a few hundred points. */
export const STATS_RANGE_MAX_DAYS = 400;

/** Score histogram buckets are this many points wide... */
export const SCORE_BUCKET_WIDTH = 5;
/** ...and every score from this one up shares the last, open-ended bucket. */
export const SCORE_BUCKET_OPEN_FROM = 100;

export const STATS_PRESETS = ['TODAY', 'LAST_7_DAYS', 'LAST_30_DAYS', 'LAST_90_DAYS'] as const;
export type StatsPreset = (typeof STATS_PRESETS)[number];

const PRESET_DAYS: Record<StatsPreset, number> = {
  TODAY: 1,
  LAST_7_DAYS: 7,
  LAST_30_DAYS: 30,
  LAST_90_DAYS: 90,
};

export type StatsInterval = 'HOUR' | 'DAY';

/** What computeLeadStats needs; every figure but leadsToday is about leads created in [from, to). */
export interface LeadStatsOptions {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** An IANA zone (see isTimeZone): where days start, for leadsToday and day buckets. */
  timeZone: string;
  /** The instant "today" is taken from; defaults to the current time. */
  now?: Date;
}

export interface StatusCount {
  status: LeadStatus;
  count: number;
}

export interface OriginCount {
  origin: LeadOrigin;
  count: number;
}

/** One bucket of the series: leads created in [start, next bucket's start). */
export interface StatsPoint {
  start: Date;
  total: number;
  /** Every status, in LeadStatus order, zeros included. */
  byStatus: StatusCount[];
}

/** Scored leads whose score is in [min, max]; max is null for the last, open-ended bucket. */
export interface ScoreBucket {
  min: number;
  max: number | null;
  count: number;
}

export interface LeadStats {
  from: Date;
  to: Date;
  timeZone: string;
  interval: StatsInterval;
  total: number;
  /** Every status, in LeadStatus order, zeros included. */
  byStatus: StatusCount[];
  /** Every origin, in LeadOrigin order, zeros included. */
  byOrigin: OriginCount[];
  /** Leads created since the last midnight in timeZone, whatever the range. */
  leadsToday: number;
  /** Leads in the range that scoring has processed (processedAt set). */
  scoredCount: number;
  /** Mean score of the scored leads; null when there are none. */
  averageScore: number | null;
  /** Every bucket from the one holding `from` to the one holding `to`, zeros included. */
  series: StatsPoint[];
  /** Scored leads by score, from 0 (or the lowest bucket) to the highest bucket with a lead. */
  scoreHistogram: ScoreBucket[];
}

const STATUSES = Object.values(LeadStatus);
const ORIGINS = Object.values(LeadOrigin);

/** True for a zone name both Intl and PostgreSQL understand in the same way. */
export function isTimeZone(name: string): boolean {
  // Offsets such as "+03:00" are refused: PostgreSQL reads POSIX-style offsets with the sign
  // inverted, so the same text would mean two different zones.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A message naming what is wrong with a range, or null. */
export function statsRangeProblem(from: Date, to: Date): string | null {
  if (!(from < to)) return 'The end must be after the start';
  if (to.getTime() - from.getTime() > STATS_RANGE_MAX_DAYS * 24 * 3_600_000) {
    return `A range can span at most ${STATS_RANGE_MAX_DAYS} days`;
  }
  return null;
}

/** The wall-clock date and time of an instant in a zone. */
function wallClock(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((candidate) => candidate.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    asUtc: Date.UTC(
      part('year'),
      part('month') - 1,
      part('day'),
      part('hour'),
      part('minute'),
      part('second'),
    ),
  };
}

/** The instant of local midnight `daysBack` days before the day `instant` falls on. */
export function startOfLocalDay(instant: Date, timeZone: string, daysBack = 0): Date {
  const { year, month, day } = wallClock(instant, timeZone);
  const midnight = Date.UTC(year, month - 1, day - daysBack);
  const offset = (at: number) =>
    wallClock(new Date(at), timeZone).asUtc - Math.floor(at / 1000) * 1000;
  // The offset is read twice: the first guess can fall on the other side of a DST change.
  const guess = midnight - offset(midnight);
  return new Date(midnight - offset(guess));
}

/** A preset as a range: from midnight `days - 1` days ago, in timeZone, until now. */
export function presetRange(
  preset: StatsPreset,
  timeZone: string,
  now: Date,
): { from: Date; to: Date } {
  return { from: startOfLocalDay(now, timeZone, PRESET_DAYS[preset] - 1), to: now };
}

/** A range as a client gives it: either a preset or both ends. */
export interface LeadStatsRange {
  preset?: StatsPreset | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The instants a client's range stands for at `now` (the last 30 days when absent), or what is
 * wrong with it, with paths relative to the field's arguments.
 */
export function resolveStatsRange(
  range: LeadStatsRange | null | undefined,
  timeZone: string,
  now: Date,
): { from: Date; to: Date } | FieldError[] {
  if (!isTimeZone(timeZone)) {
    return [{ path: 'timeZone', message: 'Use an IANA time zone name such as America/Sao_Paulo' }];
  }
  if (!range?.preset && !range?.from && !range?.to) {
    return presetRange('LAST_30_DAYS', timeZone, now);
  }
  if (range.preset) {
    if (range.from || range.to) {
      return [{ path: 'range', message: 'Give either a preset or from and to, not both' }];
    }
    return presetRange(range.preset, timeZone, now);
  }
  if (!range.from || !range.to) {
    return [{ path: range.from ? 'range.to' : 'range.from', message: 'Give both from and to' }];
  }
  const problem = statsRangeProblem(range.from, range.to);
  return problem ? [{ path: 'range.to', message: problem }] : { from: range.from, to: range.to };
}

export function statsInterval(from: Date, to: Date): StatsInterval {
  return to.getTime() - from.getTime() <= HOURLY_SERIES_MAX_MS ? 'HOUR' : 'DAY';
}

/**
 * One group of leads from the stats query. Series groups (`inSeries`) have start and status;
 * the others have status, origin and band (null for unscored leads). JSON brings timestamps as
 * strings.
 */
interface GroupRow {
  inSeries: boolean;
  start: string | null;
  status: LeadStatus;
  origin: LeadOrigin | null;
  band: number | null;
  count: number;
  scored: number;
  scoreSum: number;
}

interface StatsRow {
  groups: GroupRow[];
  starts: string[];
  today: number;
}

/**
 * Every dashboard figure for leads created in [from, to), in one SQL statement: one snapshot, so
 * totals, series and histogram always agree, and one round trip. The range is read once, through
 * the createdAt index, into two hashed groupings of at most a few thousand rows, which are
 * summed up here.
 */
export async function computeLeadStats(
  prisma: PrismaClient,
  options: LeadStatsOptions,
): Promise<LeadStats> {
  const { from, to, timeZone, now = new Date() } = options;
  const problem = statsRangeProblem(from, to);
  if (problem) throw new RangeError(problem);
  if (!isTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${timeZone}`);
  const interval = statsInterval(from, to);
  // Timestamps go in as ISO strings with their Z: Prisma would send a Date without an offset,
  // which PostgreSQL reads in the session's time zone.
  const [row] = await prisma.$queryRaw<StatsRow[]>`
    WITH grouped AS (
      SELECT
        GROUPING(bucket) = 0 AS "inSeries",
        ${bucketInstant(interval, timeZone)} AS start, "status", "origin", band,
        count(*)::int AS count,
        count("processedAt")::int AS scored,
        coalesce(sum("score") FILTER (WHERE "processedAt" IS NOT NULL), 0)::float8 AS "scoreSum"
      FROM (
        SELECT "status", "origin", "score", "processedAt",
          ${bucketOf(interval, from, timeZone)} AS bucket,
          -- Integer arithmetic: floor to a multiple of the width, also below zero.
          CASE WHEN "processedAt" IS NOT NULL THEN least(
            "score" - (("score" % ${SCORE_BUCKET_WIDTH}::int) + ${SCORE_BUCKET_WIDTH}::int) % ${SCORE_BUCKET_WIDTH}::int,
            ${SCORE_BUCKET_OPEN_FROM}::int
          ) END AS band
        FROM "leads"
        WHERE "createdAt" >= ${from.toISOString()}::timestamptz
          AND "createdAt" < ${to.toISOString()}::timestamptz
      ) AS ranged
      GROUP BY GROUPING SETS ((bucket, "status"), ("status", "origin", band))
    )
    SELECT
      (SELECT coalesce(json_agg(grouped), '[]') FROM grouped) AS groups,
      (SELECT json_agg(start ORDER BY start) FROM ${bucketStarts(interval, from, to, timeZone)} AS starts(start)) AS starts,
      (
        SELECT count(*)::int FROM "leads"
        WHERE "createdAt" >= date_trunc('day', ${now.toISOString()}::timestamptz, ${timeZone})
      ) AS today
  `;
  if (!row) throw new Error('the stats query returned no row');
  const totals = row.groups.filter((group) => !group.inSeries);
  const scored = sum(totals, (group) => group.scored);
  return {
    from,
    to,
    timeZone,
    interval,
    total: sum(totals, (group) => group.count),
    byStatus: STATUSES.map((status) => ({
      status,
      count: sum(totals, (group) => (group.status === status ? group.count : 0)),
    })),
    byOrigin: ORIGINS.map((origin) => ({
      origin,
      count: sum(totals, (group) => (group.origin === origin ? group.count : 0)),
    })),
    leadsToday: row.today,
    scoredCount: scored,
    averageScore: scored === 0 ? null : sum(totals, (group) => group.scoreSum) / scored,
    series: seriesFrom(
      row.starts,
      row.groups.filter((group) => group.inSeries),
    ),
    scoreHistogram: histogramFrom(totals),
  };
}

const sum = <T>(items: T[], value: (item: T) => number): number =>
  items.reduce((total, item) => total + value(item), 0);

// Hour buckets are counted in absolute hours from the first bucket (date_bin), which keeps them
// aligned with the generated starts across DST changes and in zones offset by half hours. Day
// buckets are wall-clock dates, turned into instants only once per group: converting every row
// with the three-argument date_trunc costs twice as much.
function bucketOf(interval: StatsInterval, from: Date, timeZone: string): Prisma.Sql {
  return interval === 'HOUR'
    ? Prisma.sql`date_bin('1 hour', "createdAt", date_trunc('hour', ${from.toISOString()}::timestamptz, ${timeZone}))`
    : Prisma.sql`date_trunc('day', "createdAt" AT TIME ZONE ${timeZone})`;
}

function bucketInstant(interval: StatsInterval, timeZone: string): Prisma.Sql {
  return interval === 'HOUR' ? Prisma.sql`bucket` : Prisma.sql`bucket AT TIME ZONE ${timeZone}`;
}

// The same instants as bucketOf and bucketInstant, one per bucket that overlaps [from, to).
function bucketStarts(interval: StatsInterval, from: Date, to: Date, timeZone: string): Prisma.Sql {
  const last = new Date(to.getTime() - 1).toISOString();
  return interval === 'HOUR'
    ? Prisma.sql`generate_series(date_trunc('hour', ${from.toISOString()}::timestamptz, ${timeZone}), ${last}::timestamptz, interval '1 hour')`
    : // Days are stepped on the wall clock, so a 23- or 25-hour day still ends at midnight.
      Prisma.sql`(
        SELECT local AT TIME ZONE ${timeZone}
        FROM generate_series(
          date_trunc('day', ${from.toISOString()}::timestamptz AT TIME ZONE ${timeZone}),
          ${last}::timestamptz AT TIME ZONE ${timeZone},
          interval '1 day'
        ) AS local
      )`;
}

function histogramFrom(groups: GroupRow[]): ScoreBucket[] {
  const counts = new Map<number, number>();
  for (const { band, count } of groups) {
    if (band !== null) counts.set(band, (counts.get(band) ?? 0) + count);
  }
  if (counts.size === 0) return [];
  const lowest = Math.min(0, ...counts.keys());
  const highest = Math.max(...counts.keys());
  const buckets: ScoreBucket[] = [];
  for (let min = lowest; min <= highest; min += SCORE_BUCKET_WIDTH) {
    const open = min >= SCORE_BUCKET_OPEN_FROM;
    buckets.push({
      min,
      max: open ? null : min + SCORE_BUCKET_WIDTH - 1,
      count: counts.get(min) ?? 0,
    });
  }
  return buckets;
}

function seriesFrom(starts: string[], groups: GroupRow[]): StatsPoint[] {
  const points = new Map(starts.map((start) => [Date.parse(start), new Map<LeadStatus, number>()]));
  for (const group of groups) {
    points.get(Date.parse(group.start!))?.set(group.status, group.count);
  }
  return [...points].map(([start, counts]) => ({
    start: new Date(start),
    total: [...counts.values()].reduce((total, count) => total + count, 0),
    byStatus: STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 })),
  }));
}
