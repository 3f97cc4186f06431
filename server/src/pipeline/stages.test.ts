// Lead stages through the API, against real PostgreSQL and pg-boss, with a local HTTP sink
// standing in for n8n: the history, the events, the n8n notice, and what "handled" stops.
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import type { PgBoss } from 'pg-boss';
import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodes, postGraphql, signedInUser } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { createApiKey } from '../access/api-keys.ts';
import { runAutomation } from '../automations/automations.jobs.ts';
import {
  followUpDue,
  followUpDueQueue,
  readSettings,
  scheduleFollowUp,
  settingsId,
  type FollowUpDueJob,
  type RunPayload,
} from '../automations/automations.ts';
import { signature } from '../automations/delivery.ts';
import { sequenceStepDue } from '../automations/email/sequence.ts';
import { encryptSecret } from '../automations/secrets.ts';
import { createJobs } from '../jobs.ts';
import { publishEvent } from '../events.ts';
import { createLogger } from '../logger.ts';
import type { LeadStatus } from '../generated/prisma/enums.ts';

const n8nSecret = 'n8n-shared-secret-for-stages';
let database: TestDatabase;
let app: TestApp;
let jobs: PgBoss;
let n8n: HttpSink;
let client: Client;
let sales: { cookie: string; email: string; userId: string };
let untouchedId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  n8n = await startHttpSink();
  // Sends and reads jobs only: no handler runs, so each test runs the handlers it means to.
  jobs = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await jobs.start();
  const url = await app.listen(0, '127.0.0.1');
  client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: app.adminKey },
    retryAttempts: 0,
  });
  const user = await signedInUser(database.prisma, 'SALES');
  sales = { cookie: user.cookie, email: user.user.email, userId: user.user.id };
  // Worked by nobody: every test leaves it exactly as it is.
  untouchedId = (await insertLead({ status: 'HOT', followUpAt: new Date(Date.now() + 3_600_000) }))
    .id;
});

afterAll(async () => {
  await client?.dispose();
  await jobs?.stop({ graceful: false, close: true });
  await app?.stop();
  await n8n?.close();
  await database?.drop();
});

beforeEach(() => {
  n8n.requests.length = 0;
});

let leads = 0;

async function insertLead(
  fields: { status?: LeadStatus; followUpAt?: Date; erasedAt?: Date } = {},
): Promise<{ id: string }> {
  leads += 1;
  return database.prisma.lead.create({
    data: {
      name: 'Paula Reis',
      email: `paula${leads}@example.com`,
      phone: '+5511988887777',
      origin: 'SITE',
      status: 'HOT',
      ...fields,
    },
    select: { id: true },
  });
}

async function configureN8n(): Promise<void> {
  const data = {
    plan: { HOT: [], WARM: [], COLD: [] },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    n8nWebhookUrl: `${n8n.url}/webhook/streamleads`,
    n8nSecretEncrypted: encryptSecret(n8nSecret),
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...data },
    update: data,
  });
}

const setStage = `mutation ($id: ID!, $stage: LeadStage!, $lostReason: String) {
  setLeadStage(id: $id, stage: $stage, lostReason: $lostReason) {
    __typename
    ... on Lead {
      id stage lostReason stageChangedAt firstContactedAt followUpAt
      stageChanges { fromStage toStage lostReason changedBy changedByUserId changedAt }
    }
    ... on ValidationError { fieldErrors { path message } }
    ... on Error { message }
  }
}`;

interface StageResult {
  __typename: string;
  id?: string;
  stage?: string;
  lostReason?: string | null;
  stageChangedAt?: string | null;
  firstContactedAt?: string | null;
  followUpAt?: string | null;
  stageChanges?: {
    fromStage: string;
    toStage: string;
    lostReason: string | null;
    changedBy: string;
    changedByUserId: string | null;
    changedAt: string;
  }[];
  fieldErrors?: { path: string; message: string }[];
  message?: string;
}

