import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Prisma } from '../generated/prisma/client.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';
import pg from 'pg';
import {
  computeLeadStats,
  foldLeadStatsDeltas,
  hasWholeHourOffsets,
  presetRange,
  startOfLocalDay,
} from './lead-stats.ts';

let database: CountingDatabase;
let app: TestApp;

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

interface StatusCount {
  status: string;
  count: number;
}

interface Stats {
  __typename: 'LeadStats';
  from: string;
  to: string;
  interval: 'HOUR' | 'DAY';
  total: number;
  byStatus: StatusCount[];
  byOrigin: { origin: string; count: number }[];
  leadsToday: number;
  scoredCount: number;
  averageScore: number | null;
  series: { start: string; total: number; byStatus: StatusCount[] }[];
  scoreHistogram: { min: number; max: number | null; count: number }[];
}

interface Refusal {
  __typename: 'ValidationError';
  fieldErrors: { path: string; message: string }[];
}

const LEAD_STATS = /* GraphQL */ `
  query Stats($range: LeadStatsRange, $timeZone: String) {
    leadStats(range: $range, timeZone: $timeZone) {
      __typename
      ... on LeadStats {
        from
        to
        interval
        total
        byStatus {
          status
          count
        }
        byOrigin {
          origin
          count
        }
        leadsToday
        scoredCount
        averageScore
        series {
          start
          total
          byStatus {
            status
            count
          }
        }
        scoreHistogram {
          min
          max
          count
        }
      }
      ... on ValidationError {
        fieldErrors {
          path
          message
        }
      }
    }
  }
`;

async function leadStats(variables: Record<string, unknown>): Promise<Stats | Refusal> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({ query: LEAD_STATS, variables }),
  });
  const result = (await response.json()) as {
    data?: { leadStats: Stats | Refusal };
    errors?: unknown;
  };
  expect(result.errors).toBeUndefined();
  return result.data!.leadStats;
}

async function stats(variables: Record<string, unknown>): Promise<Stats> {
  const result = await leadStats(variables);
  if (result.__typename !== 'LeadStats') throw new Error(JSON.stringify(result.fieldErrors));
  return result;
}

let serial = 0;
function lead(createdAt: string, overrides: Partial<Prisma.LeadCreateManyInput> = {}) {
  serial += 1;
  return {
    name: `Lead ${serial}`,
    email: `lead${serial}@example.com`,
    origin: 'SITE' as const,
    createdAt: new Date(createdAt),
    ...overrides,
  };
}

const scored = (score: number, status: 'HOT' | 'WARM' | 'COLD') => ({
  score,
  status,
  processedAt: new Date('2025-03-11T00:00:00Z'),
});

const counts = (entries: StatusCount[]) =>
  Object.fromEntries(entries.filter((entry) => entry.count > 0).map((e) => [e.status, e.count]));

// São Paulo is UTC-3 all year (no DST since 2019): its 10 March 2025 runs from 03:00Z to 03:00Z.
const MARCH_10 = { from: '2025-03-10T03:00:00.000Z', to: '2025-03-11T03:00:00.000Z' };

