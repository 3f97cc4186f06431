import { builder } from '../builder.ts';
import { ValidationError } from '../errors.ts';
import {
  computeLeadStats,
  DEFAULT_STATS_TIME_ZONE,
  resolveStatsRange,
  SCORE_BUCKET_WIDTH,
  STATS_RANGE_MAX_DAYS,
  type LeadStats,
  type LeadStatsRange,
  type OriginCount,
  type ScoreBucket,
  type StatsPoint,
  type StatsPreset,
  type StatusCount,
} from './lead-stats.ts';
import { LeadOriginEnum, LeadStatusEnum } from './leads.schema.ts';

export const LeadStatsPresetEnum = builder.enumType('LeadStatsPreset', {
  description: 'A range that ends now and starts at a midnight in the chosen time zone.',
  values: {
    TODAY: { description: 'Since midnight today.' },
    LAST_7_DAYS: { description: 'Today and the 6 days before.' },
    LAST_30_DAYS: { description: 'Today and the 29 days before.' },
    LAST_90_DAYS: { description: 'Today and the 89 days before.' },
  } as const satisfies Record<StatsPreset, unknown>,
});

export const LeadStatsIntervalEnum = builder.enumType('LeadStatsInterval', {
  description: 'The width of one point of a series.',
  values: {
    HOUR: { description: 'One hour (ranges of up to 2 days).' },
    DAY: { description: 'One day, midnight to midnight in the chosen time zone.' },
  } as const,
});

export type { LeadStatsRange };

export const LeadStatsRangeInput = builder.inputRef<LeadStatsRange>('LeadStatsRange').implement({
  description: `Which leads to count, by creation time: give either preset, or both from and to (at most ${STATS_RANGE_MAX_DAYS} days apart).`,
  fields: (t) => ({
    preset: t.field({
      type: LeadStatsPresetEnum,
      required: false,
      description: 'A range ending now.',
    }),
    from: t.field({ type: 'DateTime', required: false, description: 'Start, included.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'End, excluded.' }),
  }),
});

const StatusCountType = builder.objectRef<StatusCount>('LeadStatusCount').implement({
  description: 'How many leads have a status.',
  fields: (t) => ({
    status: t.expose('status', { type: LeadStatusEnum, description: 'The status.' }),
    count: t.exposeInt('count', { description: 'How many leads.' }),
  }),
});

const OriginCountType = builder.objectRef<OriginCount>('LeadOriginCount').implement({
  description: 'How many leads came from an origin.',
  fields: (t) => ({
    origin: t.expose('origin', { type: LeadOriginEnum, description: 'The origin.' }),
    count: t.exposeInt('count', { description: 'How many leads.' }),
  }),
});

const StatsPointType = builder.objectRef<StatsPoint>('LeadStatsPoint').implement({
  description: 'The leads created in one hour or one day.',
  fields: (t) => ({
    start: t.expose('start', {
      type: 'DateTime',
      description: 'When the hour or day starts; it ends where the next point starts.',
    }),
    total: t.exposeInt('total', { description: 'Leads created in it.' }),
    byStatus: t.expose('byStatus', {
      type: [StatusCountType],
      description: 'Those leads by current status: every status, zeros included.',
    }),
  }),
});

const ScoreBucketType = builder.objectRef<ScoreBucket>('ScoreBucket').implement({
  description: `Scored leads whose score falls in a band of ${SCORE_BUCKET_WIDTH} points.`,
  fields: (t) => ({
    min: t.exposeInt('min', { description: 'Lowest score in the band.' }),
    max: t.exposeInt('max', {
      nullable: true,
      description: 'Highest score in the band; null for the last band, which has no upper end.',
    }),
    count: t.exposeInt('count', { description: 'How many scored leads.' }),
  }),
});

export const LeadStatsType = builder.objectRef<LeadStats>('LeadStats').implement({
  description:
    'Dashboard figures about the leads created in a range. All come from one snapshot, so they always agree with each other.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', description: 'Start of the range, included.' }),
    to: t.expose('to', { type: 'DateTime', description: 'End of the range, excluded.' }),
    timeZone: t.exposeString('timeZone', {
      description: 'The IANA time zone used for midnights ("today", day points).',
    }),
    interval: t.expose('interval', {
      type: LeadStatsIntervalEnum,
      description: 'The width of each series point.',
    }),
    total: t.exposeInt('total', { description: 'Leads created in the range.' }),
    byStatus: t.expose('byStatus', {
      type: [StatusCountType],
      description: 'Leads in the range by current status: every status, zeros included.',
    }),
    byOrigin: t.expose('byOrigin', {
      type: [OriginCountType],
      description: 'Leads in the range by origin: every origin, zeros included.',
    }),
    leadsToday: t.exposeInt('leadsToday', {
      description: 'Leads created since the last midnight in timeZone, whatever the range.',
    }),
    scoredCount: t.exposeInt('scoredCount', {
      description: 'Leads in the range that scoring has processed.',
    }),
    averageScore: t.exposeFloat('averageScore', {
      nullable: true,
      description: 'Mean score of the scored leads in the range; null when there are none.',
    }),
    series: t.expose('series', {
      type: [StatsPointType],
      description:
        'Leads created per hour (ranges of up to 2 days) or per day, by status, oldest first; every hour or day of the range is present.',
    }),
    scoreHistogram: t.expose('scoreHistogram', {
      type: [ScoreBucketType],
      description: `Scored leads in the range by score, in bands of ${SCORE_BUCKET_WIDTH} points from 0 up to the highest band with a lead; empty when none is scored.`,
    }),
  }),
});

/** The arguments of leadStats, shared by the live leadStatsUpdated subscription. */
export const leadStatsArgs = builder.args((t) => ({
  range: t.field({
    type: LeadStatsRangeInput,
    required: false,
    description: 'Which leads, by creation time; the last 30 days when absent.',
  }),
  timeZone: t.string({
    required: true,
    defaultValue: DEFAULT_STATS_TIME_ZONE,
    description: `An IANA time zone such as "${DEFAULT_STATS_TIME_ZONE}": where days start, for presets, leadsToday and day points.`,
  }),
}));

builder.queryField('leadStats', (t) =>
  t.field({
    authScopes: { permission: 'leads:read' },
    type: LeadStatsType,
    description:
      'Totals, counts by status and origin, leads today, average score, a series per hour or day and a score histogram, for the leads created in a range (the last 30 days by default). Select `... on LeadStats { ... }` for the figures and `... on ValidationError { fieldErrors { path message } }` for a refused range or time zone.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The figures, or why the range or time zone was refused.' },
    },
    args: leadStatsArgs,
    resolve: (_root, args, ctx) => {
      const now = new Date();
      const range = resolveStatsRange(args.range, args.timeZone, now);
      if (Array.isArray(range)) throw new ValidationError(range);
      return computeLeadStats(ctx.prisma, { ...range, timeZone: args.timeZone, now });
    },
  }),
);
