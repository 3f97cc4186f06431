import type { FieldError } from '../errors.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { LeadOrigin, LeadStatus } from '../generated/prisma/enums.ts';
import { bilingual } from '../localization/catalog.ts';

/** The zone the business runs in: "today" and day buckets follow its midnight by default. */
export const DEFAULT_STATS_TIME_ZONE = 'America/Sao_Paulo';

/** Ranges up to this long are bucketed by hour, longer ones by day. */
export const HOURLY_SERIES_MAX_MS = 2 * 24 * 3_600_000;
/** The longest range accepted: a year and a bit, so a day series stays a few hundred points. */
export const STATS_RANGE_MAX_DAYS = 400;

// The migration lead_stats_summary's lead_score_band() bands scores with the same two numbers.
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
// Catalog entries: ValidationError gives them their Portuguese.
const rangeMessages = {
  endBeforeStart: bilingual('The end must be after the start', 'O fim deve ser depois do início'),
  tooLong: bilingual(
    `A range can span at most ${STATS_RANGE_MAX_DAYS} days`,
    `Um período pode ter no máximo ${STATS_RANGE_MAX_DAYS} dias`,
  ),
  timeZone: bilingual(
    'Use an IANA time zone name such as America/Sao_Paulo',
    'Use um fuso horário IANA, como America/Sao_Paulo',
  ),
  presetAndDates: bilingual(
    'Give either a preset or from and to, not both',
    'Informe um período pronto ou as datas de início e fim, não os dois',
  ),
  bothDates: bilingual('Give both from and to', 'Informe o início e o fim'),
};

export function statsRangeProblem(from: Date, to: Date): string | null {
  if (!(from < to)) return rangeMessages.endBeforeStart;
  if (to.getTime() - from.getTime() > STATS_RANGE_MAX_DAYS * 24 * 3_600_000) {
    return rangeMessages.tooLong;
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
    return [{ path: 'timeZone', message: rangeMessages.timeZone }];
  }
  if (!range?.preset && !range?.from && !range?.to) {
    return presetRange('LAST_30_DAYS', timeZone, now);
  }
  if (range.preset) {
    if (range.from || range.to) {
      return [{ path: 'range', message: rangeMessages.presetAndDates }];
    }
    return presetRange(range.preset, timeZone, now);
  }
  if (!range.from || !range.to) {
    return [{ path: range.from ? 'range.to' : 'range.from', message: rangeMessages.bothDates }];
  }
  const problem = statsRangeProblem(range.from, range.to);
  return problem ? [{ path: 'range.to', message: problem }] : { from: range.from, to: range.to };
}

export function statsInterval(from: Date, to: Date): StatsInterval {
  return to.getTime() - from.getTime() <= HOURLY_SERIES_MAX_MS ? 'HOUR' : 'DAY';
}

/**
 * One group from the stats query: leads counted along one dimension ("status", "origin" or
 * "band", whose value is the band's lowest score), over the whole range, or per bucket when
 * `inSeries` (status only, start set; a bucket may come in several parts). JSON brings
 * timestamps as strings.
 */
interface GroupRow {
  inSeries: boolean;
  start: string | null;
  dimension: 'status' | 'origin' | 'band';
  value: string;
  count: number;
  scored: number;
  scoreSum: number;
}

