// Lead owners: the rotation as a plain function, then against real PostgreSQL and pg-boss: scoring
// gives owners in fair turns (also under concurrent transactions), admins reassign, owners are
// notified (a local HTTP sink stands in for Slack and WhatsApp), and "my leads" lists theirs.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodes, postGraphql, signedInUser, type Fetcher } from '../../test/access.ts';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { startHttpSink, type HttpSink } from '../../test/http-sink.ts';
import { countStatements, type CountingDatabase } from '../../test/query-counter.ts';
import { createApiKey } from '../access/api-keys.ts';
import { createUser } from '../access/users.ts';
import { runAutomation } from '../automations/automations.jobs.ts';
import { settingsId } from '../automations/automations.ts';
import { encryptSecret } from '../automations/secrets.ts';
import type { LeadStatus, UserRole } from '../generated/prisma/enums.ts';
import { createJobs } from '../jobs.ts';
import { createLogger } from '../logger.ts';
import { activeCompiledRuleSet, ensureActiveRuleSet } from '../scoring/rule-sets.ts';
import { scoreLeads } from '../scoring/scoring.ts';
import { rotate, type RotationRep } from './owners.ts';

describe('rotate', () => {
  const reps = (weights: Record<string, number>): RotationRep[] =>
    Object.entries(weights).map(([userId, weight]) => ({ userId, weight, currentWeight: 0 }));

  it('goes round equal reps in id order, whatever order they are given in', () => {
    expect(rotate(reps({ c: 1, a: 1, b: 1 }), 7).picks).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it("keeps every rep within one lead of their weight's share at every point", () => {
    const weighted = reps({ a: 1, b: 2, c: 3, d: 6 });
    const total = 12;
    const { picks } = rotate(weighted, 1_200);
    const counts = new Map<string, number>();
    picks.forEach((pick, index) => {
      counts.set(pick, (counts.get(pick) ?? 0) + 1);
      for (const rep of weighted) {
        const fair = ((index + 1) * rep.weight) / total;
        expect(Math.abs((counts.get(rep.userId) ?? 0) - fair)).toBeLessThan(1);
      }
    });
    expect(Object.fromEntries(counts)).toEqual({ a: 100, b: 200, c: 300, d: 600 });
  });

  it('continues across calls exactly as one long rotation', () => {
    const weighted = reps({ a: 2, b: 1, c: 1 });
    const whole = rotate(weighted, 9).picks;
    let state = weighted;
    const split: string[] = [];
    for (const size of [2, 4, 3]) {
      const { picks, currentWeights } = rotate(state, size);
      split.push(...picks);
      state = state.map((rep) => ({ ...rep, currentWeight: currentWeights.get(rep.userId)! }));
    }
    expect(split).toEqual(whole);
  });

  it('re-centres the state of reps left after one leaves, so the turns stay fair', () => {
    // b left while owed a lead: a and c carry weights that no longer sum to zero.
    const left = [
      { userId: 'a', weight: 1, currentWeight: 2 },
      { userId: 'c', weight: 1, currentWeight: 1 },
    ];
    const { picks, currentWeights } = rotate(left, 6);
    expect(picks.filter((pick) => pick === 'a')).toHaveLength(3);
    expect([...currentWeights.values()].reduce((sum, weight) => sum + weight, 0)).toBe(0);
  });

  it('picks nobody without reps', () => {
    expect(rotate([], 3).picks).toEqual([]);
  });
});

const logger = createLogger('silent');
let database: CountingDatabase;
let app: TestApp;
let jobs: PgBoss;
let slack: HttpSink;
let whatsapp: HttpSink;
const fetcher: Fetcher = (url, init) => app.yoga.fetch(url, init);
/** A HOT lead owned by nobody, never scored here: every test leaves it as it is. */
let untouchedId: string;

beforeAll(async () => {
  database = countStatements(await createTestDatabase());
  app = await startTestApp(database);
  [slack, whatsapp] = await Promise.all([startHttpSink(), startHttpSink()]);
  jobs = createJobs({ url: database.url, poolSize: 2, logger, maintain: false });
  await jobs.start();
  await ensureActiveRuleSet(database.prisma);
  untouchedId = (
    await database.prisma.lead.create({
      data: { name: 'Ida Intocada', email: 'untouched@example.com', origin: 'SITE', status: 'HOT' },
    })
  ).id;
});

afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await app?.stop();
  await Promise.all([slack?.close(), whatsapp?.close()]);
  await database?.drop();
});

