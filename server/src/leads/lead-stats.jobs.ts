import type { Queue } from 'pg-boss';
import type { FeatureJobs, WorkerDependencies } from '../worker.ts';
import { foldLeadStatsDeltas } from './lead-stats.ts';

/** Folds the leads trigger's stats deltas into the hourly summaries; carries nothing. */
export const foldStatsDeltasQueue = 'leads.fold-stats-deltas';

// Every minute: leadStats adds the deltas not folded yet, so the figures are exact whenever the
// fold runs; folding only keeps that list short. A failed fold is simply the next one's work.
const FOLD_CRON = '* * * * *';

const queues: Queue[] = [{ name: foldStatsDeltasQueue, retryLimit: 0, expireInSeconds: 60 }];

/** The stats summaries' queue and handler (see worker.ts). */
export const leadStatsJobs: FeatureJobs = {
  queues,
  async register({ prisma, jobs, logger }: WorkerDependencies) {
    await jobs.schedule(foldStatsDeltasQueue, FOLD_CRON);
    await jobs.work(foldStatsDeltasQueue, { pollingIntervalSeconds: 10 }, async () => {
      const moved = await foldLeadStatsDeltas(prisma);
      logger.debug({ moved }, 'folded lead stats deltas');
    });
  },
};
