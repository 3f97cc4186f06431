import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestSocket, signedInUser, type TestSocket } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';
import {
  eventsApplicationName,
  eventsChannel,
  publishEvent,
  startEventBus,
  serializeEvent,
  type EventBus,
  type LeadChange,
  type PublishedEvent,
} from '../events.ts';
import { createApiKey } from '../access/api-keys.ts';
import { createLeadUpdates } from './lead-updates.ts';
import { createLiveMetrics } from './live-metrics.ts';
import { createLogger } from '../logger.ts';
import type { LeadOrigin, LeadStatus } from '../generated/prisma/enums.ts';

let database: CountingDatabase;
let app: TestApp;
let client: Client;
let baseUrl: string;
/** A lead every test subscription accepts, poked until a new subscription sees it. */
let probeId: string;

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
  const url = await app.listen(0, '127.0.0.1');
  baseUrl = url;
  client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: app.adminKey },
    retryAttempts: 0,
  });
  probeId = (await insertLead({ status: 'HOT', origin: 'SITE' })).id;
});

afterAll(async () => {
  await client?.dispose();
  await app?.stop();
  await database?.drop();
});

let emails = 0;

/** A lead written straight to the table, as a fixture. */
async function insertLead(fields: { status?: LeadStatus; origin?: LeadOrigin } = {}) {
  emails += 1;
  return database.prisma.lead.create({
    data: { name: 'Ana Souza', email: `ana${emails}@example.com`, origin: 'SITE', ...fields },
    select: { id: true },
  });
}

async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function createLead(origin: LeadOrigin = 'SITE'): Promise<string> {
  emails += 1;
  const data = await graphql<{ createLead: { lead?: { id: string } } }>(
    `
      mutation ($input: CreateLeadInput!) {
        createLead(input: $input) {
          ... on CreateLeadPayload {
            lead {
              id
            }
          }
        }
      }
    `,
    { input: { name: 'Bruno Lima', email: `bruno${emails}@example.com`, origin } },
  );
  return data.createLead.lead!.id;
}

/** Stands in for the scoring worker: commits the scored row and its event together. */
async function score(leadId: string, status: LeadStatus, points = 50) {
  await database.prisma.$transaction(async (tx) => {
    await tx.lead.update({
      where: { id: leadId },
      data: { status, score: points, processedAt: new Date() },
    });
    await publishEvent(tx, { type: 'lead.changed', leadId, change: 'scored' });
  });
}

async function announce(leadId: string, change: LeadChange) {
  await publishEvent(database.prisma, { type: 'lead.changed', leadId, change });
}

/** Commits the events in one transaction over a plain connection, outside the app's pool. */
async function notifyOutsideTheApp(events: PublishedEvent[]) {
  const connection = new pg.Client({ connectionString: database.url });
  await connection.connect();
  try {
    await connection.query('BEGIN');
    for (const event of events) {
      await connection.query('SELECT pg_notify($1, $2)', [eventsChannel, serializeEvent(event)]);
    }
    await connection.query('COMMIT');
  } finally {
    await connection.end();
  }
}

interface Update {
  change: string;
  leadId: string;
  lead: { id: string; status: string; score: number; notes: string | null } | null;
}

interface Listener<T> {
  /** The root field of every message, in order. */
  readonly received: T[];
  /** Resolves once `done` holds, checked on every message; rejects on an error message. */
  until(done: () => boolean, timeoutMs?: number): Promise<void>;
  dispose(): void;
}

