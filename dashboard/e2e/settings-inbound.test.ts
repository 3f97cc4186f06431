// The inbound channels' settings page against the real stack: the settings form with its
// write-only secrets and per-form question mapping, and a Google Ads delivery that cannot be
// mapped, stored by the real webhook, fixed and reprocessed into a lead by the worker.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asSession, searchLeads } from './access-api';
import { adminApi, createUser, signInToApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');
const apiOrigin = new URL(api.url).origin;

const tag = `Zi${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();
const googleKey = `chave-google-${lower}`;
const formId = `form-${lower}`;
const interestQuestion = 'Que imóvel você procura?';
const incomeQuestion = 'Qual sua renda mensal?';
const leadName = `Renata ${tag}`;

interface SavedInboundSettings {
  googleKeySet: boolean;
  metaAppSecretSet: boolean;
  googleFormQuestions: {
    formId: string;
    interestQuestion: string | null;
    incomeQuestion: string | null;
  }[];
  formThankYouUrl: string | null;
  formAllowedOrigins: string[];
}

async function readInboundSettings(): Promise<SavedInboundSettings> {
  const answer = await asSession<{ inboundSettings: SavedInboundSettings }>(
    api,
    `{ inboundSettings { googleKeySet metaAppSecretSet formThankYouUrl formAllowedOrigins
      googleFormQuestions { formId interestQuestion incomeQuestion } } }`,
  );
  if (!answer.data) throw new Error(`inboundSettings failed: ${JSON.stringify(answer)}`);
  return answer.data.inboundSettings;
}

/** Puts the settings back as read, clearing the secrets that were not set. */
async function restoreInboundSettings(saved: SavedInboundSettings): Promise<void> {
  const answer = await asSession<{ updateInboundSettings: { __typename: string } }>(
    api,
    `mutation E2eInbound($input: UpdateInboundSettingsInput!) {
      updateInboundSettings(input: $input) { __typename }
    }`,
    {
      input: {
        googleFormQuestions: saved.googleFormQuestions,
        formThankYouUrl: saved.formThankYouUrl,
        formAllowedOrigins: saved.formAllowedOrigins,
        ...(saved.googleKeySet ? {} : { googleKey: null }),
        ...(saved.metaAppSecretSet ? {} : { metaAppSecret: null }),
      },
    },
  );
  if (answer.data?.updateInboundSettings.__typename !== 'InboundSettings') {
    throw new Error(`updateInboundSettings failed: ${JSON.stringify(answer)}`);
  }
}

let browser: Browser;
let page: Page;
let original: SavedInboundSettings;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
    locale: 'pt-BR',
    storageState: signedIn(api),
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  original = await readInboundSettings();
});

afterAll(async () => {
  // Later files expect no Google key and no mapping.
  if (original) await restoreInboundSettings(original);
  await browser?.close();
});

const formMessage = () => page.locator('[data-form-message]').textContent();
const save = () => page.getByRole('button', { name: 'Salvar canais de entrada' }).click();
const google = () => page.locator('[data-channel="GOOGLE_ADS"]');
const mappingRow = (position: number) => google().locator(`[data-question-row="${position}"]`);

async function openPage(target: Page = page) {
  await target.goto(`${dashboardUrl}/settings/inbound`);
  await expect.poll(() => target.locator('[data-inbound-form]').count()).toBe(1);
}

describe('Inbound channels settings', () => {
  test('shows the webhook addresses to paste into Meta and Google Ads', async () => {
    await openPage();
    expect(await page.locator('[data-inbound-url="meta"] code').textContent()).toBe(
      `${apiOrigin}/inbound/meta`,
    );
    expect(await page.locator('[data-inbound-url="google"] code').textContent()).toBe(
      `${apiOrigin}/inbound/google`,
    );
    const googleUrl = page.locator('[data-inbound-url="google"]');
    await googleUrl.getByRole('button', { name: 'Copiar: URL do webhook do Google Ads' }).click();
    await expect.poll(() => googleUrl.getByRole('status').textContent()).toBe('Copiado.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `${apiOrigin}/inbound/google`,
    );
    expect(await google().locator('[data-secret-status]').textContent()).toContain(
      'Não configurado',
    );
    expect(await google().locator('[data-no-question-rows]').count()).toBe(1);
  });

  test('shows a value the API refuses beside its field and saves nothing', async () => {
    await google().getByRole('button', { name: 'Adicionar formulário' }).click();
    const formIdInput = mappingRow(1).getByLabel('ID do formulário');
    await formIdInput.fill('9'.repeat(101));
    await mappingRow(1).getByLabel('Pergunta do interesse').fill(interestQuestion);
    await google().getByLabel('Chave do webhook (google_key)').fill(googleKey);
    await save();
    const error = page.locator('[data-field-error="googleFormQuestions.0.formId"]');
    await expect
      .poll(() => error.textContent())
      .toContain('Informe o ID do formulário (até 100 caracteres)');
    expect(await formIdInput.getAttribute('aria-invalid')).toBe('true');
    await expect
      .poll(() => formIdInput.evaluate((input) => input === document.activeElement))
      .toBe(true);
    expect(await formMessage()).toContain('Corrija os campos indicados.');
    const stored = await readInboundSettings();
    expect(stored.googleFormQuestions).toEqual(original.googleFormQuestions);
    expect(stored.googleKeySet).toBe(original.googleKeySet);
  });

  test('refuses a thank-you page that is no URL before sending it', async () => {
    await mappingRow(1).getByLabel('ID do formulário').fill(formId);
    const thankYou = page.getByLabel('Página de agradecimento');
    await thankYou.fill('não é uma URL');
    await save();
    const error = page.locator('[data-field-error="formThankYouUrl"]');
    await expect.poll(() => error.textContent()).toContain('Informe uma URL http(s)');
    expect(await thankYou.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-field-error]').count()).toBe(1);
    const stored = await readInboundSettings();
    expect(stored.googleFormQuestions).toEqual(original.googleFormQuestions);
    expect(stored.formThankYouUrl).toBe(original.formThankYouUrl);
  });

  test('refuses a mapping row without a form id before sending it', async () => {
    await page.getByLabel('Página de agradecimento').fill('');
    await google().getByRole('button', { name: 'Adicionar formulário' }).click();
    await expect.poll(() => mappingRow(2).count()).toBe(1);
    // The new row takes the focus, so a keyboard user types on.
    await expect
      .poll(() =>
        mappingRow(2)
          .getByLabel('ID do formulário')
          .evaluate((input) => input === document.activeElement),
      )
      .toBe(true);
    await save();
    const error = page.locator('[data-field-error="googleFormQuestions.1.formId"]');
    await expect.poll(() => error.textContent()).toContain('Informe o ID do formulário');
    await mappingRow(2).getByRole('button', { name: 'Remover o formulário 2' }).click();
    await expect.poll(() => mappingRow(2).count()).toBe(0);
    expect((await readInboundSettings()).googleFormQuestions).toEqual(original.googleFormQuestions);
  });

  test('saves a Google question mapping and the key, shown after reload only as set', async () => {
    // Swapped on purpose: the income question gets the answer about the property, which is no
    // amount, so the delivery below cannot be mapped until the admin fixes it.
    await mappingRow(1).getByLabel('Pergunta do interesse').fill(incomeQuestion);
    await mappingRow(1).getByLabel('Pergunta da renda').fill(interestQuestion);
    await save();
    await expect.poll(formMessage).toContain('Configurações salvas.');
    expect(await page.locator('[data-field-error]').count()).toBe(0);

    await openPage();
    expect(await mappingRow(1).getByLabel('ID do formulário').inputValue()).toBe(formId);
    expect(await mappingRow(1).getByLabel('Pergunta do interesse').inputValue()).toBe(
      incomeQuestion,
    );
    expect(await mappingRow(1).getByLabel('Pergunta da renda').inputValue()).toBe(interestQuestion);
    expect(await google().locator('[data-secret-status]').textContent()).toContain('Configurado');
    expect(await google().locator('input[type="password"]').count()).toBe(0);
    expect(await google().getByRole('button', { name: 'Substituir' }).count()).toBe(1);
    expect(await page.content()).not.toContain(googleKey);
    expect(await readInboundSettings()).toMatchObject({
      googleKeySet: true,
      googleFormQuestions: [
        { formId, interestQuestion: incomeQuestion, incomeQuestion: interestQuestion },
      ],
    });
  });

  test('lists a delivery that cannot be mapped, with its reason and form id', async () => {
    const delivery = await fetch(`${apiOrigin}/inbound/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        google_key: googleKey,
        lead_id: `lead-${lower}`,
        form_id: formId,
        campaign_id: 987654,
        is_test: false,
        user_column_data: [
          { column_id: 'FULL_NAME', string_value: leadName },
          { column_id: 'EMAIL', string_value: `renata.${lower}@example.com` },
          { column_id: 'PHONE_NUMBER', string_value: '+5511988887777' },
          {
            column_id: 'q1',
            column_name: interestQuestion,
            string_value: 'Apartamento de 3 quartos',
          },
          { column_id: 'q2', column_name: incomeQuestion, string_value: '18000' },
        ],
      }),
    });
    expect(delivery.status).toBe(200);

    const row = page.locator('[data-payload]', { hasText: `google:lead-${lower}` });
    const reload = page
      .locator('[data-inbound-payloads]')
      .getByRole('button', { name: 'Recarregar' });
    // The worker maps the stored payload in the background.
    await expect
      .poll(
        async () => {
          await reload.click();
          return row.getAttribute('data-payload-status', { timeout: 1_000 }).catch(() => null);
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe('UNMAPPABLE');
    expect(await row.locator('[data-payload-reason]').textContent()).toContain('approximateIncome');
    expect(await row.textContent()).toContain(formId);
    expect(await row.textContent()).toContain('Google Ads');

    // The channel filter hides it; the state filter keeps it.
    await page.getByLabel('Canal', { exact: true }).selectOption('META_ADS');
    await expect.poll(() => row.count()).toBe(0);
    await page.getByLabel('Canal', { exact: true }).selectOption('ALL');
    await page.getByLabel('Situação', { exact: true }).selectOption('UNMAPPABLE');
    await expect.poll(() => row.count()).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-inbound.png`, fullPage: true });
  });

  test('fits a 390 px phone without scrolling the page sideways, payload open', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    try {
      await openPage(phone);
      const listed = phone.locator('[data-payload]', { hasText: `google:lead-${lower}` });
      await expect.poll(() => listed.count()).toBe(1);
      await listed.getByText('Ver o payload recebido').click();
      await expect.poll(() => listed.locator('pre').first().isVisible()).toBe(true);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({
        path: `${ARTIFACTS_DIR}settings-inbound-390px.png`,
        fullPage: true,
      });
    } finally {
      await phone.close();
    }
  });

  test('reprocesses the delivery into a lead once the mapping is fixed', async () => {
    const row = page.locator('[data-payload]', { hasText: `google:lead-${lower}` });
    const stale = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    await openPage(stale);
    await expect
      .poll(() => stale.locator('[data-payload]', { hasText: `google:lead-${lower}` }).count())
      .toBe(1);

    await mappingRow(1).getByLabel('Pergunta do interesse').fill(interestQuestion);
    await mappingRow(1).getByLabel('Pergunta da renda').fill(incomeQuestion);
    await save();
    await expect.poll(formMessage).toContain('Configurações salvas.');

    await row.getByRole('button', { name: /^Reprocessar: Google Ads/ }).click();
    const outcome = page.locator('[data-reprocess-message]');
    await expect
      .poll(() => outcome.getAttribute('data-reprocess-outcome'), { timeout: 20_000 })
      .toBe('processed');
    expect(await outcome.textContent()).toContain(`virou o lead ${leadName}`);
    await expect.poll(() => row.count()).toBe(0);
    expect(await page.locator('[data-no-payloads]').textContent()).toContain(
      'Nenhum payload precisa de atenção.',
    );

    const [lead] = await searchLeads(api, tag);
    expect(lead?.name).toBe(leadName);
    const answer = await asSession<{
      lead: { interest: string | null; approximateIncome: string | null; origin: string };
    }>(
      api,
      `query E2eInboundLead($id: ID!) {
        lead(id: $id) { ... on Lead { interest approximateIncome origin } }
      }`,
      { id: lead!.id },
    );
    expect(answer.data?.lead).toMatchObject({
      interest: 'Apartamento de 3 quartos',
      origin: 'GOOGLE_ADS',
    });
    expect(Number(answer.data?.lead.approximateIncome)).toBe(18000);

    // A list read before the fix still offers the payload: the API refuses it, and says why.
    const staleRow = stale.locator('[data-payload]', { hasText: `google:lead-${lower}` });
    await staleRow.getByRole('button', { name: /^Reprocessar: Google Ads/ }).click();
    const staleOutcome = stale.locator('[data-reprocess-message]');
    await expect.poll(() => staleOutcome.getAttribute('data-reprocess-outcome')).toBe('error');
    expect(await staleOutcome.textContent()).toContain('Não foi possível reprocessar');
    expect(await staleOutcome.textContent()).toContain('PROCESSED');
    await expect.poll(() => staleRow.count()).toBe(0);
    await stale.close();

    await outcome.getByRole('link', { name: 'Abrir o lead' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/leads/${lead!.id}`);
  });

  test('shows a sales user no link to the page and keeps it to admins', async () => {
    const person = {
      email: `vendas.${lower}@example.com`,
      name: `Vera ${tag}`,
      password: `senha-de-vendas-${lower}`,
      role: 'SALES' as const,
    };
    await createUser(api, person);
    const sessionToken = await signInToApi(api.url, person.email, person.password);
    const sales = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      locale: 'pt-BR',
      storageState: signedIn({ url: api.url, sessionToken }),
    });
    try {
      await sales.goto(`${dashboardUrl}/`);
      await expect
        .poll(() => sales.getByRole('navigation', { name: 'Navegação principal' }).count())
        .toBe(1);
      expect(await sales.locator('a[href="/settings/inbound"]').count()).toBe(0);
      await sales.goto(`${dashboardUrl}/settings/inbound`);
      await expect.poll(() => sales.locator('[data-settings-forbidden]').count()).toBe(1);
      expect(await sales.locator('a[href="/settings/inbound"]').count()).toBe(0);
      expect(await sales.locator('[data-inbound-form], [data-inbound-payloads]').count()).toBe(0);
    } finally {
      await sales.close();
    }
  });
});
