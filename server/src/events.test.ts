import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import {
  createEventQueue,
  eventsApplicationName,
  eventsChannel,
  EventQueueOverflowError,
  publishEvent,
  startEventBus,
  type AppEvent,
  type EventBus,
  type LeadChangedEvent,
} from './events.ts';
import { createLogger } from './logger.ts';

let database: TestDatabase;
let bus: EventBus;
const received: AppEvent[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  bus = await startEventBus({ url: database.url, logger: createLogger('silent') });
  bus.subscribe((event) => received.push(event));
});

afterAll(async () => {
  await bus?.close();
  await database?.drop();
});

afterEach(() => {
  received.length = 0;
});

const leadChanged = (leadId = randomUUID()): LeadChangedEvent => ({
  type: 'lead.changed',
  leadId,
  change: 'scored',
});

const isLeadChanged = (event: AppEvent): event is LeadChangedEvent => event.type === 'lead.changed';

/** Resolves with the first event `matches` accepts, from now on. */
function nextEvent(
  matches: (event: AppEvent) => boolean,
  on: EventBus = bus,
  timeoutMs = 5_000,
): Promise<AppEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('no matching event'));
    }, timeoutMs);
    const stop = on.subscribe((event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

const about = (leadId: string) => (event: AppEvent) =>
  event.type === 'lead.changed' && event.leadId === leadId;

/** A marker published after `leadId`'s event: once it arrives, anything sent before it has too. */
async function flushEvents(): Promise<void> {
  const marker = leadChanged();
  const arrived = nextEvent(about(marker.leadId));
  await publishEvent(database.prisma, marker);
  await arrived;
}

async function notifyRaw(payload: string): Promise<void> {
  await database.prisma.$executeRaw`SELECT pg_notify(${eventsChannel}, ${payload})`;
}

describe('publishing', () => {
  it('delivers an event sent outside a transaction at once', async () => {
    const event = leadChanged();
    const arrived = nextEvent(about(event.leadId));
    await publishEvent(database.prisma, event);
    expect(await arrived).toEqual(event);
  });

  it('delivers an event sent inside a transaction only after the commit', async () => {
    const event = leadChanged();
    const arrived = nextEvent(about(event.leadId));
    let seenBeforeCommit = true;
    await database.prisma.$transaction(async (tx) => {
      await publishEvent(tx, event);
      await sleep(300);
      seenBeforeCommit = received.some(about(event.leadId));
    });
    expect(seenBeforeCommit).toBe(false);
    expect(await arrived).toEqual(event);
  });

  it('never delivers an event sent inside a rolled-back transaction', async () => {
    const event = leadChanged();
    await expect(
      database.prisma.$transaction(async (tx) => {
        await publishEvent(tx, event);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await flushEvents();
    expect(received.some(about(event.leadId))).toBe(false);
  });

  it('sends only the type and ids, whatever else the event object holds', async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    try {
      const payloads: string[] = [];
      listener.on('notification', (message) => payloads.push(message.payload ?? ''));
      await listener.query(`LISTEN ${eventsChannel}`);
      const leadId = randomUUID();
      const bloated = { ...leadChanged(leadId), lead: { name: 'Maria', notes: 'x'.repeat(5_000) } };
      await publishEvent(database.prisma, bloated);
      await publishEvent(database.prisma, { type: 'rescore.progress', runId: leadId });
      await expect.poll(() => payloads.length).toBe(2);
      expect(payloads).toEqual([
        `{"type":"lead.changed","leadId":"${leadId}","change":"scored"}`,
        `{"type":"rescore.progress","runId":"${leadId}"}`,
      ]);
      expect(Math.max(...payloads.map((payload) => payload.length))).toBeLessThan(100);
    } finally {
      await listener.end();
    }
  });
});

describe('receiving', () => {
  it('ignores malformed payloads and keeps delivering the valid ones after them', async () => {
    await notifyRaw('not json');
    await notifyRaw('{"type":"lead.changed"}');
    await notifyRaw('{"type":"lead.changed","leadId":"1; DROP TABLE leads","change":"scored"}');
    await notifyRaw(`{"type":"lead.changed","leadId":"${randomUUID()}","change":"exploded"}`);
    await notifyRaw('{"type":"something.new","id":1}');
    // A resync is a local signal: one arriving from the database is a forgery.
    await notifyRaw('{"type":"events.resync"}');
    await flushEvents();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'lead.changed', change: 'scored' });
  });

  it('gives every listener the same frozen event', async () => {
    const event = leadChanged();
    const [first, second] = await Promise.all([
      nextEvent(about(event.leadId)),
      nextEvent(about(event.leadId)),
      publishEvent(database.prisma, event),
    ]);
    expect(first).toBe(second);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const stop = bus.subscribe(() => {
      throw new Error('listener bug');
    });
    try {
      const event = leadChanged();
      const arrived = nextEvent(about(event.leadId));
      await publishEvent(database.prisma, event);
      expect(await arrived).toEqual(event);
    } finally {
      stop();
    }
  });

  it('delivers one commit to every bus listening on the database', async () => {
    const other = await startEventBus({ url: database.url, logger: createLogger('silent') });
    try {
      const event = leadChanged();
      const arrivals = Promise.all([
        nextEvent(about(event.leadId)),
        nextEvent(about(event.leadId), other),
      ]);
      await publishEvent(database.prisma, event);
      expect(await arrivals).toEqual([event, event]);
    } finally {
      await other.close();
    }
  });

  it('reconnects after its connection is killed, then announces a resync', async () => {
    const resync = nextEvent((event) => event.type === 'events.resync');
    const killed = await database.prisma.$queryRaw<{ killed: boolean }[]>`
      SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
      WHERE application_name = ${eventsApplicationName} AND datname = current_database()`;
    expect(killed).toEqual([{ killed: true }]);
    await resync;

    const event = leadChanged();
    const arrived = nextEvent(about(event.leadId));
    await publishEvent(database.prisma, event);
    expect(await arrived).toEqual(event);
  });
});

describe('event streams', () => {
  it('yields the accepted events in commit order', async () => {
    const stream = bus.events(isLeadChanged);
    try {
      const events = [leadChanged(), leadChanged(), leadChanged()];
      await database.prisma.$transaction(async (tx) => {
        for (const event of events) await publishEvent(tx, event);
      });
      const read = [];
      for (let i = 0; i < events.length; i += 1) read.push((await stream.next()).value);
      expect(read).toEqual(events);
    } finally {
      await stream.return?.();
    }
  });

  it('stops listening as soon as the consumer returns, even while it waits', async () => {
    const stream = bus.events(isLeadChanged);
    const pending = stream.next();
    await stream.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });

    // Nothing reaches a returned stream: the event goes by and next() stays done.
    await flushEvents();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('fails a stream whose consumer falls more than maxQueued events behind', async () => {
    const stream = bus.events(isLeadChanged, { maxQueued: 3 });
    await database.prisma.$transaction(async (tx) => {
      for (let i = 0; i < 5; i += 1) await publishEvent(tx, leadChanged());
    });
    await flushEvents();
    await expect(stream.next()).rejects.toBeInstanceOf(EventQueueOverflowError);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('ends every open stream when the bus closes', async () => {
    const own = await startEventBus({ url: database.url, logger: createLogger('silent') });
    const stream = own.events(isLeadChanged);
    const pending = stream.next();
    await own.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('event queue', () => {
  it('keeps only the newest values when told to drop the oldest', async () => {
    const queue = createEventQueue<number>({
      maxQueued: 2,
      overflow: 'drop-oldest',
      onClose: () => {},
    });
    for (const value of [1, 2, 3, 4]) queue.push(value);
    queue.end();
    const read = [];
    for await (const value of queue.iterator) read.push(value);
    expect(read).toEqual([3, 4]);
  });

  it('calls onClose once, whichever way the queue ends', async () => {
    let closes = 0;
    const queue = createEventQueue<number>({ maxQueued: 2, onClose: () => (closes += 1) });
    queue.fail(new Error('stop'));
    queue.end();
    await queue.iterator.return?.();
    expect(closes).toBe(1);
    expect(queue.closed).toBe(true);
  });
});