/** Each test starts with no users taking leads and no integration configured. */
beforeEach(async () => {
  await database.prisma.user.updateMany({ data: { disabledAt: new Date() } });
  await database.prisma.ownerRotation.deleteMany();
  await database.prisma.automationSettings.deleteMany();
  await database.prisma.pipelineSettings.deleteMany();
  slack.requests.length = 0;
  whatsapp.requests.length = 0;
});

let userCount = 0;

async function rep(
  fields: {
    role?: UserRole;
    acceptsLeads?: boolean;
    leadWeight?: number;
    disabled?: boolean;
    slackMemberId?: string;
    whatsappNumber?: string;
  } = {},
): Promise<string> {
  userCount += 1;
  const user = await createUser(database.prisma, {
    // Ids are UUIDv7, so reps created later sort later: the rotation goes round in this order.
    email: `rep${userCount}@example.com`,
    name: `Rep ${userCount}`,
    role: fields.role ?? 'SALES',
    password: 'correct horse battery staple',
  });
  await database.prisma.user.update({
    where: { id: user.id },
    data: {
      acceptsLeads: fields.acceptsLeads ?? true,
      leadWeight: fields.leadWeight ?? 1,
      disabledAt: fields.disabled ? new Date() : null,
      slackMemberId: fields.slackMemberId ?? null,
      whatsappNumber: fields.whatsappNumber ?? null,
    },
  });
  return user.id;
}

let leadCount = 0;

/** Leads a person classed: scoring gives them exactly that class, a change from PROCESSING. */
async function newLeads(count: number, status: LeadStatus = 'HOT'): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    leadCount += 1;
    const lead = await database.prisma.lead.create({
      data: {
        name: 'Lia Lima',
        email: `lia${leadCount}@example.com`,
        phone: '+5511977776666',
        origin: 'META_ADS',
        interest: 'Cobertura',
        statusOverride: status,
        statusOverrideReason: 'test',
      },
      select: { id: true },
    });
    ids.push(lead.id);
  }
  return ids;
}

async function score(leadIds: string[]): Promise<void> {
  const ruleSet = await activeCompiledRuleSet(database.prisma);
  await database.prisma.$transaction((tx) => scoreLeads(tx, jobs, leadIds, ruleSet), {
    timeout: 20_000,
    maxWait: 20_000,
  });
}

async function ownersOf(leadIds: string[]): Promise<(string | null)[]> {
  const leads = await database.prisma.lead.findMany({
    where: { id: { in: leadIds } },
    orderBy: { id: 'asc' },
    select: { ownerId: true },
  });
  return leads.map((lead) => lead.ownerId);
}

function countsOf(owners: (string | null)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const owner of owners) counts[owner ?? 'none'] = (counts[owner ?? 'none'] ?? 0) + 1;
  return counts;
}

async function configureSlackAndWhatsapp(): Promise<void> {
  const data = {
    plan: { HOT: [], WARM: [], COLD: [] },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    slackWebhookUrlEncrypted: encryptSecret(`${slack.url}/services/T000/B000/XXXX`),
    whatsappBaseUrl: `${whatsapp.url}/v21.0`,
    whatsappPhoneNumberId: '1234567890',
    whatsappTokenEncrypted: encryptSecret('whatsapp-token'),
    whatsappTemplate: 'new_hot_lead',
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...data },
    update: data,
  });
}

