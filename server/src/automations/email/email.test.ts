// Email automations against real PostgreSQL, pg-boss and a real SMTP server (smtp-server on a
// random local port, authentication required): the nurture email with its PDF, the WARM sequence,
// unsubscribe, SMTP failures, templates and the admin API.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../access/api-keys.ts';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../../test/smtp-sink.ts';
import { startTestWorker } from '../../../test/worker.ts';
import type { AutomationRun } from '../../generated/prisma/client.ts';
import type { LeadStatus } from '../../generated/prisma/enums.ts';
import { scoringJobs } from '../../scoring/scoring.jobs.ts';
import { enqueueScoring } from '../../scoring/scoring.ts';
import { catalogMessage } from '../../localization/catalog.ts';
import { erasedRunSkipReason } from '../../privacy/privacy.ts';
import { automationsJobs } from '../automations.jobs.ts';
import { settingsId } from '../automations.ts';
import { decryptSecret, encryptSecret } from '../secrets.ts';
import { sequenceStepDue, sequenceStepQueue, type SequenceStepJob } from './sequence.ts';
import { unsubscribeToken, unsubscribeUrl } from './unsubscribe.ts';

const publicBaseUrl = 'https://api.streamleads.example';
const schedulingLink = 'https://agenda.example/imobiliaria';
let database: TestDatabase;
let app: TestApp;
let worker: PgBoss;
let smtp: SmtpSink;
let bystanderId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  smtp = await startSmtpSink();
  worker = await startTestWorker(database, [automationsJobs, scoringJobs]);
  // Never scored: it must get no runs, no email and stay subscribed.
  const bystander = await database.prisma.lead.create({
    data: { name: 'Bia Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
  });
  bystanderId = bystander.id;
});

afterAll(async () => {
  await worker?.stop({ graceful: false, close: true });
  await app?.stop();
  await smtp?.close();
  await database?.drop();
});

beforeEach(() => {
  smtp.script = [];
});

async function configure(overrides: Record<string, unknown> = {}): Promise<void> {
  const data = {
    plan: {
      HOT: ['schedule-follow-up'],
      WARM: ['nurture-email', 'email-sequence'],
      COLD: [],
    },
    followUpMinutes: { HOT: 60, WARM: 4320, COLD: 10080 },
    maxAttempts: 3,
    retryDelaySeconds: 1,
    smtpHost: smtp.host,
    smtpPort: smtp.port,
    smtpTls: 'NONE' as const,
    smtpUser: smtp.user,
    smtpPasswordEncrypted: encryptSecret(smtp.password),
    emailFromAddress: 'contato@imobiliaria.example',
    emailFromName: 'Imobiliária Exemplo',
    emailLocale: 'pt-BR',
    schedulingLink,
    publicBaseUrl,
    // Long delays: the worker never picks a step up by itself; tests run the step handler.
    emailSequence: [
      { delayMinutes: 60, template: 'sequence-1' },
      { delayMinutes: 120, template: 'sequence-2' },
    ],
    nurturePdfFileId: null,
    ...overrides,
  };
  await database.prisma.automationSettings.upsert({
    where: { id: settingsId },
    create: { id: settingsId, ...data },
    update: data,
  });
}

let leadCount = 0;

/** A lead whose class a person set: scoring gives it exactly that class. */
async function leadWithClass(
  status: LeadStatus,
  fields: { name?: string; interest?: string } = {},
): Promise<{ id: string; email: string }> {
  leadCount += 1;
  const lead = await database.prisma.lead.create({
    data: {
      name: fields.name ?? 'Maria Souza',
      email: `maria${leadCount}@example.com`,
      phone: '+5511999999999',
      origin: 'META_ADS',
      interest: fields.interest ?? 'Apartamento para investimento',
      city: 'São Paulo',
      statusOverride: status,
      statusOverrideReason: 'test',
    },
  });
  await database.prisma.$transaction((tx) => enqueueScoring(worker, tx, lead.id));
  return { id: lead.id, email: lead.email };
}

async function setClass(leadId: string, status: LeadStatus): Promise<void> {
  await database.prisma.$transaction(async (tx) => {
    await tx.lead.update({ where: { id: leadId }, data: { statusOverride: status } });
    await enqueueScoring(worker, tx, leadId);
  });
}

