// The remarketing audience: COLD's remarketing-list run adds a consenting lead, every opt-out
// removes it, and the hashed customer-match export lists current members to admins only.
import { createHash } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../../generated/prisma/client.ts';
import { postGraphql, signedInUser, type Fetcher } from '../../../test/access.ts';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { createApiKey } from '../../access/api-keys.ts';
import { createJobs } from '../../jobs.ts';
import { createLogger } from '../../logger.ts';
import { runAutomation } from '../automations.jobs.ts';
import { snapshot, snapshotFields, type RunPayload } from '../automations.ts';
import { unsubscribeLead } from '../email/unsubscribe.ts';
import {
  csvLine,
  customerMatchRow,
  normalizeEmail,
  normalizePhone,
  sha256Hex,
} from './customer-match.ts';
import { remarketingExportPath } from './remarketing-export.ts';

/** SHA-256 hex computed here, independently of the code under test. */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let database: TestDatabase;
let app: TestApp;
/** yoga.fetch, bound to its app. */
const fetchApp: Fetcher = (url, init) => app.yoga.fetch(url, init);
let jobs: PgBoss;
let bystanderId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  jobs = createJobs({
    url: database.url,
    poolSize: 2,
    logger: createLogger('silent'),
    maintain: false,
  });
  await jobs.start();
  // Cold, consenting, never given a remarketing run: it must stay out of every audience.
  const bystander = await database.prisma.lead.create({
    data: {
      name: 'Bia Bystander',
      email: 'bystander@example.com',
      origin: 'REFERRAL',
      status: 'COLD',
      consents: { create: { givenAt: new Date(), source: 'site', textVersion: 'v1' } },
    },
  });
  bystanderId = bystander.id;
});

afterAll(async () => {
  await jobs?.stop({ graceful: false, close: true });
  await app?.stop();
  await database?.drop();
});

describe('customer-match normalisation', () => {
  it('normalises emails as Google specifies, gmail dots and +tags included', () => {
    expect(normalizeEmail(' John.Doe+ads@GMail.com ')).toBe('johndoe@gmail.com');
    expect(normalizeEmail('j.o.h.n+x+y@googlemail.com')).toBe('john@googlemail.com');
    // Other domains may treat dots and tags as part of the mailbox: only trim and lower-case.
    expect(normalizeEmail('\tAna.Souza+promo@Example.COM.br ')).toBe(
      'ana.souza+promo@example.com.br',
    );
    expect(normalizeEmail('not-an-email')).toBeNull();
    expect(normalizeEmail('+tag@gmail.com')).toBeNull();
  });

  it('normalises phones to E.164, Brazilian numbers without a country code included', () => {
    expect(normalizePhone('(11) 98765-4321')).toBe('+5511987654321');
    expect(normalizePhone('+55 11 98765-4321')).toBe('+5511987654321');
    expect(normalizePhone('+1 (415) 555-2671')).toBe('+14155552671');
    expect(normalizePhone('12')).toBeNull();
    expect(normalizePhone('call me')).toBeNull();
  });

  it('hashes the normalised identifiers with SHA-256 in lower-case hex', () => {
    expect(sha256Hex('johndoe@gmail.com')).toBe(sha256('johndoe@gmail.com'));
    // Known vector: SHA-256 of the empty string.
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(
      customerMatchRow({ email: ' John.Doe+ads@GMail.com ', phone: '(11) 98765-4321' }),
    ).toEqual([sha256('johndoe@gmail.com'), sha256('+5511987654321')]);
    expect(customerMatchRow({ email: 'ana@example.com', phone: null })).toEqual([
      sha256('ana@example.com'),
      '',
    ]);
    expect(csvLine(['a', 'b'])).toBe('a,b\r\n');
  });
});

let leadCount = 0;