describe('round-robin on scoring', () => {
  it('gives leads becoming HOT to active sales reps in turns, by user id', async () => {
    const [first, second] = [await rep(), await rep()];
    const leads = await newLeads(5);
    await score(leads);
    expect(await ownersOf(leads)).toEqual([first, second, first, second, first]);
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: leads[0]! } });
    expect(lead.ownerAssignedAt).toBeInstanceOf(Date);
    expect(
      await database.prisma.ownerRotation.findMany({
        orderBy: { userId: 'asc' },
        select: { userId: true, assignedCount: true },
      }),
    ).toEqual([
      { userId: first, assignedCount: 3 },
      { userId: second, assignedCount: 2 },
    ]);
  });

  it('skips disabled users, users taking no leads and users of other roles', async () => {
    await rep({ disabled: true });
    await rep({ acceptsLeads: false });
    await rep({ role: 'MANAGER' });
    await rep({ role: 'ADMIN' });
    const only = await rep();
    const leads = await newLeads(3);
    await score(leads);
    expect(await ownersOf(leads)).toEqual([only, only, only]);
  });

  it('leaves leads unowned when no rep can take them', async () => {
    await rep({ acceptsLeads: false });
    const leads = await newLeads(2);
    await score(leads);
    expect(await ownersOf(leads)).toEqual([null, null]);
    expect(
      await database.prisma.automationRun.count({
        where: { leadId: { in: leads }, action: 'notify-owner' },
      }),
    ).toBe(0);
  });

  it('gives WARM leads owners only when the pipeline settings say so, and never COLD ones', async () => {
    const owner = await rep();
    const [warm] = await newLeads(1, 'WARM');
    const [cold] = await newLeads(1, 'COLD');
    await score([warm!, cold!]);
    expect(await ownersOf([warm!, cold!])).toEqual([null, null]);

    await database.prisma.pipelineSettings.create({ data: { assignWarmLeads: true } });
    const [laterWarm] = await newLeads(1, 'WARM');
    const [laterCold] = await newLeads(1, 'COLD');
    await score([laterWarm!, laterCold!]);
    expect(await ownersOf([laterWarm!, laterCold!])).toEqual([owner, null]);
  });

  it('keeps the owner of a lead that becomes HOT again', async () => {
    const [first, second] = [await rep(), await rep()];
    const [lead] = await newLeads(1);
    await score([lead!]);
    await database.prisma.lead.update({ where: { id: lead! }, data: { statusOverride: 'COLD' } });
    await score([lead!]);
    await database.prisma.lead.update({ where: { id: lead! }, data: { statusOverride: 'HOT' } });
    await score([lead!]);
    expect(await ownersOf([lead!])).toEqual([first]);
    // The second rep is next: the lead that stayed with the first took no extra turn.
    const [next] = await newLeads(1);
    await score([next!]);
    expect(await ownersOf([next!])).toEqual([second]);
  });

  it('shares leads scored by concurrent transactions in strict turns', async () => {
    const reps = [await rep(), await rep(), await rep(), await rep()];
    const leads = await newLeads(200);
    const batches: string[][] = [];
    for (let start = 0; start < leads.length; start += 5)
      batches.push(leads.slice(start, start + 5));
    // Four transactions at a time, as four scoring workers would run them.
    const workers = Array.from({ length: 4 }, async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) await score(batch);
    });
    await Promise.all(workers);
    const owners = await database.prisma.lead.findMany({
      where: { id: { in: leads } },
      orderBy: { ownerAssignedAt: 'asc' },
      select: { ownerId: true },
    });
    expect(countsOf(owners.map((lead) => lead.ownerId))).toEqual(
      Object.fromEntries(reps.map((id) => [id, 50])),
    );
  });

  it('shares leads by weight under concurrent transactions', async () => {
    const [light, heavy, usual] = [
      await rep({ leadWeight: 1 }),
      await rep({ leadWeight: 3 }),
      await rep({ leadWeight: 2 }),
    ];
    const leads = await newLeads(120);
    await Promise.all(
      [0, 1, 2, 3].map(async (worker) => {
        for (let start = worker * 10; start < leads.length; start += 40) {
          await score(leads.slice(start, start + 10));
        }
      }),
    );
    expect(countsOf(await ownersOf(leads))).toEqual({ [light]: 20, [heavy]: 60, [usual]: 40 });
  });

  it('starts a rep who comes back level with the others, without a run of leads', async () => {
    const [a, b, c] = [await rep(), await rep(), await rep()];
    await score(await newLeads(4));
    await database.prisma.user.update({ where: { id: c }, data: { acceptsLeads: false } });
    await score(await newLeads(7));
    await database.prisma.user.update({ where: { id: c }, data: { acceptsLeads: true } });
    const leads = await newLeads(30);
    for (let start = 0; start < leads.length; start += 3)
      await score(leads.slice(start, start + 3));
    const owners = await ownersOf(leads);
    expect(countsOf(owners)).toEqual({ [a]: 10, [b]: 10, [c]: 10 });
    owners.slice(1).forEach((owner, index) => expect(owner).not.toBe(owners[index]));
  });
});