describe('leadStats figures', () => {
  beforeAll(async () => {
    await database.prisma.lead.deleteMany();
    await database.prisma.lead.createMany({
      data: [
        lead('2025-03-10T03:00:00Z', { ...scored(32, 'HOT'), origin: 'META_ADS' }),
        lead('2025-03-10T03:59:59.999Z', { ...scored(27, 'HOT'), origin: 'META_ADS' }),
        lead('2025-03-10T12:30:00Z', { ...scored(18, 'WARM'), origin: 'WHATSAPP' }),
        lead('2025-03-10T12:45:00Z', { ...scored(4, 'COLD') }),
        lead('2025-03-11T02:59:59.999Z', { score: 0 }),
        lead('2025-03-10T20:00:00Z', { ...scored(104, 'HOT'), origin: 'REFERRAL' }),
        // Outside the range on either side: must never be counted.
        lead('2025-03-10T02:59:59.999Z', { ...scored(50, 'HOT'), origin: 'OTHER' }),
        lead('2025-03-11T03:00:00Z', { ...scored(50, 'HOT'), origin: 'OTHER' }),
      ],
    });
  });

  it('counts the leads of the range by status and by origin', async () => {
    const result = await stats({ range: MARCH_10 });
    expect(result.total).toBe(6);
    expect(result.byStatus).toEqual([
      { status: 'PROCESSING', count: 1 },
      { status: 'HOT', count: 3 },
      { status: 'WARM', count: 1 },
      { status: 'COLD', count: 1 },
    ]);
    expect(result.byOrigin).toEqual([
      { origin: 'META_ADS', count: 2 },
      { origin: 'GOOGLE_ADS', count: 0 },
      { origin: 'WHATSAPP', count: 1 },
      { origin: 'SITE', count: 2 },
      { origin: 'REFERRAL', count: 1 },
      { origin: 'OTHER', count: 0 },
    ]);
  });

  it('averages the scores of scored leads only', async () => {
    const result = await stats({ range: MARCH_10 });
    expect(result.scoredCount).toBe(5);
    expect(result.averageScore).toBeCloseTo((32 + 27 + 18 + 4 + 104) / 5, 10);
  });

  it('buckets a one-day range by hour with every hour present', async () => {
    const result = await stats({ range: MARCH_10 });
    expect(result.interval).toBe('HOUR');
    expect(result.series).toHaveLength(24);
    expect(result.series[0]).toEqual({
      start: '2025-03-10T03:00:00.000Z',
      total: 2,
      byStatus: [
        { status: 'PROCESSING', count: 0 },
        { status: 'HOT', count: 2 },
        { status: 'WARM', count: 0 },
        { status: 'COLD', count: 0 },
      ],
    });
    expect(result.series[1]).toMatchObject({ start: '2025-03-10T04:00:00.000Z', total: 0 });
    expect(counts(result.series[9]!.byStatus)).toEqual({ WARM: 1, COLD: 1 });
    expect(result.series[23]).toMatchObject({ start: '2025-03-11T02:00:00.000Z', total: 1 });
    expect(result.series.reduce((sum, point) => sum + point.total, 0)).toBe(6);
  });

  it('buckets a week by day from midnight in the time zone', async () => {
    const result = await stats({
      range: { from: '2025-03-07T03:00:00.000Z', to: '2025-03-14T03:00:00.000Z' },
    });
    expect(result.interval).toBe('DAY');
    expect(result.series.map((point) => [point.start, point.total])).toEqual([
      ['2025-03-07T03:00:00.000Z', 0],
      ['2025-03-08T03:00:00.000Z', 0],
      ['2025-03-09T03:00:00.000Z', 1],
      ['2025-03-10T03:00:00.000Z', 6],
      ['2025-03-11T03:00:00.000Z', 1],
      ['2025-03-12T03:00:00.000Z', 0],
      ['2025-03-13T03:00:00.000Z', 0],
    ]);
  });

  it('moves day boundaries with the requested time zone', async () => {
    const result = await stats({
      range: { from: '2025-03-09T00:00:00.000Z', to: '2025-03-12T00:00:00.000Z' },
      timeZone: 'UTC',
    });
    expect(result.series.map((point) => [point.start, point.total])).toEqual([
      ['2025-03-09T00:00:00.000Z', 0],
      ['2025-03-10T00:00:00.000Z', 6],
      ['2025-03-11T00:00:00.000Z', 2],
    ]);
  });

  it('bands scored leads by 5 points with an open last band', async () => {
    const result = await stats({ range: MARCH_10 });
    const bands = result.scoreHistogram;
    expect(bands).toHaveLength(21);
    expect(bands[0]).toEqual({ min: 0, max: 4, count: 1 });
    expect(bands.find((band) => band.min === 15)).toEqual({ min: 15, max: 19, count: 1 });
    expect(bands.find((band) => band.min === 25)).toEqual({ min: 25, max: 29, count: 1 });
    expect(bands.find((band) => band.min === 30)).toEqual({ min: 30, max: 34, count: 1 });
    expect(bands.at(-1)).toEqual({ min: 100, max: null, count: 1 });
    expect(bands.reduce((sum, band) => sum + band.count, 0)).toBe(5);
  });

  it('answers with zeros for a range without leads', async () => {
    const result = await stats({
      range: { from: '2024-01-01T03:00:00.000Z', to: '2024-01-03T03:00:00.000Z' },
    });
    expect(result.total).toBe(0);
    expect(result.averageScore).toBeNull();
    expect(result.scoreHistogram).toEqual([]);
    expect(result.series).toHaveLength(48);
    expect(result.series.every((point) => point.total === 0)).toBe(true);
  });
});

