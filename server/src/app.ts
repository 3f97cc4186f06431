import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type execute,
  type subscribe,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { PgBoss } from 'pg-boss';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  createAccessControl,
  nodeHeaders,
  type AccessControl,
  type HeaderSource,
  type RateLimitSettings,
} from './access/access-control.ts';
import { useGraphqlLimits } from './access/graphql-limits.ts';
import { useUtf8Bodies } from './access/request-encoding.ts';
import { useUnsubscribe } from './automations/email/unsubscribe.ts';
import { useInbound } from './inbound/inbound-routes.ts';
import { useRemarketingExport } from './automations/remarketing/remarketing-export.ts';
import type { Principal } from './access/principal.ts';
import type { Context } from './context.ts';
import type { Database } from './db.ts';
import { maskedErrors } from './database/database-unavailable.ts';
import type { AccessRevokedEvent, EventBus } from './events.ts';
import { checkReadiness } from './health/readiness.ts';
import type { Logger } from './logger.ts';
import { preferredLocale } from './localization/locale.ts';
import { useSharedSubscriptionExecution } from './live/shared-execution.ts';
import { createMetrics, metricsPath, type Metrics } from './metrics/metrics.ts';
import { runInContext } from './observability/request-context.ts';
import { handleInRequestContext, useOperationName } from './observability/request-log.ts';
import { schema } from './schema.ts';

export interface AppOptions {
  database: Database;
  jobs: PgBoss;
  events: EventBus;
  jobsStarted: () => boolean;
  expectedMigrations: string[];
  logger: Logger;
  /**
   * Who may open GraphiQL and introspect the schema: anyone (development), or signed-in people
   * and API keys only (production). Data needs credentials either way.
   */
  exploration: 'open' | 'authenticated';
  /** Browser origins allowed to call with credentials (the dashboard's). */
  corsOrigins: string[];
  rateLimits: RateLimitSettings;
  /** Reverse proxies in front of the API whose X-Forwarded-For entries are trusted. */
  trustProxyHops: number;
  /** Larger request bodies are refused with 413 before they are read. */
  maxRequestBodyBytes: number;
  /** Larger multipart uploads from callers with credentials are refused with 413. */
  maxUploadBytes: number;
  /**
   * How often open WebSockets are checked for sessions that expired or users whose role changed
   * (revocations close them at once). Default: a minute.
   */
  socketRecheckMs?: number;
  /** This process's metrics, served on /metrics. Default: a new registry for this app. */
  metrics?: Metrics;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  metrics: Metrics;
  access: AccessControl;
  /** Listens on host:port (port 0 picks a free one) and resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (up to timeoutMs), closes sockets. */
  close(timeoutMs: number): Promise<void>;
}

export const graphqlPath = '/graphql';

