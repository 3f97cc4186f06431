import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createUser, signInToApi } from './api';
import { launchChromium, signedIn } from './browser';

const api = adminApi();
const apiUrl = inject('apiUrl');
const dashboardUrl = inject('dashboardUrl');

const tag = `Zg${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const manager = {
  email: `gerente.${tag.toLowerCase()}@example.com`,
  name: `Gil ${tag}`,
  password: `senha-de-gerente-${tag}`,
  role: 'MANAGER' as const,
};

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  await createUser(api, manager);
  const sessionToken = await signInToApi(apiUrl, manager.email, manager.password);
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en',
    storageState: signedIn({ url: apiUrl, sessionToken }),
  });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const sectionLinks = () =>
  page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link').allTextContents();

describe('Settings for a manager', () => {
  test('shows Settings with the scoring rules as its only section', async () => {
    await page.goto(`${dashboardUrl}/`);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await expect
      .poll(() => nav.getByRole('link').allTextContents())
      .toEqual(['Overview', 'Leads', 'Settings']);
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(sectionLinks).toEqual(['Scoring']);
    expect(await page.locator('main .sections li').allTextContents()).toHaveLength(1);
  });

  test('keeps the automations and email settings to admins', async () => {
    for (const path of ['/settings/automations', '/settings/email']) {
      await page.goto(`${dashboardUrl}${path}`);
      const forbidden = page.locator('[data-settings-forbidden]');
      await expect
        .poll(() => forbidden.textContent())
        .toBe('Only admins can see and change this section.');
      expect(await page.locator('[data-automation-form], [data-email-form]').count()).toBe(0);
      expect(await sectionLinks()).toEqual(['Scoring']);
    }
  });

  test('lets a manager edit the scoring rules and preview them', async () => {
    await page.goto(`${dashboardUrl}/settings/scoring`);
    const points = page.locator('[data-rule="served-region"]').getByLabel('Points');
    await expect.poll(() => points.inputValue()).toBe('5');
    const score = page.locator('[data-preview-score]');
    await expect.poll(() => score.textContent(), { timeout: 10_000 }).toMatch(/^\d+$/);
    const before = Number(await score.textContent());
    await points.fill('6');
    await expect.poll(() => score.textContent()).toBe(String(before + 1));
    expect(await page.getByRole('button', { name: 'Save version' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Rescore all leads' }).count()).toBe(1);
  });
});
