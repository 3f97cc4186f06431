import type { PgBoss } from 'pg-boss';
import type { PrismaClient } from './db.ts';
import type { Logger } from './logger.ts';

/** What job handlers receive besides their job. */
export interface WorkerDependencies {
  prisma: PrismaClient;
  jobs: PgBoss;
  logger: Logger;
}

/** A feature's `*.jobs.ts` exports one of these: it creates its queues and registers handlers. */
export type RegisterJobs = (dependencies: WorkerDependencies) => Promise<void>;

/** Every feature's job registration. A feature with background work adds its function here. */
const featureJobs: RegisterJobs[] = [];

export async function startWorkers(dependencies: WorkerDependencies): Promise<void> {
  for (const register of featureJobs) await register(dependencies);
}