describe('owner notification', () => {
  async function noticeOf(leadId: string) {
    return database.prisma.automationRun.findFirstOrThrow({
      where: { leadId, action: 'notify-owner' },
    });
  }

  it('is recorded SKIPPED when neither Slack nor WhatsApp is configured', async () => {
    await rep();
    const [lead] = await newLeads(1);
    await score([lead!]);
    expect(await noticeOf(lead!)).toMatchObject({
      state: 'SKIPPED',
      skipReason: 'Neither Slack nor WhatsApp is configured',
    });
  });

  it("mentions the owner on Slack and messages the owner's WhatsApp number", async () => {
    await configureSlackAndWhatsapp();
    const owner = await rep({ slackMemberId: 'U024BE7LH', whatsappNumber: '+5511955554444' });
    const [lead] = await newLeads(1);
    await score([lead!]);
    const notice = await noticeOf(lead!);
    expect(notice).toMatchObject({
      state: 'PENDING',
      trigger: expect.stringMatching(/^owner:/) as string,
    });
    expect(await runAutomation(database.prisma, jobs, { runId: notice.id, attempt: 1 })).toBe(
      'delivered',
    );
    expect(slack.requests).toHaveLength(1);
    const { text } = JSON.parse(slack.requests[0]!.body) as { text: string };
    expect(text).toMatch(/^<@U024BE7LH>, a 🔥 HOT lead is yours: \*Lia Lima\*/);
    expect(whatsapp.requests).toHaveLength(1);
    expect(JSON.parse(whatsapp.requests[0]!.body)).toMatchObject({
      to: '5511955554444',
      template: { name: 'new_hot_lead' },
    });
    expect(notice.payload).toMatchObject({ owner: { id: owner, assignedBy: 'round-robin' } });
  });

  it('is SKIPPED when only WhatsApp is configured and the owner has no number', async () => {
    await configureSlackAndWhatsapp();
    await database.prisma.automationSettings.update({
      where: { id: settingsId },
      data: { slackWebhookUrlEncrypted: null },
    });
    await rep();
    const [lead] = await newLeads(1);
    await score([lead!]);
    expect(await noticeOf(lead!)).toMatchObject({
      state: 'SKIPPED',
      skipReason: 'Slack is not configured and the owner has no WhatsApp number',
    });
  });
});

const reassign = `mutation ($id: ID!, $ownerId: ID) {
  reassignLead(id: $id, ownerId: $ownerId) {
    __typename
    ... on Lead { id owner { id name email } ownerAssignedAt }
    ... on InvalidOwnerError { userId }
    ... on Error { message }
  }
}`;

