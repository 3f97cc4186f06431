// Pipeline figures on a fixed data set written straight to PostgreSQL: every figure is checked
// against numbers worked out by hand, including leads just outside the range that must not count.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';
import type {
  AutomationRunState,
  LeadOrigin,
  LeadStage,
  LeadStatus,
} from '../generated/prisma/enums.ts';

let database: CountingDatabase;
let app: TestApp;

const from = new Date('2026-03-01T00:00:00.000Z');
const to = new Date('2026-04-01T00:00:00.000Z');
const hour = 3_600_000;

interface Fixture {
  origin: LeadOrigin;
  status: LeadStatus;
  createdAt: Date;
  /** The stages it went through after NEW, in order; the last is where it is now. */
  path?: LeadStage[];
  /** Seconds from creation to the first move out of NEW. */
  firstContactAfter?: number;
  runs?: [action: string, state: AutomationRunState][];
}

const inRange: Record<string, Fixture> = {
  wonHot: {
    origin: 'SITE',
    status: 'HOT',
    createdAt: new Date(from.getTime() + hour),
    path: ['CONTACTED', 'QUALIFIED', 'WON'],
    firstContactAfter: 3_600,
    runs: [
      ['notify-slack', 'SUCCEEDED'],
      ['send-to-crm', 'SUCCEEDED'],
      ['notify-whatsapp', 'SKIPPED'],
      ['schedule-follow-up', 'SUCCEEDED'],
    ],
  },
  lostNurtured: {
    origin: 'SITE',
    status: 'WARM',
    createdAt: new Date(from.getTime() + 2 * hour),
    path: ['CONTACTED', 'LOST'],
    firstContactAfter: 7_200,
    runs: [
      ['nurture-email', 'SUCCEEDED'],
      ['send-to-crm', 'FAILED'],
    ],
  },
  contactedHot: {
    origin: 'META_ADS',
    status: 'HOT',
    createdAt: new Date(from.getTime() + 3 * hour),
    path: ['CONTACTED'],
    firstContactAfter: 600,
    runs: [
      ['notify-slack', 'DEAD'],
      ['send-to-crm', 'SUCCEEDED'],
    ],
  },
  wonStraightAway: {
    origin: 'META_ADS',
    status: 'WARM',
    createdAt: new Date(from.getTime() + 4 * hour),
    path: ['WON'],
    firstContactAfter: 86_400,
    runs: [
      ['sequence-email', 'SUCCEEDED'],
      ['send-to-crm', 'RUNNING'],
    ],
  },
  untouchedCold: {
    origin: 'GOOGLE_ADS',
    status: 'COLD',
    createdAt: new Date(from.getTime() + 5 * hour),
    runs: [
      ['send-to-crm', 'DEAD'],
      ['remarketing-list', 'SKIPPED'],
    ],
  },
  reopened: {
    origin: 'REFERRAL',
    status: 'HOT',
    createdAt: new Date(from.getTime() + 6 * hour),
    path: ['LOST', 'QUALIFIED'],
    firstContactAfter: 1_800,
  },
  // The last millisecond of the range counts.
  newWarm: {
    origin: 'OTHER',
    status: 'WARM',
    createdAt: new Date(to.getTime() - 1),
    runs: [
      ['nurture-email', 'SKIPPED'],
      ['email-sequence', 'PENDING'],
    ],
  },
};

// Just outside the range at either end: everything about them would change the figures.
const outOfRange: Record<string, Fixture> = {
  justBefore: {
    origin: 'SITE',
    status: 'HOT',
    createdAt: new Date(from.getTime() - 1),
    path: ['LOST', 'WON'],
    firstContactAfter: 5,
    runs: [
      ['notify-slack', 'SUCCEEDED'],
      ['nurture-email', 'SUCCEEDED'],
    ],
  },
  atTheEnd: {
    origin: 'WHATSAPP',
    status: 'PROCESSING',
    createdAt: to,
    path: ['CONTACTED'],
    firstContactAfter: 10,
    runs: [['send-to-crm', 'DEAD']],
  },
};

let written = 0;

