import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, automationSettings, createLead, readLead, type CreatedLead } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

const tag = `Zd${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;

let browser: Browser;
let page: Page;
let lead: CreatedLead;
let untouched: CreatedLead;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  lead = await createLead(
    api,
    {
      name: `Helena ${tag}`,
      email: `helena.${tag.toLowerCase()}@example.com`,
      origin: 'GOOGLE_ADS',
      city: 'São Paulo',
      phone: '11 99999-0000',
      approximateIncome: '15000',
      interest: 'Apartamento de 3 quartos',
    },
    true,
  );
  untouched = await createLead(
    api,
    { name: `Igor ${tag}`, email: `igor.${tag.toLowerCase()}@example.com`, origin: 'SITE' },
    true,
  );
});

afterAll(async () => {
  await browser?.close();
});

const phoneField = () => page.getByLabel('Telefone', { exact: true });

describe('Lead detail', () => {
  test('opens from the Leads table and shows the score explanation', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}`);
    await page.getByRole('link', { name: `Helena ${tag}` }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/leads/${lead.id}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Helena ${tag}`);
    await expect
      .poll(() => page.locator('[data-score-rule]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('[data-score-rule] .bar').count()).toBe(
      await page.locator('[data-score-rule]').count(),
    );
    expect(await page.locator('[data-score-explanation]').textContent()).toContain(
      'Pontuado com as regras versão',
    );
    expect(await page.locator('[data-submissions]').textContent()).toContain('Criou o lead');
  });

  test('shows a refused phone beside its field and saves nothing', async () => {
    await phoneField().fill('123');
    await page.getByRole('button', { name: 'Salvar alterações' }).click();
    const error = page.locator('[data-field-error="phone"]');
    await expect.poll(() => error.count()).toBe(1);
    // In Portuguese, as the dashboard is: it sends its language as Accept-Language.
    expect(await error.textContent()).toMatch(/telefone válido/i);
    expect(await phoneField().getAttribute('aria-invalid')).toBe('true');
    expect(await phoneField().getAttribute('aria-describedby')).toBe(
      await error.getAttribute('id'),
    );
    expect((await readLead(api, lead.id)).phone).toBe('+5511999990000');
  });

  test('saves a corrected phone and clears the error', async () => {
    await phoneField().fill('(11) 98888-7777');
    await page.getByRole('button', { name: 'Salvar alterações' }).click();
    await expect
      .poll(() => page.locator('[data-form-message]').textContent())
      .toContain('Alterações salvas');
    expect(await page.locator('[data-field-error]').count()).toBe(0);
    expect(await phoneField().getAttribute('aria-invalid')).toBeNull();
    expect((await readLead(api, lead.id)).phone).toBe('+5511988887777');
    expect((await readLead(api, untouched.id)).phone).toBeNull();
    await page.screenshot({ path: `${ARTIFACTS_DIR}lead-detail.png`, fullPage: true });
  });

  test('retries a dead automation run', async () => {
    const before = await automationSettings(api);
    // Nothing listens on port 9: the Slack notification fails and, with one attempt, dies.
    await automationSettings(api, {
      slackWebhookUrl: 'http://127.0.0.1:9/hook',
      maxAttempts: 1,
    });
    try {
      const hot = await createLead(
        api,
        {
          name: `Joana ${tag}`,
          email: `joana.${tag.toLowerCase()}@example.com`,
          origin: 'GOOGLE_ADS',
          city: 'São Paulo',
          phone: '11 97777-0000',
          approximateIncome: '15000',
          interest: 'Apartamento',
        },
        true,
      );
      await page.goto(`${dashboardUrl}/leads/${hot.id}`);
      // The page follows leadUpdated: the run shows as DEAD without a reload. (When a sales rep
      // exists, which other test files create, the owner's Slack notice dies beside it.)
      const dead = page.locator('[data-run-state="DEAD"][data-run-action="notify-slack"]');
      await expect.poll(() => dead.count(), { timeout: 20_000 }).toBe(1);
      expect(await dead.textContent()).toContain('Avisar no Slack');
      expect(await dead.textContent()).toContain('Último erro');
      await page.getByRole('button', { name: 'Tentar de novo: Avisar no Slack' }).click();
      await expect
        .poll(() => page.locator('[data-automation-runs]').textContent())
        .toContain('Reenfileirada.');
    } finally {
      await automationSettings(api, {
        slackWebhookUrl: before.slackConfigured ? undefined : null,
        maxAttempts: before.maxAttempts,
      });
    }
  });

  test('says so when the lead does not exist', async () => {
    await page.goto(`${dashboardUrl}/leads/00000000-0000-4000-8000-000000000000`);
    await expect.poll(() => page.locator('[data-lead-not-found]').count()).toBe(1);
  });

  test('fits a 390 px phone without scrolling the page sideways', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'en',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/leads/${lead.id}`);
      await expect.poll(() => phone.locator('[data-score-rule]').count()).toBeGreaterThan(0);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({ path: `${ARTIFACTS_DIR}lead-detail-390px.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
