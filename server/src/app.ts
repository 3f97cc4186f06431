import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  DocumentNode,
  ExecutionArgs,
  GraphQLError,
  GraphQLSchema,
  execute,
  subscribe,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { PgBoss } from 'pg-boss';
import { WebSocketServer } from 'ws';
import type { Context } from './context.ts';
import type { Database } from './db.ts';
import type { EventBus } from './events.ts';
import { checkReadiness } from './health/readiness.ts';
import type { Logger } from './logger.ts';
import { createMetrics, metricsPath, type Metrics } from './metrics/metrics.ts';
import { schema } from './schema.ts';

export interface AppOptions {
  database: Database;
  jobs: PgBoss;
  events: EventBus;
  jobsStarted: () => boolean;
  expectedMigrations: string[];
  logger: Logger;
  graphiql: boolean;
  /** Browser origins allowed to call with credentials (the dashboard's). */
  corsOrigins: string[];
  /** This process's metrics, served on /metrics. Default: a new registry for this app. */
  metrics?: Metrics;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  metrics: Metrics;
  /** Listens on host:port (port 0 picks a free one) and resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (up to timeoutMs), closes sockets. */
  close(timeoutMs: number): Promise<void>;
}

export const graphqlPath = '/graphql';

export function buildApp(options: AppOptions): App {
  const { database, jobs, events, logger } = options;
  const metrics = options.metrics ?? createMetrics({ pool: database.pool });
  // Over WebSocket there is no fetch Request: graphql-ws hands yoga the Node request as `req`.
  const context = (initial: { request?: Request }): Context => ({
    prisma: database.prisma,
    jobs,
    events,
    logger,
    metrics,
    request: initial.request,
  });

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: graphqlPath,
    healthCheckEndpoint: '/healthz',
    graphiql: options.graphiql ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    cors: { origin: options.corsOrigins, credentials: true },
    context,
    logging: yogaLogger(logger),
    plugins: [
      usePrometheus({
        registry: metrics.registry,
        endpoint: metricsPath,
        metrics: {
          graphql_yoga_http_duration: true,
          graphql_envelop_request_duration: true,
          graphql_envelop_phase_execute: true,
          graphql_envelop_error_result: true,
        },
      }),
      useReadinessCheck({
        endpoint: '/readyz',
        check: async ({ fetchAPI }) => {
          const readiness = await checkReadiness({
            pool: database.pool,
            expectedMigrations: options.expectedMigrations,
            jobsStarted: options.jobsStarted,
          });
          return fetchAPI.Response.json(readiness, { status: readiness.ready ? 200 : 503 });
        },
      }),
    ],
  });

  const server = createServer((request, response) => void yoga(request, response));
  const sockets = new WebSocketServer({ server, path: graphqlPath });
  serveSubscriptions(yoga, sockets);
  sockets.on('connection', (socket) => {
    metrics.openWebSockets.inc();
    socket.once('close', () => metrics.openWebSockets.dec());
  });

  return {
    yoga,
    metrics,
    async listen(port, host) {
      server.listen(port, host);
      await once(server, 'listening');
      const { port: bound } = server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    close: (timeoutMs) => closeServer(server, sockets, timeoutMs),
  };
}

/**
 * Yoga logs `(message, ...details)` or `(error)`; pino wants `(object, message)`. Details are
 * dropped on purpose: they can hold request variables, i.e. leads' personal data.
 */
function yogaLogger(logger: Logger) {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const error = args.find((arg) => arg instanceof Error);
      const text = args.filter((arg) => typeof arg === 'string').join(' ') || 'graphql';
      logger[level]({ err: error }, text);
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}

/** What yoga's envelop hands graphql-ws: the plugins' versions of graphql-js's functions. */
interface Enveloped {
  schema: GraphQLSchema;
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  /** Resolves to the initial context merged with ours. */
  contextFactory: () => unknown;
  execute: typeof execute;
  subscribe: typeof subscribe;
}

type EnvelopedRoot = Pick<Enveloped, 'execute' | 'subscribe'>;

/** graphql-ws on the same port and path, running every operation through yoga's envelop. */
function serveSubscriptions(yoga: App['yoga'], sockets: WebSocketServer): void {
  useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped: Enveloped = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document: enveloped.parse(params.query),
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    sockets,
  );
}

async function closeServer(server: Server, sockets: WebSocketServer, timeoutMs: number) {
  // 1001 "going away": graphql-ws clients reconnect to another instance on their own.
  for (const socket of sockets.clients) socket.close(1001, 'Server shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const deadline = setTimeout(() => {
    server.closeAllConnections();
    for (const socket of sockets.clients) socket.terminate();
  }, timeoutMs);
  await closed;
  clearTimeout(deadline);
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
}
