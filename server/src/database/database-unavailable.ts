// While PostgreSQL restarts (or the network to it fails) every request fails the same way. Yoga
// would mask those failures as 500 "Unexpected error.", which a client cannot tell from a bug:
// they become 503 with a code and Retry-After, so forms, n8n and load balancers retry instead.
import { GraphQLError } from 'graphql';
import { maskError, type YogaServerOptions } from 'graphql-yoga';

// Prisma's codes for "cannot reach / lost the server" and "no pooled connection came free".
const prismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
// What @prisma/adapter-pg reports when the driver lost or never got its connection.
const adapterKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
// SQLSTATE: class 08 is "connection exception"; 57P01-57P03 are a server shutting down or
// starting up; 53300 is too_many_connections.
const serverStates = /^(08...|57P0[123]|53300)$/;
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
// node-postgres raises these as plain Errors without a code.
const driverMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** Whether `error` (or what caused it) says the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, kind, message, cause, originalError, meta } = error as ErrorLike;
  if (typeof code === 'string') {
    if (prismaCodes.has(code) || socketCodes.has(code) || serverStates.test(code)) return true;
  }
  if (typeof kind === 'string' && adapterKinds.has(kind)) return true;
  if (typeof message === 'string' && driverMessages.some((text) => message.startsWith(text))) {
    return true;
  }
  return [cause, originalError, meta?.driverAdapterError].some((inner) =>
    isDatabaseUnavailable(inner, depth + 1),
  );
}

/** Seconds a client is asked to wait: about what a PostgreSQL restart or failover takes. */
const retryAfterSeconds = 5;

export function databaseUnavailableError(): GraphQLError {
  return new GraphQLError('The database is unavailable right now; try again in a few seconds.', {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      http: { status: 503, headers: { 'retry-after': String(retryAfterSeconds) } },
    },
  });
}

/** Yoga's error masking, except that an unreachable database becomes 503 SERVICE_UNAVAILABLE. */
export const maskedErrors: NonNullable<YogaServerOptions<object, object>['maskedErrors']> = {
  maskError(error, message, isDev) {
    return isDatabaseUnavailable(error)
      ? databaseUnavailableError()
      : maskError(error, message, isDev);
  },
};