describe('reassignLead', () => {
  async function reassignAs(headers: Record<string, string>, id: string, ownerId: string | null) {
    return postGraphql<{ reassignLead: Record<string, unknown> }>(
      fetcher,
      'http://test',
      { query: reassign, variables: { id, ownerId } },
      headers,
    );
  }

  it('lets an admin give a lead to another rep, notifying them and auditing it', async () => {
    await configureSlackAndWhatsapp();
    const [first, second] = [await rep(), await rep({ acceptsLeads: false })];
    const [lead] = await newLeads(1);
    await score([lead!]);
    const rotation = await database.prisma.ownerRotation.findMany({ orderBy: { userId: 'asc' } });

    const response = await reassignAs(app.adminHeaders, lead!, second);
    expect(response.data?.reassignLead).toMatchObject({
      __typename: 'Lead',
      owner: {
        id: second,
        name: (await database.prisma.user.findUniqueOrThrow({ where: { id: second } })).name,
      },
    });
    const notices = await database.prisma.automationRun.findMany({
      where: { leadId: lead!, action: 'notify-owner' },
      orderBy: { id: 'asc' },
    });
    expect(notices.map((run) => (run.payload as { owner: { id: string } }).owner.id)).toEqual([
      first,
      second,
    ]);
    expect(notices[1]!.payload).toMatchObject({ owner: { assignedBy: app.adminLabel } });
    const [audit] = await database.prisma.auditEvent.findMany({
      where: { action: 'lead.reassign', targetId: lead! },
    });
    expect(audit).toMatchObject({
      actorLabel: app.adminLabel,
      details: { previousOwnerId: first, ownerId: second },
    });
    // A reassignment is not a turn of the rotation.
    expect(await database.prisma.ownerRotation.findMany({ orderBy: { userId: 'asc' } })).toEqual(
      rotation,
    );
  });

  it('leaves a lead unowned when given no owner', async () => {
    await rep();
    const [lead] = await newLeads(1);
    await score([lead!]);
    const response = await reassignAs(app.adminHeaders, lead!, null);
    expect(response.data?.reassignLead).toMatchObject({ owner: null, ownerAssignedAt: null });
  });

  it('refuses an owner who is not an active sales user, changing nothing', async () => {
    const owner = await rep();
    const manager = await rep({ role: 'MANAGER' });
    const disabled = await rep({ disabled: true });
    const [lead] = await newLeads(1);
    await score([lead!]);
    for (const [userId, message] of [
      [manager, 'leads go to SALES users, not MANAGER'],
      [disabled, 'the user is disabled'],
      ['01890000-0000-7000-8000-000000000000', 'no user has this id'],
    ] as const) {
      const response = await reassignAs(app.adminHeaders, lead!, userId);
      expect(response.data?.reassignLead).toEqual({
        __typename: 'InvalidOwnerError',
        userId,
        message: `User "${userId}" cannot own leads: ${message}`,
      });
    }
    expect(await ownersOf([lead!])).toEqual([owner]);
    const inPortuguese = await reassignAs(
      { ...app.adminHeaders, 'accept-language': 'pt-BR' },
      lead!,
      manager,
    );
    expect(inPortuguese.data?.reassignLead).toMatchObject({
      message: `O usuário "${manager}" não pode ser responsável por leads: leads vão para usuários SALES, não MANAGER`,
    });
  });

  it('refuses a sales user', async () => {
    const { cookie } = await signedInUser(database.prisma, 'SALES');
    const [lead] = await newLeads(1);
    const response = await reassignAs({ cookie }, lead!, null);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});

describe('my leads', () => {
  const list = `query ($filter: LeadFilter) {
    leads(filter: $filter, first: 50) {
      __typename
      ... on LeadConnection { totalCount edges { node { id stage owner { id name } } } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }`;

  interface Page {
    __typename: string;
    totalCount?: number;
    edges?: { node: { id: string; stage: string; owner: { id: string; name: string } | null } }[];
    fieldErrors?: { path: string; message: string }[];
  }

  async function leadsAs(headers: Record<string, string>, filter: Record<string, unknown>) {
    const response = await postGraphql<{ leads: Page }>(
      fetcher,
      'http://test',
      { query: list, variables: { filter } },
      headers,
    );
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data.leads;
  }

  it('lists the leads the signed-in rep owns, and those they do not', async () => {
    const me = await signedInUser(database.prisma, 'SALES');
    const other = await rep();
    const leads = await newLeads(4);
    await score(leads);
    expect(await ownersOf(leads)).toEqual([me.user.id, other, me.user.id, other]);
    const ids = (page: Page) => page.edges!.map((edge) => edge.node.id).sort();

    const mine = await leadsAs({ cookie: me.cookie }, { mine: true });
    expect(ids(mine)).toEqual([leads[0]!, leads[2]!].sort());
    expect(mine.totalCount).toBe(2);
    expect(mine.edges!.every((edge) => edge.node.owner?.id === me.user.id)).toBe(true);
    const notMine = await leadsAs({ cookie: me.cookie }, { mine: false, assigned: true });
    expect(ids(notMine)).toContain(leads[1]);
    expect(ids(notMine)).not.toContain(leads[0]);
  });

  it("lists a rep's leads with their owners in three statements, whatever their number", async () => {
    const [first, second] = [await rep(), await rep()];
    const leads = await newLeads(20);
    await score(leads);
    database.reset();
    const page = await leadsAs(app.adminHeaders, { ownerIds: [first, second] });
    // The page, its owners (one statement for all of them) and the total count.
    expect(database.resolverStatements).toHaveLength(3);
    expect(page.totalCount).toBe(20);
    expect(new Set(page.edges!.map((edge) => edge.node.owner?.id))).toEqual(
      new Set([first, second]),
    );
  });

  it('filters by stage and by whether a lead has an owner', async () => {
    await rep();
    const leads = await newLeads(2);
    await score(leads);
    await database.prisma.lead.update({ where: { id: leads[0]! }, data: { stage: 'QUALIFIED' } });
    const qualified = await leadsAs(app.adminHeaders, { stage: ['QUALIFIED'], assigned: true });
    expect(qualified.edges!.map((edge) => edge.node.id)).toEqual([leads[0]]);
    const unowned = await leadsAs(app.adminHeaders, { assigned: false, status: ['HOT'] });
    expect(unowned.edges!.map((edge) => edge.node.id)).toContain(untouchedId);
    expect(unowned.edges!.map((edge) => edge.node.id)).not.toContain(leads[1]);
  });

  it('refuses "mine" from an API key, which owns no leads', async () => {
    const { key } = await createApiKey(database.prisma, { name: 'n8n', scopes: ['leads:read'] });
    const page = await leadsAs({ authorization: `Bearer ${key}` }, { mine: true });
    expect(page).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'filter.mine', message: 'Only a signed-in user has leads of their own' },
      ],
    });
  });
});

