import { queryFromInfo } from '@pothos/plugin-prisma';
import { createGraphQLError } from 'graphql-yoga';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { loadEnv } from '../env.ts';
import type { EventBus, LeadChange } from '../events.ts';
import { computeLeadStats, resolveStatsRange, type LeadStats } from '../leads/lead-stats.ts';
import { leadStatsArgs, LeadStatsType, type LeadStatsRange } from '../leads/lead-stats.schema.ts';
import { LeadOriginEnum, LeadStatusEnum } from '../leads/leads.schema.ts';
import { createLiveMetrics, type LiveMetrics } from './live-metrics.ts';
import { leadUpdatesFor, type LeadUpdate, type LeadUpdateFilter } from './lead-updates.ts';

export const LeadChangeEnum = builder.enumType('LeadChange', {
  description: 'What happened to a lead.',
  values: {
    CREATED: { value: 'created', description: 'A submission with a new email created the lead.' },
    MERGED: {
      value: 'merged',
      description: 'A submission with the email of this lead updated it.',
    },
    SCORED: {
      value: 'scored',
      description: 'Scoring finished: score, status and explanation are new.',
    },
    UPDATED: { value: 'updated', description: 'A person changed the lead (fields or status).' },
    DELETED: { value: 'deleted', description: 'The lead was deleted; `lead` is null.' },
    AUTOMATION: {
      value: 'automation',
      description: 'An automation ran for the lead (a notification, a CRM push, an email).',
    },
    STAGE: {
      value: 'stage',
      description: 'Its Sales pipeline stage changed (see Lead.stageChanges for from, to and who).',
    },
    OWNER: { value: 'owner', description: 'An admin gave the lead to another owner, or to none.' },
  } as const satisfies Record<string, { value: LeadChange; description: string }>,
});

export const LeadUpdatedFilterInput = builder
  .inputRef<LeadUpdateFilter>('LeadUpdatedFilter')
  .implement({
    description:
      'Which lead changes to receive. Every given condition must hold (AND); within a list, any value matches (OR); an empty list matches nothing. `status` and `origin` are checked on the lead as it is after the change (the same names as LeadFilter).',
    fields: (t) => ({
      ids: t.idList({ required: false, description: 'Only these leads.' }),
      status: t.field({
        type: [LeadStatusEnum],
        required: false,
        description:
          'Only leads that have one of these statuses after the change (a lead scored from PROCESSING to HOT reaches a HOT subscription).',
      }),
      origin: t.field({
        type: [LeadOriginEnum],
        required: false,
        description: 'Only leads from one of these origins.',
      }),
    }),
  });

export const LeadUpdateType = builder.objectRef<LeadUpdate>('LeadUpdate').implement({
  description: 'One change of one lead, sent after it was committed.',
  fields: (t) => ({
    change: t.field({
      type: LeadChangeEnum,
      description: 'What happened.',
      resolve: (update) => update.change,
    }),
    leadId: t.exposeID('leadId', { description: 'The id of the lead that changed.' }),
    lead: t.prismaField({
      type: 'Lead',
      nullable: true,
      description:
        'The lead as read right after the change (it may already include later changes); null when it was deleted.',
      resolve: (query, update, _args, ctx) =>
        update.lead && leadUpdatesOf(ctx).read(update.event, query),
    }),
  }),
});

builder.subscriptionField('leadUpdated', (t) =>
  t.field({
    authScopes: { permission: 'leads:read' },
    type: LeadUpdateType,
    description: [
      'Every change of a lead that `filter` accepts (created, merged, scored, updated, deleted, automation, stage, owner), in commit order, from any API instance or worker.',
      'A deletion reaches every subscription whose `ids` accept the lead, whatever its status and origin, since the deleted lead can no longer be read. Changes made while this API instance had lost its database connection are not replayed: read the leads again after reconnecting.',
    ].join('\n\n'),
    args: {
      filter: t.arg({
        type: LeadUpdatedFilterInput,
        required: false,
        description: 'Which changes to receive; all of them when absent.',
      }),
    },
    subscribe: (_root, args, ctx, info) => {
      // The selection under `lead`, planned once: each change is read with it, filtered on that
      // row, and the same row (shared by every subscriber with this selection) is resolved.
      const query = queryFromInfo({ context: ctx, info, typeName: 'Lead', path: ['lead'] });
      return leadUpdatesOf(ctx).subscribe(args.filter ?? {}, query);
    },
    resolve: (update) => update,
  }),
);

function leadUpdatesOf(ctx: Context) {
  return leadUpdatesFor({ events: ctx.events, prisma: ctx.prisma, logger: ctx.logger });
}

/** The arguments of leadStatsUpdated, checked. */
interface LiveStatsArgs {
  range: LeadStatsRange;
  timeZone: string;
}

builder.subscriptionField('leadStatsUpdated', (t) =>
  t.field({
    authScopes: { permission: 'leads:read' },
    type: LeadStatsType,
    description: [
      'The figures of `leadStats`, kept current: sent at once, then again whenever leads were created, scored, changed or deleted, at most once a second (LIVE_METRICS_INTERVAL_MS), so a burst of thousands of leads sends a few messages, the last one counting every lead.',
      'A preset range ends at the time of each message. Without lead changes nothing is sent, so figures that depend on the clock alone (leadsToday after midnight) wait for the next change.',
    ].join('\n\n'),
    args: leadStatsArgs,
    subscribe: (_root, args, ctx) => {
      const live = { range: args.range ?? {}, timeZone: args.timeZone };
      // Checked once here, so a bad range is refused to this client instead of failing every tick.
      liveStatsRange(live, new Date());
      return liveStatsOf(ctx).subscribe(live);
    },
    resolve: (stats) => stats,
  }),
);

const processStats = new WeakMap<EventBus, LiveMetrics<LiveStatsArgs, LeadStats>>();

/** This process's live stats, shared by every subscriber: one computation per arguments per tick. */
function liveStatsOf(ctx: Context): LiveMetrics<LiveStatsArgs, LeadStats> {
  let stats = processStats.get(ctx.events);
  if (!stats) {
    const { prisma } = ctx;
    stats = createLiveMetrics<LiveStatsArgs, LeadStats>({
      events: ctx.events,
      intervalMs: loadEnv().LIVE_METRICS_INTERVAL_MS,
      logger: ctx.logger,
      key: ({ range, timeZone }) =>
        JSON.stringify([range.preset ?? null, range.from ?? null, range.to ?? null, timeZone]),
      compute: (args) => {
        const now = new Date();
        return computeLeadStats(prisma, {
          ...liveStatsRange(args, now),
          timeZone: args.timeZone,
          now,
        });
      },
    });
    processStats.set(ctx.events, stats);
  }
  return stats;
}

/** The window leadStats would use for these arguments at `now`, or the same refusal. */
function liveStatsRange({ range, timeZone }: LiveStatsArgs, now: Date): { from: Date; to: Date } {
  const window = resolveStatsRange(range, timeZone, now);
  if (!Array.isArray(window)) return window;
  const [problem] = window;
  // yoga's own GraphQLError, which its error masking lets through to the client.
  throw createGraphQLError(problem!.message, {
    extensions: { code: 'BAD_USER_INPUT', path: problem!.path },
  });
}
