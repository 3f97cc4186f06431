import { createClient, type Client } from 'graphql-ws';
import type pg from 'pg';
import WebSocket from 'ws';
import { percentile } from './stats.ts';
import { residentMiB, sleep, type Service } from './processes.ts';

export interface SubscriptionResult {
  subscribers: number;
  leads: number;
  /** Deliveries of CREATED changes received, of subscribers * leads expected. */
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  /** API resident size with the subscribers connected, and what each added. */
  apiMiB: number;
  perSubscriberKiB: number;
}

const SUBSCRIPTION = 'subscription { leadUpdated { change leadId } }';
const CREATE_LEAD = `mutation Create($email: String!) {
  createLead(input: { name: "Live Lead", email: $email, origin: SITE, city: "Recife" }) {
    ... on CreateLeadPayload { leadId }
  }
}`;

/**
 * Connects `subscribers` graphql-ws clients to leadUpdated, creates leads at `leadsPerSecond` for
 * `seconds`, and measures each CREATED delivery from the lead's createdAt (written in the
 * transaction that commits it, so the figure includes the commit itself).
 */
export async function measureSubscriptions(options: {
  api: Service;
  apiKey: string;
  db: pg.Pool;
  subscribers: number;
  leadsPerSecond: number;
  seconds: number;
}): Promise<SubscriptionResult> {
  const { api, apiKey, db } = options;
  const idleMiB = await residentMiB(api.pid);
  const received = new Map<string, number[]>();
  const clients: Client[] = [];
  try {
    await connectAll(options.subscribers, 100, async () => {
      const client = createClient({
        url: `${api.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { apiKey },
        lazy: false,
        retryAttempts: 0,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.subscribe<{ leadUpdated: { change: string; leadId: string } }>(
          { query: SUBSCRIPTION },
          {
            next: ({ data }) => {
              if (data?.leadUpdated.change !== 'CREATED') return;
              const at = Date.now();
              const list = received.get(data.leadUpdated.leadId);
              if (list) list.push(at);
              else received.set(data.leadUpdated.leadId, [at]);
            },
            error: reject,
            complete: () => undefined,
          },
        );
        // Subscribed once the server acknowledged the connection and had a moment to register.
        client.on('connected', () => resolve());
      });
    });
    await sleep(1_000);
    const apiMiB = await residentMiB(api.pid);
    const leads = await streamLeads(api, apiKey, options.leadsPerSecond, options.seconds);
    await sleep(3_000);
    const createdAt = await createdTimes(db, leads);
    const latencies: number[] = [];
    for (const [leadId, times] of received) {
      const created = createdAt.get(leadId);
      if (created !== undefined) latencies.push(...times.map((at) => at - created));
    }
    latencies.sort((a, b) => a - b);
    return {
      subscribers: options.subscribers,
      leads: leads.length,
      delivered: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      apiMiB,
      perSubscriberKiB: ((apiMiB - idleMiB) * 1024) / options.subscribers,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await sleep(2_000);
  }
}

async function connectAll(count: number, parallel: number, connect: () => Promise<void>) {
  for (let started = 0; started < count; started += parallel) {
    const batch = Math.min(parallel, count - started);
    await Promise.all(Array.from({ length: batch }, connect));
  }
}

async function streamLeads(
  api: Service,
  apiKey: string,
  perSecond: number,
  seconds: number,
): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now();
  for (let index = 0; index < perSecond * seconds; index += 1) {
    await sleep(Math.max(0, start + (index * 1000) / perSecond - Date.now()));
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({
        query: CREATE_LEAD,
        variables: { email: `live-${start}-${index}@example.com` },
      }),
    });
    const body = (await response.json()) as { data?: { createLead?: { leadId?: string } } };
    const id = body.data?.createLead?.leadId;
    if (!id) throw new Error(`createLead failed: ${JSON.stringify(body)}`);
    ids.push(id);
  }
  return ids;
}

async function createdTimes(db: pg.Pool, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; createdAt: Date }>(
    'SELECT id, "createdAt" FROM leads WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.createdAt.getTime()]));
}