describe('rep settings', () => {
  const update = `mutation ($id: ID!, $input: UpdateSalesRepInput!) {
    updateSalesRep(id: $id, input: $input) {
      __typename
      ... on User { acceptsLeads leadWeight slackMemberId whatsappNumber }
      ... on ValidationError { fieldErrors { path message } }
    }
  }`;

  it('changes what the round-robin and notifications use, audited', async () => {
    const id = await rep();
    const response = await postGraphql<{ updateSalesRep: Record<string, unknown> }>(
      fetcher,
      'http://test',
      {
        query: update,
        variables: {
          id,
          input: { acceptsLeads: false, leadWeight: 3, slackMemberId: 'U024BE7LH' },
        },
      },
      app.adminHeaders,
    );
    expect(response.data?.updateSalesRep).toEqual({
      __typename: 'User',
      acceptsLeads: false,
      leadWeight: 3,
      slackMemberId: 'U024BE7LH',
      whatsappNumber: null,
    });
    const [audit] = await database.prisma.auditEvent.findMany({
      where: { action: 'user.sales-settings.update', targetId: id },
    });
    expect(audit?.details).toEqual({ changed: ['acceptsLeads', 'leadWeight', 'slackMemberId'] });
  });

  it('refuses a weight out of range and numbers that are not E.164', async () => {
    const id = await rep();
    const response = await postGraphql<{ updateSalesRep: Record<string, unknown> }>(
      fetcher,
      'http://test',
      { query: update, variables: { id, input: { leadWeight: 0, whatsappNumber: '11 9999' } } },
      app.adminHeaders,
    );
    expect(response.data?.updateSalesRep).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'leadWeight', message: 'At least 1' },
        { path: 'whatsappNumber', message: 'Phone number in E.164, e.g. +5511999999999' },
      ],
    });
    expect(
      await database.prisma.user.findUniqueOrThrow({ where: { id }, select: { leadWeight: true } }),
    ).toEqual({ leadWeight: 1 });
  });

  it('words its refusals in Portuguese for a dashboard in Portuguese', async () => {
    const id = await rep();
    const response = await postGraphql<{ updateSalesRep: Record<string, unknown> }>(
      fetcher,
      'http://test',
      {
        query: update,
        variables: {
          id,
          input: { leadWeight: 101, slackMemberId: 'maria', whatsappNumber: '11 9999' },
        },
      },
      { ...app.adminHeaders, 'accept-language': 'pt-BR' },
    );
    expect(response.data?.updateSalesRep).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'leadWeight', message: 'No máximo 100' },
        { path: 'slackMemberId', message: 'Um ID de membro do Slack é parecido com U024BE7LH' },
        {
          path: 'whatsappNumber',
          message: 'Número no formato internacional (E.164), ex.: +5511999999999',
        },
      ],
    });
  });
});

