import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { adminApi, createLead, createUser, readLead, type CreatedLead } from './api';
import { ARTIFACTS_DIR, launchChromium } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

const tag = `Za${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const seller = {
  email: `vendas.${tag.toLowerCase()}@example.com`,
  name: `Vera ${tag}`,
  password: `senha-de-vendas-${tag}`,
  role: 'SALES' as const,
};

let browser: Browser;
let lead: CreatedLead;
const contexts: BrowserContext[] = [];

/** A browser with no session, as a person opening the dashboard for the first time. */
async function freshPage(locale = 'pt-BR'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  contexts.push(context);
  return context.newPage();
}

async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Senha').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

const path = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};
const signInMessage = (page: Page) => page.locator('[data-sign-in-message]').textContent();

beforeAll(async () => {
  browser = await launchChromium();
  lead = await createLead(
    api,
    {
      name: `Lívia ${tag}`,
      email: `livia.${tag.toLowerCase()}@example.com`,
      origin: 'SITE',
      phone: '11 96666-0000',
      city: 'Campinas',
    },
    true,
  );
  await createUser(api, seller);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe('Sign-in', () => {
  let signedInPage: Page;

  test('sends a signed-out visit to sign-in without showing the app, then back after signing in', async () => {
    const page = await freshPage();
    // Whatever the app ever drew before sign-in, even for a moment, is recorded here.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { seenBeforeSignIn: string[] }).seenBeforeSignIn = seen;
      new MutationObserver(() => {
        if (location.pathname === '/sign-in' && document.querySelector('[data-sign-in-form]')) {
          return;
        }
        for (const selector of ['nav', 'table', '[data-account]', '[role="alert"]']) {
          if (document.querySelector(selector) && !seen.includes(selector)) seen.push(selector);
        }
      }).observe(document, { childList: true, subtree: true });
    });

    const response = await page.goto(`${dashboardUrl}/leads?q=${tag}`);
    expect(response?.status()).toBe(200);
    await expect
      .poll(() => path(page))
      .toBe(`/sign-in?redirectTo=${encodeURIComponent(`/leads?q=${tag}`)}`);
    expect(
      await page.evaluate(
        () => (window as unknown as { seenBeforeSignIn: string[] }).seenBeforeSignIn,
      ),
    ).toEqual([]);
    expect(await page.locator('h1').textContent()).toBe('Entrar');

    await signInThroughForm(page, adminEmail, adminPassword);
    await expect.poll(() => path(page)).toBe(`/leads?q=${tag}`);
    await expect.poll(() => page.locator('tbody th').allTextContents()).toEqual([`Lívia ${tag}`]);
    const account = page.locator('[data-account]');
    expect(await account.textContent()).toContain('Admin');
    expect(await account.textContent()).toContain('Administrador');
    signedInPage = page;
  });

  test('follows live updates once signed in through the form', async () => {
    const page = signedInPage;
    await createLead(api, {
      name: `Mauro ${tag}`,
      email: `mauro.${tag.toLowerCase()}@example.com`,
      origin: 'REFERRAL',
    });
    await expect
      .poll(() => page.locator('tbody th').allTextContents(), { timeout: 10_000 })
      .toContain(`Mauro ${tag}`);
    await expect
      .poll(() => page.locator('tr.highlight th').allTextContents())
      .toContain(`Mauro ${tag}`);
  });

  test('says so when the password is wrong and stays on sign-in', async () => {
    const page = await freshPage();
    await page.goto(`${dashboardUrl}/sign-in`);
    await signInThroughForm(page, adminEmail, `${adminPassword}-wrong`);
    await expect.poll(() => signInMessage(page)).toBe('E-mail ou senha incorretos.');
    expect(path(page)).toBe('/sign-in');
    expect(await page.getByLabel('Senha').inputValue()).toBe('');
    expect(await page.getByLabel('E-mail').inputValue()).toBe(adminEmail);
    await page.screenshot({ path: `${ARTIFACTS_DIR}sign-in.png`, fullPage: true });
  });

  test('locks an email after too many failures and says how long to wait', async () => {
    const page = await freshPage('en');
    await page.goto(`${dashboardUrl}/sign-in`);
    const email = `nobody.${tag.toLowerCase()}@example.com`;
    // The API's default: five failures in a row lock the email for 15 minutes.
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(`wrong password ${attempt}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => signInMessage(page)).toBe('Wrong email or password.');
    }
    await page.getByLabel('Password').fill('wrong password 6');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => signInMessage(page))
      .toMatch(/^Too many failed attempts\. Try again in 1[45] minutes\.$/);
  });

  test('signs out to sign-in, takes other tabs there too and leaves the leads page out of reach', async () => {
    const page = signedInPage;
    const otherTab = await page.context().newPage();
    await otherTab.goto(`${dashboardUrl}/leads?q=${tag}`);
    await expect.poll(() => otherTab.locator('tbody th').count()).toBe(2);

    await page.getByRole('button', { name: 'Sair' }).click();
    await expect.poll(() => path(page)).toBe('/sign-in');
    // The API closes the other tab's live socket when the session ends; the tab then finds
    // itself signed out.
    await expect
      .poll(() => path(otherTab), { timeout: 10_000 })
      .toBe(`/sign-in?redirectTo=${encodeURIComponent(`/leads?q=${tag}`)}`);
    expect(await page.locator('[data-sign-in-form]').count()).toBe(1);
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).not.toContain('streamleads_session');

    await page.goto(`${dashboardUrl}/leads`);
    await expect.poll(() => path(page)).toBe('/sign-in?redirectTo=%2Fleads');
    expect(await page.locator('table').count()).toBe(0);
  });

  test('shows a sales user the contact fields read-only and no Settings', async () => {
    const page = await freshPage();
    await page.goto(`${dashboardUrl}/leads/${lead.id}`);
    await expect.poll(() => path(page)).toBe(`/sign-in?redirectTo=%2Fleads%2F${lead.id}`);
    await signInThroughForm(page, seller.email, seller.password);
    await expect.poll(() => path(page)).toBe(`/leads/${lead.id}`);

    const details = page.locator('[data-contact-details]');
    await expect.poll(() => details.count()).toBe(1);
    expect(await details.textContent()).toContain('+5511966660000');
    expect(await page.getByLabel('Telefone', { exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Nome', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Pontuar de novo' }).count()).toBe(0);
    expect(await page.locator('[data-status-override]').count()).toBe(1);
    const nav = page.getByRole('navigation', { name: 'Navegação principal' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Visão geral', 'Leads']);
    expect(await page.locator('[data-account]').textContent()).toContain('Vendas');

    // Notes are pipeline work: the form sends them alone, and the API takes them.
    await page.getByLabel('Observações', { exact: true }).fill(`Ligar de manhã ${tag}`);
    await page.getByRole('button', { name: 'Salvar alterações' }).click();
    await expect
      .poll(() => page.locator('[data-form-message]').textContent())
      .toContain('Alterações salvas');
    await page.screenshot({ path: `${ARTIFACTS_DIR}lead-detail-sales.png`, fullPage: true });
    expect(await readLead(api, lead.id)).toMatchObject({
      notes: `Ligar de manhã ${tag}`,
      phone: '+5511966660000',
    });

    await page.goto(`${dashboardUrl}/settings`);
    await expect.poll(() => page.locator('[data-settings-forbidden]').count()).toBe(1);
  });
});
