import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../server/test/smtp-sink';
import { asSession, searchLeads } from './access-api';
import { adminApi, createUser, readLead, signInToApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

// Letters only: names must be names. Every lead of this file carries it.
const tag = `Zp${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();

let browser: Browser;
let page: Page;
const contexts: BrowserContext[] = [];

interface ConsentingLead {
  name: string;
  email: string;
  phone?: string;
  city?: string;
  consent?: { textVersion: string; source: string };
}

/** Creates a lead as a site form does, with the consent its visitor gave. */
async function createConsentingLead(
  input: ConsentingLead,
): Promise<{ id: string; status: string }> {
  const answer = await asSession<{
    createLead: { lead?: { id: string; status: string }; message?: string };
  }>(
    api,
    `mutation E2eCreateConsentingLead($input: CreateLeadInput!) {
      createLead(input: $input, awaitScoring: true) {
        __typename
        ... on CreateLeadPayload { lead { id status } }
        ... on Error { message }
      }
    }`,
    { input: { origin: 'SITE', ...input } },
  );
  const lead = answer.data?.createLead.lead;
  if (!lead) throw new Error(`createLead failed: ${JSON.stringify(answer)}`);
  return lead;
}

/** A first page load (hydration, then the session, then the page's data) on a busy machine. */
const LOADING = { timeout: 10_000 };

const path = (target: Page) => {
  const url = new URL(target.url());
  return `${url.pathname}${url.search}`;
};

beforeAll(async () => {
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  contexts.push(context);
  page = await context.newPage();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe('Lead privacy', () => {
  const person = {
    name: `Renata ${tag}`,
    email: `renata.${lower}@example.com`,
    phone: '11 94444-0000',
    consent: { textVersion: 'privacy-2026-03', source: 'landing-page-apartamentos' },
  };
  let lead: { id: string };
  let untouched: { id: string };

  beforeAll(async () => {
    lead = await createConsentingLead(person);
    untouched = await createConsentingLead({
      name: `Sílvio ${tag}`,
      email: `silvio.${lower}@example.com`,
    });
  });

  test('shows the consent the lead gave with its submission', async () => {
    await page.goto(`${dashboardUrl}/leads/${lead.id}`);
    const consents = page.locator('[data-consents]');
    await expect.poll(() => consents.count(), LOADING).toBe(1);
    expect(await consents.textContent()).toContain('Origem: landing-page-apartamentos');
    expect(await consents.textContent()).toContain('Versão do texto: privacy-2026-03');
    expect(await page.locator('[data-lead-emails]').textContent()).toContain(
      'Nenhum e-mail foi enviado a este lead.',
    );
  });

  test('exports everything held about the lead as a JSON file', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Exportar dados (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^lead-${lead.id}-\\d{4}-\\d{2}-\\d{2}\\.json$`),
    );
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      lead: { email: string; name: string };
      consents: { textVersion: string }[];
    };
    expect(exported.lead).toMatchObject({ email: person.email, name: person.name });
    expect(exported.consents.map((consent) => consent.textVersion)).toEqual(['privacy-2026-03']);
    await expect
      .poll(() => page.locator('[data-lead-privacy]').textContent())
      .toContain('Exportação baixada.');
  });

  test('erases the personal data only once the email is typed, then shows the erased lead', async () => {
    await page.getByRole('button', { name: 'Apagar dados pessoais' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apagar os dados pessoais deste lead?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const confirm = dialog.getByRole('button', { name: 'Apagar definitivamente' });
    expect(await confirm.isDisabled()).toBe(true);
    const typed = dialog.getByLabel('Para confirmar, digite o e-mail do lead');
    await typed.fill(`renata.${lower}@example.co`);
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill(person.email.toUpperCase());
    expect(await confirm.isDisabled()).toBe(false);
    await confirm.click();

    await expect.poll(() => page.locator('[data-lead-erased]').count()).toBe(1);
    expect(await dialog.isVisible()).toBe(false);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Erased lead');
    const details = page.locator('[data-contact-details]');
    expect(await details.textContent()).toContain(`erased-${lead.id}@erased.invalid`);
    expect(await details.textContent()).not.toContain('94444');
    expect(await page.locator('[data-lead-form]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Apagar dados pessoais' }).count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(person.email);
    await page.screenshot({ path: `${ARTIFACTS_DIR}lead-erased.png`, fullPage: true });

    expect((await readLead(api, lead.id)).name).toBe('Erased lead');
    expect((await readLead(api, untouched.id)).name).toBe(`Sílvio ${tag}`);
  });

  test('no longer lists the email in the leads list', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}`);
    await expect
      .poll(() => page.locator('tbody th').allTextContents(), LOADING)
      .toEqual([`Sílvio ${tag}`]);
    expect(await page.locator('table').textContent()).not.toContain(person.email);

    await page.goto(`${dashboardUrl}/leads?q=${encodeURIComponent(person.email)}`);
    await expect.poll(() => page.locator('.empty-state').count(), LOADING).toBe(1);
    expect(await searchLeads(api, person.email)).toEqual([]);
  });

  test('records the export and the erasure in the audit log', async () => {
    for (const [action, label] of [
      ['lead.export', 'Dados de um lead exportados'],
      ['lead.erase', 'Dados pessoais de um lead apagados'],
    ] as const) {
      await page.goto(`${dashboardUrl}/settings/audit?action=${action}`);
      const row = page.locator('[data-audit-events] tbody tr').first();
      await expect.poll(() => row.locator('th').textContent(), LOADING).toBe(label);
      expect(await row.locator(`a[href="/leads/${lead.id}"]`).count()).toBe(1);
    }
  });

  test('shows a sales user the consents but no export or erasure', async () => {
    const seller = {
      name: `Tales ${tag}`,
      email: `tales.${lower}@example.com`,
      password: `senha-do-tales-${lower}`,
      role: 'SALES' as const,
    };
    await createUser(api, seller);
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'pt-BR',
      storageState: signedIn({
        url: api.url,
        sessionToken: await signInToApi(api.url, seller.email, seller.password),
      }),
    });
    contexts.push(context);
    const sales = await context.newPage();
    await sales.goto(`${dashboardUrl}/leads/${untouched.id}`);
    await expect.poll(() => sales.locator('[data-lead-privacy]').count(), LOADING).toBe(1);
    expect(await sales.locator('[data-lead-privacy]').textContent()).toContain('Consentimentos');
    expect(await sales.getByRole('button', { name: 'Exportar dados (JSON)' }).count()).toBe(0);
    expect(await sales.getByRole('button', { name: 'Apagar dados pessoais' }).count()).toBe(0);
  });
});

describe('Lead emails', () => {
  let sink: SmtpSink;
  let before: Record<string, unknown>;
  let lead: { id: string; status: string };

  const settingsFields = 'smtpHost smtpPort smtpTls smtpUser fromAddress fromName publicBaseUrl';

  async function updateEmailSettings(input: Record<string, unknown>): Promise<void> {
    const answer = await asSession<{ updateEmailSettings: { __typename: string } }>(
      api,
      `mutation E2eEmailSettings($input: UpdateEmailSettingsInput!) {
        updateEmailSettings(input: $input) { __typename ... on Error { message } }
      }`,
      { input },
    );
    if (answer.data?.updateEmailSettings.__typename !== 'EmailSettings') {
      throw new Error(`updateEmailSettings failed: ${JSON.stringify(answer)}`);
    }
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    const current = await asSession<{ emailSettings: Record<string, unknown> }>(
      api,
      `{ emailSettings { ${settingsFields} } }`,
    );
    before = current.data?.emailSettings ?? {};
    await updateEmailSettings({
      smtpHost: sink.host,
      smtpPort: sink.port,
      smtpTls: 'NONE',
      smtpUser: sink.user,
      smtpPassword: sink.password,
      fromAddress: `contato.${lower}@example.com`,
      fromName: 'StreamLeads e2e',
      // The unsubscribe link points at the API itself.
      publicBaseUrl: new URL(api.url).origin,
    });
    // Phone and a served city, no interest or income: WARM with the default rules, which
    // sends the nurture email with its PDF guide.
    lead = await createConsentingLead({
      name: `Úrsula ${tag}`,
      email: `ursula.${lower}@example.com`,
      phone: '11 93333-0000',
      city: 'São Paulo',
    });
  });

  afterAll(async () => {
    await updateEmailSettings({ ...before, smtpPassword: null }).catch(() => undefined);
    await sink?.close();
  });

  test('lists the nurture email and downloads its attachment', async () => {
    expect(lead.status).toBe('WARM');
    await page.goto(`${dashboardUrl}/leads/${lead.id}`);
    const email = page.locator('[data-lead-emails] [data-email="nurture"]');
    await expect.poll(() => email.count(), { timeout: 20_000 }).toBe(1);
    expect(await email.textContent()).toContain('Nutrição');
    expect(await email.textContent()).toContain(`Para: ursula.${lower}@example.com`);
    expect(await page.locator('[data-run-email]').textContent()).toContain('E-mail enviado');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      email.locator('[data-email-attachment]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const pdf = await readFile(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sink.messages.map((message) => message.to)).toContainEqual([
      `ursula.${lower}@example.com`,
    ]);
  });

  test('shows that the lead unsubscribed with the link in the email', async () => {
    const message = sink.messages.find((sent) => sent.to.includes(`ursula.${lower}@example.com`));
    const link = /https?:\/\/\S+\/unsubscribe\?[^\s"<>]+/.exec(message?.parsed.text ?? '')?.[0];
    expect(link).toBeDefined();

    const context = await browser.newContext({ locale: 'pt-BR' });
    contexts.push(context);
    const inbox = await context.newPage();
    await inbox.goto(link ?? '');
    await inbox.getByRole('button', { name: 'Confirmar cancelamento' }).click();

    await expect
      .poll(() => page.locator('[data-unsubscribed]').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await page.locator('[data-unsubscribed]').textContent()).toContain('Descadastrado em');
    await page.screenshot({ path: `${ARTIFACTS_DIR}lead-emails.png`, fullPage: true });
    expect(path(page)).toBe(`/leads/${lead.id}`);
  });
});
