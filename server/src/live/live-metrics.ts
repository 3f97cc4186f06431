// Live figures for the dashboard. Recomputing on every lead event would turn a burst of thousands
// of scored leads into thousands of stats queries and messages per subscriber; instead events only
// mark the figures stale, and a tick recomputes them once per distinct arguments, for every
// subscriber of this process at once, at most once per interval.
import { createEventQueue, type AppEvent, type EventBus, type EventQueue } from '../events.ts';
import type { Logger } from '../logger.ts';

/** Options of {@link createLiveMetrics}. */
export interface LiveMetricsOptions<Args, Value> {
  events: EventBus;
  /** The shortest time between two computations for the same arguments (ms). */
  intervalMs: number;
  logger: Logger;
  /** Equal keys mean equal arguments: their subscribers share one computation per tick. */
  key(args: Args): string;
  compute(args: Args): Promise<Value>;
  /** Which events make the figures stale. Default: {@link changesLeadFigures}. */
  staleOn?: (event: AppEvent) => boolean;
}

export interface LiveMetrics<Args, Value> {
  /**
   * The current value for `args` at once (computed now if no subscriber of this process had it),
   * then a new one after events, at most once per interval. A consumer slower than that receives
   * only the newest value.
   */
  subscribe(args: Args): AsyncIterableIterator<Value>;
  /** How many distinct arguments are followed right now. */
  readonly groups: number;
}

interface Group<Args, Value> {
  args: Args;
  subscribers: Set<EventQueue<Value>>;
  /** Absent until the first computation succeeds. */
  latest?: { value: Value };
  /** Events arrived since the last computation started. */
  stale: boolean;
  computing: boolean;
}

/** Every event but an automation run, which changes no figure about the lead itself. */
export function changesLeadFigures(event: AppEvent): boolean {
  return !(event.type === 'lead.changed' && event.change === 'automation');
}

export function createLiveMetrics<Args, Value>(
  options: LiveMetricsOptions<Args, Value>,
): LiveMetrics<Args, Value> {
  const staleOn = options.staleOn ?? changesLeadFigures;
  const groups = new Map<string, Group<Args, Value>>();
  let timer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;

  const schedule = () => {
    timer ??= setTimeout(tick, options.intervalMs);
  };

  const tick = () => {
    timer = null;
    for (const group of groups.values()) {
      // One computation per group at a time: a slow one leaves the group stale for the next tick.
      if (group.stale && !group.computing) void refresh(group);
    }
  };

  const refresh = async (group: Group<Args, Value>) => {
    group.stale = false;
    group.computing = true;
    try {
      const value = await options.compute(group.args);
      group.latest = { value };
      for (const subscriber of group.subscribers) subscriber.push(value);
    } catch (error) {
      options.logger.error({ err: error }, 'could not compute live metrics');
      group.stale = true;
    } finally {
      group.computing = false;
    }
    if (group.stale && groups.size > 0) schedule();
  };

  const onEvent = (event: AppEvent) => {
    if (!staleOn(event)) return;
    for (const group of groups.values()) group.stale = true;
    schedule();
  };

  const leave = (key: string, group: Group<Args, Value>, subscriber: EventQueue<Value>) => {
    group.subscribers.delete(subscriber);
    if (group.subscribers.size > 0 || groups.get(key) !== group) return;
    groups.delete(key);
    if (groups.size > 0) return;
    unsubscribe?.();
    unsubscribe = null;
    if (timer) clearTimeout(timer);
    timer = null;
  };

  return {
    subscribe(args) {
      const key = options.key(args);
      let group = groups.get(key);
      const isNew = !group;
      if (!group) {
        group = { args, subscribers: new Set(), stale: false, computing: false };
        groups.set(key, group);
        unsubscribe ??= options.events.subscribe(onEvent);
      }
      const joined = group;
      const subscriber = createEventQueue<Value>({
        maxQueued: 1,
        overflow: 'drop-oldest',
        onClose: () => leave(key, joined, subscriber),
      });
      group.subscribers.add(subscriber);
      if (group.latest) subscriber.push(group.latest.value);
      if (isNew) void refresh(group);
      return subscriber.iterator;
    },
    get groups() {
      return groups.size;
    },
  };
}
