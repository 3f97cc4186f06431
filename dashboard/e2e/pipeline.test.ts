// The Sales pipeline in the dashboard, against the real API and Chromium: the Overview's funnel and
// conversion by origin follow a stage change made on a lead's page without a reload; an admin
// gives the lead to a sales rep, who then finds it under "my leads"; follow-up times are edited
// with the API's field errors shown beside the field.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asSession } from './access-api';
import { adminApi, createLead, createUser, signInToApi, type CreatedLead } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

const tag = `Pp${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const salesPassword = 'correct horse battery staple';

let browser: Browser;
let overview: Page;
let detail: Page;
let won: CreatedLead;
let other: CreatedLead;
let rep: { id: string; name: string; email: string };

beforeAll(async () => {
  browser = await launchChromium();
  const admin = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  overview = await admin.newPage();
  detail = await admin.newPage();
  won = await createLead(
    api,
    {
      name: `Gabriela ${tag}`,
      email: `gabriela.${tag.toLowerCase()}@example.com`,
      origin: 'REFERRAL',
    },
    true,
  );
  other = await createLead(
    api,
    { name: `Otávio ${tag}`, email: `otavio.${tag.toLowerCase()}@example.com`, origin: 'REFERRAL' },
    true,
  );
  const repInput = { name: `Rita ${tag}`, email: `rita.${tag.toLowerCase()}@example.com` };
  const created = await createUser(api, { ...repInput, password: salesPassword, role: 'SALES' });
  rep = { ...repInput, id: created.id };
  // Out of the round-robin, so the leads other test files score do not land on this rep.
  const settings = await asSession<{ updateSalesRep: { __typename: string } }>(
    api,
    `mutation E2eRepOff($id: ID!) {
      updateSalesRep(id: $id, input: { acceptsLeads: false }) { __typename }
    }`,
    { id: rep.id },
  );
  expect(settings.data?.updateSalesRep.__typename).toBe('User');
});

afterAll(async () => {
  await browser?.close();
});

const funnel = () => overview.locator('[data-chart="funnel"] svg');

/** A stage's "reached" count as the funnel's summary for screen readers says it. */
async function reached(stageLabel: string): Promise<number> {
  const label = (await funnel().getAttribute('aria-label')) ?? '';
  const match = new RegExp(`${stageLabel}: ([\\d.]+) \\(`).exec(label);
  return match ? Number(match[1]!.replaceAll('.', '')) : Number.NaN;
}

/** The REFERRAL row of the conversion table: leads, won, conversion. */
async function referralRow(): Promise<string[]> {
  return overview
    .locator('[data-table="by-origin"] tr[data-origin="REFERRAL"] td')
    .allTextContents()
    .then((cells) => cells.map((cell) => cell.trim()));
}

describe('Sales pipeline', () => {
  test('a stage change on the lead page moves the Overview funnel and conversion, live', async () => {
    await overview.goto(`${dashboardUrl}/?range=7d`);
    await expect.poll(() => funnel().count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => reached('Novo'), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const wonBefore = await reached('Ganho');
    const contactedBefore = await reached('Contatado');
    const [leadsBefore, referralWonBefore] = (await referralRow()).map((cell) =>
      Number(cell.replace(/\D/g, '')),
    );
    expect(leadsBefore).toBeGreaterThanOrEqual(2);
    await expect
      .poll(() => overview.locator('[data-table="first-contact"] tbody tr').count())
      .toBe(3);

    await detail.goto(`${dashboardUrl}/leads/${won.id}`);
    await expect.poll(() => detail.locator('h1').textContent()).toBe(`Gabriela ${tag}`);
    await expect
      .poll(() => detail.locator('[data-lead-stage]').getAttribute('data-lead-stage'))
      .toBe('NEW');
    await detail.getByLabel('Nova etapa').selectOption('WON');
    await detail.getByRole('button', { name: 'Mudar etapa' }).click();
    await expect
      .poll(() => detail.locator('[data-stage-message]').textContent())
      .toContain('Etapa alterada.');
    await expect
      .poll(() => detail.locator('[data-lead-stage]').getAttribute('data-lead-stage'))
      .toBe('WON');
    await expect
      .poll(() => detail.locator('[data-stage-history] li').first().textContent())
      .toMatch(/Novo → Ganho\s+por \S+@/);

    // The Overview page was not reloaded: the subscription brought the new figures.
    await expect.poll(() => reached('Ganho'), { timeout: 10_000 }).toBe(wonBefore + 1);
    // Moving NEW → WON counts as contacted and qualified on the way.
    expect(await reached('Contatado')).toBe(contactedBefore + 1);
    await expect
      .poll(async () => Number((await referralRow())[1]?.replace(/\D/g, '')), { timeout: 10_000 })
      .toBe(referralWonBefore! + 1);
    await overview.screenshot({ path: `${ARTIFACTS_DIR}pipeline-overview.png`, fullPage: true });
  });

  test('LOST asks for a reason, and the refusal shows beside the field', async () => {
    await detail.goto(`${dashboardUrl}/leads/${other.id}`);
    await detail.getByLabel('Nova etapa').selectOption('LOST');
    await detail.getByRole('button', { name: 'Mudar etapa' }).click();
    const error = detail.locator('[data-field-error="lostReason"]');
    // The API words it in the dashboard's language (sent as Accept-Language).
    await expect.poll(() => error.textContent()).toContain('Diga por que o lead foi perdido');
    expect(
      await detail.getByLabel('Por que o lead foi perdido?').getAttribute('aria-invalid'),
    ).toBe('true');
    expect(await detail.locator('[data-lead-stage]').getAttribute('data-lead-stage')).toBe('NEW');

    await detail.getByLabel('Por que o lead foi perdido?').fill('Comprou com outra imobiliária');
    await detail.getByRole('button', { name: 'Mudar etapa' }).click();
    await expect
      .poll(() => detail.locator('[data-lead-stage]').getAttribute('data-lead-stage'))
      .toBe('LOST');
    await expect
      .poll(() => detail.locator('[data-lead-stage-card]').textContent())
      .toContain('Motivo da perda: “Comprou com outra imobiliária”');
  });

  test('an admin gives the lead to a sales rep, chosen from the team', async () => {
    await detail.goto(`${dashboardUrl}/leads/${won.id}`);
    await detail.getByLabel('Passar para').selectOption(rep.id);
    await detail.getByRole('button', { name: 'Reatribuir' }).click();
    await expect
      .poll(() => detail.locator('[data-lead-owner]').getAttribute('data-lead-owner'))
      .toBe(rep.id);
    expect(await detail.locator('[data-lead-owner]').textContent()).toContain(rep.name);
  });

  test('a follow-up time in the past is refused beside the field; a future one is saved', async () => {
    await detail.goto(`${dashboardUrl}/leads/${won.id}`);
    const field = detail.getByLabel('Data e hora do follow-up (horário de Brasília)');
    await field.fill('2020-01-10T09:00');
    await detail.getByRole('button', { name: 'Salvar follow-up' }).click();
    await expect
      .poll(() => detail.locator('[data-field-error="followUpAt"]').textContent())
      .toContain('no futuro');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await detail.locator('[data-follow-up-at]').getAttribute('data-follow-up-at')).toBe('');

    // Two days ahead in São Paulo time (UTC−3), to the minute.
    const due = new Date(Math.floor((Date.now() + 2 * 86_400_000) / 60_000) * 60_000);
    const local = new Date(due.getTime() - 3 * 3_600_000).toISOString().slice(0, 16);
    await field.fill(local);
    await detail.getByRole('button', { name: 'Salvar follow-up' }).click();
    await expect
      .poll(() => detail.locator('[data-follow-up-at]').getAttribute('data-follow-up-at'))
      .toBe(due.toISOString());
    expect(await detail.locator('[data-field-error="followUpAt"]').count()).toBe(0);
    await detail.screenshot({ path: `${ARTIFACTS_DIR}pipeline-lead.png`, fullPage: true });
  });

  test('the sales rep finds the lead under "my leads", with its stage, and may move it', async () => {
    const sales = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'en',
      storageState: signedIn({
        url: api.url,
        sessionToken: await signInToApi(api.url, rep.email, salesPassword),
      }),
    });
    const page = await sales.newPage();
    await page.goto(`${dashboardUrl}/leads`);
    await page.locator('.filter-panel summary').click();
    await page.getByLabel('Only my leads').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('mine')).toBe('1');
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('tbody tr').getAttribute('data-lead-id')).toBe(won.id);
    expect(await page.locator('tbody tr td[data-stage]').textContent()).toBe('Won');
    await page.screenshot({ path: `${ARTIFACTS_DIR}pipeline-my-leads-390.png`, fullPage: true });

    await page.getByRole('link', { name: `Gabriela ${tag}` }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Gabriela ${tag}`);
    // Sales may move the stage and the follow-up, not reassign.
    expect(await page.getByLabel('New stage').count()).toBe(1);
    expect(await page.locator('[data-owner-form]').count()).toBe(0);
    await page.getByLabel('New stage').selectOption('QUALIFIED');
    await page.getByRole('button', { name: 'Change stage' }).click();
    await expect
      .poll(() => page.locator('[data-lead-stage]').getAttribute('data-lead-stage'))
      .toBe('QUALIFIED');
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS_DIR}pipeline-lead-390.png`, fullPage: true });
    await sales.close();
  });
});