describe('owner on a manual HOT override', () => {
  const override = `mutation ($id: ID!, $input: UpdateLeadInput!) {
    updateLead(id: $id, input: $input) {
      __typename
      ... on Lead { status owner { id } }
      ... on Error { message }
    }
  }`;

  async function overrideAs(id: string, statusOverride: LeadStatus) {
    const response = await postGraphql<{ updateLead: { status?: string; owner?: { id: string } } }>(
      fetcher,
      'http://test',
      {
        query: override,
        variables: { id, input: { statusOverride, statusOverrideReason: 'ligou' } },
      },
      app.adminHeaders,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.updateLead;
  }

  /** A lead nobody scored or owns yet, as it arrives. */
  async function unscoredLead(): Promise<string> {
    leadCount += 1;
    const lead = await database.prisma.lead.create({
      data: { name: 'Rui Reis', email: `rui${leadCount}@example.com`, origin: 'SITE' },
      select: { id: true },
    });
    return lead.id;
  }

  it('gives an unowned lead overridden to HOT the next rep in turn, and notifies them', async () => {
    const [first, second] = [await rep(), await rep()];
    const [scored] = await newLeads(1);
    await score([scored!]);
    const lead = await unscoredLead();
    expect(await overrideAs(lead, 'HOT')).toMatchObject({ status: 'HOT', owner: { id: second } });
    const [notice] = await database.prisma.automationRun.findMany({
      where: { leadId: lead, action: 'notify-owner' },
    });
    expect(notice!.payload).toMatchObject({ owner: { id: second, assignedBy: 'round-robin' } });
    expect(
      await database.prisma.ownerRotation.findMany({
        orderBy: { userId: 'asc' },
        select: { userId: true, assignedCount: true },
      }),
    ).toEqual([
      { userId: first, assignedCount: 1 },
      { userId: second, assignedCount: 1 },
    ]);
  });

  it('keeps the owner a lead has, and gives none on a COLD or WARM override', async () => {
    const [first] = [await rep(), await rep()];
    const [owned] = await newLeads(1);
    await score([owned!]);
    expect(await overrideAs(owned!, 'HOT')).toMatchObject({ owner: { id: first } });
    const cold = await unscoredLead();
    const warm = await unscoredLead();
    expect(await overrideAs(cold, 'COLD')).toMatchObject({ owner: null });
    expect(await overrideAs(warm, 'WARM')).toMatchObject({ owner: null });
    expect(
      await database.prisma.automationRun.count({ where: { leadId: { in: [cold, warm] } } }),
    ).toBe(0);
  });

  it('shares concurrent overrides in strict turns, under the rotation lock', async () => {
    const reps = [await rep(), await rep()];
    const leads = await Promise.all(Array.from({ length: 6 }, () => unscoredLead()));
    await Promise.all(leads.map((lead) => overrideAs(lead, 'HOT')));
    expect(countsOf(await ownersOf(leads))).toEqual({ [reps[0]!]: 3, [reps[1]!]: 3 });
  });
});

describe('the untouched lead', () => {
  it('keeps no owner, no stage change and no run', async () => {
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: untouchedId } });
    expect(lead).toMatchObject({ ownerId: null, ownerAssignedAt: null, stage: 'NEW' });
    expect(await database.prisma.automationRun.count({ where: { leadId: untouchedId } })).toBe(0);
  });
});
