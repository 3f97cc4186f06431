import { createGraphQLError } from 'graphql-yoga';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { loadEnv } from '../env.ts';
import { ValidationError } from '../errors.ts';
import type { EventBus } from '../events.ts';
import { resolveStatsRange, type LeadStatsRange } from '../leads/lead-stats.ts';
import { leadStatsArgs } from '../leads/lead-stats.schema.ts';
import { LeadOriginEnum, LeadStatusEnum } from '../leads/leads.schema.ts';
import { createLiveMetrics, type LiveMetrics } from '../live/live-metrics.ts';
import {
  computePipelineStats,
  type ActionEffectiveness,
  type ClassConversion,
  type Conversion,
  type FirstContactTime,
  type FunnelStep,
  type OriginConversion,
  type PipelineStats,
} from './pipeline-stats.ts';
import { LeadStageEnum } from './pipeline.schema.ts';

// The counts every conversion group shares, defined once: the three group types implement it.
const ConversionCountsInterface = builder.interfaceRef<Conversion>('ConversionCounts').implement({
  description: 'How many leads of a group were won and lost.',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Leads in the group.' }),
    won: t.exposeInt('won', { description: 'Of them, leads at stage WON now.' }),
    lost: t.exposeInt('lost', { description: 'Of them, leads at stage LOST now.' }),
    conversionRate: t.exposeFloat('conversionRate', {
      nullable: true,
      description: 'won / total, from 0 to 1; null when the group is empty.',
    }),
  }),
});

const ConversionType = builder.objectRef<Conversion>('PipelineConversion').implement({
  description: 'How many leads of a group were won.',
  interfaces: [ConversionCountsInterface],
  fields: () => ({}),
});

const OriginConversionType = builder.objectRef<OriginConversion>('OriginConversion').implement({
  description: 'How many leads from one origin were won.',
  interfaces: [ConversionCountsInterface],
  fields: (t) => ({
    origin: t.expose('origin', { type: LeadOriginEnum, description: 'The origin.' }),
  }),
});

const ClassConversionType = builder.objectRef<ClassConversion>('ClassConversion').implement({
  description: 'How many leads of one class (their current status) were won.',
  interfaces: [ConversionCountsInterface],
  fields: (t) => ({
    status: t.expose('status', { type: LeadStatusEnum, description: 'The class.' }),
  }),
});

const FunnelStepType = builder.objectRef<FunnelStep>('PipelineFunnelStep').implement({
  description: 'One stage of the funnel.',
  fields: (t) => ({
    stage: t.expose('stage', { type: LeadStageEnum, description: 'The stage.' }),
    current: t.exposeInt('current', { description: 'Leads at this stage now.' }),
    reached: t.exposeInt('reached', {
      description:
        'Leads that ever reached it. For NEW, CONTACTED, QUALIFIED and WON: leads that were at it or at a later one of these (a lead moved from NEW straight to WON counts as contacted and qualified). For LOST: leads ever lost, reopened ones included.',
    }),
  }),
});

const FirstContactType = builder.objectRef<FirstContactTime>('FirstContactTime').implement({
  description:
    "Time from a lead's creation to its first move out of NEW (firstContactedAt), for one class.",
  fields: (t) => ({
    status: t.expose('status', { type: LeadStatusEnum, description: 'The class (current).' }),
    contacted: t.exposeInt('contacted', { description: 'Leads of the class contacted.' }),
    notContacted: t.exposeInt('notContacted', {
      description: 'Leads of the class never moved out of NEW.',
    }),
    medianSeconds: t.exposeFloat('medianSeconds', {
      nullable: true,
      description: 'Median time to first contact, in seconds; null when none was contacted.',
    }),
    p90Seconds: t.exposeFloat('p90Seconds', {
      nullable: true,
      description:
        '90th percentile (continuous) time to first contact, in seconds; null when none was contacted.',
    }),
  }),
});

const ActionEffectivenessType = builder
  .objectRef<ActionEffectiveness>('AutomationEffectiveness')
  .implement({
    description: 'How the runs of one automation action ended.',
    fields: (t) => ({
      action: t.exposeString('action', { description: 'The action, e.g. notify-slack.' }),
      total: t.exposeInt('total', { description: 'Runs of the action.' }),
      succeeded: t.exposeInt('succeeded', { description: 'Runs that delivered.' }),
      skipped: t.exposeInt('skipped', {
        description: 'Runs skipped (not configured, lead unsubscribed or handled...).',
      }),
      dead: t.exposeInt('dead', { description: 'Runs that gave up after their attempts.' }),
      inProgress: t.exposeInt('inProgress', {
        description: 'Runs not ended yet (pending, running, or failed with a retry scheduled).',
      }),
      succeededShare: t.exposeFloat('succeededShare', {
        nullable: true,
        description: 'succeeded / total, from 0 to 1.',
      }),
      skippedShare: t.exposeFloat('skippedShare', {
        nullable: true,
        description: 'skipped / total, from 0 to 1.',
      }),
      deadShare: t.exposeFloat('deadShare', {
        nullable: true,
        description: 'dead / total, from 0 to 1.',
      }),
    }),
  });

