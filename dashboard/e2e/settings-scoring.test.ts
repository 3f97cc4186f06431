import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createLead } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';
import { activateRuleSet, activeRuleSet, activeScore } from './settings-api';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

const tag = `Zs${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;

/** What the preview scores until someone edits it: the documented example (sample-lead.ts). */
const sample = {
  name: 'Maria Souza',
  email: 'maria.souza@example.com',
  phone: '11 98765-4321',
  origin: 'SITE',
  city: 'São Paulo',
  approximateIncome: '15000',
  interest: 'Apartamento para investimento',
};

let browser: Browser;
let page: Page;
let original: number;
let expected: number;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const active = await activeRuleSet(api);
  original = active.version;
  // The default rules (server/src/scoring/default-rule-set.ts): the steps below edit two of them.
  expect(active.definition.rules.map((rule) => rule.id)).toContain('served-region');
  expected = await activeScore(api, sample);
});

afterAll(async () => {
  // Whatever happened, the files that run next score with the rules they started with.
  if (original !== undefined) await activateRuleSet(api, original);
  await browser?.close();
});

const previewScore = () => page.locator('[data-preview-score]').textContent();
const rule = (id: string): Locator => page.locator(`[data-rule="${id}"]`);
const history = () => page.locator('[data-version-history]');

describe('Scoring settings', () => {
  test('opens the active rules in the editor and scores the sample lead with them', async () => {
    await page.goto(`${dashboardUrl}/settings/scoring`);
    const sections = page.getByRole('navigation', { name: 'Seções das configurações' });
    await expect
      .poll(() => sections.getByRole('link').allTextContents())
      .toEqual([
        'Pontuação',
        'Automações',
        'E-mail',
        'Remarketing',
        'Canais de entrada',
        'Formulários web',
        'Usuários',
        'Chaves de API',
        'Auditoria',
      ]);
    expect(
      await sections.getByRole('link', { name: 'Pontuação' }).getAttribute('aria-current'),
    ).toBe('page');
    await expect.poll(() => page.locator('[data-rule]').count()).toBe(4);
    expect(await rule('served-region').getByLabel('Pontos').inputValue()).toBe('5');
    await expect.poll(previewScore, { timeout: 10_000 }).toBe(String(expected));
    expect(await page.locator('[data-preview-active]').textContent()).toContain(
      `Com a versão ativa (${original}): ${expected} pontos`,
    );
    expect(await page.locator('[data-save-message]').textContent()).toContain(
      'Nenhuma alteração para salvar.',
    );
  });

  test('previews a changed rule before it is saved', async () => {
    await rule('served-region').getByLabel('Pontos').fill('20');
    await expect.poll(previewScore).toBe(String(expected + 15));
    expect(await page.locator('[data-preview-rule="served-region"]').textContent()).toContain(
      '+20 pts',
    );
    // The active version still gives what it gave.
    expect(await page.locator('[data-preview-active]').textContent()).toContain(
      `${expected} pontos`,
    );
    expect(await page.locator('[data-unsaved]').count()).toBe(1);
  });

  test('shows a refused threshold beside it, and the preview waits for the fix', async () => {
    const warm = page.getByLabel('Morno a partir de (pontos)');
    await warm.fill('60');
    const issue = page.locator('[data-threshold-issue="hot"]');
    await expect
      .poll(() => issue.textContent())
      .toContain('O limite de quente deve ser maior que o de morno');
    expect(await page.getByLabel('Quente a partir de (pontos)').getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await page.locator('[data-preview-problem]').textContent()).toContain(
      'Corrija os problemas indicados nas regras.',
    );
    await warm.fill('15');
    await expect.poll(() => issue.count()).toBe(0);
    await expect.poll(previewScore).toBe(String(expected + 15));
  });

  test('adds a rule, moves it up and removes it, scoring the sample with it meanwhile', async () => {
    await page.getByLabel('Tipo da nova regra').selectOption('INTEREST_KEYWORDS');
    await page.getByRole('button', { name: 'Adicionar regra' }).click();
    const added = page.locator('[data-rule-kind="INTEREST_KEYWORDS"]').last();
    await added.getByLabel('Nome da regra').fill(`Urgência ${tag}`);
    await added.getByLabel('Palavras-chave').fill('investimento\nurgente');
    await added.getByLabel('Pontos').fill('8');
    await expect.poll(previewScore).toBe(String(expected + 15 + 8));
    await expect.poll(() => page.locator('[data-rule]').count()).toBe(5);

    await page.getByRole('button', { name: `Subir a regra Urgência ${tag}` }).click();
    const labels = () =>
      page
        .locator('[data-rule] input[id$="-label"]')
        .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
    await expect
      .poll(labels)
      .toEqual([
        'Required fields',
        'High-ticket interest',
        'Served region',
        `Urgência ${tag}`,
        'Income',
      ]);

    await page.getByRole('button', { name: `Remover a regra Urgência ${tag}` }).click();
    await expect.poll(() => page.locator('[data-rule]').count()).toBe(4);
    await expect.poll(previewScore).toBe(String(expected + 15));
  });

  test('saves a new active version with a note and lists it first in the history', async () => {
    await page.getByLabel('O que mudou e por quê').fill(`Região vale mais ${tag}`);
    await page.getByRole('button', { name: 'Salvar versão' }).click();
    await expect
      .poll(() => page.locator('[data-save-message]').textContent())
      .toContain(`Versão ${original + 1} salva e ativa.`);
    expect((await activeRuleSet(api)).version).toBe(original + 1);

    const newest = history().locator('[data-version]').first();
    await expect.poll(() => newest.getAttribute('data-version')).toBe(String(original + 1));
    expect(await newest.locator('[data-active-version]').count()).toBe(1);
    expect(await newest.locator('[data-version-note]').textContent()).toBe(
      `Região vale mais ${tag}`,
    );
    expect(await newest.textContent()).toContain('admin@streamleads.test');
    await expect
      .poll(() => page.locator('[data-preview-active]').textContent())
      .toContain(`Com a versão ativa (${original + 1}): ${expected + 15} pontos`);
    // Sticky parts (the section menu, the preview) stay where the page was scrolled.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-scoring.png`, fullPage: true });
  });

  test('shows an earlier version and rolls back to it after confirming', async () => {
    const earlier = history().locator(`[data-version="${original}"]`);
    await earlier.getByRole('button', { name: `Ver a versão ${original}` }).click();
    await expect.poll(() => earlier.textContent()).toContain('Served region');
    expect(await earlier.textContent()).toContain('Quente a partir de 25');

    await earlier.getByRole('button', { name: `Voltar para a versão ${original}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Os leads existentes mantêm a pontuação');
    await dialog.getByRole('button', { name: `Voltar para a versão ${original}` }).click();

    await expect.poll(() => earlier.locator('[data-active-version]').count()).toBe(1);
    expect((await activeRuleSet(api)).version).toBe(original);
    // With nothing unsaved, the editor follows the version now active.
    await expect.poll(() => rule('served-region').getByLabel('Pontos').inputValue()).toBe('5');
    await expect.poll(previewScore).toBe(String(expected));
  });

  test('rescores every lead and follows the run to its end', async () => {
    await createLead(api, {
      name: `Renata ${tag}`,
      email: `renata.${tag.toLowerCase()}@example.com`,
      origin: 'SITE',
    });
    await page.getByRole('button', { name: 'Pontuar todos de novo' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Começar' }).click();
    const progress = page.locator('[data-rescore]');
    await expect
      .poll(() => progress.locator('[data-rescore-state]').getAttribute('data-rescore-state'), {
        timeout: 20_000,
      })
      .toBe('SUCCEEDED');
    expect(await progress.textContent()).toContain(`Concluído com a versão ${original}.`);
    expect(await progress.locator('[data-rescore-progress]').textContent()).toMatch(
      /^\s*([\d.]+) de \1 leads \(100%\)/,
    );
  });

  test('raises no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  test('fits a 390 px phone without scrolling the page sideways', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/settings/scoring`);
      await expect.poll(() => phone.locator('[data-preview-score]').count()).toBeGreaterThan(0);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({
        path: `${ARTIFACTS_DIR}settings-scoring-390px.png`,
        fullPage: true,
      });
    } finally {
      await phone.close();
    }
  });
});
