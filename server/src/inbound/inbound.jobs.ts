import type { Job, Queue } from 'pg-boss';
import type { FeatureJobs, WorkerDependencies } from '../worker.ts';
import { processInboundPayload, processInboundQueue, type ProcessInboundJob } from './inbound.ts';
import { importLeads, importLeadsQueue, type ImportLeadsJob } from './csv-import.ts';

// The Graph API being down for a while is the usual failure: back off up to a few minutes.
const retries = { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600 };

const queues: Queue[] = [
  { name: processInboundQueue, ...retries, expireInSeconds: 120, notify: true },
  // 100,000 rows take well under a minute; ten means a stuck worker.
  { name: importLeadsQueue, retryLimit: 2, retryDelay: 10, expireInSeconds: 600, notify: true },
];

const polling = { notifyPollingIntervalSeconds: 5, pollingIntervalSeconds: 2 };

/** The inbound channels' queues and handlers (see worker.ts). */
export const inboundJobs: FeatureJobs = {
  queues,
  async register({ prisma, pool, jobs, metrics }: WorkerDependencies) {
    await jobs.work(
      processInboundQueue,
      { ...polling, batchSize: 1 },
      async ([job]: Job<ProcessInboundJob>[]) => {
        if (job) await processInboundPayload({ prisma, pool, jobs, metrics }, job.data.payloadId);
      },
    );
    await jobs.work(
      importLeadsQueue,
      { ...polling, batchSize: 1 },
      async ([job]: Job<ImportLeadsJob>[]) => {
        if (job) await importLeads({ prisma, jobs }, job.data.importId);
      },
    );
  },
};