async function write(fixture: Fixture): Promise<string> {
  written += 1;
  const path = fixture.path ?? [];
  const stage = path.at(-1) ?? 'NEW';
  const firstContactedAt =
    fixture.firstContactAfter === undefined
      ? null
      : new Date(fixture.createdAt.getTime() + fixture.firstContactAfter * 1_000);
  const lead = await database.prisma.lead.create({
    data: {
      name: 'Rita Prado',
      email: `rita${written}@example.com`,
      origin: fixture.origin,
      status: fixture.status,
      createdAt: fixture.createdAt,
      stage,
      lostReason: stage === 'LOST' ? 'Chose a competitor' : null,
      firstContactedAt,
      stageChangedAt: firstContactedAt,
    },
    select: { id: true },
  });
  let previous: LeadStage = 'NEW';
  for (const [index, toStage] of path.entries()) {
    await database.prisma.leadStageChange.create({
      data: {
        leadId: lead.id,
        fromStage: previous,
        toStage,
        lostReason: toStage === 'LOST' ? 'Chose a competitor' : null,
        actorKind: 'user',
        actorLabel: 'sales@example.com',
        changedAt: new Date(firstContactedAt!.getTime() + index * hour),
      },
    });
    previous = toStage;
  }
  for (const [action, state] of fixture.runs ?? []) {
    await database.prisma.automationRun.create({
      data: { leadId: lead.id, action, trigger: 'fixture', state, maxAttempts: 3, payload: {} },
    });
  }
  return lead.id;
}

let client: Client;

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
  for (const fixture of [...Object.values(inRange), ...Object.values(outOfRange)]) {
    await write(fixture);
  }
  const url = await app.listen(0, '127.0.0.1');
  client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: app.adminKey },
    retryAttempts: 0,
  });
});

afterAll(async () => {
  await client?.dispose();
  await app?.stop();
  await database?.drop();
});

const figures = `
  fragment Conversion on PipelineConversion { total won lost conversionRate }
  fragment Figures on PipelineStats {
    from to
    overall { ...Conversion }
    byOrigin { origin total won lost conversionRate }
    byClass { status total won lost conversionRate }
    funnel { stage current reached }
    firstContact { status contacted notContacted medianSeconds p90Seconds }
    automations {
      action total succeeded skipped dead inProgress succeededShare skippedShare deadShare
    }
    nurtured { ...Conversion }
    notNurtured { ...Conversion }
  }`;

const statsQuery = `${figures}
  query ($range: LeadStatsRange) {
    pipelineStats(range: $range) {
      __typename
      ...Figures
      ... on ValidationError { fieldErrors { path message } }
    }
  }`;

async function pipelineStats(range: Record<string, unknown>) {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({ query: statsQuery, variables: { range } }),
  });
  const body = (await response.json()) as {
    data?: { pipelineStats: Record<string, unknown> };
    errors?: unknown;
  };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.pipelineStats;
}

const conversion = (total: number, won: number, lost: number) => ({
  total,
  won,
  lost,
  conversionRate: total === 0 ? null : won / total,
});

const effectiveness = (
  action: string,
  counts: { succeeded?: number; skipped?: number; dead?: number; inProgress?: number },
) => {
  const { succeeded = 0, skipped = 0, dead = 0, inProgress = 0 } = counts;
  const total = succeeded + skipped + dead + inProgress;
  return {
    action,
    total,
    succeeded,
    skipped,
    dead,
    inProgress,
    succeededShare: succeeded / total,
    skippedShare: skipped / total,
    deadShare: dead / total,
  };
};

