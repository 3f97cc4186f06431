// graphql-js runs a subscription's selection set once per subscriber for every event: with 5,000
// subscribers the API spent more time executing, and collecting the garbage of, identical results
// than sending them. Here each subscriber keeps its own source stream (authorization, arguments,
// filter, unsubscribe), but one event's execution is shared by every subscriber whose result has to
// be the same: same event, document, operation, variables and viewer.
import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type subscribe,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

/**
 * Everything resolvers under Subscription read from the context that can change what they return:
 * who is asking (a resolver may show a sales user only their leads, or mask a field for a scope)
 * and the language of messages (ctx.locale). The request, logger and database are the same for all.
 * A resolver that starts reading something else from the context must be added here.
 */
export function viewerKey(context: Pick<Context, 'principal' | 'locale'>): string {
  const { principal, locale } = context;
  switch (principal.kind) {
    case 'anonymous':
      return `anonymous|${locale}`;
    case 'user':
      return `user:${principal.userId}:${principal.role}:${permissionsKey(principal)}|${locale}`;
    case 'api-key':
      return `key:${principal.keyId}:${permissionsKey(principal)}|${locale}`;
  }
}

// Permissions follow from a user's role today; keyed anyway, so the key stays right if they ever
// do not.
const permissionsKey = (principal: { permissions: ReadonlySet<string> }) =>
  [...principal.permissions].sort().join(',');

/**
 * Subscriptions run with {@link subscribeSharingResults}. Results stay read-only: every plugin
 * after this one replaces a result (setResult) rather than changing it, and each subscriber gets
 * its own top-level object, so one subscriber's masked errors or extensions reach no other.
 */
export function useSharedSubscriptionExecution(): Plugin<Context> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribeSharingResults as typeof subscribe);
    },
  };
}

type Results = Map<string, Promise<ExecutionResult> | ExecutionResult>;

/**
 * The results of each event payload, by document, then by operation, variables and viewer. Kept
 * as long as the payload lives: the event sources hand every subscriber the same payload object
 * (lead-updates.ts, live-metrics.ts) and drop it once all of them have read it.
 */
const resultsByPayload = new WeakMap<object, WeakMap<DocumentNode, Results>>();

/** graphql-js's subscribe, with each event's execution shared between equal subscribers. */
export async function subscribeSharingResults(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  // Worked out once per subscription: variables and viewer do not change while it lasts.
  const key = JSON.stringify([
    args.operationName ?? null,
    args.variableValues ?? null,
    viewerKey(args.contextValue as Context),
  ]);
  return mapEvents(source[Symbol.asyncIterator](), (payload) => sharedResult(payload, args, key));
}

async function sharedResult(
  payload: unknown,
  args: ExecutionArgs,
  key: string,
): Promise<ExecutionResult> {
  if (typeof payload !== 'object' || payload === null) {
    return execute({ ...args, rootValue: payload });
  }
  let byDocument = resultsByPayload.get(payload);
  if (!byDocument) {
    byDocument = new WeakMap();
    resultsByPayload.set(payload, byDocument);
  }
  let results = byDocument.get(args.document);
  if (!results) {
    results = new Map();
    byDocument.set(args.document, results);
  }
  let result = results.get(key);
  if (!result) {
    result = execute({ ...args, rootValue: payload });
    results.set(key, result);
  }
  return { ...(await result) };
}

/**
 * The source's values mapped one by one. Not an async generator: a generator's return() waits for
 * the pending next(), so a subscriber who leaves while no event comes would stay subscribed.
 */
function mapEvents<T>(
  source: AsyncIterator<unknown>,
  map: (value: unknown) => Promise<T>,
): AsyncIterableIterator<T> {
  const close = async () => {
    await source.return?.();
    return { value: undefined, done: true } as const;
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      const step = await source.next();
      if (step.done) return { value: undefined, done: true };
      try {
        return { value: await map(step.value), done: false };
      } catch (error) {
        await close();
        throw error;
      }
    },
    return: close,
    async throw(error: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return Symbol.asyncIterator in value;
}
