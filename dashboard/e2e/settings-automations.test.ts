import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createLead } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';
import { startHttpSink, type HttpSink } from './http-sink';
import {
  readAutomationSettings,
  restoreAutomationSettings,
  type SavedAutomationSettings,
} from './settings-api';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

const tag = `Zt${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;

let browser: Browser;
let page: Page;
let sink: HttpSink;
let original: SavedAutomationSettings;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  sink = await startHttpSink();
  original = await readAutomationSettings(api);
});

afterAll(async () => {
  // Later files expect the defaults: no Slack, the default plans and attempts.
  if (original) await restoreAutomationSettings(api, original);
  await browser?.close();
  await sink?.close();
});

const formMessage = () => page.locator('[data-form-message]').textContent();
const save = () => page.getByRole('button', { name: 'Salvar automações' }).click();
const slack = () => page.locator('[data-integration="SLACK"]');
const n8n = () => page.locator('[data-integration="N8N"]');

describe('Automation settings', () => {
  test('shows each class’s plan and the integrations not configured yet', async () => {
    await page.goto(`${dashboardUrl}/settings/automations`);
    const hotSlack = page.getByLabel('Quente: Avisar no Slack');
    await expect.poll(() => hotSlack.isChecked()).toBe(true);
    expect(await page.getByLabel('Frio: Avisar no Slack').isChecked()).toBe(false);
    expect(await page.getByLabel('Frio: Lista de remarketing').isChecked()).toBe(true);
    expect(await page.getByLabel('Follow-up de Morno', { exact: true }).inputValue()).toBe('3');
    expect(await slack().locator('[data-secret-status]').textContent()).toContain(
      'Não configurado',
    );
  });

  test('shows a refused URL beside its field and saves nothing', async () => {
    const url = page.getByLabel('URL do webhook do n8n');
    await url.fill('não é uma URL');
    await save();
    const error = page.locator('[data-field-error="n8nWebhookUrl"]');
    await expect.poll(() => error.textContent()).toContain('Deve ser uma URL http(s)');
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => url.evaluate((input) => input === document.activeElement)).toBe(true);
    expect((await readAutomationSettings(api)).n8nWebhookUrl).toBe(original.n8nWebhookUrl);
  });

  test('saves the plan, the retry policy and the integrations, keeping secrets write-only', async () => {
    await page.getByLabel('Frio: Lista de remarketing').uncheck();
    await page.getByLabel('Follow-up de Morno', { exact: true }).fill('2');
    await page.getByLabel('Tentativas por execução').fill('1');
    await page.getByLabel('Espera antes da 1ª nova tentativa (segundos)').fill('5');
    await page.getByLabel('URL do webhook do Slack').fill(`${sink.url}/slack`);
    await page.getByLabel('URL do webhook do n8n').fill(`${sink.url}/n8n`);
    await page.getByLabel('Segredo de assinatura').fill('um-segredo-de-assinatura-e2e');
    await save();
    await expect.poll(formMessage).toContain('Configurações salvas.');
    expect(await page.locator('[data-field-error]').count()).toBe(0);

    const saved = await readAutomationSettings(api);
    expect(saved).toMatchObject({
      maxAttempts: 1,
      retryDelaySeconds: 5,
      slackConfigured: true,
      n8nWebhookUrl: `${sink.url}/n8n`,
      n8nSecretConfigured: true,
    });
    expect(saved.plans.find((plan) => plan.status === 'COLD')?.actions).not.toContain(
      'remarketing-list',
    );
    expect(saved.plans.find((plan) => plan.status === 'WARM')?.followUpMinutes).toBe(2 * 24 * 60);

    // The secret is never shown again: only that it is set, and ways to replace or clear it.
    expect(await slack().locator('[data-secret-status]').textContent()).toContain('Configurado');
    expect(await slack().locator('input[type="password"]').count()).toBe(0);
    expect(await slack().getByRole('button', { name: 'Substituir' }).count()).toBe(1);
    expect(await page.content()).not.toContain(`${sink.url}/slack`);
  });

  test('tests each integration with the saved settings and shows the answer', async () => {
    await page.getByRole('button', { name: 'Testar a conexão com Slack' }).click();
    const slackResult = slack().locator('[data-test-result]');
    await expect.poll(() => slackResult.getAttribute('data-test-result')).toBe('ok');
    expect(await slackResult.textContent()).toContain('HTTP 200');

    await page.getByRole('button', { name: 'Testar a conexão com n8n' }).click();
    const n8nResult = n8n().locator('[data-test-result]');
    await expect.poll(() => n8nResult.getAttribute('data-test-result')).toBe('ok');

    const received = sink.requests.map((request) => request.path);
    expect(received).toEqual(['/slack', '/n8n']);
    const signed = sink.requests[1]!;
    expect(signed.headers['x-streamleads-signature']).toBeTruthy();
    expect(JSON.parse(signed.body)).toMatchObject({ event: 'streamleads.test' });

    await page.getByRole('button', { name: 'Testar a conexão com WhatsApp' }).click();
    const whatsappResult = page.locator('[data-integration="WHATSAPP"] [data-test-result]');
    await expect.poll(() => whatsappResult.getAttribute('data-test-result')).toBe('failed');
    // The API words its reason in the dashboard's language.
    expect(await whatsappResult.textContent()).toContain(
      'URL base da API do WhatsApp ou ID do número de envio não configurados',
    );
    // Sticky parts (the section menu, the preview) stay where the page was scrolled.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-automations.png`, fullPage: true });
  });

  test('lists a run that gave up as it happens and retries it', async () => {
    sink.status = 500;
    const name = `Otávio ${tag}`;
    await createLead(
      api,
      {
        name,
        email: `otavio.${tag.toLowerCase()}@example.com`,
        origin: 'SITE',
        phone: '11 97777-0000',
        city: 'São Paulo',
        approximateIncome: '25000',
        interest: 'Cobertura para investimento',
      },
      true,
    );
    const row = page.locator('[data-failed-run="notify-slack"]', { hasText: name });
    // One attempt allowed: the first 500 is the last; the list follows the lead's live events.
    await expect.poll(() => row.getAttribute('data-run-state'), { timeout: 15_000 }).toBe('DEAD');
    expect(await row.textContent()).toContain('HTTP 500');

    sink.status = 200;
    const before = sink.requests.length;
    await row.getByRole('button', { name: `Tentar de novo: Avisar no Slack de ${name}` }).click();
    await expect
      .poll(() => page.locator('[data-retry-message]').textContent())
      .toContain(`Avisar no Slack de ${name} voltou para a fila.`);
    // The lead's notification reaches Slack this time (a notice to its owner may go there too).
    const delivered = () =>
      sink.requests
        .slice(before)
        .filter((request) => request.path === '/slack' && request.body.includes('HOT lead'));
    await expect.poll(() => delivered().length, { timeout: 15_000 }).toBe(1);
    expect(delivered()[0]!.body).toContain(name);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
  });

  test('fits a 390 px phone without scrolling the page sideways', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/settings/automations`);
      await expect
        .poll(() => phone.locator('[data-failed-runs] table, [data-no-failures]').count())
        .toBeGreaterThan(0);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({
        path: `${ARTIFACTS_DIR}settings-automations-390px.png`,
        fullPage: true,
      });
    } finally {
      await phone.close();
    }
  });
});