async function setLeadStage(
  id: string,
  stage: string,
  lostReason?: string,
  headers: Record<string, string> = { cookie: sales.cookie },
): Promise<StageResult> {
  const response = await postGraphql<{ setLeadStage: StageResult }>(
    (url, init) => app.yoga.fetch(url, init),
    'http://test',
    { query: setStage, variables: { id, stage, lostReason } },
    headers,
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.setLeadStage;
}

/** A graphql-ws subscription to one lead's updates, in place once the returned promise resolves. */
async function subscribeToLead(leadId: string) {
  const received: { change: string; lead: { stage: string } | null }[] = [];
  let failure: unknown = null;
  const dispose = client.subscribe<{
    leadUpdated: { change: string; lead: { stage: string } | null };
  }>(
    {
      query: `subscription ($ids: [ID!]) { leadUpdated(filter: { ids: $ids }) { change lead { stage } } }`,
      variables: { ids: [leadId] },
    },
    {
      next: (result) => {
        if (result.data) received.push(result.data.leadUpdated);
        else failure = result.errors;
      },
      error: (error) => (failure = error),
      complete: () => {},
    },
  );
  const until = async (done: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (failure) throw new Error(JSON.stringify(failure));
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(received)}`);
      await sleep(20);
    }
  };
  // graphql-ws acknowledges no subscription: announce the lead until one arrives.
  const poke = setInterval(() => {
    void publishEvent(database.prisma, { type: 'lead.changed', leadId, change: 'automation' });
  }, 100);
  try {
    await until(() => received.length > 0);
  } finally {
    clearInterval(poke);
  }
  await sleep(150);
  received.length = 0;
  return { received, until, dispose };
}

describe('setLeadStage', () => {
  it('records who moved the lead, when, from and to, newest first', async () => {
    const { id } = await insertLead();
    const before = Date.now();
    const contacted = await setLeadStage(id, 'CONTACTED');
    const qualified = await setLeadStage(id, 'QUALIFIED');
    expect(contacted).toMatchObject({ __typename: 'Lead', stage: 'CONTACTED', lostReason: null });
    expect(qualified.stage).toBe('QUALIFIED');
    expect(qualified.stageChanges).toEqual([
      {
        fromStage: 'CONTACTED',
        toStage: 'QUALIFIED',
        lostReason: null,
        changedBy: sales.email,
        changedByUserId: sales.userId,
        changedAt: qualified.stageChangedAt,
      },
      {
        fromStage: 'NEW',
        toStage: 'CONTACTED',
        lostReason: null,
        changedBy: sales.email,
        changedByUserId: sales.userId,
        changedAt: contacted.stageChangedAt,
      },
    ]);
    expect(Date.parse(contacted.stageChangedAt!)).toBeGreaterThanOrEqual(before);
  });

  it('sets the first contact time on the first move out of NEW only', async () => {
    const { id } = await insertLead();
    const contacted = await setLeadStage(id, 'CONTACTED');
    expect(contacted.firstContactedAt).toBe(contacted.stageChangedAt);
    await setLeadStage(id, 'NEW');
    const again = await setLeadStage(id, 'QUALIFIED');
    expect(again.firstContactedAt).toBe(contacted.firstContactedAt);
  });

  it('requires a lost reason for LOST and keeps it until the lead leaves LOST', async () => {
    const { id } = await insertLead();
    const refused = await setLeadStage(id, 'LOST', '   ');
    expect(refused).toEqual({
      __typename: 'ValidationError',
      message: 'lostReason: Say why the lead was lost',
      fieldErrors: [{ path: 'lostReason', message: 'Say why the lead was lost' }],
    });
    const lost = await setLeadStage(id, 'LOST', '  Bought from a competitor ');
    expect(lost).toMatchObject({ stage: 'LOST', lostReason: 'Bought from a competitor' });
    expect(lost.stageChanges![0]).toMatchObject({
      toStage: 'LOST',
      lostReason: 'Bought from a competitor',
    });
    const reopened = await setLeadStage(id, 'CONTACTED');
    expect(reopened).toMatchObject({ stage: 'CONTACTED', lostReason: null });
  });

  it('words the refusal in Portuguese for a sales rep whose dashboard is in Portuguese', async () => {
    const { id } = await insertLead();
    const refused = await setLeadStage(id, 'LOST', '', {
      cookie: sales.cookie,
      'accept-language': 'pt-BR',
    });
    expect(refused.fieldErrors).toEqual([
      { path: 'lostReason', message: 'Diga por que o lead foi perdido' },
    ]);
  });

  it('refuses a lost reason with any other stage and changes nothing', async () => {
    const { id } = await insertLead();
    const refused = await setLeadStage(id, 'WON', 'Signed');
    expect(refused.fieldErrors).toEqual([
      { path: 'lostReason', message: 'A lost reason goes with stage LOST only' },
    ]);
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id } });
    expect(lead).toMatchObject({ stage: 'NEW', stageChangedAt: null });
  });

  it('records nothing when the lead already has the stage asked for', async () => {
    const { id } = await insertLead();
    await setLeadStage(id, 'CONTACTED');
    const repeated = await setLeadStage(id, 'CONTACTED');
    expect(repeated.stageChanges).toHaveLength(1);
    expect(await database.prisma.automationRun.count({ where: { leadId: id } })).toBe(1);
  });

  it('refuses an erased lead and an unknown id', async () => {
    const { id } = await insertLead({ erasedAt: new Date() });
    expect(await setLeadStage(id, 'CONTACTED')).toMatchObject({ __typename: 'LeadErasedError' });
    expect(await setLeadStage('01890000-0000-7000-8000-000000000000', 'WON')).toMatchObject({
      __typename: 'LeadNotFoundError',
    });
  });

  it('lets an n8n key with leads:write move a lead, recorded under the key', async () => {
    const { key, record } = await createApiKey(database.prisma, {
      name: 'n8n',
      scopes: ['leads:write'],
    });
    const { id } = await insertLead();
    const result = await setLeadStage(id, 'WON', undefined, { authorization: `Bearer ${key}` });
    expect(result.stageChanges![0]).toMatchObject({
      changedBy: `key n8n (${record.prefix}…)`,
      changedByUserId: null,
    });
  });

  it('refuses a key that may only read leads', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'reader', scopes: ['leads:read'] });
    const { id } = await insertLead();
    const response = await postGraphql(
      (url, init) => app.yoga.fetch(url, init),
      'http://test',
      { query: setStage, variables: { id, stage: 'WON' } },
      { authorization: `Bearer ${key}` },
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('sends a STAGE change to leadUpdated subscribers', async () => {
    const { id } = await insertLead();
    const subscription = await subscribeToLead(id);
    try {
      await setLeadStage(id, 'QUALIFIED');
      // Probes (AUTOMATION) still in flight may arrive too; the change itself comes once.
      const changes = () =>
        subscription.received.filter((update) => update.change !== 'AUTOMATION');
      await subscription.until(() => changes().length > 0);
      await sleep(200);
      expect(changes()).toEqual([{ change: 'STAGE', lead: { stage: 'QUALIFIED' } }]);
    } finally {
      subscription.dispose();
    }
  });
});

describe('the n8n stage event', () => {
  it('is recorded SKIPPED when n8n is not configured', async () => {
    await database.prisma.automationSettings.deleteMany();
    const { id } = await insertLead();
    await setLeadStage(id, 'CONTACTED');
    const [run] = await database.prisma.automationRun.findMany({ where: { leadId: id } });
    expect(run).toMatchObject({
      action: 'notify-stage-change',
      state: 'SKIPPED',
      skipReason: 'n8n webhook URL not configured',
    });
  });

  it('sends lead.stage_changed, signed, with the previous and new stage and who changed it', async () => {
    await configureN8n();
    const { id } = await insertLead();
    await setLeadStage(id, 'CONTACTED');
    await setLeadStage(id, 'LOST', 'No budget');
    const runs = await database.prisma.automationRun.findMany({
      where: { leadId: id },
      orderBy: { id: 'asc' },
    });
    expect(runs.map((run) => [run.action, run.state])).toEqual([
      ['notify-stage-change', 'PENDING'],
      ['notify-stage-change', 'PENDING'],
    ]);
    const lostRun = runs[1]!;
    expect(await runAutomation(database.prisma, jobs, { runId: lostRun.id, attempt: 1 })).toBe(
      'delivered',
    );
    expect(n8n.requests).toHaveLength(1);
    const [request] = n8n.requests;
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'lead.stage_changed',
      lead: { id, name: 'Paula Reis', status: 'HOT' },
      previousStage: 'CONTACTED',
      stage: 'LOST',
      lostReason: 'No budget',
      changedBy: sales.email,
      deliveryId: lostRun.deliveryId,
    });
    expect(request!.headers['x-streamleads-event']).toBe('lead.stage_changed');
    const timestamp = request!.headers['x-streamleads-timestamp'] as string;
    expect(request!.headers['x-streamleads-signature']).toBe(
      signature(n8nSecret, timestamp, request!.body),
    );
    expect(
      await database.prisma.automationRun.findUniqueOrThrow({ where: { id: lostRun.id } }),
    ).toMatchObject({ state: 'SUCCEEDED', responseStatus: 200 });
  });
});

describe('a stage change handles the lead', () => {
  /** Schedules the lead's follow-up as the schedule-follow-up action does, due in an hour. */
  async function scheduleReminder(leadId: string): Promise<FollowUpDueJob> {
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } });
    const payload = {
      lead: { id: leadId },
      previousStatus: 'PROCESSING',
      status: lead.status,
      occurredAt: new Date().toISOString(),
    } as unknown as RunPayload;
    const settings = await readSettings(database.prisma);
    const scheduled = await database.prisma.$transaction((tx) =>
      scheduleFollowUp(tx, jobs, payload, settings),
    );
    if (!('scheduled' in scheduled)) throw new Error(scheduled.skipped);
    return { leadId, followUpAt: scheduled.scheduled.toISOString() };
  }

  async function queuedReminders(leadId: string) {
    return jobs.findJobs<FollowUpDueJob>(followUpDueQueue, { data: { leadId }, queued: true });
  }

  it('cancels the pending follow-up reminder, which then sends nothing', async () => {
    await configureN8n();
    const { id } = await insertLead();
    const reminder = await scheduleReminder(id);
    expect(await queuedReminders(id)).toHaveLength(1);

    const contacted = await setLeadStage(id, 'CONTACTED');
    expect(contacted.followUpAt).toBeNull();
    expect(await queuedReminders(id)).toEqual([]);
    // Even a reminder job that was already running when the stage changed finds it handled.
    expect(await followUpDue(database.prisma, jobs, reminder)).toBe('handled');
    expect(
      await database.prisma.automationRun.count({ where: { leadId: id, action: 'follow-up-due' } }),
    ).toBe(0);
    // The untouched lead keeps its own follow-up.
    expect(
      (await database.prisma.lead.findUniqueOrThrow({ where: { id: untouchedId } })).followUpAt,
    ).not.toBeNull();
  });

  it('keeps the follow-up of a class change that came after the stage change', async () => {
    const { id } = await insertLead();
    await setLeadStage(id, 'CONTACTED');
    await sleep(5);
    const reminder = await scheduleReminder(id);
    expect(reminder.followUpAt).toEqual(expect.any(String));
    expect(await queuedReminders(id)).toHaveLength(1);
  });

  it('skips a follow-up whose class change sales handled before it was set', async () => {
    const { id } = await insertLead();
    const occurredAt = new Date(Date.now() - 1_000).toISOString();
    await setLeadStage(id, 'CONTACTED');
    const settings = await readSettings(database.prisma);
    const outcome = await database.prisma.$transaction((tx) =>
      scheduleFollowUp(
        tx,
        jobs,
        { lead: { id }, previousStatus: 'PROCESSING', status: 'HOT', occurredAt } as RunPayload,
        settings,
      ),
    );
    expect(outcome).toEqual({
      skipped: 'Sales handled the lead (stage CONTACTED) before the follow-up was set',
    });
    expect(await queuedReminders(id)).toEqual([]);
  });

  it('stops the email sequence at its next step', async () => {
    const { id } = await insertLead({ status: 'WARM' });
    const trigger = 'class:PROCESSING->WARM#1';
    await database.prisma.automationRun.create({
      data: {
        leadId: id,
        action: 'email-sequence',
        trigger,
        state: 'SUCCEEDED',
        maxAttempts: 3,
        payload: {
          lead: { id },
          previousStatus: 'PROCESSING',
          status: 'WARM',
          occurredAt: new Date().toISOString(),
        },
      },
    });
    await setLeadStage(id, 'QUALIFIED');
    expect(await sequenceStepDue(database.prisma, jobs, { leadId: id, trigger, step: 1 })).toBe(
      'stopped',
    );
    const step = await database.prisma.automationRun.findFirstOrThrow({
      where: { leadId: id, action: 'sequence-email' },
    });
    expect(step).toMatchObject({
      state: 'SKIPPED',
      skipReason: 'Sales handles the lead (stage QUALIFIED)',
    });
  });

  it('leaves the untouched lead as it was', async () => {
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: untouchedId } });
    expect(lead).toMatchObject({ stage: 'NEW', stageChangedAt: null, firstContactedAt: null });
    expect(await database.prisma.leadStageChange.count({ where: { leadId: untouchedId } })).toBe(0);
    expect(await database.prisma.automationRun.count({ where: { leadId: untouchedId } })).toBe(0);
    expect(lead.followUpAt).not.toBeNull();
  });
});

describe('erasure', () => {
  it('clears the lost reasons on the lead and in its history, keeping the stages', async () => {
    const { id } = await insertLead();
    await setLeadStage(id, 'LOST', 'Said his wife Maria decides');
    await database.prisma.lead.update({ where: { id }, data: { erasedAt: new Date() } });
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { id },
      include: { stageChanges: true },
    });
    expect(lead).toMatchObject({ stage: 'LOST', lostReason: null });
    expect(lead.stageChanges.map((change) => [change.toStage, change.lostReason])).toEqual([
      ['LOST', null],
    ]);
  });
});
