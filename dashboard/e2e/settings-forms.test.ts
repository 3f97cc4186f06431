// The web forms page (/settings/forms): an admin creates, edits and deletes a no-JavaScript form,
// copies its code, and the code, served by another site (a local HTTP server on its own origin),
// sends a real lead to the API and lands on the thank-you page.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asSession } from './access-api';
import { adminApi, createUser, signInToApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');
const apiOrigin = new URL(api.url).origin;

// Letters only: names must be names. Searching for it finds only this file's leads.
const tag = `Zf${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();
const slug = `contato-${lower}`;
const formName = `Contato ${tag}`;
const editedName = `Fale conosco ${tag}`;

interface SavedForm {
  id: string;
  name: string;
  slug: string;
  thankYouUrl: string | null;
  errorUrl: string | null;
  allowedOrigins: string[];
  defaultOrigin: string;
  defaultInterest: string | null;
  consentRequired: boolean;
  consentText: string | null;
  consentTextVersion: string | null;
}

async function webForms(): Promise<SavedForm[]> {
  const answer = await asSession<{ webForms: SavedForm[] }>(
    api,
    `{ webForms { id name slug thankYouUrl errorUrl allowedOrigins defaultOrigin defaultInterest
      consentRequired consentText consentTextVersion } }`,
  );
  if (!answer.data) throw new Error(`webForms failed: ${JSON.stringify(answer)}`);
  return answer.data.webForms;
}

const thisForm = async () => (await webForms()).find((form) => form.name.includes(tag));

interface FoundLead {
  name: string;
  email: string;
  phone: string | null;
  city: string | null;
  interest: string | null;
  approximateIncome: string | null;
  origin: string;
  firstTouch: { channel: string } | null;
  consents: { source: string; textVersion: string }[];
}

async function leadsByEmail(email: string): Promise<FoundLead[]> {
  const answer = await asSession<{ leads: { edges: { node: FoundLead }[] } }>(
    api,
    `query E2eWebFormLeads($filter: LeadFilter) {
      leads(filter: $filter, first: 5) {
        ... on LeadConnection {
          edges { node { name email phone city interest approximateIncome origin
            firstTouch { channel } consents { source textVersion } } }
        }
      }
    }`,
    { filter: { search: email } },
  );
  if (!answer.data) throw new Error(`leads failed: ${JSON.stringify(answer)}`);
  return answer.data.leads.edges.map((edge) => edge.node);
}

/** Another company's site: the pasted code on /contato, its own thank-you page on /obrigado. */
async function startSite(code: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    const body =
      path === '/contato'
        ? `<h1>Fale conosco</h1>\n${code()}`
        : path === '/obrigado'
          ? '<h1>Obrigado pelo contato!</h1>'
          : null;
    if (body === null) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Site</title></head><body>${body}</body></html>`,
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: another site than the API and the dashboard, as a customer's is.
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let site: { server: Server; origin: string };
let copiedCode = '';

beforeAll(async () => {
  site = await startSite(() => copiedCode);
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  // The copy button writes to the clipboard, which Chromium allows only with this permission.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashboardUrl });
  page = await context.newPage();
});

afterAll(async () => {
  // A failed run must not leave its form answering for later files.
  const left = await thisForm().catch(() => undefined);
  if (left) {
    await asSession(
      api,
      'mutation E2eDeleteWebForm($id: ID!) { deleteWebForm(id: $id) { __typename } }',
      {
        id: left.id,
      },
    );
  }
  await browser?.close();
  await new Promise((resolve) => site?.server.close(resolve));
});

const editor = () => page.locator('[data-web-form-editor]');
const row = () => page.locator(`[data-web-form="${slug}"]`);
const LOADING = { timeout: 15_000 };

describe('Web forms settings', () => {
  test('lists the forms there are, or says there are none', async () => {
    const existing = await webForms();
    await page.goto(`${dashboardUrl}/settings/forms`);
    await expect.poll(() => editor().count(), LOADING).toBe(1);
    expect(await page.locator('h1').textContent()).toBe('Formulários web');
    if (existing.length === 0) {
      expect(await page.locator('[data-web-forms-empty]').textContent()).toContain(
        'Nenhum formulário ainda',
      );
    } else {
      expect(await page.locator('[data-web-forms] tbody tr').count()).toBe(existing.length);
    }
    expect(
      await page
        .locator('[data-settings-nav] a[href="/settings/forms"]')
        .getAttribute('aria-current'),
    ).toBe('page');
  });

  test('shows a refused thank-you URL beside its field and creates nothing', async () => {
    await editor().getByLabel('Nome', { exact: true }).fill(formName);
    await editor().getByLabel('Identificador no endereço').fill(slug);
    await editor().getByLabel('Sites permitidos').fill(site.origin);
    await editor().getByLabel('Página de obrigado').fill('obrigado.html');
    await editor().getByRole('button', { name: 'Criar formulário' }).click();

    const error = editor().locator('[data-field-error="thankYouUrl"]');
    await expect.poll(() => error.textContent()).toContain('Informe uma URL http(s)');
    const field = editor().getByLabel('Página de obrigado');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => field.evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await editor().locator('[data-field-error]').count()).toBe(1);
    expect(await thisForm()).toBeUndefined();
    // The sticky section menu stays where the page was scrolled: show it at the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-forms-error.png`, fullPage: true });
  });

  test('creates the form with its consent text and shows its code', async () => {
    await editor().getByLabel('Página de obrigado').fill(`${site.origin}/obrigado`);
    await editor().getByLabel('Exigir a caixa de consentimento marcada').check();
    await editor()
      .getByLabel('Texto do consentimento')
      .fill('Aceito que a Construtora entre em contato comigo.');
    await editor().getByLabel('Versão do texto').fill('contato-2026-11');
    await editor().getByRole('button', { name: 'Criar formulário' }).click();

    await expect
      .poll(() => page.locator('[data-web-forms-message]').textContent())
      .toContain(`Formulário ${formName} criado.`);
    await expect.poll(() => row().count()).toBe(1);
    expect(await row().textContent()).toContain(site.origin);
    const code = page.locator(`[data-web-form-code="${slug}"]`);
    expect(await code.locator('[data-snippet-action]').textContent()).toBe(
      `${apiOrigin}/forms/lead/${slug}`,
    );
    // Ready for the next form.
    expect(await editor().getByLabel('Nome', { exact: true }).inputValue()).toBe('');
    expect(await thisForm()).toMatchObject({
      name: formName,
      slug,
      allowedOrigins: [site.origin],
      thankYouUrl: `${site.origin}/obrigado`,
      errorUrl: null,
      defaultOrigin: 'SITE',
      consentRequired: true,
      consentTextVersion: 'contato-2026-11',
    });
  });

  test('edits the form, sending what changed, and copies its code', async () => {
    await page.getByRole('button', { name: `Editar ${formName}` }).click();
    await expect
      .poll(() => editor().getByLabel('Nome', { exact: true }).inputValue())
      .toBe(formName);
    await editor().getByLabel('Nome', { exact: true }).fill(editedName);
    await editor().getByLabel('Origem dos leads').selectOption('REFERRAL');
    await editor().getByLabel('Interesse padrão').fill('Apartamento de 2 quartos');
    await editor().getByLabel('Página de erro').fill(`${site.origin}/contato`);
    await editor().getByRole('button', { name: 'Salvar formulário' }).click();
    await expect
      .poll(() => editor().locator('[data-form-message]').textContent())
      .toContain('Configurações salvas.');
    expect(await thisForm()).toMatchObject({
      name: editedName,
      slug,
      defaultOrigin: 'REFERRAL',
      defaultInterest: 'Apartamento de 2 quartos',
      thankYouUrl: `${site.origin}/obrigado`,
      errorUrl: `${site.origin}/contato`,
    });
    await expect.poll(() => row().locator('th').textContent()).toBe(editedName);

    const code = page.locator(`[data-web-form-code="${slug}"]`);
    await code.getByRole('button', { name: 'Copiar o código' }).click();
    await expect.poll(() => code.getByRole('status').textContent()).toBe('Copiado.');
    copiedCode = await page.evaluate(() => navigator.clipboard.readText());
    expect(copiedCode).toBe(await code.locator('[data-web-form-snippet]').textContent());
    expect(copiedCode).toContain(`action="${apiOrigin}/forms/lead/${slug}"`);
    expect(copiedCode).toContain('Aceito que a Construtora entre em contato comigo.');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-forms.png`, fullPage: true });
  });

  test('the copied code sends refused input back to the error page with the field’s message', async () => {
    const visitor = await browser.newPage({ locale: 'pt-BR' });
    const email = `lia.${lower}@example.com`;
    try {
      await visitor.goto(`${site.origin}/contato`);
      await visitor.getByLabel('Nome').fill(`Lia ${tag}`);
      await visitor.getByLabel('E-mail').fill(email);
      await visitor.getByLabel('Telefone').fill('123');
      await visitor.getByLabel('Aceito que a Construtora entre em contato comigo.').check();
      await Promise.all([
        visitor.waitForURL(/\/contato\?form_status=invalid/),
        visitor.getByRole('button', { name: 'Enviar' }).click(),
      ]);
      const back = new URL(visitor.url());
      expect(back.searchParams.get('error_phone')).toContain('(11) 99999-9999');
      expect([...back.searchParams.keys()]).toEqual(['form_status', 'error_phone']);
    } finally {
      await visitor.close();
    }
    expect(await leadsByEmail(email)).toEqual([]);
  });

  test('the copied code sends a lead from the allowed site and lands on its thank-you page', async () => {
    const visitor = await browser.newPage({ locale: 'pt-BR' });
    const email = `lia.${lower}@example.com`;
    try {
      await visitor.goto(`${site.origin}/contato`);
      await visitor.getByLabel('Nome').fill(`Lia ${tag}`);
      await visitor.getByLabel('E-mail').fill(email);
      await visitor.getByLabel('Telefone').fill('(11) 98888-7777');
      await visitor.getByLabel('Cidade').fill('Campinas');
      await visitor.getByLabel('Renda mensal aproximada (R$)').fill('12.500,00');
      await visitor.getByLabel('Mensagem').fill('Quero visitar o decorado.');
      await visitor.getByLabel('Aceito que a Construtora entre em contato comigo.').check();
      await visitor.screenshot({ path: `${ARTIFACTS_DIR}settings-forms-site.png`, fullPage: true });
      await Promise.all([
        visitor.waitForURL(`${site.origin}/obrigado`),
        visitor.getByRole('button', { name: 'Enviar' }).click(),
      ]);
      expect(await visitor.locator('h1').textContent()).toBe('Obrigado pelo contato!');
    } finally {
      await visitor.close();
    }

    await expect.poll(async () => (await leadsByEmail(email)).length).toBe(1);
    const [lead] = await leadsByEmail(email);
    expect(lead).toMatchObject({
      name: `Lia ${tag}`,
      email,
      phone: '+5511988887777',
      city: 'Campinas',
      // The form sent none: the form's default interest and origin.
      interest: 'Apartamento de 2 quartos',
      approximateIncome: '12500.00',
      origin: 'REFERRAL',
      firstTouch: { channel: 'WEB_FORM' },
      consents: [{ source: `web-form:${slug}`, textVersion: 'contato-2026-11' }],
    });
  });

  test('fits a 390 px phone, code included, without scrolling the page sideways', async () => {
    const phone = await context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${dashboardUrl}/settings/forms`);
      await phone.getByRole('button', { name: `Código HTML de ${editedName}` }).click();
      await expect
        .poll(() => phone.locator(`[data-web-form-code="${slug}"]`).count(), LOADING)
        .toBe(1);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({ path: `${ARTIFACTS_DIR}settings-forms-390px.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });

  test('deletes the form after a confirmation, and its address stops answering', async () => {
    await page.getByRole('button', { name: `Excluir ${editedName}` }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain(`/forms/lead/${slug}`);
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await thisForm()).toBeDefined();

    await page.getByRole('button', { name: `Excluir ${editedName}` }).click();
    await dialog.getByRole('button', { name: 'Excluir' }).click();
    await expect
      .poll(() => page.locator('[data-web-forms-message]').textContent())
      .toBe(`Formulário ${editedName} excluído.`);
    await expect.poll(() => row().count()).toBe(0);
    expect(await page.locator(`[data-web-form-code="${slug}"]`).count()).toBe(0);
    expect(await thisForm()).toBeUndefined();

    const post = await fetch(`${apiOrigin}/forms/lead/${slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.origin },
      body: new URLSearchParams({ name: `Rui ${tag}`, email: `rui.${lower}@example.com` }),
    });
    expect(post.status).toBe(404);
  });

  test('offers web forms to admins only: no link for managers or sales', async () => {
    for (const role of ['MANAGER', 'SALES'] as const) {
      const person = {
        name: `${role === 'SALES' ? 'Rita' : 'Gil'} ${tag}`,
        email: `${role.toLowerCase()}.${lower}@example.com`,
        password: `senha-${role.toLowerCase()}-${lower}`,
        role,
      };
      await createUser(api, person);
      const sessionToken = await signInToApi(api.url, person.email, person.password);
      const other = await browser.newPage({
        locale: 'pt-BR',
        storageState: signedIn({ url: api.url, sessionToken }),
      });
      try {
        await other.goto(`${dashboardUrl}/settings`);
        await expect.poll(() => other.locator('h1').textContent(), LOADING).toBe('Configurações');
        expect(await other.locator('a[href="/settings/forms"]').count(), role).toBe(0);
        await other.goto(`${dashboardUrl}/settings/forms`);
        await expect
          .poll(() => other.locator('[data-settings-forbidden]').count(), LOADING)
          .toBe(1);
        expect(await other.locator('[data-web-form-editor]').count(), role).toBe(0);
      } finally {
        await other.close();
      }
    }
  });
});