/** A graphql-ws subscription that records what it receives. */
function listen<T>(query: string, variables: Record<string, unknown> = {}): Listener<T> {
  const received: T[] = [];
  const waiters = new Set<() => void>();
  let failure: unknown = null;
  const dispose = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        const [value] = Object.values(result.data ?? {});
        if (value === undefined || result.errors) failure = result.errors;
        else received.push(value);
        for (const waiter of waiters) waiter();
      },
      error: (error) => {
        failure = error;
        for (const waiter of waiters) waiter();
      },
      complete: () => {},
    },
  );
  const until = (done: () => boolean, timeoutMs = 5_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (failure) reject(new Error(JSON.stringify(failure)));
        else if (done()) resolve();
        else return;
        clearTimeout(timer);
        waiters.delete(check);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${received.length} messages`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { received, until, dispose };
}

interface LeadSubscription<T> extends Listener<T> {
  /** The updates received, probes left out. */
  readonly messages: T[];
  /** Resolves once `count` updates arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Drain probes (change MERGED) received so far. */
  readonly drains: number;
}

const isProbe = (update: { leadId?: string }) => update.leadId === probeId;

/** A leadUpdated operation. */
interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/**
 * Subscribes to leadUpdated and resolves once the server has registered every subscription: it
 * pokes the probe lead until each has relayed it (graphql-ws acknowledges no subscription).
 */
async function subscribeAll<T extends { leadId?: string; change?: string }>(
  operations: Operation[],
): Promise<LeadSubscription<T>[]> {
  const listeners = operations.map(({ query, variables }) => listen<T>(query, variables));
  const poke = setInterval(() => void announce(probeId, 'automation'), 100);
  try {
    await Promise.all(listeners.map((l) => l.until(() => l.received.some(isProbe), 10_000)));
  } finally {
    clearInterval(poke);
  }
  return listeners.map(withoutProbes);
}

async function subscribe<T extends { leadId?: string; change?: string }>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<LeadSubscription<T>> {
  const [subscription] = await subscribeAll<T>([{ query, variables }]);
  return subscription!;
}

function withoutProbes<T extends { leadId?: string; change?: string }>(
  listener: Listener<T>,
): LeadSubscription<T> {
  const messages = () => listener.received.filter((update) => !isProbe(update));
  return {
    ...listener,
    get messages() {
      return messages();
    },
    get drains() {
      return listener.received.filter((update) => isProbe(update) && update.change === 'MERGED')
        .length;
    },
    waitFor: async (count, timeoutMs) => {
      await listener.until(() => messages().length >= count, timeoutMs);
      return messages().slice(0, count);
    },
  };
}

/**
 * Resolves once everything published so far has reached every subscription: updates leave in
 * commit order, so a probe sent now arrives after all of it.
 */
async function drain(subscriptions: LeadSubscription<unknown>[]): Promise<void> {
  const before = subscriptions.map(({ drains }) => drains);
  await announce(probeId, 'merged');
  await Promise.all(subscriptions.map((s, i) => s.until(() => s.drains > before[i]!)));
}

const updatesQuery = `subscription ($filter: LeadUpdatedFilter) {
  leadUpdated(filter: $filter) { change leadId lead { id status score notes } }
}`;

/** A filter that also accepts the probe lead. */
const withProbe = (ids: string[]) => [...ids, probeId];

describe('leadUpdated', () => {
  it('sends every change of a lead in commit order, re-read after each', async () => {
    const subscription = await subscribe<Update>(updatesQuery);
    try {
      const leadId = await createLead();
      await score(leadId, 'HOT', 80);
      await graphql(
        `
          mutation ($id: ID!) {
            updateLead(id: $id, input: { notes: "Called back" }) {
              __typename
            }
          }
        `,
        { id: leadId },
      );
      await announce(leadId, 'automation');
      await graphql(
        `
          mutation ($id: ID!) {
            deleteLead(id: $id) {
              __typename
            }
          }
        `,
        { id: leadId },
      );

      const updates = await subscription.waitFor(5);
      expect(updates.map(({ change }) => change)).toEqual([
        'CREATED',
        'SCORED',
        'UPDATED',
        'AUTOMATION',
        'DELETED',
      ]);
      expect(updates.every((update) => update.leadId === leadId)).toBe(true);
      expect(updates[1]!.lead).toMatchObject({ id: leadId, status: 'HOT', score: 80 });
      expect(updates[2]!.lead).toMatchObject({ notes: 'Called back' });
      expect(updates[4]!.lead).toBeNull();
    } finally {
      subscription.dispose();
    }
  });

  it('sends only the leads whose ids the filter names', async () => {
    const watched = await insertLead();
    const other = await insertLead();
    const subscription = await subscribe<Update>(updatesQuery, {
      filter: { ids: withProbe([watched.id]) },
    });
    try {
      await announce(other.id, 'updated');
      await announce(watched.id, 'updated');
      await subscription.waitFor(1);
      await announce(watched.id, 'automation');
      const updates = await subscription.waitFor(2);
      expect(updates.map(({ leadId, change }) => [leadId, change])).toEqual([
        [watched.id, 'UPDATED'],
        [watched.id, 'AUTOMATION'],
      ]);
    } finally {
      subscription.dispose();
    }
  });

  it('matches status against the lead as it is after the change', async () => {
    const subscription = await subscribe<Update>(updatesQuery, { filter: { status: ['HOT'] } });
    try {
      const becomesHot = await createLead();
      const becomesCold = await createLead();
      await score(becomesCold, 'COLD');
      await score(becomesHot, 'HOT');
      const [update] = await subscription.waitFor(1);
      expect(update).toMatchObject({
        change: 'SCORED',
        leadId: becomesHot,
        lead: { status: 'HOT' },
      });

      await announce(becomesCold, 'automation');
      await announce(becomesHot, 'automation');
      await subscription.waitFor(2);
      expect(subscription.messages.map(({ leadId }) => leadId)).toEqual([becomesHot, becomesHot]);
    } finally {
      subscription.dispose();
    }
  });

  it('sends only the leads from the origins the filter names', async () => {
    const subscription = await subscribe<Update>(updatesQuery, {
      filter: { origin: ['SITE', 'WHATSAPP'] },
    });
    try {
      const fromAds = await createLead('META_ADS');
      const fromWhatsApp = await createLead('WHATSAPP');
      const [update] = await subscription.waitFor(1);
      expect(update).toMatchObject({ change: 'CREATED', leadId: fromWhatsApp });
      await announce(fromAds, 'updated');
      await announce(fromWhatsApp, 'updated');
      await subscription.waitFor(2);
      expect(subscription.messages.map(({ leadId }) => leadId)).not.toContain(fromAds);
    } finally {
      subscription.dispose();
    }
  });

  it('sends a deletion to a status-filtered subscription, since the deleted lead cannot be read', async () => {
    const subscription = await subscribe<Update>(updatesQuery, { filter: { status: ['HOT'] } });
    try {
      const leadId = await createLead();
      await graphql(
        `
          mutation ($id: ID!) {
            deleteLead(id: $id) {
              __typename
            }
          }
        `,
        { id: leadId },
      );
      const [update] = await subscription.waitFor(1);
      expect(update).toEqual({ change: 'DELETED', leadId, lead: null });
    } finally {
      subscription.dispose();
    }
  });

  it('sends nothing for an empty ids list', async () => {
    const events = await startEventBus({ url: database.url, logger: createLogger('silent') });
    const updates = createLeadUpdates({
      events,
      prisma: database.prisma,
      logger: createLogger('silent'),
    });
    const none = updates.subscribe({ ids: [] });
    const all = updates.subscribe({});
    try {
      const leadId = (await insertLead()).id;
      const pending = none.next();
      await announce(leadId, 'updated');
      expect(await all.next()).toMatchObject({ value: { leadId, change: 'updated' } });
      // Both were fanned out from the same notification, and `all` has already had its update.
      const outcome = await Promise.race([pending, sleep(200).then(() => 'nothing')]);
      expect(outcome).toBe('nothing');
    } finally {
      await none.return?.();
      await all.return?.();
      await events.close();
    }
  });

  it('reads a changed lead once per selection for all subscribers of the process', async () => {
    const leads = await Promise.all(Array.from({ length: 40 }, () => insertLead()));
    const withSubmissions = `subscription ($filter: LeadUpdatedFilter) {
      leadUpdated(filter: $filter) { change leadId lead { status submissions { id } } }
    }`;
    const filter = { ids: withProbe(leads.map(({ id }) => id)) };
    const subscriptions = await subscribeAll<Update>([
      ...Array.from({ length: 20 }, () => ({ query: updatesQuery, variables: { filter } })),
      ...Array.from({ length: 5 }, () => ({ query: withSubmissions, variables: { filter } })),
    ]);
    try {
      // The probes of the first subscriptions reach the later ones too: count after all of them.
      await drain(subscriptions);
      database.reset();
      // Published over a connection of its own, so only the subscriptions' reads are counted.
      await notifyOutsideTheApp(
        leads.map(({ id }) => ({ type: 'lead.changed', leadId: id, change: 'updated' })),
      );
      await Promise.all(subscriptions.map((subscription) => subscription.waitFor(leads.length)));
      const leadReads = database.resolverStatements.filter((sql) =>
        /FROM "public"\."leads"/.test(sql),
      );
      // One batch per selection (columns only; with submissions) and one for the submissions,
      // twice at worst if the commit's notifications arrive in two socket reads: not one read per
      // subscriber per event (25 × 40).
      expect(leadReads.length).toBeLessThanOrEqual(4);
      expect(database.resolverStatements.length).toBeLessThanOrEqual(6);
      expect(subscriptions.at(-1)!.messages[0]).toMatchObject({ lead: { submissions: [] } });
    } finally {
      for (const subscription of subscriptions) subscription.dispose();
    }
  });
});

describe('leadUpdated shared between subscribers', () => {
  it('sends every change to each of 300 subscribers of the same document', async () => {
    const [first, second] = await Promise.all([insertLead(), insertLead()]);
    const filter = { ids: withProbe([first.id, second.id]) };
    const subscriptions = await subscribeAll<Update>(
      Array.from({ length: 300 }, () => ({ query: updatesQuery, variables: { filter } })),
    );
    try {
      await announce(first.id, 'updated');
      await score(second.id, 'WARM', 42);
      await announce(first.id, 'automation');
      const expected = [
        {
          change: 'UPDATED',
          leadId: first.id,
          lead: { id: first.id, status: 'PROCESSING' },
        },
        {
          change: 'SCORED',
          leadId: second.id,
          lead: { id: second.id, status: 'WARM', score: 42 },
        },
        { change: 'AUTOMATION', leadId: first.id, lead: { id: first.id } },
      ];
      for (const subscription of subscriptions) {
        expect(await subscription.waitFor(3, 10_000)).toMatchObject(expected);
      }
      // One who leaves takes nothing from the others.
      subscriptions[0]!.dispose();
      await announce(second.id, 'updated');
      for (const subscription of subscriptions.slice(1)) {
        expect((await subscription.waitFor(4, 10_000))[3]).toMatchObject({ leadId: second.id });
      }
    } finally {
      for (const subscription of subscriptions) subscription.dispose();
    }
  });

  it('follows one filter with one listener, and lets go of it when its last subscriber leaves', async () => {
    const bus = await startEventBus({ url: database.url, logger: createLogger('silent') });
    let listening = 0;
    const events: EventBus = {
      ...bus,
      subscribe(listener) {
        listening += 1;
        const stop = bus.subscribe(listener);
        return () => {
          listening -= 1;
          stop();
        };
      },
    };
    const updates = createLeadUpdates({
      events,
      prisma: database.prisma,
      logger: createLogger('silent'),
    });
    try {
      const leadId = (await insertLead()).id;
      const [first, second] = [
        updates.subscribe({ ids: [leadId] }),
        updates.subscribe({ ids: [leadId] }),
      ];
      const other = updates.subscribe({ ids: [leadId], status: ['HOT'] });
      expect(listening).toBe(2);
      await first.return?.();
      await announce(leadId, 'updated');
      expect(await second.next()).toMatchObject({ value: { leadId, change: 'updated' } });
      await second.return?.();
      expect(listening).toBe(1);
      await other.return?.();
      expect(listening).toBe(0);
    } finally {
      await bus.close();
    }
  });

  it('gives each principal on one document only what it may see', async () => {
    const leadId = (await insertLead()).id;
    const { key: formKey } = await createApiKey(database.prisma, {
      name: 'form',
      scopes: ['leads:create'],
    });
    const { cookie } = await signedInUser(database.prisma, 'SALES');
    const sockets = {
      form: openTestSocket(baseUrl, { connectionParams: { apiKey: formKey } }),
      sales: openTestSocket(baseUrl, {
        headers: { cookie, origin: 'http://dashboard.test', 'accept-language': 'pt-BR' },
      }),
      admin: openTestSocket(baseUrl, { connectionParams: { apiKey: app.adminKey } }),
    };
    // The same document for all three, inline so that not even the variables differ.
    const query = `subscription { leadUpdated(filter: { ids: ["${leadId}", "${probeId}"] }) {
      change leadId lead { id name }
    } }`;
    const nextOf = (socket: TestSocket) => socket.messages.filter((m) => m.id === 'same');
    try {
      for (const socket of Object.values(sockets)) {
        expect(await socket.acknowledged).toBe(true);
        socket.subscribe('same', query);
      }
      await until(
        () => nextOf(sockets.form).length > 0,
        async () => {},
      );
      // Refused at once, and ended: it never receives an update meant for the others.
      expect(nextOf(sockets.form)[0]).toMatchObject({
        type: 'next',
        payload: { errors: [{ extensions: { code: 'FORBIDDEN' } }] },
      });
      // Registered once each has relayed the probe.
      await until(
        () => nextOf(sockets.sales).length > 0 && nextOf(sockets.admin).length > 0,
        () => announce(probeId, 'automation'),
      );
      await announce(leadId, 'updated');
      const update = {
        type: 'next',
        payload: {
          data: {
            leadUpdated: { change: 'UPDATED', leadId, lead: { id: leadId, name: 'Ana Souza' } },
          },
        },
      };
      for (const socket of [sockets.sales, sockets.admin]) {
        await until(() => nextOf(socket).some((m) => JSON.stringify(m).includes(leadId)));
        expect(nextOf(socket).filter((m) => JSON.stringify(m).includes(leadId))).toEqual([
          { id: 'same', ...update },
        ]);
      }
      expect(nextOf(sockets.form).map(({ type }) => type)).toEqual(['next', 'complete']);
    } finally {
      await Promise.all(Object.values(sockets).map((socket) => socket.close()));
    }
  });
});

/** Waits until `done` holds, doing `poke` every 100 ms meanwhile. */
async function until(done: () => boolean, poke: () => Promise<unknown> = async () => {}) {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await poke();
    await sleep(100);
  }
}

interface Stats {
  total: number;
  scoredCount: number;
  byStatus: { status: string; count: number }[];
}

const statsQuery = `subscription ($range: LeadStatsRange, $timeZone: String) {
  leadStatsUpdated(range: $range, timeZone: $timeZone) { total scoredCount byStatus { status count } }
}`;

const lastWeek = { range: { preset: 'LAST_7_DAYS' } };

/** The default LIVE_METRICS_INTERVAL_MS. */
const intervalMs = 1_000;

/**
 * Stands in for the scoring worker under load: `total` scored leads committed in `batches`
 * transactions spread over `spreadMs`, each lead with its 'scored' event.
 */
async function scoreBurst(total: number, batches: number, spreadMs: number): Promise<void> {
  const perBatch = total / batches;
  const started = performance.now();
  for (let batch = 0; batch < batches; batch += 1) {
    await database.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "leads" ("id", "name", "email", "origin", "status", "score", "processedAt", "updatedAt")
        SELECT gen_random_uuid(), 'Burst Lead', 'burst-' || ${randomId()} || '-' || n || '@example.com',
          'SITE', 'HOT', 70, now(), now()
        FROM generate_series(1, ${perBatch}::int) AS n
        RETURNING "id"`;
      await tx.$executeRaw`
        SELECT pg_notify(${eventsChannel}, json_build_object('type', 'lead.changed', 'leadId', id, 'change', 'scored')::text)
        FROM unnest(${rows.map(({ id }) => id)}::uuid[]) AS id`;
    });
    const due = ((batch + 1) * spreadMs) / batches - (performance.now() - started);
    if (due > 0) await sleep(due);
  }
}

