// Events between processes over PostgreSQL LISTEN/NOTIFY. A worker that scores a lead and every
// API instance share only the database, so the database carries the events: a NOTIFY sent inside
// a transaction is delivered when it commits and never if it rolls back, which is exactly
// "publish after commit". Payloads carry ids; subscribers re-read rows through Prisma.
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from './logger.ts';

export const eventsChannel = 'streamleads_events';

export const leadChanges = [
  'created',
  'merged',
  'scored',
  'updated',
  'deleted',
  'automation',
  'stage',
  'owner',
] as const;

/** What happened to a lead. */
export type LeadChange = (typeof leadChanges)[number];

/** A lead's row changed (or was deleted) in a committed transaction. */
export interface LeadChangedEvent {
  type: 'lead.changed';
  leadId: string;
  change: LeadChange;
}

/** A bulk rescore made progress; read the run for its counts. */
export interface RescoreProgressEvent {
  type: 'rescore.progress';
  runId: string;
}

/**
 * A session, API key or person lost access: every API instance closes the sockets that used it
 * (HTTP requests need no event, they authenticate against the database each time).
 */
export interface AccessRevokedEvent {
  type: 'access.revoked';
  subject: 'session' | 'api-key' | 'user';
  id: string;
}

/** Sent locally after the listener reconnects: events may have been missed, re-read state. */
export interface ResyncEvent {
  type: 'events.resync';
}

/** The events any process may publish. */
export type PublishedEvent = LeadChangedEvent | RescoreProgressEvent | AccessRevokedEvent;

export type AppEvent = PublishedEvent | ResyncEvent;

// Remote payloads are checked before anyone sees them: a resolver turns leadId into SQL, and a
// payload from an older or newer process (or a hand-typed NOTIFY) must not break every subscriber.
const publishedEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lead.changed'), leadId: z.uuid(), change: z.enum(leadChanges) }),
  z.object({ type: z.literal('rescore.progress'), runId: z.uuid() }),
  z.object({
    type: z.literal('access.revoked'),
    subject: z.enum(['session', 'api-key', 'user']),
    id: z.uuid(),
  }),
]);

/** Anything that can run a raw statement: the Prisma client or an interactive transaction. */
interface RawExecutor {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
}

/**
 * Sends an event. Inside a transaction it is delivered at commit (and dropped on rollback);
 * outside one, at once. Only the event's ids travel, whatever else the object holds.
 */
