// Lead changes for subscriptions. Events carry ids only, so every change is re-read through
// Prisma; with thousands of subscribers a read per subscriber would be N×M queries, so each
// process reads a changed lead once per event and hands the same row to all its subscribers.
import type { PrismaClient } from '../db.ts';
import {
  createEventQueue,
  type AppEvent,
  type EventBus,
  type EventQueue,
  type LeadChange,
  type LeadChangedEvent,
} from '../events.ts';
import type { Lead, Prisma } from '../generated/prisma/client.ts';
import type { LeadOrigin, LeadStatus } from '../generated/prisma/enums.ts';
import type { Logger } from '../logger.ts';

/**
 * Which lead changes a subscription wants. An absent condition accepts any lead; a list accepts
 * any of its values (an empty list accepts none). Every given condition must hold.
 */
export interface LeadUpdateFilter {
  ids?: readonly string[] | null;
  status?: readonly LeadStatus[] | null;
  origin?: readonly LeadOrigin[] | null;
}

/** One change of one lead, as every subscriber of this process receives it. */
export interface LeadUpdate {
  change: LeadChange;
  leadId: string;
  /** The lead as read after the change; null when it was deleted. */
  lead: Lead | null;
  /** The event it came from: the key under which its reads are shared. */
  event: LeadChangedEvent;
}

/** What Pothos hands a prismaField resolver: the relations and columns the operation selects. */
export interface LeadQuery {
  include?: Prisma.LeadInclude;
  select?: Prisma.LeadSelect;
}

export interface LeadUpdates {
  /**
   * The changes `filter` accepts, in the order they were committed, each lead read with `query`
   * (the subscription's selection under `lead`, so the filter's read is also the one resolvers get).
   */
  subscribe(filter: LeadUpdateFilter, query?: LeadQuery): AsyncIterableIterator<LeadUpdate>;
  /**
   * The lead as it was read for `event`, with `query`'s selection. Every subscriber of this
   * process asking with the same selection shares one read per event.
   */
  read(event: LeadChangedEvent, query?: LeadQuery): Promise<Lead | null>;
}

export interface LeadUpdatesOptions {
  events: EventBus;
  prisma: PrismaClient;
  logger: Logger;
  /** Updates kept for a subscriber that has not read them yet (default 10,000). */
  maxQueued?: number;
}

const processUpdates = new WeakMap<EventBus, LeadUpdates>();

/** The LeadUpdates of the process behind `events`, made on first use. */
export function leadUpdatesFor(options: LeadUpdatesOptions): LeadUpdates {
  let updates = processUpdates.get(options.events);
  if (!updates) {
    updates = createLeadUpdates(options);
    processUpdates.set(options.events, updates);
  }
  return updates;
}

export function createLeadUpdates(options: LeadUpdatesOptions): LeadUpdates {
  const reader = createLeadReader(options.prisma);
  const groups = new Map<string, SubscriberGroup>();
  return {
    subscribe(filter, query = {}) {
      const normalised = normaliseFilter(filter);
      const key = `${filterKey(normalised)} ${planRead(query).key}`;
      let group = groups.get(key);
      if (!group) {
        group = followLeads(options, reader, normalised, query, () => groups.delete(key));
        groups.set(key, group);
      }
      return group.join();
    },
    read: (event, query) => reader.read(event, query),
  };
}

interface NormalisedFilter {
  ids: ReadonlySet<string> | null;
  statuses: ReadonlySet<LeadStatus> | null;
  origins: ReadonlySet<LeadOrigin> | null;
}

const asSet = <T>(values: readonly T[] | null | undefined) => (values ? new Set(values) : null);

function normaliseFilter(filter: LeadUpdateFilter): NormalisedFilter {
  return {
    ids: asSet(filter.ids?.map((id) => id.toLowerCase())),
    statuses: asSet(filter.status),
    origins: asSet(filter.origin),
  };
}

/** Equal filters give equal keys, whatever the order or repetition of their values. */
function filterKey(filter: NormalisedFilter): string {
  const values = (set: ReadonlySet<string> | null) => (set ? [...set].sort() : null);
  return JSON.stringify([values(filter.ids), values(filter.statuses), values(filter.origins)]);
}