/** A COLD lead (with a consent unless told otherwise) and its remarketing-list run, delivered. */
async function coldLeadWithRun(
  options: {
    email?: string;
    phone?: string | null;
    consent?: boolean;
    unsubscribed?: boolean;
  } = {},
) {
  leadCount += 1;
  const lead = await database.prisma.lead.create({
    data: {
      name: `Cold Lead ${leadCount}`,
      email: options.email ?? `cold-${leadCount}@example.com`,
      phone: options.phone === undefined ? null : options.phone,
      origin: 'SITE',
      status: 'COLD',
      score: 10,
      unsubscribedAt: options.unsubscribed ? new Date() : null,
      ...(options.consent === false
        ? {}
        : { consents: { create: { givenAt: new Date(), source: 'site', textVersion: 'v1' } } }),
    },
    select: snapshotFields,
  });
  const payload: RunPayload = {
    lead: snapshot(lead),
    previousStatus: 'PROCESSING',
    status: 'COLD',
    occurredAt: new Date().toISOString(),
  };
  const run = await database.prisma.automationRun.create({
    data: {
      leadId: lead.id,
      action: 'remarketing-list',
      trigger: 'class:PROCESSING->COLD#1',
      payload: payload as unknown as Prisma.InputJsonValue,
      maxAttempts: 3,
    },
  });
  const outcome = await runAutomation(database.prisma, jobs, { runId: run.id, attempt: 1 });
  const recorded = await database.prisma.automationRun.findUniqueOrThrow({ where: { id: run.id } });
  const member = await database.prisma.remarketingMember.findUnique({
    where: { leadId_audience: { leadId: lead.id, audience: 'cold-leads' } },
  });
  return { lead, run: recorded, outcome, member };
}

