import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createLead, createUser, signInToApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

// Letters only: names must be names. Searching for it shows only this file's leads.
const tag = `Zi${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();

/** As Excel in Portuguese saves it: BOM, semicolons, a decimal comma. */
const csv = [
  '\uFEFFNome;E-mail;Celular;Cidade;Renda mensal;Campanha',
  `Ana ${tag};ana.${lower}@example.com;(11) 98765-4321;Campinas;8.500,00;black-friday`,
  `Bruno ${tag};bruno.${lower}@example.com;;Santos;;black-friday`,
  `Bia ${tag};sem-arroba.${lower};;Recife;;black-friday`,
  `Caio ${tag};caio.${lower}@example.com;;São Paulo;;black-friday`,
].join('\r\n');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  // Caio exists already: his row updates him.
  await createLead(api, {
    name: `Caio ${tag}`,
    email: `caio.${lower}@example.com`,
    origin: 'SITE',
  });
});

afterAll(async () => {
  await browser?.close();
});

const rowNames = (on: Page) => on.locator('tbody th').allTextContents();

async function chooseFile(on: Page) {
  await on.locator('[data-import-file]').setInputFiles({
    name: 'leads-black-friday.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf8'),
  });
}

describe('CSV import', () => {
  test('checks a file, shows the bad row, imports the rest with progress and lists the leads', async () => {
    await page.goto(`${dashboardUrl}/leads`);
    await page.getByRole('link', { name: 'Importar CSV' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/leads/import');

    await chooseFile(page);
    // The columns were suggested from the header's names.
    await expect.poll(() => page.getByLabel('Nome (obrigatório)').inputValue()).toBe('Nome');
    expect(await page.getByLabel('E-mail (obrigatório)').inputValue()).toBe('E-mail');
    expect(await page.getByLabel('Telefone', { exact: true }).inputValue()).toBe('Celular');
    expect(await page.getByLabel('Renda mensal aproximada (R$)').inputValue()).toBe('Renda mensal');
    expect(await page.getByLabel('Interesse', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Interesse', { exact: true }).selectOption('Campanha');
    await page.getByLabel('Origem das linhas sem origem').selectOption('META_ADS');

    await page.getByRole('button', { name: 'Verificar o arquivo' }).click();
    const result = page.locator('[data-import-check-result]');
    await expect.poll(() => result.locator('[data-count="total"]').textContent()).toBe('4');
    expect(await result.locator('[data-count="valid"]').textContent()).toBe('3');
    expect(await result.locator('[data-count="invalid"]').textContent()).toBe('1');
    const badRow = page.locator('[data-row-error="4"]');
    expect(await badRow.locator('td').allTextContents()).toEqual([
      '4',
      'E-mail (E-mail)',
      'Informe um e-mail válido',
    ]);
    // A dry run imports nothing.
    await page.goto(`${dashboardUrl}/leads?q=${tag}`);
    await expect.poll(() => rowNames(page)).toEqual([`Caio ${tag}`]);

    await page.goBack();
    await chooseFile(page);
    await page.getByLabel('Interesse', { exact: true }).selectOption('Campanha');
    await page.getByLabel('Origem das linhas sem origem').selectOption('META_ADS');
    await page.getByRole('button', { name: 'Verificar o arquivo' }).click();
    await page.getByRole('button', { name: 'Importar 3 linhas válidas' }).click();

    const progress = page.locator('[data-import-progress]');
    await expect
      .poll(() => progress.getAttribute('data-import-progress'), { timeout: 15_000 })
      .toBe('SUCCEEDED');
    const summary = page.locator('[data-import-summary]');
    expect(await summary.locator('[data-count="created"]').textContent()).toBe('2');
    expect(await summary.locator('[data-count="merged"]').textContent()).toBe('1');
    expect(await summary.locator('[data-count="failed"]').textContent()).toBe('1');
    expect(await progress.getByRole('status').textContent()).toContain('Importação concluída');
    await page.screenshot({ path: `${ARTIFACTS_DIR}lead-import.png`, fullPage: true });

    // The import is in the URL: a reload shows its outcome again.
    expect(new URL(page.url()).searchParams.get('import')).toMatch(/^[0-9a-f-]{36}$/);
    await page.reload();
    await expect
      .poll(() => page.locator('[data-import-summary] [data-count="created"]').textContent())
      .toBe('2');

    await page.getByRole('link', { name: 'Ver os leads' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/leads');
    await page.goto(`${dashboardUrl}/leads?q=${tag}&sort=name-asc`);
    await expect
      .poll(() => rowNames(page), { timeout: 10_000 })
      .toEqual([`Ana ${tag}`, `Bruno ${tag}`, `Caio ${tag}`]);
    const ana = page.locator('tbody tr').filter({ hasText: `Ana ${tag}` });
    expect(await ana.textContent()).toContain('Meta Ads');
    expect(await ana.textContent()).toContain('+5511987654321');
  });

  test('refuses a file that is not a CSV before sending it', async () => {
    await page.goto(`${dashboardUrl}/leads/import`);
    await page.locator('[data-import-file]').setInputFiles({
      name: 'leads.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from('PK\u0003\u0004'),
    });
    await expect
      .poll(() => page.locator('[data-import-file-error]').textContent())
      .toBe('Escolha um arquivo .csv.');
    expect(await page.locator('[data-import-check]').count()).toBe(0);
  });

  test('says so when the import in the URL does not exist', async () => {
    await page.goto(`${dashboardUrl}/leads/import?import=00000000-0000-7000-8000-000000000000`);
    await expect
      .poll(() => page.locator('[data-import-follow-error]').textContent())
      .toContain('Não foi possível ler a importação: Nenhuma importação de leads tem o id');
    expect(await page.locator('[data-import-file]').isEnabled()).toBe(true);
  });

  test('fits a 390 px phone, dry-run errors included', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'en',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/leads/import`);
      await chooseFile(phone);
      await phone.getByRole('button', { name: 'Check the file' }).click();
      await expect.poll(() => phone.locator('[data-row-error="4"]').count()).toBe(1);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({ path: `${ARTIFACTS_DIR}lead-import-390px.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });

  test('offers sales reps no import: no link, and the page says why', async () => {
    const rep = {
      name: `Rita ${tag}`,
      email: `rita.${lower}@example.com`,
      password: `senha-da-rita-${lower}`,
      role: 'SALES' as const,
    };
    await createUser(api, rep);
    const sessionToken = await signInToApi(api.url, rep.email, rep.password);
    const salesPage = await browser.newPage({
      locale: 'pt-BR',
      storageState: signedIn({ url: api.url, sessionToken }),
    });
    try {
      await salesPage.goto(`${dashboardUrl}/leads`);
      await expect.poll(() => salesPage.locator('h1').textContent()).toBe('Leads');
      await expect
        .poll(() => salesPage.getByRole('button', { name: 'Exportar CSV' }).count())
        .toBe(1);
      expect(await salesPage.locator('[data-leads-import]').count()).toBe(0);
      await salesPage.goto(`${dashboardUrl}/leads/import`);
      await expect
        .poll(() => salesPage.locator('[data-import-forbidden]').textContent())
        .toBe('Só gerentes e administradores podem importar leads.');
      expect(await salesPage.locator('[data-import-file]').count()).toBe(0);
    } finally {
      await salesPage.close();
    }
  });
});