export const PipelineStatsType = builder.objectRef<PipelineStats>('PipelineStats').implement({
  description:
    'Sales pipeline figures about the leads created in a range, all from one snapshot: conversion (WON / total) overall, by origin and by class, the funnel, time to first contact, automation effectiveness and nurture versus no nurture.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', description: 'Start of the range, included.' }),
    to: t.expose('to', { type: 'DateTime', description: 'End of the range, excluded.' }),
    overall: t.expose('overall', {
      type: ConversionType,
      description: 'Every lead created in the range.',
    }),
    byOrigin: t.expose('byOrigin', {
      type: [OriginConversionType],
      description: 'By origin: every origin, zeros included.',
    }),
    byClass: t.expose('byClass', {
      type: [ClassConversionType],
      description: 'By class (current status): every class, zeros included.',
    }),
    funnel: t.expose('funnel', {
      type: [FunnelStepType],
      description: 'Every stage, NEW to LOST, with the leads at it now and those that reached it.',
    }),
    firstContact: t.expose('firstContact', {
      type: [FirstContactType],
      description: 'Time to first contact by class: every class, in LeadStatus order.',
    }),
    automations: t.expose('automations', {
      type: [ActionEffectivenessType],
      description:
        "How the automation runs of these leads ended, by action (actions with runs only, by name). Counts the leads' runs whenever they ran, so a range is one cohort of leads throughout.",
    }),
    nurtured: t.expose('nurtured', {
      type: ConversionType,
      description:
        'Leads that were sent at least one nurture or sequence email (a SUCCEEDED nurture-email or sequence-email run).',
    }),
    notNurtured: t.expose('notNurtured', {
      type: ConversionType,
      description: 'Leads that were sent none.',
    }),
  }),
});

builder.queryField('pipelineStats', (t) =>
  t.field({
    authScopes: { permission: 'leads:read' },
    type: PipelineStatsType,
    description:
      'Sales pipeline figures for the leads created in a range (the last 30 days by default), in one SQL statement. Select `... on PipelineStats { ... }` for the figures and `... on ValidationError { fieldErrors { path message } }` for a refused range or time zone.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The figures, or why the range or time zone was refused.' },
    },
    args: leadStatsArgs,
    resolve: (_root, args, ctx) => {
      const range = resolveStatsRange(args.range, args.timeZone, new Date());
      if (Array.isArray(range)) throw new ValidationError(range);
      return computePipelineStats(ctx.prisma, range);
    },
  }),
);

/** The arguments of pipelineStatsUpdated, checked. */
interface LiveStatsArgs {
  range: LeadStatsRange;
  timeZone: string;
}

builder.subscriptionField('pipelineStatsUpdated', (t) =>
  t.field({
    authScopes: { permission: 'leads:read' },
    type: PipelineStatsType,
    description:
      'The figures of `pipelineStats`, kept current: sent at once, then again after lead changes (stages, scoring, automation runs...), at most once per LIVE_METRICS_INTERVAL_MS. A preset range ends at the time of each message.',
    args: leadStatsArgs,
    subscribe: (_root, args, ctx) => {
      const live = { range: args.range ?? {}, timeZone: args.timeZone };
      // Checked once here, so a bad range is refused to this client instead of failing every tick.
      liveRange(live, new Date());
      return livePipelineStatsOf(ctx).subscribe(live);
    },
    resolve: (stats) => stats,
  }),
);

const processStats = new WeakMap<EventBus, LiveMetrics<LiveStatsArgs, PipelineStats>>();

/** This process's live pipeline figures: one computation per arguments per tick, shared. */
function livePipelineStatsOf(ctx: Context): LiveMetrics<LiveStatsArgs, PipelineStats> {
  let stats = processStats.get(ctx.events);
  if (!stats) {
    const { prisma } = ctx;
    stats = createLiveMetrics<LiveStatsArgs, PipelineStats>({
      events: ctx.events,
      intervalMs: loadEnv().LIVE_METRICS_INTERVAL_MS,
      logger: ctx.logger,
      key: ({ range, timeZone }) =>
        JSON.stringify([range.preset ?? null, range.from ?? null, range.to ?? null, timeZone]),
      compute: (args) => computePipelineStats(prisma, liveRange(args, new Date())),
      // Automation runs change the effectiveness and nurture figures, so every lead event counts.
      staleOn: (event) => event.type === 'lead.changed' || event.type === 'events.resync',
    });
    processStats.set(ctx.events, stats);
  }
  return stats;
}

function liveRange({ range, timeZone }: LiveStatsArgs, now: Date): { from: Date; to: Date } {
  const window = resolveStatsRange(range, timeZone, now);
  if (!Array.isArray(window)) return window;
  const [problem] = window;
  throw createGraphQLError(problem!.message, {
    extensions: { code: 'BAD_USER_INPUT', path: problem!.path },
  });
}