export function buildApp(options: AppOptions): App {
  const { database, jobs, events, logger } = options;
  const metrics = options.metrics ?? createMetrics({ pool: database.pool });
  const access = createAccessControl({
    prisma: database.prisma,
    pool: database.pool,
    rateLimits: options.rateLimits,
    trustProxyHops: options.trustProxyHops,
  });
  const responseCookies = new WeakMap<Request, string[]>();

  // One lookup of the caller per HTTP request: the introspection guard runs before the context
  // exists and needs the caller too; looking it up twice cost a statement on every request.
  const principals = new WeakMap<Request, Promise<Principal>>();
  const principalOf = (request: Request): Promise<Principal> => {
    let principal = principals.get(request);
    if (!principal) {
      principal = access.authenticate(access.credentials(request.headers));
      principals.set(request, principal);
    }
    return principal;
  };

  const context = async (initial: ServerContext): Promise<Context> => {
    const headers = initial.request?.headers ?? nodeHeaders(initial.req?.headers ?? {});
    const ip = access.clientIp(headers, initial.req?.socket.remoteAddress);
    const principal = await access.authenticateRequest(
      access.credentials(headers, initial.connectionParams),
      ip,
      // Over WebSocket the connection's parameters may carry the key: look up those instead.
      initial.request && !initial.connectionParams ? principalOf(initial.request) : undefined,
    );
    const request = initial.request;
    const secure = isSecureRequest(request, headers, options.trustProxyHops);
    return {
      prisma: database.prisma,
      pool: database.pool,
      jobs,
      events,
      logger,
      metrics,
      request,
      principal,
      locale: preferredLocale(headers.get('accept-language')),
      ip,
      access,
      setSessionCookie(token) {
        if (!request) return;
        const cookie = token
          ? access.sessionCookie(token, secure)
          : access.clearedSessionCookie(secure);
        responseCookies.set(request, [...(responseCookies.get(request) ?? []), cookie]);
      },
    };
  };

  const dashboardCors = { origin: options.corsOrigins, credentials: true };
  // Forms on other sites call with a publishable key: their origin is allowed (without cookies)
  // while an active key lists it. Read per preflight so a revoked key's origin closes at once.
  const corsFor = async (origin: string | null) => {
    if (!origin || options.corsOrigins.includes(origin)) return dashboardCors;
    const formKey = await database.prisma.apiKey.findFirst({
      where: { revokedAt: null, allowedOrigins: { has: origin } },
      select: { id: true },
    });
    return formKey ? { origin: [origin], credentials: false } : dashboardCors;
  };

  const mayExplore = async (request: Request) =>
    options.exploration === 'open' || (await principalOf(request)).kind !== 'anonymous';

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: graphqlPath,
    healthCheckEndpoint: '/healthz',
    graphiql: async (request) =>
      (await mayExplore(request).catch(() => false)) ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    cors: (request) => corsFor(request.headers.get('origin')),
    // One operation per request: a batch would multiply every per-request limit.
    batching: false,
    // Masked as usual, except an unreachable database: 503 SERVICE_UNAVAILABLE, not a bare 500.
    maskedErrors,
    context,
    logging: yogaLogger(logger),
    plugins: [
      // GET/POST /unsubscribe: the link in every email (answered before anything GraphQL).
      useUnsubscribe({ prisma: database.prisma, logger }),
      // Webhooks, the no-JavaScript form and /embed.js (each route guards itself).
      useInbound({ prisma: database.prisma, pool: database.pool, jobs, logger, access, metrics }),
      // GET /exports/remarketing.csv: admins, or a link from createRemarketingExport.
      useRemarketingExport({ prisma: database.prisma, access, logger }),
      // Requests with these headers are never "simple": a browser preflights them, so CORS decides.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization', 'x-api-key'] }),
      useUtf8Bodies(),
      useGraphqlLimits({ exposeSuggestions: options.exploration === 'open' }),
      useDisableIntrospection({
        isDisabled: async (request) => !(await mayExplore(request).catch(() => false)),
      }),
      useOperationName(),
      // Each event of a subscription is executed once for all subscribers that would get the same
      // result, not once per subscriber (5,000 dashboards on one lead stream).
      useSharedSubscriptionExecution(),
      {
        onResponse({ request, response }) {
          for (const cookie of responseCookies.get(request) ?? []) {
            response.headers.append('set-cookie', cookie);
          }
        },
      },
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

  const requestLog = { logger, quietPaths: ['/healthz', '/readyz', metricsPath] };
  let closing = false;
  const server = createServer((request, response) =>
    handleInRequestContext(requestLog, request, response, () => {
      // While stopping, each answer ends its connection: a keep-alive client would otherwise go
      // on sending over it, the drain would last until the timeout, and the timeout cuts requests
      // whose leads are already written.
      if (closing) response.setHeader('connection', 'close');
      const limit = bodyLimitFor(request, options.maxRequestBodyBytes, options.maxUploadBytes);
      if (refuseOversizedBody(request, response, limit)) return;
      void yoga(request, response);
    }),
  );
  const sockets = new WebSocketServer({ server, path: graphqlPath });
  const stopSocketChecks = serveSubscriptions(yoga, sockets, {
    access,
    corsOrigins: options.corsOrigins,
    events,
    logger,
    prisma: database.prisma,
    recheckMs: options.socketRecheckMs ?? 60_000,
  });
  sockets.on('connection', (socket) => {
    metrics.openWebSockets.inc();
    socket.once('close', () => metrics.openWebSockets.dec());
  });

  return {
    yoga,
    metrics,
    access,
    async listen(port, host) {
      server.listen(port, host);
      await once(server, 'listening');
      const { port: bound } = server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    close: (timeoutMs) => {
      closing = true;
      stopSocketChecks();
      return closeServer(server, sockets, timeoutMs);
    },
  };
}

/** What yoga receives: the fetch Request over HTTP, graphql-ws's context over WebSocket. */
interface ServerContext {
  request?: Request;
  req?: IncomingMessage;
  connectionParams?: Record<string, unknown>;
}

/** Session cookies get `Secure` when the browser reached us over HTTPS (directly or via a proxy). */
function isSecureRequest(
  request: Request | undefined,
  headers: HeaderSource,
  trustProxyHops: number,
): boolean {
  if (request?.url.startsWith('https:')) return true;
  return trustProxyHops > 0 && headers.get('x-forwarded-proto') === 'https';
}

/**
 * File uploads (CSV imports, the nurture PDF as multipart) may be larger than operations, but only
 * from a caller presenting credentials: an anonymous caller never gets more than an operation's
 * room. The credentials themselves are checked after the body is read, like any request's.
 */
function bodyLimitFor(request: IncomingMessage, maxBodyBytes: number, maxUploadBytes: number) {
  const multipart = request.headers['content-type']?.startsWith('multipart/form-data') ?? false;
  const credentials =
    request.headers.authorization !== undefined ||
    request.headers['x-api-key'] !== undefined ||
    request.headers.cookie !== undefined;
  return multipart && credentials ? Math.max(maxBodyBytes, maxUploadBytes) : maxBodyBytes;
}

/**
 * Refuses a body larger than the limit before reading it. Bodies without a declared length
 * (chunked) are refused too: every GraphQL client sends Content-Length, and counting a stream
 * while yoga reads it would need our own body parser.
 */
function refuseOversizedBody(
  request: IncomingMessage,
  response: ServerResponse,
  maxBytes: number,
): boolean {
  const hasBody =
    request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS';
  if (!hasBody) return false;
  const declared = request.headers['content-length'];
  const status =
    declared === undefined
      ? request.headers['transfer-encoding']
        ? 411
        : 0
      : Number(declared) > maxBytes
        ? 413
        : 0;
  if (status === 0) return false;
  response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  response.end(
    JSON.stringify({
      errors: [
        {
          message:
            status === 413
              ? `Request body larger than ${maxBytes} bytes.`
              : 'Send the request body with a Content-Length header.',
          extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'LENGTH_REQUIRED' },
        },
      ],
    }),
  );
  request.resume();
  return true;
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

/** What onSubscribe hands execute/subscribe: envelop's functions and the operation's request id. */
type EnvelopedRoot = Pick<Enveloped, 'execute' | 'subscribe'> & { requestId: string };

interface SocketGuard {
  access: AccessControl;
  /** Origins whose pages may open a socket with the session cookie. */
  corsOrigins: string[];
  events: EventBus;
  logger: Logger;
  prisma: Database['prisma'];
  /** How often open sockets are checked against expired sessions and changed roles. */
  recheckMs: number;
}

/** graphql-ws's close code for a refused connection; its clients retry it with back-off. */
const forbiddenCloseCode = 4403;

/**
 * graphql-ws on the same port and path, running every operation through yoga's envelop. A socket
 * opens only with a valid session or API key; each operation authenticates again (as an HTTP
 * request would), and a revoked session, key or person closes the sockets that used it.
 */
function serveSubscriptions(
  yoga: App['yoga'],
  sockets: WebSocketServer,
  guard: SocketGuard,
): () => void {
  const principals = new Map<WebSocket, Principal>();

  useServer(
    {
      onConnect: async (ctx) => {
        const credentials = guard.access.credentials(
          nodeHeaders(ctx.extra.request.headers),
          ctx.connectionParams,
        );
        // Another site's page could open a socket that carries our cookie (cross-site WebSocket
        // hijacking): a cookie only counts from the dashboard's origins.
        const cookieFromElsewhere =
          !credentials.apiKey &&
          credentials.origin !== undefined &&
          !guard.corsOrigins.includes(credentials.origin);
        if (cookieFromElsewhere) return false;
        const principal = await guard.access.authenticate(credentials).catch(() => null);
        if (!principal || principal.kind === 'anonymous') return false;
        principals.set(ctx.extra.socket, principal);
        return true;
      },
      onClose: (ctx) => {
        principals.delete(ctx.extra.socket);
      },
      // Each operation is a request of its own: its resolvers, log lines and the jobs it sends
      // carry its id. (A subscription's later events run in graphql-ws's loop, without it.)
      execute: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        return runInContext({ requestId: root.requestId }, () => root.execute(args));
      },
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        return runInContext({ requestId: root.requestId }, () => root.subscribe(args));
      },
      onSubscribe: (ctx, _id, params) => {
        const requestId = randomUUID();
        return runInContext({ requestId }, async () => {
          const enveloped: Enveloped = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
          });
          try {
            const root: EnvelopedRoot = {
              execute: enveloped.execute,
              subscribe: enveloped.subscribe,
              requestId,
            };
            const args: ExecutionArgs = {
              schema: enveloped.schema,
              operationName: params.operationName,
              document: enveloped.parse(params.query),
              variableValues: params.variables,
              contextValue: await enveloped.contextFactory(),
              rootValue: root,
            };
            const errors = enveloped.validate(args.schema, args.document);
            return errors.length > 0 ? errors : args;
          } catch (error) {
            // Refused credentials, a spent rate limit, a query over the limits: the operation
            // fails with the reason, the socket stays.
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
        });
      },
    },
    sockets,
  );

  const refuse = (socket: WebSocket, why: string) => {
    guard.logger.info({ why }, 'closing a socket whose access ended');
    socket.close(forbiddenCloseCode, 'Forbidden');
    principals.delete(socket);
  };
  const unsubscribe = guard.events.subscribe((event) => {
    if (event.type !== 'access.revoked') return;
    for (const [socket, principal] of principals) {
      if (usesRevokedAccess(principal, event)) refuse(socket, `${event.subject} revoked`);
    }
  });
  // Revocations arrive as events; a session that simply expires, or a role that changed, sends
  // none. One pass a minute finds those with two queries for all sockets of this instance.
  const timer = setInterval(() => {
    recheckSockets(guard.prisma, principals).then(
      (ended) => ended.forEach((socket) => refuse(socket, 'session expired or role changed')),
      (error: unknown) => guard.logger.warn({ err: error }, 'socket access check failed'),
    );
  }, guard.recheckMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}