const randomId = () => Math.random().toString(36).slice(2);

describe('leadStatsUpdated', () => {
  it('coalesces a burst of 2,000 scored leads into at most 3 messages, the last counting every lead', async () => {
    const stats = listen<Stats>(statsQuery, lastWeek);
    try {
      await stats.until(() => stats.received.length === 1);
      const [initial] = stats.received;
      const started = performance.now();
      await scoreBurst(2_000, 10, 1_000);
      const burstMs = performance.now() - started;
      await stats.until(() => stats.received.at(-1)!.total === initial!.total + 2_000, 10_000);
      // A computation that ran while the burst went on is followed by one more: wait it out.
      await sleep(intervalMs * 1.5);

      const burstMessages = stats.received.slice(1);
      // The premise: with a 1 s interval, a burst shorter than 2 s spans at most 3 ticks.
      expect(burstMs).toBeLessThan(2_000);
      expect(burstMessages.length).toBeLessThanOrEqual(3);
      expect(burstMessages.at(-1)).toMatchObject({
        total: initial!.total + 2_000,
        scoredCount: initial!.scoredCount + 2_000,
      });
      const hot = (s: Stats) => s.byStatus.find(({ status }) => status === 'HOT')!.count;
      expect(hot(burstMessages.at(-1)!)).toBe(hot(initial!) + 2_000);
    } finally {
      stats.dispose();
    }
  });

  it('computes the stats once per distinct arguments per tick for all subscribers of the process', async () => {
    // computeLeadStats is one statement, and nothing else touches the app's pool meanwhile.
    database.reset();
    const listeners = [
      ...Array.from({ length: 10 }, () => listen<Stats>(statsQuery, lastWeek)),
      ...Array.from({ length: 3 }, () =>
        listen<Stats>(statsQuery, { ...lastWeek, timeZone: 'UTC' }),
      ),
    ];
    try {
      await Promise.all(listeners.map((l) => l.until(() => l.received.length === 1)));
      expect(database.resolverStatements).toHaveLength(2);

      const leadId = (await insertLead({ status: 'COLD' })).id;
      database.reset();
      await notifyOutsideTheApp([{ type: 'lead.changed', leadId, change: 'scored' }]);
      await Promise.all(listeners.map((l) => l.until(() => l.received.length === 2)));
      expect(database.resolverStatements).toHaveLength(2);
      expect(listeners[0]!.received[1]!.total).toBe(listeners[0]!.received[0]!.total + 1);
    } finally {
      for (const listener of listeners) listener.dispose();
    }
  });

  it('sends nothing while no lead changes, and nothing for an automation run', async () => {
    const stats = listen<Stats>(statsQuery, lastWeek);
    try {
      await stats.until(() => stats.received.length === 1);
      await announce(probeId, 'automation');
      await sleep(intervalMs * 1.5);
      expect(stats.received).toHaveLength(1);
    } finally {
      stats.dispose();
    }
  });

  it('refreshes the stats after the event listener reconnects, since events may have been missed', async () => {
    const stats = listen<Stats>(statsQuery, lastWeek);
    try {
      await stats.until(() => stats.received.length === 1);
      // Committed with no event at all: only a resync can bring it.
      await insertLead();
      await database.prisma.$executeRaw`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = ${eventsApplicationName} AND datname = current_database()`;
      await stats.until(() => stats.received.length === 2, 10_000);
      expect(stats.received[1]!.total).toBe(stats.received[0]!.total + 1);
    } finally {
      stats.dispose();
    }
  });

  it('refuses an unknown time zone with a message the client can show', async () => {
    const stats = listen<Stats>(statsQuery, { timeZone: 'Mars/Olympus_Mons' });
    try {
      await expect(stats.until(() => false)).rejects.toThrow(/IANA time zone/);
    } finally {
      stats.dispose();
    }
  });
});

