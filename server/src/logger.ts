import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { contextLogFields } from './observability/request-context.ts';

export type { Logger };

/**
 * Structured JSON logs. Personal data of leads never goes to logs (LGPD): code logs ids and
 * counts, the paths below are censored in case a lead's fields reach a log call anyway, and
 * errors are serialized without what PostgreSQL and Prisma quote from the data (see safeError).
 *
 * Every line written during a request or a job carries its `requestId` (and `jobId`, `queue` in a
 * job) from the request context, so one request can be followed into the jobs it caused.
 */
export function createLogger(
  level: string,
  /** Where lines go; standard output when absent (tests pass a stream to read them back). */
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'streamleads' },
      mixin: contextLogFields,
      serializers: { err: safeError },
      redact: {
        paths: [
          'email',
          'phone',
          'name',
          '*.email',
          '*.phone',
          '*.name',
          'lead.*',
          'input.*',
          'variables.*',
          'payload.*',
          'password',
          // pg-boss's slow-query warning carries the statement's parameters: job data and output.
          'warning.data.values',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

const redacted = '[redacted]';

/**
 * pino's error serializer, minus the values errors quote:
 * - PostgreSQL's DETAIL holds row and key values ("Failing row contains (id, name, email, ...)",
 *   "Key (email)=(...) already exists"); node-postgres sets it as `detail`, and Prisma's driver
 *   adapter nests it under `meta.driverAdapterError.cause.detail`. Any `detail` is censored.
 * - Prisma prints the failed call with its arguments ("Invalid `prisma.lead.create()`
 *   invocation: { data: { email: ... } }"), in the message and again in the stack. The arguments
 *   are cut; the method and the reason after them stay.
 */
export function safeError(error: Error): unknown {
  return scrub(stdSerializers.err(error), 0);
}

const maxDepth = 8;

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return withoutPrismaArguments(value);
  if (value === null || typeof value !== 'object' || depth > maxDepth) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      key === 'detail' && field != null ? redacted : scrub(field, depth + 1),
    ]),
  );
}

// From "invocation" to the blank line before the reason, the last paragraph of the message (which
// may be followed by stack frames).
const PRISMA_INVOCATION = /(Invalid `[^`\n]+` invocation)[\s\S]*\n\n(?=[^\n]*(?:\n\s+at |$))/;

function withoutPrismaArguments(text: string): string {
  return text.replace(PRISMA_INVOCATION, `$1: [arguments ${redacted}]\n\n`);
}
