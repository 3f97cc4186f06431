import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createLead, type NewLead } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

// Letters only: names must be names. Every lead of this file carries it, so searches for it
// see nothing the other test files created.
const tag = `Zq${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;

function lead(first: string, origin: NewLead['origin'], extra: Partial<NewLead> = {}): NewLead {
  return {
    name: `${first} ${tag}`,
    email: `${first
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase()}.${tag.toLowerCase()}@example.com`,
    origin,
    ...extra,
  };
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  await createLead(api, lead('Carla', 'SITE', { city: 'Campinas' }), true);
  await createLead(api, lead('Davi', 'WHATSAPP', { city: 'Santos; SP' }), true);
  await createLead(api, lead('Elisa', 'WHATSAPP', { city: 'São Paulo' }), true);
});

afterAll(async () => {
  await browser?.close();
});

const rowNames = () => page.locator('tbody th').allTextContents();

describe('Leads', () => {
  test('shows a lead created through the API live, highlighted and announced', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}`);
    await expect.poll(rowNames).toEqual([`Elisa ${tag}`, `Davi ${tag}`, `Carla ${tag}`]);

    await createLead(api, lead('Fábio', 'REFERRAL', { city: 'Recife' }));

    await expect.poll(rowNames, { timeout: 10_000 }).toContain(`Fábio ${tag}`);
    expect((await rowNames())[0]).toBe(`Fábio ${tag}`);
    await expect
      .poll(() => page.locator('tr.highlight th').allTextContents())
      .toContain(`Fábio ${tag}`);
    await expect
      .poll(() => page.locator('[data-live-announcement]').textContent())
      .toContain(`Fábio ${tag}`);
    expect(
      await page
        .locator('tbody tr')
        .filter({ hasText: `Fábio ${tag}` })
        .textContent(),
    ).toContain('Indicação');
    await page.screenshot({ path: `${ARTIFACTS_DIR}leads.png`, fullPage: true });
  });

  test('restores a filtered, sorted view from its URL', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}&origin=WHATSAPP&sort=name-asc`);
    await expect.poll(rowNames).toEqual([`Davi ${tag}`, `Elisa ${tag}`]);
    expect(await page.locator('.toolbar .count').textContent()).toBe('2 leads');
    expect(await page.locator('input[name="origin"][value="WHATSAPP"]').isChecked()).toBe(true);
    expect(await page.locator('input[name="origin"][value="SITE"]').isChecked()).toBe(false);
    expect(await page.locator('select[name="sort"]').inputValue()).toBe('name-asc');
    expect(await page.locator('input[name="q"]').inputValue()).toBe(tag);
  });

  test('puts the applied filters in the URL', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}`);
    await expect.poll(rowNames).toHaveLength(4);
    await page.locator('input[name="origin"][value="SITE"]').check();
    await page.getByRole('button', { name: 'Aplicar filtros' }).click();
    await expect.poll(rowNames).toEqual([`Carla ${tag}`]);
    const url = new URL(page.url());
    expect(url.searchParams.getAll('origin')).toEqual(['SITE']);
    expect(url.searchParams.get('q')).toBe(tag);
  });

  test('exports the filtered list as CSV for Excel', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}&origin=WHATSAPP`);
    await expect.poll(rowNames).toHaveLength(2);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Exportar CSV' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('Nome;E-mail;Telefone;Cidade;Origem');
    expect(csv).toContain('"Santos; SP";WhatsApp');
    expect(csv).not.toContain(`Carla ${tag}`);
  });

  test('translates origins and statuses when the language changes', async () => {
    await page.goto(`${dashboardUrl}/leads?q=${tag}&origin=REFERRAL`);
    await expect.poll(() => page.locator('tbody tr').first().textContent()).toContain('Indicação');
    await page.getByLabel('Idioma').selectOption('en');
    await expect.poll(() => page.locator('tbody tr').first().textContent()).toContain('Referral');
    expect(await page.locator('h1').textContent()).toBe('Leads');
    await page.getByLabel('Language').selectOption('pt-BR');
  });

  test('fits a 390 px phone without scrolling the page sideways', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/leads`);
      await expect.poll(() => phone.locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
      // Unfiltered, the filter form starts folded so the list shows on the first screen.
      expect(await phone.locator('details.filter-panel').getAttribute('open')).toBeNull();
      const widths = await phone.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        table: document.querySelector('.table-scroll')?.scrollWidth ?? 0,
      }));
      expect(widths.page).toBeLessThanOrEqual(390);
      expect(widths.table).toBeGreaterThan(390);
      await phone.screenshot({ path: `${ARTIFACTS_DIR}leads-390px.png`, fullPage: true });
      await phone.goto(`${dashboardUrl}/`);
      await expect.poll(() => phone.locator('[data-chart="by-origin"] svg').count()).toBe(1);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({ path: `${ARTIFACTS_DIR}overview-390px.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
