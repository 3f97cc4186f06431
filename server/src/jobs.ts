import {
  PgBoss,
  type InsertOptions,
  type JobInsert,
  type Request,
  type SendOptions,
  type WorkHandler,
  type WorkHandlerFor,
  type WorkOptions,
} from 'pg-boss';
import type { Logger } from './logger.ts';
import {
  batchContext,
  runInContext,
  withRequestId,
  type ContextJob,
} from './observability/request-context.ts';

/** pg-boss keeps its tables in this schema, beside Prisma's in `public`. */
export const jobsSchema = 'pgboss';

export interface JobsOptions {
  url: string;
  poolSize: number;
  logger: Logger;
  /**
   * Whether this process runs pg-boss's maintenance and cron (workers do; API-only processes
   * only send jobs, so several API instances add no maintenance load).
   */
  maintain: boolean;
  /**
   * How often a maintaining process looks for jobs whose worker died (heartbeat lost) or overran
   * their expiry, and returns them to the queue. Default: pg-boss's 60 s.
   */
  superviseIntervalSeconds?: number;
}

/** Creates (but does not start) the pg-boss instance of this process. */
export function createJobs(options: JobsOptions): PgBoss {
  const boss = new RequestTracingPgBoss({
    connectionString: options.url,
    schema: jobsSchema,
    max: options.poolSize,
    application_name: 'streamleads-jobs',
    supervise: options.maintain,
    schedule: options.maintain,
    // Workers wake on NOTIFY the moment a job is sent instead of waiting for their next poll.
    useListenNotify: true,
    // Both sweeps (expired and heartbeat-lost jobs) run at this pace: it bounds how long the jobs
    // of a worker killed mid-batch stay claimed before another worker gets them.
    ...(options.superviseIntervalSeconds && {
      superviseIntervalSeconds: options.superviseIntervalSeconds,
      monitorIntervalSeconds: options.superviseIntervalSeconds,
    }),
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning) => options.logger.warn({ warning }, 'job queue warning'));
  return boss;
}

/**
 * pg-boss carrying the request id across the queue: every job sent while a request id is in
 * context gets it in its data (`requestId`), and every handler runs in the context of its job
 * (request id, job id, queue), so the job's log lines and the jobs it sends carry the same id.
 * A batch of several jobs runs with its queue only; handlers that batch jobs of different requests
 * put each job's part in that job's context (scoring: runWithLeadJobs and inLeadContext).
 *
 * Only send, insert and work are covered: StreamLeads uses no other way to send (sendAfter,
 * sendThrottled, sendDebounced, publish and flow would send without the id).
 */
class RequestTracingPgBoss extends PgBoss {
  override send(request: Request): Promise<string | null>;
  override send(name: string, data?: object | null, options?: SendOptions): Promise<string | null>;
  override send(
    nameOrRequest: string | Request,
    data?: object | null,
    options?: SendOptions,
  ): Promise<string | null> {
    if (typeof nameOrRequest !== 'string') {
      return super.send({ ...nameOrRequest, data: withRequestId(nameOrRequest.data) });
    }
    return super.send(nameOrRequest, withRequestId(data), options);
  }

  override insert(
    name: string,
    jobs: JobInsert[],
    options?: InsertOptions,
  ): Promise<string[] | null> {
    const traced = jobs.map((job) => {
      const data = withRequestId(job.data);
      return data === job.data ? job : { ...job, data };
    });
    return super.insert(name, traced, options);
  }

  override work<ReqData, ResData = unknown>(
    name: string,
    handler: WorkHandler<ReqData, ResData>,
  ): Promise<string>;
  override work<ReqData, ResData = unknown, const O extends WorkOptions = WorkOptions>(
    name: string,
    options: O,
    handler: WorkHandlerFor<O, ReqData, ResData>,
  ): Promise<string>;
  override work(
    name: string,
    optionsOrHandler: WorkOptions | AnyHandler,
    handler?: AnyHandler,
  ): Promise<string> {
    const traced =
      (work: AnyHandler): WorkHandler<unknown> =>
      (batch, ...rest: unknown[]) =>
        runInContext(batchContext(name, batch), () => (work as TracedHandler)(batch, ...rest));
    return typeof optionsOrHandler === 'function'
      ? super.work(name, traced(optionsOrHandler))
      : super.work(name, optionsOrHandler, traced(handler!));
  }
}

/** Any handler work() accepts (its overloads check the exact shape). */
type AnyHandler = (batch: never, ...rest: never[]) => Promise<unknown>;

/** How every handler shape is called: a batch of jobs (and a transactional one's transaction). */
type TracedHandler = (batch: ContextJob[], ...rest: unknown[]) => Promise<unknown>;