export async function publishEvent(db: RawExecutor, event: PublishedEvent): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${eventsChannel}, ${serializeEvent(event)})`;
}

/** The NOTIFY payload of an event: its type and ids, nothing else (PostgreSQL caps it at 8 kB). */
export function serializeEvent(event: PublishedEvent): string {
  switch (event.type) {
    case 'lead.changed':
      return JSON.stringify({ type: event.type, leadId: event.leadId, change: event.change });
    case 'rescore.progress':
      return JSON.stringify({ type: event.type, runId: event.runId });
    case 'access.revoked':
      return JSON.stringify({ type: event.type, subject: event.subject, id: event.id });
  }
}

/** The event a NOTIFY payload carries, or null for anything else. */
export function parseEvent(payload: string | undefined): PublishedEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  const parsed = publishedEventSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Options of {@link EventBus.events}. */
export interface EventStreamOptions {
  /**
   * Events kept for a consumer that has not read them yet (default 10,000). Past it the stream
   * fails with {@link EventQueueOverflowError}: a consumer that far behind must re-read anyway.
   */
  maxQueued?: number;
}

export interface EventBus {
  /**
   * Calls `listener` for every event until the returned function is called. Every listener of
   * this process receives the same frozen event object, so per-event work can be shared by
   * keying a WeakMap on it.
   */
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** The events accepted by `filter`, as an async iterable for GraphQL subscriptions. */
  events<T extends AppEvent>(
    filter: (event: AppEvent) => event is T,
    options?: EventStreamOptions,
  ): AsyncIterableIterator<T>;
  /** Stops listening and ends every stream. */
  close(): Promise<void>;
}

export const eventsApplicationName = 'streamleads-events';

const reconnectDelays = [100, 250, 500, 1_000, 2_000, 5_000];

/** Listens on one dedicated connection and fans each event out to this process's subscribers. */
export async function startEventBus(options: { url: string; logger: Logger }): Promise<EventBus> {
  const { logger } = options;
  const listeners = new Set<(event: AppEvent) => void>();
  const queues = new Set<{ end(): void }>();
  const deliver = (event: AppEvent) => {
    Object.freeze(event);
    for (const listener of listeners) {
      // One failing listener must not cost the others their event.
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, event }, 'event listener failed');
      }
    }
  };
  const subscribe = (listener: (event: AppEvent) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const connection = await listenForEvents({
    url: options.url,
    logger,
    onEvent: deliver,
    onReconnect: () => deliver({ type: 'events.resync' }),
  });

  return {
    subscribe,
    events<T extends AppEvent>(
      filter: (event: AppEvent) => event is T,
      streamOptions: EventStreamOptions = {},
    ) {
      const queue = createEventQueue<T>({
        maxQueued: streamOptions.maxQueued ?? 10_000,
        onClose: () => {
          unsubscribe();
          queues.delete(queue);
        },
      });
      const unsubscribe = subscribe((event) => {
        if (filter(event)) queue.push(event);
      });
      queues.add(queue);
      return queue.iterator;
    },
    async close() {
      await connection.close();
      listeners.clear();
      for (const queue of queues) queue.end();
      queues.clear();
    },
  };
}

interface ListenOptions {
  url: string;
  logger: Logger;
  onEvent(event: PublishedEvent): void;
  /** Called after a lost connection is back; events sent meanwhile are lost. */
  onReconnect(): void;
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to other queries), reconnecting
 * with back-off for as long as it is open.
 */
async function listenForEvents(options: ListenOptions): Promise<{ close(): Promise<void> }> {
  const { logger } = options;
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: options.url,
      application_name: eventsApplicationName,
      // A LISTEN connection only receives: without keepalives a silently dropped network path
      // would leave it waiting forever instead of ending and reconnecting.
      keepAlive: true,
    });
    next.on('notification', (message) => {
      if (message.channel !== eventsChannel) return;
      const event = parseEvent(message.payload);
      if (event) options.onEvent(event);
      // The length only: a hand-written payload may hold anything, personal data included.
      else logger.warn({ length: message.payload?.length }, 'ignored a malformed event');
    });
    next.on('error', (error) => logger.warn({ err: error }, 'event listener connection lost'));
    next.on('end', () => {
      if (closed || client !== next) return;
      client = null;
      scheduleReconnect();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${eventsChannel}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (closed) {
      await next.end();
      return;
    }
    client = next;
  };

  const scheduleReconnect = () => {
    const base = reconnectDelays[Math.min(attempt, reconnectDelays.length - 1)]!;
    // Jitter: after a database restart every API instance and worker reconnects; spread them.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    attempt += 1;
    retry = setTimeout(() => {
      retry = null;
      if (closed) return;
      connect().then(
        () => {
          if (closed) return;
          attempt = 0;
          logger.info('event listener reconnected');
          options.onReconnect();
        },
        (error: unknown) => {
          logger.warn({ err: error, attempt }, 'event listener reconnect failed');
          if (!closed) scheduleReconnect();
        },
      );
    }, delay);
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}

/** A consumer fell too far behind the events; it must re-read and subscribe again. */
export class EventQueueOverflowError extends Error {
  override name = 'EventQueueOverflowError';

  constructor(maxQueued: number) {
    super(
      `More than ${maxQueued.toLocaleString('en-US')} updates were waiting for this subscription; read again and subscribe again`,
    );
  }
}

/** Options of {@link createEventQueue}. */
export interface EventQueueOptions {
  /** Values kept for a consumer that has not read them yet. */
  maxQueued: number;
  /**
   * What a push beyond `maxQueued` does: 'fail' ends the iterator with EventQueueOverflowError
   * (the default, when every value matters); 'drop-oldest' forgets the oldest value (when only
   * the latest matters, e.g. a snapshot).
   */
  overflow?: 'fail' | 'drop-oldest';
  /** Called once when the consumer stops, the queue fails or it is ended. */
  onClose(): void;
}

export interface EventQueue<T> {
  push(value: T): void;
  /** Ends the iterator with `error` once the values before it are read. */
  fail(error: Error): void;
  /** Ends the iterator once the values before it are read. */
  end(): void;
  readonly closed: boolean;
  iterator: AsyncIterableIterator<T>;
}

/**
 * A bounded push queue read as an async iterator, for GraphQL subscriptions. Unlike an async
 * generator, its return() takes effect at once, even while a next() waits: a client that
 * unsubscribes while nothing happens does not stay subscribed until the next event. (Repeater,
 * yoga's helper, throws from push past 1,024 unread values, which would break the fan-out.)
 */
export function createEventQueue<T>(options: EventQueueOptions): EventQueue<T> {
  const values: T[] = [];
  let waiting: {
    resolve: (result: IteratorResult<T>) => void;
    reject: (error: Error) => void;
  } | null = null;
  let ending: { error: Error | null } | null = null;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    options.onClose();
  };
  const settleWaiting = () => {
    if (!waiting || !ending || values.length > 0) return;
    const { resolve, reject } = waiting;
    waiting = null;
    if (ending.error) reject(ending.error);
    else resolve({ value: undefined, done: true });
  };
  const finish = (error: Error | null) => {
    if (ending) return;
    ending = { error };
    close();
    settleWaiting();
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (values.length > 0) return Promise.resolve({ value: values.shift()!, done: false });
      if (ending) {
        const { error } = ending;
        ending = { error: null };
        return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    return() {
      values.length = 0;
      finish(null);
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    push(value) {
      if (ending) return;
      if (waiting) {
        const { resolve } = waiting;
        waiting = null;
        resolve({ value, done: false });
        return;
      }
      if (values.length >= options.maxQueued) {
        if (options.overflow !== 'drop-oldest') {
          // What is queued is already too old to be worth reading: fail now, not 10,000 reads later.
          values.length = 0;
          return finish(new EventQueueOverflowError(options.maxQueued));
        }
        values.shift();
      }
      values.push(value);
    },
    fail: (error) => finish(error),
    end: () => finish(null),
    get closed() {
      return closed;
    },
    iterator,
  };
}