describe('the remarketing-list action', () => {
  it('adds a consenting cold lead to the cold-leads audience as a SUCCEEDED run', async () => {
    const { lead, run, member } = await coldLeadWithRun();
    expect(run).toMatchObject({ state: 'SUCCEEDED', attempts: 1, skipReason: null });
    expect(member).toMatchObject({ leadId: lead.id, runId: run.id, removedAt: null });
    // A repeated job finds the attempt taken and changes nothing.
    expect(await runAutomation(database.prisma, jobs, { runId: run.id, attempt: 1 })).toBe(
      'nothing to do',
    );
    expect(await database.prisma.remarketingMember.count({ where: { leadId: lead.id } })).toBe(1);
  });

  it('records SKIPPED with the reason for a lead without consent or that unsubscribed', async () => {
    const noConsent = await coldLeadWithRun({ consent: false });
    expect(noConsent.run).toMatchObject({
      state: 'SKIPPED',
      skipReason: 'The lead gave no consent for marketing',
    });
    expect(noConsent.member).toBeNull();
    const unsubscribed = await coldLeadWithRun({ unsubscribed: true });
    expect(unsubscribed.run).toMatchObject({
      state: 'SKIPPED',
      skipReason: 'The lead unsubscribed',
    });
    expect(unsubscribed.member).toBeNull();
    // The dashboard, in Portuguese, reads them in Portuguese.
    const read = await postGraphql<{
      automationRuns: { edges: { node: { id: string; skipReason: string } }[] };
    }>(
      fetchApp,
      'http://localhost',
      {
        query: `{ automationRuns(filter: { action: "remarketing-list", state: SKIPPED }) { edges { node { id skipReason } } } }`,
      },
      { ...app.adminHeaders, 'accept-language': 'pt-BR' },
    );
    const reasons = new Map(
      read.data?.automationRuns.edges.map(({ node }) => [node.id, node.skipReason]),
    );
    expect(reasons.get(noConsent.run.id)).toBe('O lead não deu consentimento para marketing');
    expect(reasons.get(unsubscribed.run.id)).toBe('O lead se descadastrou');
  });

  it('removes the lead on unsubscribe, consent withdrawal and erasure', async () => {
    const viaLink = await coldLeadWithRun();
    expect(await unsubscribeLead(database.prisma, viaLink.lead.id)).toBe(true);

    const withdrawing = await coldLeadWithRun();
    const withdrawn = await postGraphql<{
      withdrawLeadConsent: {
        id?: string;
        consents?: { withdrawnAt: string | null }[];
        message?: string;
      };
    }>(
      fetchApp,
      'http://localhost',
      {
        query: `mutation ($id: ID!) { withdrawLeadConsent(id: $id) { ... on Lead { id consents { withdrawnAt } } ... on Error { message } } }`,
        variables: { id: withdrawing.lead.id },
      },
      app.adminHeaders,
    );
    expect(withdrawn.data?.withdrawLeadConsent.id).toBe(withdrawing.lead.id);
    // The lead answers with its consents, each now saying when it was withdrawn.
    const consents = withdrawn.data?.withdrawLeadConsent.consents ?? [];
    expect(consents.length).toBeGreaterThan(0);
    expect(consents.every((consent) => consent.withdrawnAt !== null)).toBe(true);

    const erasing = await coldLeadWithRun();
    const erased = await postGraphql(
      fetchApp,
      'http://localhost',
      {
        query: `mutation ($id: ID!) { eraseLead(id: $id) { __typename } }`,
        variables: { id: erasing.lead.id },
      },
      app.adminHeaders,
    );
    expect(erased.errors).toBeUndefined();

    const members = await database.prisma.remarketingMember.findMany({
      where: { leadId: { in: [viaLink.lead.id, withdrawing.lead.id, erasing.lead.id] } },
      orderBy: { id: 'asc' },
    });
    expect(members.map((member) => [member.leadId, member.removedReason])).toEqual([
      [viaLink.lead.id, 'unsubscribed'],
      [withdrawing.lead.id, 'consent-withdrawn'],
      [erasing.lead.id, 'erased'],
    ]);
    expect(members.every((member) => member.removedAt !== null)).toBe(true);
    const audit = await database.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'lead.consent-withdraw', targetId: withdrawing.lead.id },
    });
    expect(audit.details).toEqual({ consents: 1, audiences: 1 });

    // With consent withdrawn, a later remarketing run for the lead is SKIPPED.
    const again = await database.prisma.automationRun.create({
      data: {
        leadId: withdrawing.lead.id,
        action: 'remarketing-list',
        trigger: 'class:WARM->COLD#2',
        payload: withdrawing.run.payload as object,
        maxAttempts: 3,
      },
    });
    await runAutomation(database.prisma, jobs, { runId: again.id, attempt: 1 });
    expect(
      await database.prisma.automationRun.findUniqueOrThrow({ where: { id: again.id } }),
    ).toMatchObject({ state: 'SKIPPED', skipReason: 'The lead withdrew consent' });
  });

  it('answers withdrawLeadConsent for an unknown lead with LeadNotFoundError and changes nothing', async () => {
    const response = await postGraphql<{ withdrawLeadConsent: { __typename: string } }>(
      fetchApp,
      'http://localhost',
      {
        query: `mutation { withdrawLeadConsent(id: "00000000-0000-7000-8000-000000000000") { __typename } }`,
      },
      app.adminHeaders,
    );
    expect(response.data?.withdrawLeadConsent.__typename).toBe('LeadNotFoundError');
    expect(await database.prisma.leadConsent.count({ where: { withdrawnAt: { not: null } } })).toBe(
      1,
    );
  });
});

