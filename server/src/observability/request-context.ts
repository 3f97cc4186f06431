// The request a piece of work belongs to, kept in an AsyncLocalStorage so that no call site passes
// it: the API opens a context per HTTP request and per WebSocket operation, jobs sent inside it
// carry its id in their data (jobs.ts), and each job's handler runs in a context with that id, its
// job id and queue. The logger adds the context to every line (logger.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header naming a request: accepted from callers (or a proxy), echoed on every answer. */
export const requestIdHeader = 'x-request-id';

// Letters, digits and a few separators: enough for UUIDs, ULIDs and proxies' ids, and nothing that
// could split a header or a log line.
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && saneRequestId.test(value);
}

/** The caller's id when it is a sane token, otherwise a new one. */
export function requestIdFrom(incoming: unknown): string {
  return isSaneRequestId(incoming) ? incoming : randomUUID();
}

/** What the work in progress is part of. */
export interface RequestContext {
  /** The API request (HTTP request or WebSocket operation) that caused the work. */
  requestId?: string;
  /** The job being handled and its queue. */
  jobId?: string;
  queue?: string;
  /**
   * In a batch of jobs that came from different requests (scoring): the context of the job that
   * brought each lead into the batch (see inLeadContext).
   */
  leadJobs?: ReadonlyMap<string, RequestContext>;
  /** The GraphQL operation of an HTTP request, once yoga has read it (for the request log). */
  operation?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The context's fields every log line carries (logger.ts). */
export function contextLogFields(): Pick<RequestContext, 'requestId' | 'jobId' | 'queue'> {
  const context = storage.getStore();
  if (!context) return {};
  const { requestId, jobId, queue } = context;
  return {
    ...(requestId ? { requestId } : {}),
    ...(jobId ? { jobId } : {}),
    ...(queue ? { queue } : {}),
  };
}

/** The field of a job's data that carries the request id across the queue. */
export const jobRequestIdField = 'requestId';

/**
 * A job's data with the current request id added, when there is one and the data is an object
 * that has none yet. Anything else is returned as it is.
 */
export function withRequestId<T>(data: T): T {
  const requestId = storage.getStore()?.requestId;
  if (!requestId || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  if (jobRequestIdField in data) return data;
  return { ...data, [jobRequestIdField]: requestId };
}

/** What a job's context is made from (pg-boss's Job has these fields). */
export interface ContextJob {
  id: string;
  name: string;
  data: unknown;
}

/** The context a job's handler runs in: its request (when it carries a sane one), id and queue. */
export function jobContext(job: ContextJob): RequestContext {
  const data = job.data as Record<string, unknown> | null | undefined;
  const requestId = data?.[jobRequestIdField];
  return {
    ...(isSaneRequestId(requestId) ? { requestId } : {}),
    jobId: job.id,
    queue: job.name,
  };
}

/** The context of a batch handler: one job's own context, or the queue alone for several. */
export function batchContext(queue: string, batch: readonly ContextJob[]): RequestContext {
  return batch.length === 1 ? jobContext(batch[0]!) : { queue };
}

/**
 * Runs a batch's work knowing which job brought each lead into it, so that inLeadContext can put
 * each lead's work (its log lines, the jobs it sends) under that job's request.
 */
export function runWithLeadJobs<J extends ContextJob, T>(
  batch: readonly J[],
  leadIdOf: (job: J) => string,
  work: () => T,
): T {
  const leadJobs = new Map(batch.map((job) => [leadIdOf(job), jobContext(job)]));
  return storage.run({ ...storage.getStore(), leadJobs }, work);
}

/**
 * Runs one lead's part of a batch in the context of the job that brought the lead in (see
 * runWithLeadJobs); outside such a batch, or for a lead no job brought, in the current context.
 */
export function inLeadContext<T>(leadId: string, work: () => T): T {
  const context = storage.getStore();
  const leadJob = context?.leadJobs?.get(leadId);
  return leadJob ? storage.run({ ...context, ...leadJob }, work) : work();
}