/** The sockets whose session expired, whose user was disabled or changed role, or whose key went. */
async function recheckSockets(
  prisma: Database['prisma'],
  principals: ReadonlyMap<WebSocket, Principal>,
): Promise<WebSocket[]> {
  const entries = [...principals];
  const sessionIds = entries.flatMap(([, p]) => (p.kind === 'user' ? [p.sessionId] : []));
  const keyIds = entries.flatMap(([, p]) => (p.kind === 'api-key' ? [p.keyId] : []));
  const [sessions, keys] = await Promise.all([
    sessionIds.length === 0
      ? []
      : prisma.session.findMany({
          where: {
            id: { in: sessionIds },
            revokedAt: null,
            expiresAt: { gt: new Date() },
            user: { disabledAt: null },
          },
          select: { id: true, user: { select: { role: true } } },
        }),
    keyIds.length === 0
      ? []
      : prisma.apiKey.findMany({
          where: { id: { in: keyIds }, revokedAt: null },
          select: { id: true },
        }),
  ]);
  const roles = new Map(sessions.map((session) => [session.id, session.user.role]));
  const liveKeys = new Set(keys.map((key) => key.id));
  return entries
    .filter(([, principal]) =>
      principal.kind === 'user'
        ? roles.get(principal.sessionId) !== principal.role
        : principal.kind === 'api-key' && !liveKeys.has(principal.keyId),
    )
    .map(([socket]) => socket);
}

function usesRevokedAccess(principal: Principal, event: AccessRevokedEvent): boolean {
  switch (event.subject) {
    case 'session':
      return principal.kind === 'user' && principal.sessionId === event.id;
    case 'user':
      return principal.kind === 'user' && principal.userId === event.id;
    case 'api-key':
      return principal.kind === 'api-key' && principal.keyId === event.id;
  }
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