interface StatsRow {
  groups: GroupRow[];
  starts: string[];
  today: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Where a range's figures come from: see summaryPlan. */
interface SummaryPlan {
  /** Whole UTC hours [from, to): the summaries; the rest of the range: the leads. */
  hours: { from: Date; to: Date };
  /** Whole UTC days inside those hours, whose totals come from lead_stats_days (may be empty). */
  days: { from: Date; to: Date };
  /** The hours before and after those days, whose totals come from lead_stats_hours. */
  hourEdges: [{ from: Date; to: Date }, { from: Date; to: Date }];
}

const floorTo = (instant: Date, step: number) =>
  new Date(Math.floor(instant.getTime() / step) * step);
const ceilTo = (instant: Date, step: number) =>
  new Date(Math.ceil(instant.getTime() / step) * step);

function summaryPlan(from: Date, to: Date): SummaryPlan {
  const hours = { from: ceilTo(from, HOUR_MS), to: floorTo(to, HOUR_MS) };
  const dayFrom = ceilTo(hours.from, DAY_MS);
  const dayTo = floorTo(hours.to, DAY_MS);
  if (dayFrom >= dayTo) {
    return {
      hours,
      days: { from: dayFrom, to: dayFrom },
      hourEdges: [hours, { from: hours.to, to: hours.to }],
    };
  }
  return {
    hours,
    days: { from: dayFrom, to: dayTo },
    hourEdges: [
      { from: hours.from, to: dayFrom },
      { from: dayTo, to: hours.to },
    ],
  };
}

/**
 * Every dashboard figure for leads created in [from, to), in one SQL statement: one snapshot, so
 * totals, series and histogram always agree, and one round trip.
 *
 * Day series read summaries (see the lead_stats_summary migration) for the whole UTC hours of
 * the range, and the leads only for the partial hours at its two ends: totals sum whole UTC days
 * (lead_stats_days) and the hours around them, the series sums the hours' status rows, and the
 * deltas not folded yet are added to both. At a million leads over 90 days that is a few
 * thousand summary rows instead of a million leads. Local midnights must fall on UTC hours,
 * true of zones with whole-hour offsets; other zones, and hour series (two days at most), read
 * the leads themselves, as `fromLeadsOnly` does: the reference the summaries are tested against.
 */
export async function computeLeadStats(
  prisma: PrismaClient,
  options: LeadStatsOptions & { fromLeadsOnly?: boolean },
): Promise<LeadStats> {
  const { from, to, timeZone, now = new Date() } = options;
  const problem = statsRangeProblem(from, to);
  if (problem) throw new RangeError(problem);
  if (!isTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${timeZone}`);
  const interval = statsInterval(from, to);
  const plan =
    !options.fromLeadsOnly && interval === 'DAY' && hasWholeHourOffsets(timeZone, from, to)
      ? summaryPlan(from, to)
      : null;
  const bucket = (instant: Prisma.Sql) => bucketOf(interval, from, timeZone, instant);
  const [row] = await prisma.$queryRaw<StatsRow[]>`
    WITH lead_groups AS (
      SELECT ${bucket(Prisma.sql`"createdAt"`)} AS bucket,
        "status", "origin", lead_score_band("score") AS band,
        count(*)::int AS leads,
        count("processedAt")::int AS scored,
        coalesce(sum("score") FILTER (WHERE "processedAt" IS NOT NULL), 0)::bigint AS "scoreSum"
      FROM "leads"
      WHERE "createdAt" >= ${from.toISOString()}::timestamptz
        AND "createdAt" < ${to.toISOString()}::timestamptz
        AND ${plan ? Prisma.sql`NOT ${within(Prisma.sql`"createdAt"`, plan.hours)}` : Prisma.sql`true`}
      GROUP BY 1, 2, 3, 4
      UNION ALL
      SELECT ${bucket(Prisma.sql`"hour"`)}, "status", "origin", "band", "leads", "scored", "scoreSum"
      FROM "lead_stats_deltas"
      WHERE ${plan ? within(Prisma.sql`"hour"`, plan.hours) : Prisma.sql`false`}
    ), totals AS (
      SELECT dimension, value, sum(leads) AS leads, sum(scored) AS scored, sum("scoreSum") AS "scoreSum"
      FROM (
        SELECT dimension, value, leads, scored, "scoreSum"
        FROM lead_groups CROSS JOIN LATERAL (
          VALUES ('status', "status"::text), ('origin', "origin"::text), ('band', band::text)
        ) AS dimensions(dimension, value)
        UNION ALL
        SELECT "dimension", "value", "leads", "scored", "scoreSum" FROM "lead_stats_days"
        WHERE "dimension" IN ('status', 'origin', 'band')
          AND ${plan ? within(Prisma.sql`"day"`, plan.days) : Prisma.sql`false`}
        UNION ALL
        SELECT "dimension", "value", "leads", "scored", "scoreSum" FROM "lead_stats_hours"
        WHERE "dimension" IN ('status', 'origin', 'band')
          AND ${plan ? within(Prisma.sql`"hour"`, plan.hourEdges[0]) : Prisma.sql`false`}
        UNION ALL
        SELECT "dimension", "value", "leads", "scored", "scoreSum" FROM "lead_stats_hours"
        WHERE "dimension" IN ('status', 'origin', 'band')
          AND ${plan ? within(Prisma.sql`"hour"`, plan.hourEdges[1]) : Prisma.sql`false`}
      ) AS parts
      GROUP BY dimension, value
    ), series AS (
      SELECT bucket, "status"::text AS value, sum(leads) AS leads FROM lead_groups GROUP BY 1, 2
      UNION ALL
      SELECT ${bucket(Prisma.sql`"hour"`)}, "value", sum("leads") FROM "lead_stats_hours"
      WHERE "dimension" = 'status'
        AND ${plan ? within(Prisma.sql`"hour"`, plan.hours) : Prisma.sql`false`}
      GROUP BY 1, 2
    ), "grouped" AS (
      SELECT false AS "inSeries", NULL::timestamptz AS start, dimension, value,
        leads::int AS count, scored::int AS scored, "scoreSum"::float8 AS "scoreSum"
      FROM totals
      UNION ALL
      SELECT true, ${bucketInstant(interval, timeZone)}, 'status', value, leads::int, 0, 0
      FROM series
    )
    SELECT
      (SELECT coalesce(json_agg("grouped"), '[]') FROM "grouped") AS groups,
      (SELECT json_agg(start ORDER BY start) FROM ${bucketStarts(interval, from, to, timeZone)} AS starts(start)) AS starts,
      (
        SELECT count(*)::int FROM "leads"
        WHERE "createdAt" >= date_trunc('day', ${now.toISOString()}::timestamptz, ${timeZone})
      ) AS today
  `;
  if (!row) throw new Error('the stats query returned no row');
  const totals = row.groups.filter((group) => !group.inSeries);
  const byStatus = totals.filter((group) => group.dimension === 'status');
  const scored = sum(byStatus, (group) => group.scored);
  return {
    from,
    to,
    timeZone,
    interval,
    total: sum(byStatus, (group) => group.count),
    byStatus: STATUSES.map((status) => ({
      status,
      count: sum(byStatus, (group) => (group.value === status ? group.count : 0)),
    })),
    byOrigin: ORIGINS.map((origin) => ({
      origin,
      count: sum(totals, (group) =>
        group.dimension === 'origin' && group.value === origin ? group.count : 0,
      ),
    })),
    leadsToday: row.today,
    scoredCount: scored,
    averageScore: scored === 0 ? null : sum(byStatus, (group) => group.scoreSum) / scored,
    series: seriesFrom(
      row.starts,
      row.groups.filter((group) => group.inSeries),
    ),
    scoreHistogram: histogramFrom(totals.filter((group) => group.dimension === 'band')),
  };
}

function within(column: Prisma.Sql, range: { from: Date; to: Date }): Prisma.Sql {
  return Prisma.sql`(${column} >= ${range.from.toISOString()}::timestamptz AND ${column} < ${range.to.toISOString()}::timestamptz)`;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Whether the zone is a whole number of hours away from UTC throughout [from, to], so that its
 * midnights fall on UTC hours. Offsets are read every 6 hours: no zone keeps an offset for less.
 */
export function hasWholeHourOffsets(timeZone: string, from: Date, to: Date): boolean {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  for (let at = from.getTime(); ; at = Math.min(at + 6 * HOUR_MS, to.getTime())) {
    const offset = format
      .formatToParts(new Date(at))
      .find((part) => part.type === 'timeZoneName')?.value;
    // "GMT" for UTC itself, "GMT-03:00", "GMT+05:30", or "GMT-03:06:28" for local mean time.
    if (offset !== 'GMT' && !/^GMT[+-]\d\d:00$/.test(offset ?? '')) return false;
    if (at >= to.getTime()) return true;
  }
}

/**
 * Moves the deltas the leads trigger logged into the hourly summaries (see the
 * lead_stats_summary migration) and answers how many it moved. Readers add unfolded deltas, so
 * this only keeps them few; safe to run concurrently.
 */
export async function foldLeadStatsDeltas(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ moved: bigint }[]>`SELECT lead_stats_fold() AS moved`;
  return Number(row?.moved ?? 0);
}

const sum = <T>(items: T[], value: (item: T) => number): number =>
  items.reduce((total, item) => total + value(item), 0);

// Hour buckets are counted in absolute hours from the first bucket (date_bin), which keeps them
// aligned with the generated starts across DST changes and in zones offset by half hours. Day
// buckets are wall-clock dates, turned into instants only once per group: converting every row
// with the three-argument date_trunc costs twice as much.
function bucketOf(
  interval: StatsInterval,
  from: Date,
  timeZone: string,
  instant: Prisma.Sql,
): Prisma.Sql {
  return interval === 'HOUR'
    ? Prisma.sql`date_bin('1 hour', ${instant}, date_trunc('hour', ${from.toISOString()}::timestamptz, ${timeZone}))`
    : Prisma.sql`date_trunc('day', ${instant} AT TIME ZONE ${timeZone})`;
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

function histogramFrom(bands: GroupRow[]): ScoreBucket[] {
  const counts = new Map<number, number>();
  for (const { value, scored } of bands) {
    if (scored > 0) counts.set(Number(value), (counts.get(Number(value)) ?? 0) + scored);
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
    const counts = points.get(Date.parse(group.start!));
    counts?.set(
      group.value as LeadStatus,
      (counts.get(group.value as LeadStatus) ?? 0) + group.count,
    );
  }
  return [...points].map(([start, counts]) => ({
    start: new Date(start),
    total: [...counts.values()].reduce((total, count) => total + count, 0),
    byStatus: STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 })),
  }));
}