describe('leadStats time zones', () => {
  beforeEach(async () => {
    await database.prisma.lead.deleteMany();
  });

  it('counts leads today from midnight in São Paulo', async () => {
    const midnight = startOfLocalDay(new Date(), 'America/Sao_Paulo');
    await database.prisma.lead.createMany({
      data: [lead(midnight.toISOString()), lead(new Date(midnight.getTime() - 1).toISOString())],
    });
    const result = await stats({ range: { preset: 'TODAY' } });
    expect(result.leadsToday).toBe(1);
    expect(result.total).toBe(1);
    expect(result.from).toBe(midnight.toISOString());
    expect((await stats({ range: { preset: 'TODAY' }, timeZone: 'Asia/Tokyo' })).from).toBe(
      startOfLocalDay(new Date(), 'Asia/Tokyo').toISOString(),
    );
  });

  it('starts the last 7 days at midnight six days ago', () => {
    const now = new Date('2025-03-10T12:00:00Z');
    expect(presetRange('LAST_7_DAYS', 'America/Sao_Paulo', now)).toEqual({
      from: new Date('2025-03-04T03:00:00Z'),
      to: now,
    });
    expect(
      presetRange('TODAY', 'America/Sao_Paulo', new Date('2025-03-10T02:00:00Z')).from,
    ).toEqual(new Date('2025-03-09T03:00:00Z'));
  });

  it('finds midnight on days when daylight saving time changes', () => {
    // New York left DST on 2 November 2025 at 02:00 local: that day has 25 hours.
    const zone = 'America/New_York';
    expect(startOfLocalDay(new Date('2025-11-02T12:00:00Z'), zone)).toEqual(
      new Date('2025-11-02T04:00:00Z'),
    );
    expect(startOfLocalDay(new Date('2025-11-03T12:00:00Z'), zone)).toEqual(
      new Date('2025-11-03T05:00:00Z'),
    );
    expect(startOfLocalDay(new Date('2025-03-10T12:00:00Z'), zone, 1)).toEqual(
      new Date('2025-03-09T05:00:00Z'),
    );
  });

  it('keeps every hour of a day on which clocks go back', async () => {
    await database.prisma.lead.createMany({
      data: [lead('2025-11-02T05:30:00Z'), lead('2025-11-02T06:30:00Z')],
    });
    const result = await stats({
      range: { from: '2025-11-02T04:00:00.000Z', to: '2025-11-03T05:00:00.000Z' },
      timeZone: 'America/New_York',
    });
    expect(result.series).toHaveLength(25);
    // 01:30 EDT and 01:30 EST: the same wall-clock hour twice, two separate points.
    expect(result.series[1]).toMatchObject({ start: '2025-11-02T05:00:00.000Z', total: 1 });
    expect(result.series[2]).toMatchObject({ start: '2025-11-02T06:00:00.000Z', total: 1 });
  });

  it('starts days at the midnights of a zone that changes clocks', async () => {
    await database.prisma.lead.createMany({
      data: [lead('2025-11-03T04:30:00Z'), lead('2025-11-03T05:30:00Z')],
    });
    const result = await stats({
      range: { from: '2025-11-01T04:00:00.000Z', to: '2025-11-04T05:00:00.000Z' },
      timeZone: 'America/New_York',
    });
    expect(result.series.map((point) => [point.start, point.total])).toEqual([
      ['2025-11-01T04:00:00.000Z', 0],
      ['2025-11-02T04:00:00.000Z', 1],
      ['2025-11-03T05:00:00.000Z', 1],
    ]);
  });

  it('starts hours on the half hour in a zone offset by half an hour', async () => {
    await database.prisma.lead.createMany({ data: [lead('2025-03-10T04:45:00Z')] });
    const result = await stats({
      range: { from: '2025-03-10T04:00:00.000Z', to: '2025-03-10T06:00:00.000Z' },
      timeZone: 'Asia/Kolkata',
    });
    expect(result.series.map((point) => [point.start, point.total])).toEqual([
      ['2025-03-10T03:30:00.000Z', 0],
      ['2025-03-10T04:30:00.000Z', 1],
      ['2025-03-10T05:30:00.000Z', 0],
    ]);
  });
});

