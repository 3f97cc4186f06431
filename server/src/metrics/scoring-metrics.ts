import type { PrismaClient } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { LeadScoring } from '../scoring/scoring.ts';
import type { Metrics } from './metrics.ts';

interface ScoredRow {
  id: string;
  origin: string;
  status: string;
  acknowledged_seconds: number | null;
}

/**
 * Counts a batch's committed scorings and observes, for the leads whose row was written, the time
 * from their latest submission's commit to processedAt. One query per batch, after the commit;
 * a failure only loses the sample, never the job.
 */
export async function recordScorings(
  prisma: PrismaClient,
  metrics: Metrics,
  logger: Logger,
  scorings: readonly LeadScoring[],
): Promise<void> {
  const committed = scorings.filter(
    (scoring) => scoring.outcome === 'scored' || scoring.outcome === 'unchanged',
  );
  if (committed.length === 0) return;
  const written = new Set(committed.filter((s) => s.outcome === 'scored').map((s) => s.leadId));
  try {
    const rows = await prisma.$queryRaw<ScoredRow[]>`
      SELECT l.id, l.origin::text AS origin, l.status::text AS status,
             extract(epoch FROM l."processedAt" - s."createdAt")::float8 AS acknowledged_seconds
        FROM leads l
        LEFT JOIN LATERAL (
          SELECT "createdAt" FROM lead_submissions
           WHERE "leadId" = l.id ORDER BY "createdAt" DESC LIMIT 1
        ) s ON true
       WHERE l.id = ANY(${committed.map((scoring) => scoring.leadId)}::uuid[])`;
    for (const row of rows) {
      metrics.leadsScored.inc({ class: row.status, origin: row.origin });
      if (written.has(row.id) && row.acknowledged_seconds !== null) {
        metrics.acknowledgedToScoredSeconds.observe(
          { origin: row.origin },
          Math.max(0, row.acknowledged_seconds),
        );
      }
    }
  } catch (error) {
    logger.warn({ err: error }, 'recording scoring metrics failed');
  }
}