const acceptsId = (filter: NormalisedFilter, leadId: string) =>
  !filter.ids || filter.ids.has(leadId.toLowerCase());

const acceptsLead = (filter: NormalisedFilter, lead: Lead) =>
  (!filter.statuses || filter.statuses.has(lead.status)) &&
  (!filter.origins || filter.origins.has(lead.origin));

const isLeadChange = (event: AppEvent): event is LeadChangedEvent => event.type === 'lead.changed';

type Settled = { update: LeadUpdate | null } | { error: unknown };

/** The subscribers with one filter and one selection: they receive the same updates. */
interface SubscriberGroup {
  join(): AsyncIterableIterator<LeadUpdate>;
}

// One listener per group, not per subscriber: with thousands of subscribers on the same stream,
// each event is filtered, read and ordered once, and only the push is per subscriber.
function followLeads(
  options: LeadUpdatesOptions,
  reader: LeadReader,
  filter: NormalisedFilter,
  query: LeadQuery,
  onEmpty: () => void,
): SubscriberGroup {
  const queues = new Set<EventQueue<LeadUpdate>>();
  let tail = Promise.resolve();
  const unsubscribe = options.events.subscribe((event) => {
    if (!isLeadChange(event) || !acceptsId(filter, event.leadId)) return;
    // Those subscribed when the event came: a later subscriber starts with later events.
    const recipients = [...queues];
    // Settled at once (never a rejected promise waiting in the chain for a handler), then chained:
    // reads finish in any order, updates leave in the order their events were committed.
    const settled = updateFor(event, reader, filter, query).then(
      (update): Settled => ({ update }),
      (error: unknown): Settled => ({ error }),
    );
    tail = tail
      .then(() => settled)
      .then((result) => {
        if ('error' in result) {
          options.logger.error({ err: result.error }, 'could not read a changed lead');
          const error = new Error('Live updates were interrupted; read again and subscribe again');
          for (const queue of recipients) queue.fail(error);
        } else if (result.update) {
          for (const queue of recipients) queue.push(result.update);
        }
      });
  });
  return {
    join() {
      const queue: EventQueue<LeadUpdate> = createEventQueue<LeadUpdate>({
        maxQueued: options.maxQueued ?? 10_000,
        onClose: () => {
          queues.delete(queue);
          if (queues.size > 0) return;
          unsubscribe();
          onEmpty();
        },
      });
      queues.add(queue);
      return queue.iterator;
    },
  };
}

// A deleted lead cannot be read, so its status and origin are unknown: the deletion goes to every
// subscription that accepts its id, and a client drops the lead if it holds it.
async function updateFor(
  event: LeadChangedEvent,
  reader: LeadReader,
  filter: NormalisedFilter,
  query: LeadQuery,
): Promise<LeadUpdate | null> {
  const update = await reader.update(event, query);
  if (!update) return null;
  return update.lead && !acceptsLead(filter, update.lead) ? null : update;
}

interface LeadReader {
  read(event: LeadChangedEvent, query?: LeadQuery): Promise<Lead | null>;
  /**
   * The update of `event` with the lead read with `query`, or null when the lead is gone (its own
   * 'deleted' event follows). Every subscriber with an equal selection gets the same object, so
   * the execution of its selection can be shared too (shared-execution.ts).
   */
  update(event: LeadChangedEvent, query?: LeadQuery): Promise<LeadUpdate | null>;
}

interface PendingBatch {
  query: LeadQuery;
  leads: Map<string, Promise<Lead | null>>;
  settle: Map<string, { resolve(lead: Lead | null): void; reject(error: unknown): void }>;
}

/** The most ids in one `IN (...)`: a burst of thousands of events makes a few queries, not one huge one. */
const batchSize = 500;

/**
 * Reads leads in batches: every read asked for while the current notifications are delivered
 * (same tick) goes into one findMany per selection. Reads are remembered per event object, which
 * every listener of this process shares, so they are dropped with the event.
 */
