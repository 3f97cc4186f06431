import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createLead } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
});

afterAll(async () => {
  await browser?.close();
});

function kpiValue(key: string) {
  return page.locator(`[data-kpi="${key}"] .value`);
}

describe('Overview', () => {
  test('counts leads created through the API live, without a reload', async () => {
    await page.goto(`${dashboardUrl}/?range=7d`);
    await expect.poll(() => kpiValue('total').textContent()).toMatch(/^\d+$/);
    const before = Number(await kpiValue('total').textContent());
    const byOrigin = page.locator('[data-chart="by-origin"] svg');
    const whatsAppCount = async () =>
      Number(/WhatsApp: (\d+)/.exec((await byOrigin.getAttribute('aria-label')) ?? '')?.[1]);
    const whatsAppBefore = await whatsAppCount();

    await createLead(api, {
      name: 'Ana Overview',
      email: `ana.overview.${Date.now()}@example.com`,
      origin: 'GOOGLE_ADS',
      city: 'São Paulo',
      phone: '11999990001',
      approximateIncome: '25000',
      interest: 'Apartamento de 3 quartos',
    });
    await createLead(api, {
      name: 'Bruno Overview',
      email: `bruno.overview.${Date.now()}@example.com`,
      origin: 'WHATSAPP',
    });

    await expect
      .poll(() => kpiValue('total').textContent(), { timeout: 10_000 })
      .toBe(String(before + 2));
    await expect.poll(whatsAppCount, { timeout: 10_000 }).toBe(whatsAppBefore + 1);
    await expect
      .poll(() => page.locator('[data-chart="histogram"] svg').count(), { timeout: 10_000 })
      .toBe(1);
    await page.screenshot({ path: `${ARTIFACTS_DIR}overview.png`, fullPage: true });
  });

  test('keeps the range in the URL', async () => {
    await page.goto(`${dashboardUrl}/?range=today`);
    await expect.poll(() => page.locator('nav [aria-current="true"]').textContent()).toBe('Hoje');
    // Today is drawn per hour, longer ranges per day: the chart's summary names hours or not.
    const overTime = page.locator('[data-chart="over-time"] svg');
    await expect.poll(() => overTime.getAttribute('aria-label')).toMatch(/\d\d:\d\d/);
    await page.getByRole('link', { name: '90 dias' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('90d');
    await expect.poll(() => overTime.getAttribute('aria-label')).not.toMatch(/\d\d:\d\d/);
    await expect.poll(() => kpiValue('total').textContent()).toMatch(/^[1-9]\d*$/);
  });

  test('switches language without a reload', async () => {
    await page.goto(`${dashboardUrl}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Visão geral');
    await page.getByLabel('Idioma').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Overview');
    await expect
      .poll(() => page.locator('[data-kpi="average"] .label').textContent())
      .toBe('Average score');
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Overview');
    await page.getByLabel('Language').selectOption('pt-BR');
  });
});
