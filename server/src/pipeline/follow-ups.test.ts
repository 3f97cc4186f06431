// Follow-up times set by a person through updateLead, against real PostgreSQL and pg-boss: the
// reminder moves with the time (a real followUpDue worker fires at the new time, never the old),
// null cancels it, a past time is refused, and sales may do it while other fields stay theirs not.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, postGraphql, signedInUser, type Fetcher } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { createApiKey } from '../access/api-keys.ts';
import { followUpDue, followUpDueQueue, type FollowUpDueJob } from '../automations/automations.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { parseFollowUpAt } from './follow-ups.ts';

describe('parseFollowUpAt', () => {
  const now = new Date('2026-05-01T12:00:00Z');

  it('accepts null and a time within a year', () => {
    expect(parseFollowUpAt(null, now)).toEqual({ ok: true, value: null });
    const later = new Date('2026-05-01T12:00:01Z');
    expect(parseFollowUpAt(later, now)).toEqual({ ok: true, value: later });
  });

  it('refuses now, the past and more than a year ahead, on the followUpAt field', () => {
    for (const value of [now, new Date('2026-04-30T12:00:00Z'), new Date('2027-05-02T12:00:00Z')]) {
      const parsed = parseFollowUpAt(value, now);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.fieldErrors.map((error) => error.path)).toEqual(['followUpAt']);
    }
  });
});

const logger = createLogger('silent');
let database: TestDatabase;
let app: TestApp;
let jobs: PgBoss;
let sales: { cookie: string };
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);
/** A lead with its own follow-up that no test edits: it must keep it. */
let untouchedId: string;
const untouchedFollowUp = new Date(Date.now() + 86_400_000);

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  // Sends and reads jobs only: the test that needs a worker starts its own.
  jobs = createJobs({ url: database.url, poolSize: 2, logger, maintain: false });
  await jobs.start();
  sales = await signedInUser(database.prisma, 'SALES');
  untouchedId = (await newLead({ followUpAt: untouchedFollowUp })).id;
});

afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

let leadCount = 0;

async function newLead(fields: { followUpAt?: Date; erasedAt?: Date } = {}) {
  leadCount += 1;
  return database.prisma.lead.create({
    data: {
      name: 'Olga Prado',
      email: `olga${leadCount}@example.com`,
      origin: 'SITE',
      status: 'HOT',
      ...fields,
    },
    select: { id: true },
  });
}

const update = `mutation ($id: ID!, $input: UpdateLeadInput!) {
  updateLead(id: $id, input: $input) {
    __typename
    ... on Lead { id name followUpAt }
    ... on ValidationError { fieldErrors { path message } }
    ... on Error { message }
  }
}`;

interface UpdateResult {
  __typename: string;
  followUpAt?: string | null;
  name?: string;
  fieldErrors?: { path: string; message: string }[];
}

async function updateAs(headers: Record<string, string>, id: string, input: object) {
  return postGraphql<{ updateLead: UpdateResult }>(
    fetcher,
    'http://test',
    { query: update, variables: { id, input } },
    headers,
  );
}

async function setFollowUp(id: string, followUpAt: Date | null): Promise<UpdateResult> {
  const response = await updateAs({ cookie: sales.cookie }, id, {
    followUpAt: followUpAt?.toISOString() ?? null,
  });
  expect(response.errors).toBeUndefined();
  return response.data!.updateLead;
}

async function queuedReminders(leadId: string) {
  return jobs.findJobs<FollowUpDueJob>(followUpDueQueue, { data: { leadId }, queued: true });
}

async function followUpOf(leadId: string): Promise<Date | null> {
  return (await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } })).followUpAt;
}