describe('live metrics', () => {
  it('stops following arguments once their last subscriber leaves', async () => {
    const events = await startEventBus({ url: database.url, logger: createLogger('silent') });
    let computations = 0;
    const metrics = createLiveMetrics<string, number>({
      events,
      intervalMs: 100,
      logger: createLogger('silent'),
      key: (args) => args,
      compute: () => Promise.resolve((computations += 1)),
    });
    try {
      const first = metrics.subscribe('a');
      const second = metrics.subscribe('a');
      expect(await first.next()).toEqual({ value: 1, done: false });
      expect(await second.next()).toEqual({ value: 1, done: false });
      await first.return?.();
      await announce(probeId, 'scored');
      expect(await second.next()).toEqual({ value: 2, done: false });

      await second.return?.();
      expect(metrics.groups).toBe(0);
      await announce(probeId, 'scored');
      await sleep(300);
      expect(computations).toBe(2);
    } finally {
      await events.close();
    }
  });

  it('keeps only the newest value for a subscriber that reads slowly', async () => {
    const events = await startEventBus({ url: database.url, logger: createLogger('silent') });
    let computations = 0;
    const metrics = createLiveMetrics<string, number>({
      events,
      intervalMs: 100,
      logger: createLogger('silent'),
      key: (args) => args,
      compute: () => Promise.resolve((computations += 1)),
    });
    const slow = metrics.subscribe('a');
    try {
      for (let tick = 0; tick < 3; tick += 1) {
        await announce(probeId, 'scored');
        await sleep(200);
      }
      expect(computations).toBe(4);
      expect(await slow.next()).toEqual({ value: 4, done: false });
    } finally {
      await slow.return?.();
      await events.close();
    }
  });
});
