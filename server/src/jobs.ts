import { PgBoss } from 'pg-boss';
import type { Logger } from './logger.ts';

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
}

/** Creates (but does not start) the pg-boss instance of this process. */
export function createJobs(options: JobsOptions): PgBoss {
  const boss = new PgBoss({
    connectionString: options.url,
    schema: jobsSchema,
    max: options.poolSize,
    application_name: 'streamleads-jobs',
    supervise: options.maintain,
    schedule: options.maintain,
    // Workers wake on NOTIFY the moment a job is sent instead of waiting for their next poll.
    useListenNotify: true,
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning) => options.logger.warn({ warning }, 'job queue warning'));
  return boss;
}