describe('the customer-match export', () => {
  let expectedCsv: string;
  let currentIds: string[];

  beforeAll(async () => {
    // Members from the tests above may exist: start this audience over with known ones.
    await database.prisma.remarketingMember.deleteMany({});
    const gmail = await coldLeadWithRun({
      email: 'john.doe+ads@gmail.com',
      phone: '+5511987654321',
    });
    const noPhone = await coldLeadWithRun({ email: 'ana.souza@example.com' });
    const leaving = await coldLeadWithRun({
      email: 'leaving@example.com',
      phone: '+5521912345678',
    });
    await unsubscribeLead(database.prisma, leaving.lead.id);
    currentIds = [gmail.lead.id, noPhone.lead.id];
    expectedCsv = [
      'Email,Phone',
      `${sha256('johndoe@gmail.com')},${sha256('+5511987654321')}`,
      `${sha256('ana.souza@example.com')},`,
      '',
    ].join('\r\n');
  });

  it('downloads only current members, hashed, to an admin API key, and audits it', async () => {
    const auditsBefore = await database.prisma.auditEvent.count({
      where: { action: 'remarketing.export' },
    });
    const response = await fetchApp(`http://localhost${remarketingExportPath}`, {
      headers: app.adminHeaders,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('attachment');
    expect(await response.text()).toBe(expectedCsv);
    const audits = await database.prisma.auditEvent.findMany({
      where: { action: 'remarketing.export' },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    expect(audits).toHaveLength(auditsBefore + 1);
    expect(audits.at(-1)).toMatchObject({
      actorKind: 'api-key',
      actorLabel: app.adminLabel,
      details: { audience: 'cold-leads', members: 2, via: 'credentials' },
    });
  });

  it('refuses the download without credentials (401) and to non-admins (403)', async () => {
    const url = `http://localhost${remarketingExportPath}`;
    expect((await fetchApp(url, {})).status).toBe(401);
    expect((await fetchApp(url, { headers: { authorization: 'Bearer made-up' } })).status).toBe(
      401,
    );
    const manager = await signedInUser(database.prisma, 'MANAGER');
    expect((await fetchApp(url, { headers: { cookie: manager.cookie } })).status).toBe(403);
    const { key: readKey } = await createApiKey(database.prisma, {
      name: 'reader',
      scopes: ['leads:read', 'leads:write'],
    });
    expect((await fetchApp(url, { headers: { 'x-api-key': readKey } })).status).toBe(403);
    const admin = await signedInUser(database.prisma, 'ADMIN');
    const byCookie = await fetchApp(url, { headers: { cookie: admin.cookie } });
    expect(byCookie.status).toBe(200);
    expect(await byCookie.text()).toBe(expectedCsv);
    expect((await fetchApp(url, { method: 'POST', headers: app.adminHeaders })).status).toBe(405);
  });

  it('gives an admin a short-lived link that stops working when their session ends', async () => {
    const admin = await signedInUser(database.prisma, 'ADMIN');
    const made = await postGraphql<{ createRemarketingExport: { url: string; expiresAt: string } }>(
      fetchApp,
      'http://localhost',
      { query: 'mutation { createRemarketingExport { url expiresAt } }' },
      { cookie: admin.cookie },
    );
    const { url, expiresAt } = made.data!.createRemarketingExport;
    expect(new URL(url).pathname).toBe(remarketingExportPath);
    const ttl = Date.parse(expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(4 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);

    const download = await fetchApp(url, {});
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(expectedCsv);
    expect(
      await database.prisma.auditEvent.findFirst({
        where: { action: 'remarketing.export', actorId: admin.user.id },
      }),
    ).toMatchObject({ actorKind: 'user', details: { via: 'link' } });

    const token = new URL(url).searchParams.get('token')!;
    const tampered = new URL(url);
    tampered.searchParams.set('token', `${token.slice(0, -2)}xx`);
    expect((await fetchApp(tampered.href, {})).status).toBe(401);

    await database.prisma.session.update({
      where: { id: admin.sessionId },
      data: { revokedAt: new Date() },
    });
    expect((await fetchApp(url, {})).status).toBe(401);

    const sales = await signedInUser(database.prisma, 'SALES');
    const refused = await postGraphql(
      fetchApp,
      'http://localhost',
      { query: 'mutation { createRemarketingExport { url } }' },
      { cookie: sales.cookie },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists the current members and their count to admins', async () => {
    const response = await postGraphql<{
      remarketingAudience: {
        name: string;
        memberCount: number;
        members: { edges: { node: { lead: { id: string } } }[] };
      };
    }>(
      fetchApp,
      'http://localhost',
      {
        query: `{ remarketingAudience { name memberCount members(first: 10) { edges { node { lead { id } } } } } }`,
      },
      app.adminHeaders,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.remarketingAudience).toMatchObject({
      name: 'cold-leads',
      memberCount: 2,
    });
    expect(
      response.data?.remarketingAudience.members.edges.map((edge) => edge.node.lead.id),
    ).toEqual(currentIds);
    expect(await database.prisma.remarketingMember.count({ where: { leadId: bystanderId } })).toBe(
      0,
    );
    expect(
      await database.prisma.lead.findUniqueOrThrow({ where: { id: bystanderId } }),
    ).toMatchObject({ email: 'bystander@example.com', unsubscribedAt: null, erasedAt: null });
  });
});