describe('leadStats input', () => {
  it('refuses a time zone that is not an IANA name', async () => {
    for (const timeZone of ['Mars/Olympus', '+03:00', '']) {
      expect(await leadStats({ timeZone })).toEqual({
        __typename: 'ValidationError',
        fieldErrors: [
          { path: 'timeZone', message: 'Use an IANA time zone name such as America/Sao_Paulo' },
        ],
      });
    }
  });

  it('refuses a preset given together with dates', async () => {
    const result = await leadStats({ range: { preset: 'TODAY', from: MARCH_10.from } });
    expect(result).toMatchObject({
      fieldErrors: [{ path: 'range', message: 'Give either a preset or from and to, not both' }],
    });
  });

  it('refuses a range that ends before it starts or spans more than 400 days', async () => {
    expect(await leadStats({ range: { from: MARCH_10.to, to: MARCH_10.from } })).toMatchObject({
      fieldErrors: [{ path: 'range.to', message: 'The end must be after the start' }],
    });
    expect(
      await leadStats({ range: { from: '2023-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } }),
    ).toMatchObject({
      fieldErrors: [{ path: 'range.to', message: 'A range can span at most 400 days' }],
    });
    expect(await leadStats({ range: { from: MARCH_10.from } })).toMatchObject({
      fieldErrors: [{ path: 'range.to', message: 'Give both from and to' }],
    });
  });

  it('defaults to the last 30 days', async () => {
    const result = await stats({});
    const days = (Date.parse(result.to) - Date.parse(result.from)) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect(result.series.length).toBe(30);
  });
});

describe('leadStats cost', () => {
  beforeAll(async () => {
    await database.prisma.lead.deleteMany();
    const now = Date.now();
    await database.prisma.lead.createMany({
      data: Array.from({ length: 300 }, (_, index) =>
        lead(new Date(now - index * 3_600_000 * 7).toISOString(), {
          ...scored(index % 60, 'COLD'),
          origin: index % 2 ? 'SITE' : 'META_ADS',
        }),
      ),
    });
  });

  it('reads every figure in one SQL statement whatever the range', async () => {
    for (const range of [{ preset: 'TODAY' }, { preset: 'LAST_90_DAYS' }, MARCH_10]) {
      database.reset();
      await stats({ range });
      expect(database.resolverStatements).toHaveLength(1);
    }
  });

  it('computes the same figures for the live metrics as for the query', async () => {
    const now = new Date();
    const range = presetRange('LAST_30_DAYS', 'America/Sao_Paulo', now);
    const direct = await computeLeadStats(database.prisma, {
      ...range,
      timeZone: 'America/Sao_Paulo',
      now,
    });
    const viaApi = await stats({
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
    });
    expect(viaApi.total).toBe(direct.total);
    expect(direct.total).toBeGreaterThan(90);
    expect(viaApi.series.map((point) => point.total)).toEqual(
      direct.series.map((point) => point.total),
    );
    await expect(
      computeLeadStats(database.prisma, { ...range, timeZone: '+03:00' }),
    ).rejects.toThrow('Unknown time zone: +03:00');
  });
});

describe('leadStats hourly summaries', () => {
  // From and to fall inside hours, so both partial ends are read from leads and the rest from
  // the summaries; 19 days, so days are the series' points.
  const RANGE = { from: new Date('2025-04-01T03:17:00Z'), to: new Date('2025-04-20T14:42:30Z') };
  const ZONES = ['America/Sao_Paulo', 'America/New_York', 'UTC'];
  const STATUSES = ['PROCESSING', 'HOT', 'WARM', 'COLD'] as const;
  const ORIGINS = ['META_ADS', 'GOOGLE_ADS', 'WHATSAPP', 'SITE', 'REFERRAL', 'OTHER'] as const;

  // Deterministic variety: every status, origin and band, some unscored, some outside the range.
  const pick = <T>(items: readonly T[], index: number, salt: number) =>
    items[(index * salt + (index >> 3)) % items.length]!;

  async function expectSummariesMatchLeads() {
    for (const timeZone of ZONES) {
      const options = { ...RANGE, timeZone, now: RANGE.to };
      const summarized = await computeLeadStats(database.prisma, options);
      const reference = await computeLeadStats(database.prisma, {
        ...options,
        fromLeadsOnly: true,
      });
      expect(summarized).toEqual(reference);
    }
  }

  async function deltaCount(): Promise<number> {
    const [row] = await database.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM lead_stats_deltas`;
    return row!.count;
  }

  beforeAll(async () => {
    await database.prisma.lead.deleteMany();
    await foldLeadStatsDeltas(database.prisma);
    const start = Date.parse('2025-03-31T00:00:00Z');
    const span = Date.parse('2025-04-21T00:00:00Z') - start;
    await database.prisma.lead.createMany({
      data: Array.from({ length: 600 }, (_, index) => {
        const status = pick(STATUSES, index, 7);
        return lead(
          new Date(start + Math.floor((span * ((index * 7919) % 600)) / 600)).toISOString(),
          {
            origin: pick(ORIGINS, index, 5),
            status,
            score: ((index * 37) % 140) - 20,
            processedAt: status === 'PROCESSING' ? null : new Date('2025-04-21T00:00:00Z'),
          },
        );
      }),
    });
  });

  it('matches the leads before and after the deltas are folded', async () => {
    expect(await deltaCount()).toBeGreaterThanOrEqual(600);
    await expectSummariesMatchLeads();
    expect(await foldLeadStatsDeltas(database.prisma)).toBeGreaterThanOrEqual(600);
    expect(await deltaCount()).toBe(0);
    await expectSummariesMatchLeads();
    const [summarized] = await database.prisma.$queryRaw<{ leads: number }[]>`
      SELECT sum(leads)::int AS leads FROM lead_stats_hours WHERE dimension = 'status'`;
    expect(summarized!.leads).toBe(await database.prisma.lead.count());
  });

  it('reads whole days and hours from the summaries', async () => {
    // Summary rows no lead stands for show up in the figures: totals of whole UTC days come from
    // lead_stats_days, the day series from the status rows of lead_stats_hours.
    const add = (leads: number) =>
      database.prisma.$transaction([
        database.prisma.$executeRaw`
        INSERT INTO lead_stats_days (dimension, day, value, leads, scored, "scoreSum")
        VALUES ('origin', '2025-04-10T00:00:00Z', 'OTHER', ${leads}, 0, 0)
        ON CONFLICT (dimension, day, value) DO UPDATE SET leads = lead_stats_days.leads + ${leads}`,
        database.prisma.$executeRaw`
        INSERT INTO lead_stats_hours (dimension, hour, value, leads, scored, "scoreSum")
        VALUES ('status', '2025-04-10T12:00:00Z', 'HOT', ${leads}, 0, 0)
        ON CONFLICT (dimension, hour, value) DO UPDATE SET leads = lead_stats_hours.leads + ${leads}`,
      ]);
    await add(1000);
    try {
      const options = { ...RANGE, timeZone: 'America/Sao_Paulo', now: RANGE.to };
      const summarized = await computeLeadStats(database.prisma, options);
      const reference = await computeLeadStats(database.prisma, {
        ...options,
        fromLeadsOnly: true,
      });
      const other = (stats: typeof summarized) =>
        stats.byOrigin.find((entry) => entry.origin === 'OTHER')!.count;
      expect(other(summarized) - other(reference)).toBe(1000);
      const april10 = (stats: typeof summarized) =>
        stats.series.find((point) => point.start.toISOString() === '2025-04-10T03:00:00.000Z')!;
      expect(april10(summarized).total - april10(reference).total).toBe(1000);
      expect(summarized.total).toBe(reference.total);
    } finally {
      await add(-1000);
    }
    await expectSummariesMatchLeads();
  });

  it('stays exact when leads are rescored, overridden, moved and deleted', async () => {
    const ids = (
      await database.prisma.lead.findMany({ select: { id: true }, orderBy: { id: 'asc' } })
    ).map((row) => row.id);
    // Rescoring: new scores and classes, some leads scored for the first time.
    for (const [index, id] of ids.slice(0, 60).entries()) {
      await database.prisma.lead.update({
        where: { id },
        data: {
          score: 110 - index * 3,
          status: pick(['HOT', 'WARM', 'COLD'] as const, index, 1),
          processedAt: new Date(),
        },
      });
    }
    await expectSummariesMatchLeads();
    // A person's status override, a lead back to processing, a changed origin and creation time.
    await database.prisma.lead.updateMany({
      where: { id: { in: ids.slice(60, 90) } },
      data: { status: 'HOT', statusOverride: 'HOT' },
    });
    await database.prisma.lead.update({
      where: { id: ids[90]! },
      data: { status: 'PROCESSING', processedAt: null },
    });
    await database.prisma.lead.update({
      where: { id: ids[91]! },
      data: { origin: 'OTHER', createdAt: new Date('2025-04-01T03:20:00Z') },
    });
    // Changes that leave the figures alone must leave them alone.
    await database.prisma.lead.update({ where: { id: ids[92]! }, data: { notes: 'called' } });
    await expectSummariesMatchLeads();
    await foldLeadStatsDeltas(database.prisma);
    await database.prisma.lead.deleteMany({ where: { id: { in: ids.slice(100, 140) } } });
    await expectSummariesMatchLeads();
    await foldLeadStatsDeltas(database.prisma);
    await expectSummariesMatchLeads();
  });

  it('stays exact under concurrent updates and folds', async () => {
    const ids = (await database.prisma.lead.findMany({ select: { id: true }, take: 200 })).map(
      (row) => row.id,
    );
    // Separate connections, so the writers and the folds really overlap in PostgreSQL.
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        return client;
      }),
    );
    try {
      await Promise.all([
        ...clients.slice(0, 3).map(async (client, writer) => {
          for (let round = 0; round < 15; round += 1) {
            await client.query('BEGIN');
            // Writers touch overlapping leads in a different order each, and roll some back.
            const some = ids.filter((_, index) => (index + round + writer) % 4 === 0);
            await client.query(
              `UPDATE leads SET score = score + $1, status = $2, "processedAt" = now() WHERE id = ANY($3::uuid[])`,
              [writer * 7 - 9, STATUSES[(round + writer) % 4], some],
            );
            await client.query(round % 5 === 4 ? 'ROLLBACK' : 'COMMIT');
          }
        }),
        (async () => {
          for (let round = 0; round < 10; round += 1) {
            await clients[3]!.query('SELECT lead_stats_fold()');
          }
        })(),
      ]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    await expectSummariesMatchLeads();
    await foldLeadStatsDeltas(database.prisma);
    await expectSummariesMatchLeads();
  });

  it('reads the leads themselves in zones offset by part of an hour', () => {
    expect(hasWholeHourOffsets('America/Sao_Paulo', RANGE.from, RANGE.to)).toBe(true);
    expect(hasWholeHourOffsets('America/New_York', RANGE.from, RANGE.to)).toBe(true);
    expect(hasWholeHourOffsets('Asia/Kolkata', RANGE.from, RANGE.to)).toBe(false);
    // Lord Howe Island moves its clocks by half an hour: +10:30 in winter, +11 in summer.
    const lordHowe = 'Australia/Lord_Howe';
    expect(
      hasWholeHourOffsets(lordHowe, new Date('2025-01-10T00:00Z'), new Date('2025-01-20T00:00Z')),
    ).toBe(true);
    expect(
      hasWholeHourOffsets(lordHowe, new Date('2025-03-20T00:00Z'), new Date('2025-04-20T00:00Z')),
    ).toBe(false);
  });
});