/** Waits until scoring gave the lead this class (a class without actions leaves no run to wait on). */
async function statusOf(leadId: string, status: LeadStatus): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (
    (await database.prisma.lead.findUniqueOrThrow({ where: { id: leadId } })).status !== status
  ) {
    if (Date.now() > deadline) throw new Error(`lead never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const finished = ['SUCCEEDED', 'SKIPPED', 'DEAD'];
const allFinished = (count: number) => (runs: AutomationRun[]) =>
  runs.length === count && runs.every((run) => finished.includes(run.state));

async function runsOf(
  leadId: string,
  done: (runs: AutomationRun[]) => boolean,
  timeoutMs = 20_000,
): Promise<AutomationRun[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await database.prisma.automationRun.findMany({
      where: { leadId },
      orderBy: [{ createdAt: 'asc' }, { action: 'asc' }],
    });
    if (done(runs)) return runs;
    if (Date.now() > deadline) throw new Error(`timed out; runs: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const runOf = (runs: AutomationRun[], action: string) => runs.find((run) => run.action === action)!;
const mailsTo = (address: string): ReceivedMail[] =>
  smtp.messages.filter((message) => message.to.includes(address));
const header = (mail: ReceivedMail, name: string) =>
  mail.parsed.headerLines
    .find((line) => line.key === name)
    ?.line.replace(/^[^:]+:\s*/, '')
    .replace(/\r?\n\s+/g, ' ');

/** The step job the sequence scheduled for this lead, with when it falls due. */
async function stepJobOf(
  leadId: string,
  step: number,
): Promise<{ data: SequenceStepJob; start_after: Date } | undefined> {
  const [job] = await database.prisma.$queryRaw<{ data: SequenceStepJob; start_after: Date }[]>`
    SELECT data, start_after FROM pgboss.job
    WHERE name = ${sequenceStepQueue} AND data->>'leadId' = ${leadId}
      AND (data->>'step')::int = ${step}`;
  return job;
}

interface GraphqlResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = app.adminHeaders,
): Promise<GraphqlResult<T>> {
  const response = await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

async function data<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await graphql<T>(query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

/** The admin's requests from a dashboard in Portuguese. */
const inPortuguese = () => ({ ...app.adminHeaders, 'accept-language': 'pt-BR,pt;q=0.9' });

/** A lead's skip reasons by action, as the API words them for `headers`. */
async function skipReasonsOf(
  leadId: string,
  headers: Record<string, string>,
): Promise<Record<string, string>> {
  const result = await graphql<{
    automationRuns: { edges: { node: { action: string; skipReason: string | null } }[] };
  }>(
    `
      query ($leadId: ID!) {
        automationRuns(filter: { leadId: $leadId }) {
          edges {
            node {
              action
              skipReason
            }
          }
        }
      }
    `,
    { leadId },
    headers,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return Object.fromEntries(
    result.data!.automationRuns.edges.flatMap(({ node }) =>
      node.skipReason ? [[node.action, node.skipReason]] : [],
    ),
  );
}

/** The unsubscribe link as the test app serves it (the public URL's path on the local app). */
function localUnsubscribe(leadId: string, token = unsubscribeToken(leadId)): string {
  return `http://test/unsubscribe?lead=${leadId}&token=${encodeURIComponent(token)}`;
}

describe('without email settings', () => {
  it('records the nurture email and the sequence as SKIPPED "SMTP not configured" and sends nothing', async () => {
    const lead = await leadWithClass('WARM');
    const runs = await runsOf(lead.id, allFinished(4));
    for (const action of ['nurture-email', 'email-sequence']) {
      expect(runOf(runs, action)).toMatchObject({
        state: 'SKIPPED',
        skipReason: 'SMTP not configured',
        attempts: 0,
      });
    }
    expect(smtp.attempts).toBe(0);
    expect(await skipReasonsOf(lead.id, inPortuguese())).toMatchObject({
      'nurture-email': 'SMTP não configurado',
      'email-sequence': 'SMTP não configurado',
    });
    expect(await skipReasonsOf(lead.id, app.adminHeaders)).toMatchObject({
      'nurture-email': 'SMTP not configured',
    });
  });

  it('skips every email while no public URL for unsubscribe links is set', async () => {
    await configure({ publicBaseUrl: null });
    try {
      const lead = await leadWithClass('WARM');
      const runs = await runsOf(lead.id, allFinished(2));
      expect(runOf(runs, 'nurture-email')).toMatchObject({
        state: 'SKIPPED',
        skipReason: 'Public base URL (for unsubscribe links) not configured',
      });
      expect(smtp.attempts).toBe(0);
    } finally {
      await configure();
    }
  });
});

describe('the nurture email', () => {
  beforeAll(() => configure());

  it('sends a WARM lead the nurture email with a generated PDF guide, its variables and List-Unsubscribe', async () => {
    const lead = await leadWithClass('WARM');
    const runs = await runsOf(lead.id, allFinished(2));
    const run = runOf(runs, 'nurture-email');
    expect(run).toMatchObject({ state: 'SUCCEEDED', attempts: 1, responseStatus: 250 });
    const [mail] = mailsTo(lead.email);
    expect(mailsTo(lead.email)).toHaveLength(1);
    expect(mail!.user).toBe(smtp.user);
    expect(mail!.from).toBe('contato@imobiliaria.example');
    const { parsed } = mail!;
    expect(parsed.subject).toBe('Maria, seu guia chegou');
    expect(parsed.from?.value).toEqual([
      { address: 'contato@imobiliaria.example', name: 'Imobiliária Exemplo' },
    ]);
    expect(parsed.text).toContain('Olá, Maria!');
    expect(parsed.text).toContain('sobre Apartamento para investimento');
    expect(parsed.text).toContain(schedulingLink);
    expect(parsed.html).toContain('<strong>Apartamento para investimento</strong>');
    expect(parsed.html).toContain('Imobiliária Exemplo');

    const link = unsubscribeUrl(publicBaseUrl, lead.id);
    expect(header(mail!, 'list-unsubscribe')).toBe(`<${link}>`);
    expect(header(mail!, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(parsed.text).toContain(link);
    expect(parsed.messageId).toBe(`<${run.deliveryId}@imobiliaria.example>`);
    expect(header(mail!, 'x-streamleads-delivery')).toBe(run.deliveryId);

    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment!.filename).toBe('guia-proximos-passos.pdf');
    expect(attachment!.contentType).toBe('application/pdf');
    expect(attachment!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('stores the sent email, shown on the lead with its attachment', async () => {
    const lead = await leadWithClass('WARM');
    const runs = await runsOf(lead.id, allFinished(2));
    const run = runOf(runs, 'nurture-email');
    const [mail] = mailsTo(lead.email);
    const stored = await database.prisma.emailMessage.findUniqueOrThrow({
      where: { runId: run.id },
    });
    expect(stored).toMatchObject({
      leadId: lead.id,
      templateKey: 'nurture',
      locale: 'pt-BR',
      subject: 'Maria, seu guia chegou',
      toAddress: lead.email,
      fromAddress: 'contato@imobiliaria.example',
      messageId: mail!.parsed.messageId,
      attachmentName: 'guia-proximos-passos.pdf',
      attachmentSize: mail!.parsed.attachments[0]!.content.length,
      attachmentFileId: null,
    });
    expect(Buffer.from(stored.attachmentContent!)).toEqual(mail!.parsed.attachments[0]!.content);
    expect(stored.smtpResponse).toMatch(/^250 /);

    const { lead: shown } = await data<{
      lead: { unsubscribedAt: null; emails: Record<string, unknown>[] };
    }>(
      `query ($id: ID!) {
        lead(id: $id) {
          ... on Lead {
            unsubscribedAt
            emails { id subject to templateKey attachmentName attachmentSize run { action deliveryId } }
          }
        }
      }`,
      { id: lead.id },
    );
    expect(shown.unsubscribedAt).toBeNull();
    expect(shown.emails).toEqual([
      {
        id: stored.id,
        subject: 'Maria, seu guia chegou',
        to: lead.email,
        templateKey: 'nurture',
        attachmentName: 'guia-proximos-passos.pdf',
        attachmentSize: stored.attachmentSize,
        run: { action: 'nurture-email', deliveryId: run.deliveryId },
      },
    ]);
    const { emailMessage } = await data<{ emailMessage: { attachmentBase64: string } }>(
      `query ($id: ID!) { emailMessage(id: $id) { attachmentBase64 } }`,
      { id: stored.id },
    );
    expect(Buffer.from(emailMessage.attachmentBase64, 'base64')).toEqual(
      mail!.parsed.attachments[0]!.content,
    );
  });

  it("escapes the lead's own text in the HTML part and keeps it as written in the text part", async () => {
    const interest = '<b>Casa & Cia</b>';
    const lead = await leadWithClass('WARM', { interest });
    await runsOf(lead.id, allFinished(2));
    const [mail] = mailsTo(lead.email);
    expect(mail!.parsed.text).toContain(`sobre ${interest}.`);
    expect(mail!.parsed.html).not.toContain('<b>Casa');
    expect(mail!.parsed.html).toContain('&lt;b&gt;Casa &amp; Cia&lt;&#x2F;b&gt;');
  });

  it('attaches the uploaded PDF instead of the guide, and refuses a file that is not a PDF', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% StreamLeads upload test\n%%EOF\n');
    const upload = (filename: string, content: Buffer) =>
      data<{ uploadNurturePdf: Record<string, unknown> }>(
        `mutation ($input: UploadNurturePdfInput!) {
          uploadNurturePdf(input: $input) {
            __typename
            ... on EmailSettings { nurturePdf { filename size contentType } }
            ... on ValidationError { fieldErrors { path message } }
          }
        }`,
        { input: { filename, contentBase64: content.toString('base64') } },
      );
    expect((await upload('image.png', Buffer.from('\x89PNG fake'))).uploadNurturePdf).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: 'contentBase64', message: 'Not a PDF file' }],
    });
    expect((await upload('Guia do comprador', pdf)).uploadNurturePdf).toEqual({
      __typename: 'EmailSettings',
      nurturePdf: {
        filename: 'Guia do comprador.pdf',
        size: pdf.length,
        contentType: 'application/pdf',
      },
    });
    try {
      const lead = await leadWithClass('WARM');
      const runs = await runsOf(lead.id, allFinished(2));
      const [mail] = mailsTo(lead.email);
      expect(mail!.parsed.attachments.map((file) => [file.filename, file.content])).toEqual([
        ['Guia do comprador.pdf', pdf],
      ]);
      const stored = await database.prisma.emailMessage.findUniqueOrThrow({
        where: { runId: runOf(runs, 'nurture-email').id },
      });
      expect(stored.attachmentContent).toBeNull();
      expect(stored.attachmentFileId).not.toBeNull();
      const { emailMessage } = await data<{
        emailMessage: { attachmentBase64: string; attachmentFile: { filename: string } };
      }>(
        `query ($id: ID!) {
          emailMessage(id: $id) { attachmentBase64 attachmentFile { filename } }
        }`,
        { id: stored.id },
      );
      expect(emailMessage.attachmentFile.filename).toBe('Guia do comprador.pdf');
      expect(Buffer.from(emailMessage.attachmentBase64, 'base64')).toEqual(pdf);
    } finally {
      const removed = await data<{ removeNurturePdf: { nurturePdf: null } }>(
        `mutation { removeNurturePdf { nurturePdf { id } } }`,
      );
      expect(removed.removeNurturePdf.nurturePdf).toBeNull();
    }
    // The email sent with it still points at it, so the file stays.
    expect(await database.prisma.emailFile.count()).toBe(1);
  });
});

describe('SMTP failures', () => {
  beforeAll(() => configure());

  it('ends DEAD at once when the server rejects the message with a 5xx', async () => {
    smtp.script = [{ code: 550, message: 'Mailbox unavailable' }];
    const before = smtp.attempts;
    const lead = await leadWithClass('WARM');
    const runs = await runsOf(lead.id, allFinished(2));
    expect(runOf(runs, 'nurture-email')).toMatchObject({
      state: 'DEAD',
      attempts: 1,
      responseStatus: 550,
    });
    expect(runOf(runs, 'nurture-email').lastError).toMatch(/^SMTP 550: .*Mailbox unavailable/);
    expect(smtp.attempts - before).toBe(1);
    expect(mailsTo(lead.email)).toHaveLength(0);
    expect(await database.prisma.emailMessage.count({ where: { leadId: lead.id } })).toBe(0);
  });

  it('retries after a 4xx and sends once the server accepts, with the same Message-ID', async () => {
    smtp.script = [{ code: 451, message: 'Try again later' }];
    const before = smtp.attempts;
    const lead = await leadWithClass('WARM');
    const runs = await runsOf(lead.id, allFinished(2));
    const run = runOf(runs, 'nurture-email');
    expect(run).toMatchObject({ state: 'SUCCEEDED', attempts: 2, responseStatus: 250 });
    expect(smtp.attempts - before).toBe(2);
    const mails = mailsTo(lead.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.messageId).toBe(`<${run.deliveryId}@imobiliaria.example>`);
  });

  it('retries when the server cannot be reached, then ends DEAD', async () => {
    const down = await startSmtpSink();
    await down.close();
    await configure({ smtpPort: down.port, maxAttempts: 2 });
    try {
      const lead = await leadWithClass('WARM');
      const runs = await runsOf(lead.id, allFinished(2));
      const run = runOf(runs, 'nurture-email');
      expect(run).toMatchObject({ state: 'DEAD', attempts: 2, responseStatus: null });
      expect(run.lastError).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await configure();
    }
  });
});

describe('unsubscribe', () => {
  beforeAll(() => configure());

  it('shows a confirmation page on GET without unsubscribing', async () => {
    const lead = await leadWithClass('WARM');
    await runsOf(lead.id, allFinished(2));
    const response = await app.yoga.fetch(localUnsubscribe(lead.id));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await response.text();
    expect(page).toContain('Confirmar cancelamento');
    expect(page).toContain('<form method="post">');
    const row = await database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(row.unsubscribedAt).toBeNull();
  });

  it('refuses a forged or borrowed token and unsubscribes nobody', async () => {
    const lead = await leadWithClass('WARM');
    await runsOf(lead.id, allFinished(2));
    for (const token of ['forged-token', unsubscribeToken(bystanderId), '']) {
      const response = await app.yoga.fetch(localUnsubscribe(lead.id, token), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Link inválido');
    }
    expect(
      await database.prisma.lead.count({
        where: { id: { in: [lead.id, bystanderId] }, unsubscribedAt: { not: null } },
      }),
    ).toBe(0);
  });

  it('unsubscribes on a one-click POST and skips every later email as "The lead unsubscribed"', async () => {
    const lead = await leadWithClass('WARM');
    await runsOf(lead.id, allFinished(2));
    const [mail] = mailsTo(lead.email);
    // The exact link the email carries, on the local app.
    const link = new URL(header(mail!, 'list-unsubscribe')!.slice(1, -1));
    const post = () =>
      app.yoga.fetch(`http://test${link.pathname}${link.search}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    const response = await post();
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Você não vai mais receber nossos emails');
    const { unsubscribedAt } = await database.prisma.lead.findUniqueOrThrow({
      where: { id: lead.id },
    });
    expect(unsubscribedAt).not.toBeNull();
    expect((await post()).status).toBe(200);
    expect(
      (await database.prisma.lead.findUniqueOrThrow({ where: { id: lead.id } })).unsubscribedAt,
    ).toEqual(unsubscribedAt);

    // The sequence's next step is recorded as SKIPPED and sends nothing.
    const step = await stepJobOf(lead.id, 1);
    expect(await sequenceStepDue(database.prisma, worker, step!.data)).toBe('stopped');
    // A later class change back to WARM sends no nurture email either.
    await setClass(lead.id, 'COLD');
    await statusOf(lead.id, 'COLD');
    await setClass(lead.id, 'WARM');
    const runs = await runsOf(lead.id, allFinished(5));
    const skipped = runs.filter((run) => run.state === 'SKIPPED');
    expect(skipped.map((run) => [run.action, run.skipReason]).sort()).toEqual([
      ['email-sequence', 'The lead unsubscribed'],
      ['nurture-email', 'The lead unsubscribed'],
      ['sequence-email', 'The lead unsubscribed'],
    ]);
    expect(mailsTo(lead.email)).toHaveLength(1);
    const { lead: shown } = await data<{ lead: { unsubscribedAt: string } }>(
      `query ($id: ID!) { lead(id: $id) { ... on Lead { unsubscribedAt } } }`,
      { id: lead.id },
    );
    expect(shown.unsubscribedAt).toBe(unsubscribedAt!.toISOString());
  });
});

describe('the WARM sequence', () => {
  beforeAll(() => configure());

  it('sends each step at its delay as a sequence-email run, once, and ends after the last', async () => {
    const lead = await leadWithClass('WARM');
    const runs = await runsOf(lead.id, allFinished(2));
    const enrolment = runOf(runs, 'email-sequence');
    expect(enrolment.state).toBe('SUCCEEDED');
    const occurredAt = Date.parse((enrolment.payload as { occurredAt: string }).occurredAt);
    const first = await stepJobOf(lead.id, 1);
    expect(first!.data).toEqual({ leadId: lead.id, trigger: enrolment.trigger, step: 1 });
    expect(first!.start_after.getTime()).toBe(occurredAt + 60 * 60_000);

    expect(await sequenceStepDue(database.prisma, worker, first!.data)).toBe('queued');
    expect(await sequenceStepDue(database.prisma, worker, first!.data)).toBe('already recorded');
    const afterFirst = await runsOf(lead.id, allFinished(3));
    const stepRun = runOf(afterFirst, 'sequence-email');
    expect(stepRun).toMatchObject({
      state: 'SUCCEEDED',
      trigger: `${enrolment.trigger}/step-1`,
    });
    const mails = mailsTo(lead.email);
    expect(mails.map((mail) => mail.parsed.subject)).toEqual([
      'Maria, seu guia chegou',
      'Maria, alguma dúvida sobre o guia?',
    ]);
    expect(mails[1]!.parsed.attachments).toHaveLength(0);
    expect(header(mails[1]!, 'list-unsubscribe')).toBe(
      `<${unsubscribeUrl(publicBaseUrl, lead.id)}>`,
    );
    const sent = await database.prisma.emailMessage.findUniqueOrThrow({
      where: { runId: stepRun.id },
    });
    expect(sent.templateKey).toBe('sequence-1');

    const second = await stepJobOf(lead.id, 2);
    expect(second!.start_after.getTime()).toBe(sent.sentAt.getTime() + 120 * 60_000);
    expect(await sequenceStepDue(database.prisma, worker, second!.data)).toBe('queued');
    await runsOf(lead.id, allFinished(4));
    expect(mailsTo(lead.email).map((mail) => mail.parsed.subject)).toEqual([
      'Maria, seu guia chegou',
      'Maria, alguma dúvida sobre o guia?',
      'Como outros clientes decidiram, Maria',
    ]);
    expect(await stepJobOf(lead.id, 3)).toBeUndefined();
  });

  it('stops when the lead becomes HOT', async () => {
    const lead = await leadWithClass('WARM');
    await runsOf(lead.id, allFinished(2));
    const step = await stepJobOf(lead.id, 1);
    await setClass(lead.id, 'HOT');
    await runsOf(lead.id, allFinished(3));
    expect(await sequenceStepDue(database.prisma, worker, step!.data)).toBe('stopped');
    const runs = await runsOf(lead.id, allFinished(4));
    expect(runOf(runs, 'sequence-email')).toMatchObject({
      state: 'SKIPPED',
      skipReason: 'The lead is HOT now, no longer WARM',
      attempts: 0,
    });
    expect((await skipReasonsOf(lead.id, inPortuguese()))['sequence-email']).toBe(
      'O lead agora é HOT, não mais WARM',
    );
    expect(mailsTo(lead.email)).toHaveLength(1);
    expect(await stepJobOf(lead.id, 2)).toBeUndefined();
  });

  it('stops the old sequence of a lead that went HOT and came back WARM', async () => {
    const lead = await leadWithClass('WARM');
    await runsOf(lead.id, allFinished(2));
    const oldStep = await stepJobOf(lead.id, 1);
    await setClass(lead.id, 'HOT');
    await runsOf(lead.id, allFinished(3));
    await setClass(lead.id, 'WARM');
    await runsOf(lead.id, allFinished(5));
    expect(await sequenceStepDue(database.prisma, worker, oldStep!.data)).toBe('stopped');
    const runs = await runsOf(lead.id, allFinished(6));
    const old = runs.find((run) => run.trigger === `${oldStep!.data.trigger}/step-1`)!;
    expect(old).toMatchObject({ state: 'SKIPPED' });
    expect(old.skipReason).toMatch(/class changed again/);
    // The new class change's nurture email went out: two in all.
    expect(mailsTo(lead.email)).toHaveLength(2);
  });

  it('clears what sent emails say about a lead when the lead is erased, and sends no more', async () => {
    const lead = await leadWithClass('WARM');
    await runsOf(lead.id, allFinished(2));
    const step = await stepJobOf(lead.id, 1);
    const othersBefore = await database.prisma.emailMessage.findMany({
      where: { leadId: { not: lead.id } },
      orderBy: { id: 'asc' },
    });
    // What eraseLead does to the lead row; the trigger does the rest.
    await database.prisma.lead.update({
      where: { id: lead.id },
      data: {
        name: 'Erased lead',
        email: `erased-${lead.id}@erased.invalid`,
        erasedAt: new Date(),
      },
    });
    const [erased] = await database.prisma.emailMessage.findMany({ where: { leadId: lead.id } });
    expect(erased).toMatchObject({
      toAddress: '',
      subject: '[erased]',
      attachmentContent: null,
      smtpResponse: null,
      templateKey: 'nurture',
    });
    expect(
      await database.prisma.emailMessage.findMany({
        where: { leadId: { not: lead.id } },
        orderBy: { id: 'asc' },
      }),
    ).toEqual(othersBefore);
    expect(await sequenceStepDue(database.prisma, worker, step!.data)).toBe('stopped');
    const runs = await runsOf(lead.id, allFinished(3));
    expect(runOf(runs, 'sequence-email').skipReason).toBe("The lead's personal data was erased");
    // The same words as the runs an erasure skips (privacy.ts), read in Portuguese too.
    expect(runOf(runs, 'sequence-email').skipReason).toBe(erasedRunSkipReason);
    expect(catalogMessage(erasedRunSkipReason, 'pt-BR')).toBe(
      'Os dados pessoais do lead foram apagados',
    );
  });
});

describe('templates', () => {
  beforeAll(() => configure());

  it("previews the nurture template with a real lead's values, escaped in the HTML", async () => {
    const lead = await database.prisma.lead.create({
      data: {
        name: 'João da Silva',
        email: 'joao.preview@example.com',
        origin: 'SITE',
        interest: '<script>alert(1)</script> & casa',
      },
    });
    const { previewEmailTemplate } = await data<{ previewEmailTemplate: Record<string, string> }>(
      `query ($leadId: ID!) {
        previewEmailTemplate(key: "nurture", leadId: $leadId) {
          ... on EmailPreview { subject html text locale }
        }
      }`,
      { leadId: lead.id },
    );
    expect(previewEmailTemplate.subject).toBe('João, seu guia chegou');
    expect(previewEmailTemplate.locale).toBe('pt-BR');
    expect(previewEmailTemplate.html).not.toContain('<script>');
    expect(previewEmailTemplate.html).toContain(
      '&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; casa',
    );
    expect(previewEmailTemplate.text).toContain('sobre <script>alert(1)</script> & casa.');
    expect(previewEmailTemplate.text).toContain(unsubscribeUrl(publicBaseUrl, lead.id));
    expect(previewEmailTemplate.text).toContain(schedulingLink);
    const english = await data<{ previewEmailTemplate: { subject: string } }>(
      `{ previewEmailTemplate(key: "nurture", locale: "en") { ... on EmailPreview { subject } } }`,
    );
    expect(english.previewEmailTemplate.subject).toBe('Maria, your guide is here');
  });

  it('refuses a template with an unknown variable, an unescaped value or no unsubscribe link', async () => {
    const result = await data<{ updateEmailTemplate: Record<string, unknown> }>(
      `mutation ($input: EmailTemplateInput!) {
        updateEmailTemplate(input: $input) {
          __typename
          ... on ValidationError { fieldErrors { path message } }
        }
      }`,
      {
        input: {
          key: 'nurture',
          locale: 'pt-BR',
          subject: 'Olá {{primeiroNome}}',
          html: '<p>{{{interest}}}</p><a href="{{unsubscribeUrl}}">sair</a>',
          text: 'Olá',
        },
      },
    );
    expect(result.updateEmailTemplate).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        {
          path: 'subject',
          message:
            'Unknown variable {{primeiroNome}}: use firstName, interest, schedulingLink, unsubscribeUrl, senderName',
        },
        {
          path: 'html',
          message:
            'Use {{interest}}: unescaped values ({{{interest}}} or {{& interest}}) are not allowed in the HTML body',
        },
        { path: 'text', message: 'Include the unsubscribe link: {{unsubscribeUrl}}' },
      ],
    });
    expect(await database.prisma.emailTemplate.count()).toBe(0);
  });

  it('words template refusals for a Portuguese reader', async () => {
    const result = await graphql<{ updateEmailTemplate: Record<string, unknown> }>(
      `
        mutation ($input: EmailTemplateInput!) {
          updateEmailTemplate(input: $input) {
            ... on ValidationError {
              fieldErrors {
                path
                message
              }
            }
          }
        }
      `,
      {
        input: {
          key: 'Nurture',
          locale: 'pt-BR',
          subject: '{{nome}}',
          html: '<p>{{firstName}}</p>',
          text: ' ',
        },
      },
      inPortuguese(),
    );
    expect(result.data?.updateEmailTemplate).toEqual({
      fieldErrors: [
        { path: 'key', message: 'Letras minúsculas, dígitos e hífens, ex.: sequence-1' },
        { path: 'text', message: 'Escreva o corpo em texto' },
      ],
    });
    const content = await graphql<{ updateEmailTemplate: Record<string, unknown> }>(
      `
        mutation ($input: EmailTemplateInput!) {
          updateEmailTemplate(input: $input) {
            ... on ValidationError {
              fieldErrors {
                path
                message
              }
            }
          }
        }
      `,
      {
        input: {
          key: 'nurture',
          locale: 'pt-BR',
          subject: '{{nome}}',
          html: '<p>{{firstName}}</p>',
          text: 'Olá',
        },
      },
      inPortuguese(),
    );
    expect(content.data?.updateEmailTemplate).toEqual({
      fieldErrors: [
        {
          path: 'subject',
          message:
            'Variável desconhecida {{nome}}: use firstName, interest, schedulingLink, unsubscribeUrl, senderName',
        },
        { path: 'html', message: 'Inclua o link de descadastro: {{unsubscribeUrl}}' },
        { path: 'text', message: 'Inclua o link de descadastro: {{unsubscribeUrl}}' },
      ],
    });
    expect(await database.prisma.emailTemplate.count()).toBe(0);
  });

  it('sends the next nurture email with the template an admin saved', async () => {
    const saved = await data<{ updateEmailTemplate: Record<string, unknown> }>(
      `mutation ($input: EmailTemplateInput!) {
        updateEmailTemplate(input: $input) {
          __typename
          ... on EmailTemplate { key locale subject customized updatedBy }
        }
      }`,
      {
        input: {
          key: 'nurture',
          locale: 'pt-BR',
          subject: '{{firstName}}: o material sobre {{interest}}',
          html: '<p>Oi {{firstName}}</p><p><a href="{{unsubscribeUrl}}">Sair da lista</a></p>',
          text: 'Oi {{firstName}}\n\nSair da lista: {{unsubscribeUrl}}\n',
        },
      },
    );
    expect(saved.updateEmailTemplate).toEqual({
      __typename: 'EmailTemplate',
      key: 'nurture',
      locale: 'pt-BR',
      subject: '{{firstName}}: o material sobre {{interest}}',
      customized: true,
      updatedBy: app.adminLabel,
    });
    try {
      const lead = await leadWithClass('WARM', { name: 'Ana Lima', interest: 'Casa\nna praia' });
      await runsOf(lead.id, allFinished(2));
      const [mail] = mailsTo(lead.email);
      expect(mail!.parsed.subject).toBe('Ana: o material sobre Casa na praia');
      expect(mail!.parsed.text).toContain('Oi Ana');
      const { emailTemplates } = await data<{
        emailTemplates: { key: string; locale: string; customized: boolean }[];
      }>(`{ emailTemplates { key locale customized } }`);
      expect(emailTemplates).toContainEqual({ key: 'nurture', locale: 'pt-BR', customized: true });
      expect(emailTemplates).toContainEqual({ key: 'nurture', locale: 'en', customized: false });
      expect(emailTemplates).toContainEqual({
        key: 'sequence-3',
        locale: 'pt-BR',
        customized: false,
      });
    } finally {
      await database.prisma.emailTemplate.deleteMany();
    }
  });
});

describe('the email settings API', () => {
  beforeAll(() => configure());

  const settingsFields = `smtpHost smtpPort smtpTls smtpUser smtpPasswordConfigured fromAddress
    fromName locale schedulingLink publicBaseUrl sequence { delayMinutes template } notReadyReason`;

  it('stores the SMTP password encrypted and never returns it', async () => {
    const password = 'a-new-smtp-password-value';
    const text = JSON.stringify(
      await data(
        `mutation ($input: UpdateEmailSettingsInput!) {
          updateEmailSettings(input: $input) { __typename ... on EmailSettings { ${settingsFields} } }
        }`,
        { input: { smtpPassword: password, fromName: 'Imobiliária Nova', smtpPort: 2525 } },
      ),
    );
    const read = await data<{ emailSettings: Record<string, unknown> }>(
      `{ emailSettings { ${settingsFields} } }`,
    );
    expect(read.emailSettings).toMatchObject({
      smtpHost: smtp.host,
      smtpPort: 2525,
      smtpTls: 'NONE',
      smtpUser: smtp.user,
      smtpPasswordConfigured: true,
      fromAddress: 'contato@imobiliaria.example',
      fromName: 'Imobiliária Nova',
      locale: 'pt-BR',
      publicBaseUrl,
      notReadyReason: null,
    });
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(decryptSecret(row.smtpPasswordEncrypted!)).toBe(password);
    const audit = await database.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'settings.email.update' },
      orderBy: { at: 'desc' },
    });
    expect(audit.details).toEqual({
      changed: ['smtpPort', 'smtpPasswordEncrypted', 'emailFromName'],
    });
    for (const output of [text, JSON.stringify(read), JSON.stringify(audit), JSON.stringify(row)]) {
      expect(output).not.toContain(password);
    }
    await configure();
  });

  it('rejects invalid email settings with a message for each field and saves nothing', async () => {
    const result = await data<{ updateEmailSettings: Record<string, unknown> }>(
      `mutation ($input: UpdateEmailSettingsInput!) {
        updateEmailSettings(input: $input) {
          __typename
          ... on ValidationError { fieldErrors { path message } }
        }
      }`,
      {
        input: {
          smtpPort: 70000,
          fromAddress: 'not an address',
          publicBaseUrl: 'ftp://files.example',
          sequence: [{ delayMinutes: 0, template: 'sequence-1' }],
        },
      },
    );
    expect(result.updateEmailSettings).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: 'smtpPort', message: 'From 1 to 65535' },
        { path: 'fromAddress', message: 'An email address such as contato@example.com' },
        { path: 'publicBaseUrl', message: 'Must be an http(s) URL' },
        { path: 'sequence.0.delayMinutes', message: 'At least 1 minute' },
      ],
    });
    const unknownTemplate = await data<{ updateEmailSettings: Record<string, unknown> }>(
      `mutation {
        updateEmailSettings(input: { sequence: [{ delayMinutes: 60, template: "sequence-9" }] }) {
          ... on ValidationError { fieldErrors { path message } }
        }
      }`,
    );
    expect(unknownTemplate.updateEmailSettings).toEqual({
      fieldErrors: [
        {
          path: 'sequence.0.template',
          message: 'No template "sequence-9": save it with updateEmailTemplate first',
        },
      ],
    });
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(row).toMatchObject({ smtpPort: smtp.port, publicBaseUrl });
  });

  it('words refusals and the reason emails are not sent for a Portuguese reader', async () => {
    const result = await graphql<{ updateEmailSettings: Record<string, unknown> }>(
      `
        mutation ($input: UpdateEmailSettingsInput!) {
          updateEmailSettings(input: $input) {
            ... on ValidationError {
              message
              fieldErrors {
                path
                message
              }
            }
          }
        }
      `,
      {
        input: {
          smtpHost: 'smtp example',
          smtpPort: 70000,
          fromAddress: 'not an address',
          publicBaseUrl: 'https://api.example/?x',
          sequence: [{ delayMinutes: 0, template: 'sequence-1' }],
        },
      },
      inPortuguese(),
    );
    expect(result.data?.updateEmailSettings).toEqual({
      message:
        'smtpHost: Um servidor como smtp.example.com; smtpPort: De 1 a 65535; fromAddress: Um e-mail como contato@example.com; publicBaseUrl: Uma URL base, sem ? nem #; sequence.0.delayMinutes: Pelo menos 1 minuto',
      fieldErrors: [
        { path: 'smtpHost', message: 'Um servidor como smtp.example.com' },
        { path: 'smtpPort', message: 'De 1 a 65535' },
        { path: 'fromAddress', message: 'Um e-mail como contato@example.com' },
        { path: 'publicBaseUrl', message: 'Uma URL base, sem ? nem #' },
        { path: 'sequence.0.delayMinutes', message: 'Pelo menos 1 minuto' },
      ],
    });
    const unknownTemplate = await graphql<{ updateEmailSettings: Record<string, unknown> }>(
      `
        mutation {
          updateEmailSettings(input: { sequence: [{ delayMinutes: 60, template: "sequence-9" }] }) {
            ... on ValidationError {
              fieldErrors {
                path
                message
              }
            }
          }
        }
      `,
      {},
      inPortuguese(),
    );
    expect(unknownTemplate.data?.updateEmailSettings).toEqual({
      fieldErrors: [
        {
          path: 'sequence.0.template',
          message: 'Não existe o modelo "sequence-9": salve-o antes com updateEmailTemplate',
        },
      ],
    });
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(row).toMatchObject({ smtpPort: smtp.port, publicBaseUrl });

    await configure({ publicBaseUrl: null });
    try {
      const read = (headers: Record<string, string>) =>
        graphql<{ emailSettings: { notReadyReason: string | null } }>(
          '{ emailSettings { notReadyReason } }',
          {},
          headers,
        );
      expect((await read(inPortuguese())).data?.emailSettings.notReadyReason).toBe(
        'URL pública da API (para os links de descadastro) não configurada',
      );
      expect((await read(app.adminHeaders)).data?.emailSettings.notReadyReason).toBe(
        'Public base URL (for unsubscribe links) not configured',
      );
    } finally {
      await configure();
    }

    const test = await graphql<{ testEmailConnection: Record<string, unknown> }>(
      'mutation { testEmailConnection(sendTestTo: "não é um e-mail") { ok error } }',
      {},
      inPortuguese(),
    );
    expect(test.data?.testEmailConnection).toEqual({
      ok: false,
      error: 'O endereço do e-mail de teste não é um e-mail válido',
    });
    expect(mailsTo('não é um e-mail')).toHaveLength(0);
  });

  it('checks the SMTP login and sends a test email with the PDF, recording nothing', async () => {
    const test = (variables: Record<string, unknown> = {}) =>
      data<{ testEmailConnection: Record<string, unknown> }>(
        `mutation ($to: String) {
          testEmailConnection(sendTestTo: $to) { ok error testEmailSent response }
        }`,
        variables,
      );
    expect((await test()).testEmailConnection).toEqual({
      ok: true,
      error: null,
      testEmailSent: false,
      response: null,
    });
    const runsBefore = await database.prisma.automationRun.count();
    const sent = await test({ to: 'admin@imobiliaria.example' });
    expect(sent.testEmailConnection).toMatchObject({ ok: true, testEmailSent: true });
    const [mail] = mailsTo('admin@imobiliaria.example');
    expect(mail!.parsed.subject).toBe('[Teste] Maria, seu guia chegou');
    expect(mail!.parsed.attachments[0]!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await database.prisma.automationRun.count()).toBe(runsBefore);

    await configure({ smtpPasswordEncrypted: encryptSecret('wrong-password') });
    try {
      const refused = await test();
      expect(refused.testEmailConnection).toMatchObject({ ok: false, testEmailSent: false });
      expect(refused.testEmailConnection.error).toMatch(/535|Invalid/);
    } finally {
      await configure();
    }
  });

  it('refuses to log in over STARTTLS mode when the server does not offer STARTTLS', async () => {
    await configure({ smtpTls: 'STARTTLS' });
    try {
      const { testEmailConnection } = await data<{ testEmailConnection: { ok: boolean } }>(
        `mutation { testEmailConnection { ok error } }`,
      );
      expect(testEmailConnection.ok).toBe(false);
    } finally {
      await configure();
    }
  });

  it('reports unconfigured SMTP from the connection test', async () => {
    await configure({ smtpHost: null });
    try {
      const { testEmailConnection } = await data<{ testEmailConnection: unknown }>(
        `mutation { testEmailConnection { ok error } }`,
      );
      expect(testEmailConnection).toEqual({ ok: false, error: 'SMTP not configured' });
      const portuguese = await graphql<{ testEmailConnection: unknown }>(
        `
          mutation {
            testEmailConnection {
              ok
              error
            }
          }
        `,
        {},
        inPortuguese(),
      );
      expect(portuguese.data?.testEmailConnection).toEqual({
        ok: false,
        error: 'SMTP não configurado',
      });
    } finally {
      await configure();
    }
  });

  it('forbids email settings, templates, uploads and connection tests to a key without admin', async () => {
    const { key } = await createApiKey(database.prisma, {
      name: 'sales tool',
      scopes: ['leads:read', 'leads:write'],
    });
    const headers = { authorization: `Bearer ${key}` };
    const operations = [
      '{ emailSettings { smtpHost } }',
      '{ emailTemplates { key } }',
      '{ previewEmailTemplate(key: "nurture") { __typename } }',
      'mutation { updateEmailSettings(input: { smtpHost: "evil.example" }) { __typename } }',
      'mutation { updateEmailTemplate(input: { key: "nurture", locale: "pt-BR", subject: "x", html: "{{unsubscribeUrl}}", text: "{{unsubscribeUrl}}" }) { __typename } }',
      'mutation { uploadNurturePdf(input: { filename: "x.pdf", contentBase64: "JVBERi0=" }) { __typename } }',
      'mutation { removeNurturePdf { __typename } }',
      'mutation { testEmailConnection(sendTestTo: "someone@example.com") { ok } }',
    ];
    for (const query of operations) {
      const result = await graphql(query, {}, headers);
      expect(result.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const row = await database.prisma.automationSettings.findUniqueOrThrow({
      where: { id: settingsId },
    });
    expect(row.smtpHost).toBe(smtp.host);
    expect(mailsTo('someone@example.com')).toHaveLength(0);
    // Reading what was sent follows the lead: leads:read is enough.
    const message = await database.prisma.emailMessage.findFirstOrThrow();
    const read = await graphql<{ emailMessage: { templateKey: string } }>(
      `
        query ($id: ID!) {
          emailMessage(id: $id) {
            templateKey
          }
        }
      `,
      { id: message.id },
      headers,
    );
    expect(read.data?.emailMessage.templateKey).toBe(message.templateKey);
  });
});

describe('the bystander', () => {
  it('keeps a lead that never changed class free of runs and emails, and subscribed', async () => {
    const lead = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystanderId } });
    expect(lead).toMatchObject({ status: 'PROCESSING', unsubscribedAt: null });
    expect(await database.prisma.automationRun.count({ where: { leadId: bystanderId } })).toBe(0);
    expect(await database.prisma.emailMessage.count({ where: { leadId: bystanderId } })).toBe(0);
    expect(mailsTo('bystander@example.com')).toHaveLength(0);
  });
});
