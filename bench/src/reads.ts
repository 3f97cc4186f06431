import { percentile } from './stats.ts';
import type { Service } from './processes.ts';

/** A read the dashboard makes, sent as is every time. */
export interface ReadQuery {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Text every correct answer contains. */
  success: string;
}

export interface ReadResult {
  name: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * The Leads page as the dashboard asks for it (its LeadList query: the same fields and the capped
 * count), filtered by status, origin and a search, 50 leads a page rather than its 25.
 */
export const LEADS_PAGE: ReadQuery = {
  name: 'leads page (status + origin + search, first 50, cappedCount)',
  query: `query Page($filter: LeadFilter) {
    leads(filter: $filter, first: 50) {
      ... on LeadConnection {
        cappedCount { count capped }
        pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
        edges {
          node {
            id name email phone city origin status score createdAt followUpAt stage
            owner { id name }
          }
        }
      }
    }
  }`,
  variables: { filter: { status: ['WARM'], origin: ['META_ADS'], search: 'silva' } },
  success: '"cappedCount"',
};

export function leadStatsQuery(preset: 'LAST_7_DAYS' | 'LAST_30_DAYS' | 'LAST_90_DAYS'): ReadQuery {
  return {
    name: `leadStats ${preset.replace('LAST_', 'last ').replace('_DAYS', ' days')}`,
    query: `query Stats($range: LeadStatsRange) {
      leadStats(range: $range, timeZone: "America/Sao_Paulo") {
        ... on LeadStats {
          total leadsToday scoredCount averageScore
          byStatus { status count } byOrigin { origin count }
          series { start total byStatus { status count } }
          scoreHistogram { min max count }
        }
      }
    }`,
    variables: { range: { preset } },
    success: '"total"',
  };
}

/**
 * Sends `read` `requests` times, one after the other (a dashboard's requests, not a load test),
 * after `warmUp` unmeasured ones, and reports latency percentiles.
 */
export async function measureRead(
  api: Service,
  apiKey: string,
  read: ReadQuery,
  options: { requests: number; warmUp: number },
): Promise<ReadResult> {
  const body = JSON.stringify({ query: read.query, variables: read.variables });
  const send = async () => {
    const started = performance.now();
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body,
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (!response.ok || text.includes('"errors"') || !text.includes(read.success)) {
      throw new Error(`${read.name} failed: ${text.slice(0, 500)}`);
    }
    return elapsed;
  };
  for (let index = 0; index < options.warmUp; index += 1) await send();
  const latencies: number[] = [];
  for (let index = 0; index < options.requests; index += 1) latencies.push(await send());
  latencies.sort((a, b) => a - b);
  return {
    name: read.name,
    requests: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