function createLeadReader(prisma: PrismaClient): LeadReader {
  const byEvent = new WeakMap<
    LeadChangedEvent,
    { leads: Map<string, Promise<Lead | null>>; updates: Map<string, Promise<LeadUpdate | null>> }
  >();
  const pending = new Map<string, PendingBatch>();
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    const batches = [...pending.values()];
    pending.clear();
    for (const batch of batches) void loadBatch(prisma, batch);
  };

  const enqueue = (leadId: string, query: LeadQuery, key: string): Promise<Lead | null> => {
    let batch = pending.get(key);
    if (!batch) {
      batch = { query, leads: new Map(), settle: new Map() };
      pending.set(key, batch);
    }
    // Two events of one lead in the same tick: one read, taken after both commits, serves both.
    const known = batch.leads.get(leadId);
    if (known) return known;
    const lead = new Promise<Lead | null>((resolve, reject) =>
      batch.settle.set(leadId, { resolve, reject }),
    );
    batch.leads.set(leadId, lead);
    if (!flushScheduled) {
      flushScheduled = true;
      // setImmediate runs after every notification of the current socket read was delivered.
      setImmediate(flush);
    }
    return lead;
  };

  const readsOf = (event: LeadChangedEvent) => {
    let reads = byEvent.get(event);
    if (!reads) {
      reads = { leads: new Map(), updates: new Map() };
      byEvent.set(event, reads);
    }
    return reads;
  };

  const read = (event: LeadChangedEvent, selection: LeadQuery = {}) => {
    const { query, key } = planRead(selection);
    const { leads } = readsOf(event);
    let lead = leads.get(key);
    if (!lead) {
      lead = enqueue(event.leadId, query, key);
      leads.set(key, lead);
    }
    return lead;
  };

  return {
    read,
    update(event, selection = {}) {
      const key = event.change === 'deleted' ? 'deleted' : planRead(selection).key;
      const { updates } = readsOf(event);
      let update = updates.get(key);
      if (!update) {
        const base = { change: event.change, leadId: event.leadId, event };
        update =
          event.change === 'deleted'
            ? Promise.resolve({ ...base, lead: null })
            : read(event, selection).then((lead) => (lead ? { ...base, lead } : null));
        updates.set(key, update);
      }
      return update;
    },
  };
}

async function loadBatch(prisma: PrismaClient, batch: PendingBatch): Promise<void> {
  const ids = [...batch.settle.keys()];
  const { query } = batch;
  for (let start = 0; start < ids.length; start += batchSize) {
    const chunk = ids.slice(start, start + batchSize);
    try {
      const rows: Lead[] = await prisma.lead.findMany({ ...query, where: { id: { in: chunk } } });
      const found = new Map(rows.map((row) => [row.id, row]));
      for (const id of chunk) batch.settle.get(id)!.resolve(found.get(id) ?? null);
    } catch (error) {
      for (const id of chunk) batch.settle.get(id)!.reject(error);
    }
  }
}

// Every subscriber passes its own selection object with each event; with thousands of them, the
// key of each selection was computed again for every lead (the bench's profile showed it).
const plannedReads = new WeakMap<LeadQuery, { query: LeadQuery; key: string }>();

/** The query and key of a selection, worked out once per selection object. */
function planRead(selection: LeadQuery): { query: LeadQuery; key: string } {
  let plan = plannedReads.get(selection);
  if (!plan) {
    const query = withFilteredColumns(selection);
    plan = { query, key: queryKey(query) };
    plannedReads.set(selection, plan);
  }
  return plan;
}

/**
 * Rows are matched back to their events by id and filtered by status and origin, so a narrow
 * `select` must include them. (Lead is in include mode today: every column comes anyway.)
 */
function withFilteredColumns(query: LeadQuery): LeadQuery {
  if (!query.select) return query;
  return { ...query, select: { ...query.select, id: true, status: true, origin: true } };
}

/** The same selection gives the same key, whatever order its properties were written in. */
export function queryKey(query: LeadQuery): string {
  return JSON.stringify(query, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
