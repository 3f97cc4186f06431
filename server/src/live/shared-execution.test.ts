import {
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../access/principal.ts';
import { createEventQueue, type EventQueue } from '../events.ts';
import type { Locale } from '../localization/locale.ts';
import { subscribeSharingResults, viewerKey } from './shared-execution.ts';

interface Tick {
  n: number;
}

interface Viewer {
  principal: Principal;
  locale: Locale;
}

/**
 * A subscription whose fields depend on the viewer the way a privacy rule or a translated message
 * would, over a source that hands every subscriber the same tick object (as lead-updates.ts does).
 */
function tickStream() {
  const queues = new Set<EventQueue<Tick>>();
  let executions = 0;
  const Tick = new GraphQLObjectType<Tick, Viewer>({
    name: 'Tick',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      seenBy: {
        type: new GraphQLNonNull(GraphQLString),
        resolve: (_tick, _args, { principal, locale }) => {
          executions += 1;
          const who = principal.kind === 'user' ? `${principal.name} (${principal.role})` : 'key';
          return locale === 'pt-BR' ? `visto por ${who}` : `seen by ${who}`;
        },
      },
      salary: {
        type: GraphQLInt,
        resolve: (tick, _args, { principal }) => {
          if (principal.kind === 'user' && principal.role === 'SALES') {
            throw new Error('Only managers see salaries');
          }
          return tick.n * 1000;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { n: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType<unknown, Viewer>({
      name: 'Subscription',
      fields: {
        ticks: {
          type: new GraphQLNonNull(Tick),
          args: { every: { type: GraphQLInt } },
          subscribe: () => {
            const queue: EventQueue<Tick> = createEventQueue<Tick>({
              maxQueued: 100,
              onClose: () => queues.delete(queue),
            });
            queues.add(queue);
            return queue.iterator;
          },
          resolve: (tick: unknown) => tick,
        },
      },
    }),
  });
  return {
    schema,
    publish(tick: Tick) {
      for (const queue of queues) queue.push(tick);
    },
    get executions() {
      return executions;
    },
    get open() {
      return queues.size;
    },
  };
}

const user = (name: string, role: 'ADMIN' | 'SALES'): Extract<Principal, { kind: 'user' }> => ({
  kind: 'user',
  userId: `id-of-${name}`,
  email: `${name}@example.com`,
  name,
  role,
  sessionId: `session-of-${name}`,
  permissions: new Set(['leads:read']),
});

const key = (keyId: string): Extract<Principal, { kind: 'api-key' }> => ({
  kind: 'api-key',
  keyId,
  name: keyId,
  prefix: 'slk_test',
  scopes: ['leads:read'],
  permissions: new Set(['leads:read']),
});

const ana = user('Ana', 'ADMIN');
const bruno = user('Bruno', 'SALES');
const document = parse('subscription { ticks { n seenBy salary } }');

async function subscribe(
  stream: ReturnType<typeof tickStream>,
  viewer: Viewer,
  query = document,
  variableValues?: Record<string, unknown>,
): Promise<AsyncIterableIterator<ExecutionResult>> {
  const result = await subscribeSharingResults({
    schema: stream.schema,
    document: query,
    variableValues,
    contextValue: viewer,
  });
  if (!(Symbol.asyncIterator in result)) throw new Error(JSON.stringify(result));
  return result;
}

async function nextOf(subscription: AsyncIterableIterator<ExecutionResult>) {
  const step = await subscription.next();
  if (step.done) throw new Error('the subscription ended');
  return step.value;
}

describe('shared subscription execution', () => {
  it('executes an event once for every subscriber with the same viewer, document and variables', async () => {
    const stream = tickStream();
    const subscriptions = await Promise.all(
      Array.from({ length: 500 }, () => subscribe(stream, { principal: ana, locale: 'en' })),
    );
    stream.publish({ n: 1 });
    stream.publish({ n: 2 });
    for (const n of [1, 2]) {
      const results = await Promise.all(subscriptions.map(nextOf));
      for (const result of results) {
        expect(result).toEqual({
          data: { ticks: { n, seenBy: 'seen by Ana (ADMIN)', salary: n * 1000 } },
        });
      }
      // Each subscriber its own top-level object: a plugin's setResult or extensions stay its own.
      expect(new Set(results).size).toBe(500);
    }
    expect(stream.executions).toBe(2);
  });

  it('gives each viewer the result its own principal and language get, never another’s', async () => {
    const stream = tickStream();
    const viewers: Viewer[] = [
      { principal: ana, locale: 'en' },
      { principal: ana, locale: 'pt-BR' },
      { principal: user('Carla', 'ADMIN'), locale: 'en' },
      { principal: bruno, locale: 'en' },
      { principal: key('integration'), locale: 'en' },
    ];
    // Subscribed twice each, interleaved: the second of each viewer shares the first's execution.
    const subscriptions = await Promise.all(
      [...viewers, ...viewers].map((viewer) => subscribe(stream, viewer)),
    );
    stream.publish({ n: 7 });
    const results = await Promise.all(subscriptions.map(nextOf));
    const expected = [
      { data: { ticks: { n: 7, seenBy: 'seen by Ana (ADMIN)', salary: 7000 } } },
      { data: { ticks: { n: 7, seenBy: 'visto por Ana (ADMIN)', salary: 7000 } } },
      { data: { ticks: { n: 7, seenBy: 'seen by Carla (ADMIN)', salary: 7000 } } },
      {
        data: { ticks: { n: 7, seenBy: 'seen by Bruno (SALES)', salary: null } },
        errors: [expect.objectContaining({ message: 'Only managers see salaries' })],
      },
      { data: { ticks: { n: 7, seenBy: 'seen by key', salary: 7000 } } },
    ];
    expect(results).toEqual([...expected, ...expected]);
    expect(stream.executions).toBe(viewers.length);
  });

  it('executes separately for other variables or another document', async () => {
    const stream = tickStream();
    const viewer = { principal: ana, locale: 'en' } as const;
    const subscriptions = await Promise.all([
      subscribe(stream, viewer),
      subscribe(stream, viewer, parse('subscription { ticks(every: 2) { n seenBy salary } }')),
      subscribe(stream, viewer, parse('subscription { ticks { n seenBy } }')),
      subscribe(
        stream,
        viewer,
        parse('subscription ($every: Int) { ticks(every: $every) { n seenBy } }'),
        { every: 3 },
      ),
    ]);
    stream.publish({ n: 1 });
    const results = await Promise.all(subscriptions.map(nextOf));
    expect(results.map((result) => Object.keys(result.data!.ticks as object))).toEqual([
      ['n', 'seenBy', 'salary'],
      ['n', 'seenBy', 'salary'],
      ['n', 'seenBy'],
      ['n', 'seenBy'],
    ]);
    expect(stream.executions).toBe(4);
  });

  it('ends the source of a subscriber who leaves while waiting, and only that one', async () => {
    const stream = tickStream();
    const leaving = await subscribe(stream, { principal: ana, locale: 'en' });
    const staying = await subscribe(stream, { principal: ana, locale: 'en' });
    const waiting = leaving.next();
    await leaving.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(stream.open).toBe(1);
    stream.publish({ n: 3 });
    expect(await nextOf(staying)).toMatchObject({ data: { ticks: { n: 3 } } });
    await staying.return!();
    expect(stream.open).toBe(0);
  });

  it('refuses a subscription whose arguments are wrong without opening a source', async () => {
    const stream = tickStream();
    const result = await subscribeSharingResults({
      schema: stream.schema,
      document: parse('subscription ($every: Int) { ticks(every: $every) { n } }'),
      variableValues: { every: 'often' },
      contextValue: { principal: ana, locale: 'en' },
    });
    expect('errors' in result && result.errors?.[0]?.message).toMatch(/\$every.*often/);
    expect(stream.open).toBe(0);
  });
});

describe('viewerKey', () => {
  it('differs for another user, role, key, key scope or language, and not for another session', () => {
    const keys = [
      viewerKey({ principal: ana, locale: 'en' }),
      viewerKey({ principal: ana, locale: 'pt-BR' }),
      viewerKey({ principal: { ...ana, role: 'SALES' }, locale: 'en' }),
      viewerKey({ principal: bruno, locale: 'en' }),
      viewerKey({ principal: key('one'), locale: 'en' }),
      viewerKey({ principal: key('two'), locale: 'en' }),
      viewerKey({
        principal: { ...key('one'), permissions: new Set(['leads:read', 'leads:write']) },
        locale: 'en',
      }),
      viewerKey({ principal: { kind: 'anonymous' }, locale: 'en' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(viewerKey({ principal: { ...ana, sessionId: 'another tab' }, locale: 'en' })).toBe(
      keys[0],
    );
  });
});