describe('editing the follow-up time', () => {
  it('lets a sales user set it, queueing one reminder at that time', async () => {
    const { id } = await newLead();
    const at = new Date(Date.now() + 3_600_000);
    expect(await setFollowUp(id, at)).toMatchObject({
      __typename: 'Lead',
      followUpAt: at.toISOString(),
    });
    const reminders = await queuedReminders(id);
    expect(reminders.map((job) => job.data)).toEqual([
      { leadId: id, followUpAt: at.toISOString() },
    ]);
    expect(reminders[0]!.startAfter.getTime()).toBe(at.getTime());
  });

  it('moves the reminder: a real worker fires it at the new time and never at the old one', async () => {
    const { id } = await newLead();
    const start = Date.now();
    const first = new Date(start + 1_500);
    const moved = new Date(start + 4_500);
    await setFollowUp(id, first);
    const [oldJob] = await queuedReminders(id);
    await setFollowUp(id, moved);
    expect((await jobs.findJobs(followUpDueQueue, { id: oldJob!.id }))[0]!.state).toBe('cancelled');

    // The real handler, polled often so the test can tell one second from another.
    const worker = createJobs({ url: database.url, poolSize: 2, logger, maintain: false });
    await worker.start();
    const fired: { at: number; outcome: string }[] = [];
    await worker.work<FollowUpDueJob>(
      followUpDueQueue,
      { pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        fired.push({
          at: Date.now(),
          outcome: await followUpDue(database.prisma, worker, job!.data),
        });
      },
    );
    try {
      await waitFor(() => Date.now() > first.getTime() + 1_500);
      expect(fired).toEqual([]);
      expect(
        await database.prisma.automationRun.count({
          where: { leadId: id, action: 'follow-up-due' },
        }),
      ).toBe(0);

      await waitFor(() => fired.length > 0, 8_000);
      expect(fired).toHaveLength(1);
      expect(fired[0]!.outcome).toBe('reminded');
      expect(fired[0]!.at).toBeGreaterThanOrEqual(moved.getTime());
      const runs = await database.prisma.automationRun.findMany({
        where: { leadId: id, action: 'follow-up-due' },
      });
      expect(runs.map((run) => run.trigger)).toEqual([`follow-up:${moved.toISOString()}`]);
      expect(runs[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(moved.getTime());
    } finally {
      await worker.stop({ graceful: false, close: true });
    }
  });

  it('cancels the reminder with null, so nothing fires', async () => {
    const { id } = await newLead();
    const at = new Date(Date.now() + 3_600_000);
    await setFollowUp(id, at);
    expect(await setFollowUp(id, null)).toMatchObject({ followUpAt: null });
    expect(await queuedReminders(id)).toEqual([]);
    // Even a check for the old time that was already running finds it handled.
    expect(
      await followUpDue(database.prisma, jobs, { leadId: id, followUpAt: at.toISOString() }),
    ).toBe('handled');
    expect(
      await database.prisma.automationRun.count({ where: { leadId: id, action: 'follow-up-due' } }),
    ).toBe(0);
  });

  it('refuses a time in the past or over a year ahead as a field error, changing nothing', async () => {
    const kept = new Date(Date.now() + 7_200_000);
    const { id } = await newLead();
    await setFollowUp(id, kept);
    const [job] = await queuedReminders(id);
    for (const followUpAt of [
      new Date(Date.now() - 60_000),
      new Date(Date.now() + 400 * 86_400_000),
    ]) {
      const response = await updateAs({ cookie: sales.cookie }, id, {
        followUpAt: followUpAt.toISOString(),
        notes: 'should not be saved',
      });
      expect(response.data?.updateLead.__typename).toBe('ValidationError');
      expect(response.data?.updateLead.fieldErrors?.map((error) => error.path)).toEqual([
        'followUpAt',
      ]);
    }
    expect(await followUpOf(id)).toEqual(kept);
    expect((await queuedReminders(id)).map((queued) => queued.id)).toEqual([job!.id]);
    expect((await database.prisma.lead.findUniqueOrThrow({ where: { id } })).notes).toBeNull();
  });

  it('refuses an erased lead without queueing a reminder', async () => {
    const { id } = await newLead({ erasedAt: new Date() });
    const response = await updateAs({ cookie: sales.cookie }, id, {
      followUpAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(response.data?.updateLead.__typename).toBe('LeadErasedError');
    expect(await queuedReminders(id)).toEqual([]);
    expect(await followUpOf(id)).toBeNull();
  });
});

describe('who may edit the follow-up time', () => {
  const input = () => ({ followUpAt: new Date(Date.now() + 3_600_000).toISOString() });

  it('refuses sales changing contact fields with it, changing nothing', async () => {
    const { id } = await newLead();
    const response = await updateAs({ cookie: sales.cookie }, id, { ...input(), name: 'Outra' });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(await followUpOf(id)).toBeNull();
    expect(await queuedReminders(id)).toEqual([]);
  });

  it('lets managers and leads:write keys set it', async () => {
    const manager = await signedInUser(database.prisma, 'MANAGER');
    const { key } = await createApiKey(database.prisma, { name: 'n8n', scopes: ['leads:write'] });
    const callers: Record<string, string>[] = [
      { cookie: manager.cookie },
      { authorization: `Bearer ${key}` },
    ];
    for (const headers of callers) {
      const { id } = await newLead();
      const response = await updateAs(headers, id, input());
      expect(response.data?.updateLead.__typename).toBe('Lead');
      expect(await queuedReminders(id)).toHaveLength(1);
    }
  });

  it('refuses anonymous callers and read-only keys, changing nothing', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'reader', scopes: ['leads:read'] });
    const { id } = await newLead();
    expect(errorCodes(await updateAs({}, id, input()))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await updateAs({ authorization: `Bearer ${key}` }, id, input()))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await followUpOf(id)).toBeNull();
    expect(await queuedReminders(id)).toEqual([]);
  });
});

describe('the untouched lead', () => {
  it('keeps its follow-up time', async () => {
    expect(await followUpOf(untouchedId)).toEqual(untouchedFollowUp);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