describe('pipelineStats', () => {
  it('computes every figure of the leads created in the range, in one statement', async () => {
    database.reset();
    const stats = await pipelineStats({ from: from.toISOString(), to: to.toISOString() });
    expect(database.resolverStatements).toHaveLength(1);
    expect(stats).toEqual({
      __typename: 'PipelineStats',
      from: from.toISOString(),
      to: to.toISOString(),
      overall: conversion(7, 2, 1),
      byOrigin: [
        { origin: 'META_ADS', ...conversion(2, 1, 0) },
        { origin: 'GOOGLE_ADS', ...conversion(1, 0, 0) },
        { origin: 'WHATSAPP', ...conversion(0, 0, 0) },
        { origin: 'SITE', ...conversion(2, 1, 1) },
        { origin: 'REFERRAL', ...conversion(1, 0, 0) },
        { origin: 'OTHER', ...conversion(1, 0, 0) },
      ],
      byClass: [
        { status: 'PROCESSING', ...conversion(0, 0, 0) },
        { status: 'HOT', ...conversion(3, 1, 0) },
        { status: 'WARM', ...conversion(3, 1, 1) },
        { status: 'COLD', ...conversion(1, 0, 0) },
      ],
      funnel: [
        { stage: 'NEW', current: 2, reached: 7 },
        // Contacted: won (both), lost after contact, contacted, and the reopened lead now qualified.
        { stage: 'CONTACTED', current: 1, reached: 5 },
        { stage: 'QUALIFIED', current: 1, reached: 3 },
        { stage: 'WON', current: 2, reached: 2 },
        // Lost now, and the lead lost once then reopened.
        { stage: 'LOST', current: 1, reached: 2 },
      ],
      firstContact: [
        {
          status: 'PROCESSING',
          contacted: 0,
          notContacted: 0,
          medianSeconds: null,
          p90Seconds: null,
        },
        // 600, 1,800 and 3,600 s: p90 sits 80% of the way from 1,800 to 3,600.
        { status: 'HOT', contacted: 3, notContacted: 0, medianSeconds: 1_800, p90Seconds: 3_240 },
        // 7,200 and 86,400 s, and one lead never contacted.
        {
          status: 'WARM',
          contacted: 2,
          notContacted: 1,
          medianSeconds: 46_800,
          p90Seconds: 78_480,
        },
        { status: 'COLD', contacted: 0, notContacted: 1, medianSeconds: null, p90Seconds: null },
      ],
      automations: [
        effectiveness('email-sequence', { inProgress: 1 }),
        effectiveness('notify-slack', { succeeded: 1, dead: 1 }),
        effectiveness('notify-whatsapp', { skipped: 1 }),
        effectiveness('nurture-email', { succeeded: 1, skipped: 1 }),
        effectiveness('remarketing-list', { skipped: 1 }),
        effectiveness('schedule-follow-up', { succeeded: 1 }),
        effectiveness('send-to-crm', { succeeded: 2, dead: 1, inProgress: 2 }),
        effectiveness('sequence-email', { succeeded: 1 }),
      ],
      // Sent a nurture or sequence email: the lost SITE lead and the META_ADS lead won at once.
      nurtured: conversion(2, 1, 1),
      notNurtured: conversion(5, 1, 0),
    });
  });

  it('gives zeros and nulls for a range without leads', async () => {
    const stats = await pipelineStats({
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-02-01T00:00:00.000Z',
    });
    expect(stats).toMatchObject({
      overall: conversion(0, 0, 0),
      funnel: ['NEW', 'CONTACTED', 'QUALIFIED', 'WON', 'LOST'].map((stage) => ({
        stage,
        current: 0,
        reached: 0,
      })),
      automations: [],
      nurtured: conversion(0, 0, 0),
      notNurtured: conversion(0, 0, 0),
    });
  });

  it('refuses a range that ends before it starts', async () => {
    const stats = await pipelineStats({ from: to.toISOString(), to: from.toISOString() });
    expect(stats).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: 'range.to', message: 'The end must be after the start' }],
    });
  });
});

describe('pipelineStatsUpdated', () => {
  it('sends the figures at once, then again after a stage change', async () => {
    const received: { funnel: { stage: string; current: number }[] }[] = [];
    let failure: unknown = null;
    const dispose = client.subscribe<{
      pipelineStatsUpdated: { funnel: { stage: string; current: number }[] };
    }>(
      {
        query: `subscription { pipelineStatsUpdated(range: { preset: LAST_7_DAYS }) {
          funnel { stage current }
        } }`,
      },
      {
        next: (result) => {
          if (result.data) received.push(result.data.pipelineStatsUpdated);
          else failure = result.errors;
        },
        error: (error) => (failure = error),
        complete: () => {},
      },
    );
    const until = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (received.length < count) {
        if (failure) throw new Error(JSON.stringify(failure));
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(received)}`);
        await sleep(20);
      }
    };
    const won = (index: number) =>
      received[index]!.funnel.find((step) => step.stage === 'WON')!.current;
    try {
      await until(1);
      expect(won(0)).toBe(0);
      const leadId = await write({ origin: 'SITE', status: 'HOT', createdAt: new Date() });
      const response = await app.yoga.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...app.adminHeaders },
        body: JSON.stringify({
          query: `mutation ($id: ID!) { setLeadStage(id: $id, stage: WON) { __typename } }`,
          variables: { id: leadId },
        }),
      });
      expect(await response.json()).toEqual({ data: { setLeadStage: { __typename: 'Lead' } } });
      await until(2);
      expect(won(received.length - 1)).toBe(1);
    } finally {
      dispose();
    }
  });
});
