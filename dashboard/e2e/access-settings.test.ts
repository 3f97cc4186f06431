import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asApiKey, asSession, searchLeads } from './access-api';
import { adminApi, createUser, signInToApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');
const adminEmail = inject('adminEmail');

// Letters only: names must be names. Everything this file creates carries it.
const tag = `Zk${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();

const newcomer = {
  name: `Nara ${tag}`,
  email: `nara.${lower}@example.com`,
  password: `senha-inicial-${lower}`,
};

let browser: Browser;
let admin: Page;
const contexts: BrowserContext[] = [];

/** A browser with no session, as a person opening the dashboard on their own computer. */
async function freshPage(locale = 'pt-BR'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  contexts.push(context);
  return context.newPage();
}

async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${dashboardUrl}/sign-in`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Senha').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/** A first page load (hydration, then the session, then the page's data) on a busy machine. */
const LOADING = { timeout: 10_000 };

const path = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

/** Serves one page, whatever it is when asked, on a free port of 127.0.0.1. */
async function startSite(
  html: () => string,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

beforeAll(async () => {
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  // The copy buttons write to the clipboard, which Chromium allows only with this permission.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashboardUrl });
  contexts.push(context);
  admin = await context.newPage();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe('Users', () => {
  const userRow = () => admin.locator(`tr[data-user-email="${newcomer.email}"]`);
  let newcomerPage: Page;

  test('shows refused fields beside them, then creates the user', async () => {
    await admin.goto(`${dashboardUrl}/settings/users`);
    await expect
      .poll(() => admin.locator('[data-users] tbody tr').count(), LOADING)
      .toBeGreaterThan(0);
    const form = admin.locator('[data-new-user-form]');
    await form.getByLabel('Nome').fill(newcomer.name);
    await form.getByLabel('E-mail').fill('not-an-email');
    await form.getByLabel('Senha inicial').fill('curta');
    await form.getByRole('button', { name: 'Criar usuário' }).click();

    await expect.poll(() => form.locator('[data-field-error="email"]').count()).toBe(1);
    expect(await form.locator('[data-field-error="email"]').textContent()).toContain(
      'Informe um e-mail válido',
    );
    expect(await form.locator('[data-field-error="password"]').textContent()).toContain(
      'Use pelo menos 12 caracteres',
    );
    expect(await form.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    expect(await userRow().count()).toBe(0);

    await form.getByLabel('E-mail').fill(newcomer.email);
    await form.getByLabel('Papel').selectOption('SALES');
    await form.getByLabel('Senha inicial').fill(newcomer.password);
    await form.getByRole('button', { name: 'Criar usuário' }).click();

    await expect
      .poll(() => admin.locator('[data-users-message]').textContent())
      .toContain(`${newcomer.name} foi criado(a)`);
    await expect.poll(() => userRow().count()).toBe(1);
    expect(await userRow().textContent()).toContain('Nunca entrou');
    expect(await userRow().locator('[data-user-status]').textContent()).toContain('Ativo');
    expect(await form.locator('[data-field-error]').count()).toBe(0);
    expect(await form.getByLabel('Nome').inputValue()).toBe('');
  });

  test('lets the new user sign in from a fresh browser', async () => {
    newcomerPage = await freshPage();
    await signInThroughForm(newcomerPage, newcomer.email, newcomer.password);
    await expect.poll(() => path(newcomerPage), LOADING).toBe('/');
    const account = newcomerPage.locator('[data-account]');
    expect(await account.textContent()).toContain(newcomer.name);
    expect(await account.textContent()).toContain('Vendas');

    await admin.reload();
    await expect.poll(() => userRow().textContent(), LOADING).not.toContain('Nunca entrou');
  });

  test('changes the role, which the person sees on their next page', async () => {
    await userRow().getByLabel(`Papel de ${newcomer.name}`).selectOption('MANAGER');
    await expect
      .poll(() => admin.locator('[data-users-message]').textContent())
      .toBe(`Papel de ${newcomer.name} alterado para Gerente.`);

    await newcomerPage.reload();
    await expect
      .poll(() => newcomerPage.locator('[data-account]').textContent(), LOADING)
      .toContain('Gerente');
  });

  test('keeps admins from demoting or disabling themselves', async () => {
    const own = admin.locator(`tr[data-user-email="${adminEmail}"]`);
    expect(await own.textContent()).toContain('(você)');
    expect(await own.locator('select').isDisabled()).toBe(true);
    expect(await own.getByRole('button', { name: /^Desativar/ }).count()).toBe(0);
  });

  test('sets a new password, refusing a short one inside the dialog', async () => {
    await userRow()
      .getByRole('button', { name: `Definir senha de ${newcomer.name}` })
      .click();
    const dialog = admin.getByRole('dialog', { name: `Nova senha para ${newcomer.name}` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByLabel('Nova senha').fill('curta');
    await dialog.getByRole('button', { name: 'Definir senha' }).click();
    await expect.poll(() => dialog.locator('[data-field-error="password"]').count()).toBe(1);

    newcomer.password = `senha-nova-do-admin-${lower}`;
    await dialog.getByLabel('Nova senha').fill(newcomer.password);
    await dialog.getByRole('button', { name: 'Definir senha' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await admin.locator('[data-users-message]').textContent()).toContain(
      `Nova senha definida para ${newcomer.name}`,
    );
    // A new password ends the person's sessions: their tab goes to sign-in.
    await expect.poll(() => path(newcomerPage), { timeout: 10_000 }).toMatch(/^\/sign-in/);
    await signInThroughForm(newcomerPage, newcomer.email, newcomer.password);
    await expect.poll(() => path(newcomerPage), LOADING).toBe('/');
  });

  test('disables the user only after confirming, ending their session at once', async () => {
    await userRow()
      .getByRole('button', { name: `Desativar ${newcomer.name}` })
      .click();
    const dialog = admin.getByRole('dialog', { name: `Desativar ${newcomer.name}?` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await userRow().locator('[data-user-status]').textContent()).toContain('Ativo');

    await userRow()
      .getByRole('button', { name: `Desativar ${newcomer.name}` })
      .click();
    await dialog.getByRole('button', { name: 'Desativar' }).click();
    await expect
      .poll(() => userRow().locator('[data-user-status]').textContent())
      .toContain('Desativado');
    await admin.screenshot({ path: `${ARTIFACTS_DIR}settings-users.png`, fullPage: true });

    await expect.poll(() => path(newcomerPage), { timeout: 10_000 }).toMatch(/^\/sign-in/);
    await signInThroughForm(newcomerPage, newcomer.email, newcomer.password);
    await expect
      .poll(() => newcomerPage.locator('[data-sign-in-message]').textContent())
      .toBe('E-mail ou senha incorretos.');
  });

  test('enables the user again', async () => {
    await userRow()
      .getByRole('button', { name: `Reativar ${newcomer.name}` })
      .click();
    await expect
      .poll(() => userRow().locator('[data-user-status]').textContent())
      .toContain('Ativo');
    await signInThroughForm(newcomerPage, newcomer.email, newcomer.password);
    await expect.poll(() => path(newcomerPage), LOADING).toBe('/');
  });
});

describe('API keys', () => {
  const keyName = `Formulário ${tag}`;
  const keyRow = () => admin.locator(`tr[data-api-key="${keyName}"]`);
  let key = '';
  let webFormSnippet = '';
  // A company site on its own origin, serving the form an admin pasted into it.
  let site: { origin: string; close: () => Promise<void> };
  let sitePage = '';

  beforeAll(async () => {
    site = await startSite(() => sitePage);
  });

  afterAll(async () => {
    await site?.close();
  });

  test('refuses a key without a name or a scope', async () => {
    await admin.goto(`${dashboardUrl}/settings/api-keys`);
    const form = admin.locator('[data-new-api-key-form]');
    await form.getByRole('button', { name: 'Criar chave' }).click();
    await expect.poll(() => form.locator('[data-field-error="name"]').count()).toBe(1);
    expect(await form.locator('[data-field-error="name"]').textContent()).toContain(
      'Informe o nome',
    );
    expect(await form.locator('[data-field-error="scopes"]').textContent()).toContain(
      'Escolha pelo menos um escopo para a chave',
    );
    expect(await admin.locator('[data-new-key]').count()).toBe(0);
  });

  test('creates a publishable key and shows it once, with a copy button and snippets', async () => {
    const form = admin.locator('[data-new-api-key-form]');
    await form.getByLabel('Nome').fill(keyName);
    await form.getByLabel('Criar leads (leads:create)').check();
    expect(await form.textContent()).toContain('Publicável, para formulários no navegador');
    await form.getByLabel('Origens permitidas (uma por linha)').fill(site.origin);
    await form.getByRole('button', { name: 'Criar chave' }).click();

    const shown = admin.locator('[data-new-key]');
    await expect.poll(() => shown.count()).toBe(1);
    key = (await shown.textContent())?.trim() ?? '';
    expect(key).toMatch(/^slk_/);
    expect(await admin.locator('[data-key-warning]').textContent()).toContain(
      'ela não será mostrada de novo',
    );

    await admin.getByRole('button', { name: 'Copiar chave' }).click();
    await expect
      .poll(() => admin.locator('[data-created-key]').textContent())
      .toContain('Copiado.');
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(key);

    const n8n = admin.locator('[data-created-key] [data-snippet="n8n"]');
    expect(await n8n.textContent()).toContain(`X-API-Key: ${key}`);
    webFormSnippet =
      (await admin.locator('[data-created-key] [data-snippet="web-form"] pre').textContent()) ?? '';
    expect(webFormSnippet).toContain(key);

    await expect.poll(() => keyRow().count()).toBe(1);
    const row = await keyRow().textContent();
    expect(row).toContain(key.slice(0, 12));
    expect(row).toContain('Criar leads (leads:create)');
    expect(row).toContain(site.origin);
    expect(row).toContain('Nunca usada');
    expect(row).toContain('Admin');
    await admin.screenshot({
      path: `${ARTIFACTS_DIR}settings-api-key-created.png`,
      fullPage: true,
    });

    // Shown once: after a reload the page holds only its prefix.
    await admin.reload();
    await expect.poll(() => keyRow().count(), LOADING).toBe(1);
    expect(await admin.locator('[data-new-key]').count()).toBe(0);
    expect(await admin.locator('body').textContent()).not.toContain(key);
  });

  test('creates a lead with the key from a server, as n8n does', async () => {
    const answer = await asApiKey<{ createLead: { __typename: string; lead: unknown } }>(
      api.url,
      key,
      `mutation ($input: CreateLeadInput!) {
        createLead(input: $input) { __typename ... on CreateLeadPayload { lead { id } } ... on Error { message } }
      }`,
      { input: { name: `Otávio ${tag}`, email: `otavio.${lower}@example.com`, origin: 'OTHER' } },
    );
    // Taken, and nothing read back: a publishable key only sends leads.
    expect(answer.data?.createLead).toEqual({ __typename: 'CreateLeadPayload', lead: null });
    expect((await searchLeads(api, `otavio.${lower}`)).map((lead) => lead.name)).toEqual([
      `Otávio ${tag}`,
    ]);
  });

  test('runs the web form snippet on a page of an allowed origin', async () => {
    // A visitor's browser: no session, on the allowed origin, with the pasted form.
    sitePage = `<!doctype html><html lang="pt-BR"><body>${webFormSnippet}</body></html>`;
    const visitor = await freshPage();
    await visitor.goto(site.origin);
    await visitor.getByLabel('Nome').fill(`Paula ${tag}`);
    await visitor.getByLabel('E-mail').fill(`paula.${lower}@example.com`);
    await visitor.getByLabel('Telefone').fill('11 95555-0000');
    await visitor.getByLabel('Aceito ser contatado(a)').check();
    await visitor.getByRole('button', { name: 'Enviar' }).click();

    await expect
      .poll(() => visitor.locator('#streamleads-form-message').textContent(), LOADING)
      .toBe('Obrigado! Entraremos em contato em breve.');
    expect((await searchLeads(api, `paula.${lower}`)).map((lead) => lead.name)).toEqual([
      `Paula ${tag}`,
    ]);

    await admin.reload();
    await expect.poll(() => keyRow().textContent(), LOADING).not.toContain('Nunca usada');
  });

  test('revokes the key after confirming, and the API refuses it from then on', async () => {
    await keyRow()
      .getByRole('button', { name: `Revogar a chave ${keyName}` })
      .click();
    const dialog = admin.getByRole('dialog', { name: `Revogar a chave ${keyName}?` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Revogar' }).click();

    await expect
      .poll(() => keyRow().locator('[data-api-key-status]').textContent())
      .toContain('Revogada em');
    expect(await keyRow().getByRole('button').count()).toBe(0);

    const refused = await asApiKey<unknown>(
      api.url,
      key,
      `mutation ($input: CreateLeadInput!) { createLead(input: $input) { __typename } }`,
      { input: { name: `Rui ${tag}`, email: `rui.${lower}@example.com`, origin: 'OTHER' } },
    );
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await searchLeads(api, `rui.${lower}`)).toEqual([]);
  });
});

describe('Audit log', () => {
  const actions = () =>
    admin
      .locator('[data-audit-events] tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-audit-action')));

  test('lists what was just done, newest first, in words', async () => {
    await admin.goto(`${dashboardUrl}/settings/audit`);
    await expect
      .poll(() => admin.locator('[data-audit-events] tbody tr').count(), LOADING)
      .toBeGreaterThan(0);
    const seen = await actions();
    const revoked = seen.indexOf('api-key.revoke');
    const created = seen.indexOf('api-key.create');
    const userCreated = seen.indexOf('user.create');
    expect(revoked).toBeGreaterThanOrEqual(0);
    expect(created).toBeGreaterThan(revoked);
    expect(userCreated).toBeGreaterThan(created);

    const table = admin.locator('[data-audit-events]');
    expect(await table.textContent()).toContain('Chave de API revogada');
    expect(await table.textContent()).toContain('Usuário criado');
    const keyCreated = admin.locator('[data-audit-events] tr[data-audit-action="api-key.create"]');
    expect(await keyCreated.first().textContent()).toContain(`Formulário ${tag}`);
    expect(await keyCreated.first().textContent()).toContain(adminEmail);
    await admin.screenshot({ path: `${ARTIFACTS_DIR}settings-audit.png`, fullPage: true });
  });

  test('filters by action and by who did it', async () => {
    await admin.getByLabel('Ação', { exact: true }).selectOption('api-key.revoke');
    await admin.getByRole('button', { name: 'Filtrar' }).click();
    await expect.poll(() => path(admin), LOADING).toBe('/settings/audit?action=api-key.revoke');
    await expect
      .poll(async () => [...new Set(await actions())], LOADING)
      .toEqual(['api-key.revoke']);

    const users = await asSession<{ users: { id: string; email: string }[] }>(
      api,
      '{ users { id email } }',
    );
    const newcomerId = users.data?.users.find((user) => user.email === newcomer.email)?.id;
    await admin.goto(`${dashboardUrl}/settings/audit`);
    await admin.getByLabel('Quem', { exact: true }).selectOption(newcomerId ?? '');
    await admin.getByRole('button', { name: 'Filtrar' }).click();
    await expect.poll(() => path(admin), LOADING).toBe(`/settings/audit?actor=${newcomerId}`);
    // Only what the newcomer did: their sign-ins.
    await expect.poll(async () => [...new Set(await actions())], LOADING).toEqual(['auth.sign-in']);
    const actorCells = await admin
      .locator('[data-audit-events] tbody tr td:nth-child(3)')
      .allTextContents();
    expect(new Set(actorCells)).toEqual(new Set([newcomer.email]));
  });

  test('loads older entries on demand', async () => {
    // More failed sign-ins than one page holds, each for its own email (no lockout).
    for (let attempt = 0; attempt < 55; attempt++) {
      await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation ($email: String!) { signIn(email: $email, password: "wrong") { __typename } }',
          variables: { email: `ghost${attempt}.${lower}@example.com` },
        }),
      });
    }
    await admin.goto(`${dashboardUrl}/settings/audit?action=auth.sign-in-failed`);
    const rows = admin.locator('[data-audit-events] tbody tr');
    await expect.poll(() => rows.count(), LOADING).toBe(50);
    expect([...new Set(await actions())]).toEqual(['auth.sign-in-failed']);
    expect(await rows.first().locator('th').textContent()).toBe('Tentativa de entrada falhou');

    await admin.getByRole('button', { name: 'Carregar mais' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(55 - 1);
    const ids = await rows.evaluateAll((all) => all.map((row) => row.textContent));
    expect(new Set(ids).size).toBe(ids.length);
    while ((await admin.getByRole('button', { name: 'Carregar mais' }).count()) > 0) {
      await admin.getByRole('button', { name: 'Carregar mais' }).click();
      await admin.waitForTimeout(200);
    }
    await expect.poll(() => admin.getByText('Não há entradas mais antigas.').count()).toBe(1);
  });
});

describe('Phones', () => {
  test('fits these pages on a 390 px phone without scrolling the page sideways', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'en',
      storageState: signedIn(api),
    });
    contexts.push(context);
    const phone = await context.newPage();
    for (const [pagePath, ready] of [
      ['/settings/users', '[data-users]'],
      ['/settings/api-keys', '[data-new-api-key-form]'],
      ['/settings/audit', '[data-audit-events]'],
      ['/account/password', '[data-change-password]'],
    ] as const) {
      await phone.goto(`${dashboardUrl}${pagePath}`);
      await expect.poll(() => phone.locator(ready).count(), LOADING).toBe(1);
      expect(
        await phone.evaluate(() => document.documentElement.scrollWidth),
        pagePath,
      ).toBeLessThanOrEqual(390);
    }
    await phone.screenshot({ path: `${ARTIFACTS_DIR}change-password-390px.png`, fullPage: true });
  });
});

describe('Own password', () => {
  const person = {
    name: `Sara ${tag}`,
    email: `sara.${lower}@example.com`,
    password: `senha-da-sara-${lower}`,
    role: 'SALES' as const,
  };

  beforeAll(async () => {
    await createUser(api, person);
  });

  test('changes their own password from the account menu and signs in with the new one', async () => {
    const page = await freshPage();
    await signInThroughForm(page, person.email, person.password);
    await expect.poll(() => path(page), LOADING).toBe('/');
    await page.locator('[data-account]').getByRole('link', { name: 'Alterar senha' }).click();
    await expect.poll(() => path(page)).toBe('/account/password');
    const form = page.locator('[data-change-password]');

    const newPassword = `outra-senha-da-sara-${lower}`;
    await form.getByLabel('Senha atual').fill(person.password);
    await form.getByLabel('Nova senha', { exact: true }).fill(newPassword);
    await form.getByLabel('Repita a nova senha').fill(`${newPassword}x`);
    await form.getByRole('button', { name: 'Alterar senha' }).click();
    await expect
      .poll(() => form.locator('[data-field-error="confirmation"]').textContent())
      .toBe('As duas senhas não são iguais.');

    await form.getByLabel('Senha atual').fill('not her password');
    await form.getByLabel('Repita a nova senha').fill(newPassword);
    await form.getByRole('button', { name: 'Alterar senha' }).click();
    await expect
      .poll(() => form.locator('[data-field-error="currentPassword"]').textContent())
      .toBe('A senha atual está incorreta.');

    await form.getByLabel('Senha atual').fill(person.password);
    await form.getByRole('button', { name: 'Alterar senha' }).click();
    await expect
      .poll(() => page.locator('[data-password-message]').textContent())
      .toContain('Senha alterada.');
    await page.screenshot({ path: `${ARTIFACTS_DIR}change-password.png`, fullPage: true });

    await page.getByRole('button', { name: 'Sair' }).click();
    await expect.poll(() => path(page)).toBe('/sign-in');
    await signInThroughForm(page, person.email, person.password);
    await expect
      .poll(() => page.locator('[data-sign-in-message]').textContent())
      .toBe('E-mail ou senha incorretos.');
    await signInThroughForm(page, person.email, newPassword);
    await expect.poll(() => path(page), LOADING).toBe('/');
    await expect(signInToApi(api.url, person.email, newPassword)).resolves.toBeTruthy();
  });
});
