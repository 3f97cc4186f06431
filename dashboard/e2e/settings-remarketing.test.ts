import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asSession } from './access-api';
import { adminApi, createUser, signInToApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

// Letters only: names must be names. Every lead of this file carries it.
const tag = `Zr${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();

/** A first page load (hydration, then the session, then the page's data) on a busy machine. */
const LOADING = { timeout: 10_000 };

const HASH_ROW = /^[0-9a-f]{64},([0-9a-f]{64})?$/;

let browser: Browser;
let page: Page;
const contexts: BrowserContext[] = [];

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A lead as a site form creates it, with the marketing consent its visitor gave. Name, email,
 * phone and origin only: 10 points with the default rules, COLD, whose plan runs remarketing-list.
 */
async function createColdLead(name: string, email: string, phone: string): Promise<string> {
  const answer = await asSession<{
    createLead: { lead?: { id: string; status: string }; message?: string };
  }>(
    api,
    `mutation E2eCreateColdLead($input: CreateLeadInput!) {
      createLead(input: $input, awaitScoring: true) {
        __typename
        ... on CreateLeadPayload { lead { id status } }
        ... on Error { message }
      }
    }`,
    {
      input: {
        origin: 'SITE',
        name,
        email,
        phone,
        consent: { textVersion: 'privacy-2026-03', source: 'landing-page-remarketing' },
      },
    },
  );
  const lead = answer.data?.createLead.lead;
  if (lead?.status !== 'COLD') throw new Error(`createLead: ${JSON.stringify(answer)}`);
  return lead.id;
}

/** The audience as the API reports it: its count and the lead ids of its members. */
async function audience(): Promise<{ memberCount: number; leadIds: string[] }> {
  const answer = await asSession<{
    remarketingAudience: {
      memberCount: number;
      members: { edges: { node: { lead: { id: string } } }[] };
    };
  }>(
    api,
    `{ remarketingAudience { memberCount members(first: 200) { edges { node { lead { id } } } } } }`,
  );
  const found = answer.data?.remarketingAudience;
  if (!found) throw new Error(`remarketingAudience: ${JSON.stringify(answer)}`);
  return {
    memberCount: found.memberCount,
    leadIds: found.members.edges.map((edge) => edge.node.lead.id),
  };
}

const memberCount = (target: Page) => target.locator('[data-member-count]').textContent();

beforeAll(async () => {
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
    acceptDownloads: true,
  });
  contexts.push(context);
  page = await context.newPage();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe('Remarketing audience', () => {
  const person = {
    name: `Marta ${tag}`,
    email: `marta.${lower}@example.com`,
    phone: '11 95555-0000',
  };
  let leadId: string;
  let untouchedId: string;
  let countBefore: number;

  beforeAll(async () => {
    leadId = await createColdLead(person.name, person.email, person.phone);
    untouchedId = await createColdLead(
      `Otávio ${tag}`,
      `otavio.${lower}@example.com`,
      '21 96666-0000',
    );
  });

  test('adds COLD leads with consent once their remarketing-list run succeeds', async () => {
    // The worker runs COLD's plan after scoring; remarketing-list is what adds them.
    await expect
      .poll(async () => (await audience()).leadIds, { timeout: 20_000 })
      .toEqual(expect.arrayContaining([leadId, untouchedId]));
  });

  test('lists the lead with the audience’s member count and a link to its page', async () => {
    const expected = await audience();
    await page.goto(`${dashboardUrl}/settings/remarketing`);
    await expect.poll(() => memberCount(page), LOADING).toBe(String(expected.memberCount));
    countBefore = expected.memberCount;
    const row = page.locator(`[data-member="${leadId}"]`);
    expect(await row.getByRole('link', { name: person.name }).getAttribute('href')).toBe(
      `/leads/${leadId}`,
    );
    expect(await row.textContent()).toContain(person.email);
    expect(await page.locator('[data-remarketing-audience] h2').textContent()).toContain(
      'cold-leads',
    );
    expect(await page.locator('[data-remarketing-audience]').textContent()).toContain(
      'hashes SHA-256 do e-mail e do telefone normalizados',
    );
    const nav = page.getByRole('navigation', { name: 'Seções das configurações' });
    expect(await nav.getByRole('link', { name: 'Remarketing' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-remarketing.png`, fullPage: true });
  });

  test('downloads the audience as hashed email and phone, one row per member', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Exportar para Google Ads / Meta' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^remarketing-cold-leads-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await readFile(await download.path(), 'utf8')).split('\r\n');
    expect(lines.at(-1)).toBe('');
    const [header, ...rows] = lines.slice(0, -1);
    expect(header).toBe('Email,Phone');
    expect(rows).toHaveLength(countBefore);
    for (const row of rows) expect(row).toMatch(HASH_ROW);
    expect(rows).toContain(`${sha256(person.email)},${sha256('+5511955550000')}`);
    expect(rows.join('\n')).not.toContain('example.com');
    await expect
      .poll(() => page.locator('[data-export-message]').textContent())
      .toContain('Arquivo baixado: remarketing-cold-leads-');
  });

  test('records a consent withdrawal on the lead page after confirming', async () => {
    await page.goto(`${dashboardUrl}/leads/${leadId}`);
    const privacy = page.locator('[data-lead-privacy]');
    const withdraw = privacy.getByRole('button', { name: 'Registrar retirada do consentimento' });
    await expect.poll(() => withdraw.count(), LOADING).toBe(1);
    expect(await privacy.locator('[data-consents]').textContent()).toContain('Vigente');

    await withdraw.click();
    const dialog = page.getByRole('dialog', {
      name: 'Registrar que o titular retirou o consentimento?',
    });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await audience()).leadIds).toContain(leadId);

    await withdraw.click();
    await dialog.getByRole('button', { name: 'Registrar retirada' }).click();
    await expect
      .poll(() => privacy.locator('[data-privacy-message]').textContent())
      .toContain('o lead saiu do remarketing');
    expect(await dialog.isVisible()).toBe(false);
    // The page reads the lead again on leadUpdated: the consent now says when it was withdrawn.
    await expect
      .poll(() => privacy.locator('[data-consent-withdrawn]').textContent())
      .toContain('Retirado em');
    expect(await withdraw.count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS_DIR}lead-consent-withdrawn.png`, fullPage: true });

    const after = await audience();
    expect(after.leadIds).not.toContain(leadId);
    expect(after.leadIds).toContain(untouchedId);
  });

  test('shows the lower count and no longer lists the lead', async () => {
    await page.goto(`${dashboardUrl}/settings/remarketing`);
    await expect.poll(() => memberCount(page), LOADING).toBe(String(countBefore - 1));
    expect(await page.locator(`[data-member="${leadId}"]`).count()).toBe(0);
    expect(await page.locator(`[data-member="${untouchedId}"]`).count()).toBe(1);
  });

  test('shows a sales user neither the page nor the withdrawal', async () => {
    const seller = {
      name: `Tânia ${tag}`,
      email: `tania.${lower}@example.com`,
      password: `senha-da-tania-${lower}`,
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
    await sales.goto(`${dashboardUrl}/settings/remarketing`);
    await expect.poll(() => sales.locator('[data-settings-forbidden]').count(), LOADING).toBe(1);
    expect(await sales.locator('[data-remarketing-audience]').count()).toBe(0);
    expect(await sales.getByRole('link', { name: 'Remarketing' }).count()).toBe(0);

    await sales.goto(`${dashboardUrl}/leads/${untouchedId}`);
    await expect.poll(() => sales.locator('[data-consents]').count(), LOADING).toBe(1);
    expect(
      await sales.getByRole('button', { name: 'Registrar retirada do consentimento' }).count(),
    ).toBe(0);
  });

  test('fits a 390 px phone without scrolling the page sideways', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/settings/remarketing`);
      await expect
        .poll(() => phone.locator(`[data-member="${untouchedId}"]`).count(), LOADING)
        .toBe(1);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({
        path: `${ARTIFACTS_DIR}settings-remarketing-390px.png`,
        fullPage: true,
      });
    } finally {
      await phone.close();
    }
  });
});
