// The embeddable script (server/src/inbound/embed-script.ts) on another site's page: a tiny HTTP
// server on a different origin serves a form with the script tag pointing at the real API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { SESSION_COOKIE, adminApi } from './api';
import { ARTIFACTS_DIR, launchChromium } from './browser';

const api = adminApi();
const apiOrigin = new URL(inject('apiUrl')).origin;

// Letters only: names must be names. Searching for it shows only this file's leads.
const tag = `Ze${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const lower = tag.toLowerCase();

async function asAdmin<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: `${SESSION_COOKIE}=${api.sessionToken}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`API call failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A publishable key (createLead only) for browsers on these origins. */
async function createFormKey(name: string, allowedOrigins: string[]): Promise<string> {
  const { createApiKey } = await asAdmin<{ createApiKey: { key?: string; message?: string } }>(
    `mutation E2eFormKey($input: CreateApiKeyInput!) {
      createApiKey(input: $input) {
        ... on CreateApiKeyPayload { key }
        ... on Error { message }
      }
    }`,
    { input: { name, scopes: ['LEADS_CREATE'], allowedOrigins } },
  );
  if (!createApiKey.key) throw new Error(`createApiKey failed: ${createApiKey.message}`);
  return createApiKey.key;
}

interface FoundLead {
  name: string;
  email: string;
  phone: string | null;
  origin: string;
  firstTouch: {
    channel: string;
    utmSource: string | null;
    utmMedium: string | null;
    utmCampaign: string | null;
    landingPage: string | null;
  } | null;
}

async function leadsByEmail(email: string): Promise<FoundLead[]> {
  const { leads } = await asAdmin<{ leads: { edges: { node: FoundLead }[] } }>(
    `query E2eEmbedLeads($filter: LeadFilter) {
      leads(filter: $filter, first: 5) {
        ... on LeadConnection {
          edges { node { name email phone origin
            firstTouch { channel utmSource utmMedium utmCampaign landingPage } } }
        }
      }
    }`,
    { filter: { search: email } },
  );
  return leads.edges.map((edge) => edge.node);
}

/** Another site's page: a form and the script tag, as the API key snippet tells site owners. */
function formPage(key: string): string {
  return `<!doctype html>
<html lang="pt-BR">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Fale conosco</title>
    <script src="${apiOrigin}/embed.js" data-key="${key}" defer></script>
    <style>.streamleads-error { color: #b91c1c; margin-left: .5rem; } label { display: block; margin: .5rem 0; }</style>
  </head>
  <body>
    <h1>Fale conosco</h1>
    <form data-streamleads data-success-message="Obrigado! Vamos falar com você em breve.">
      <label>Nome <input name="name" autocomplete="name" /></label>
      <label>E-mail <input name="email" autocomplete="email" /></label>
      <label>Telefone <input name="phone" autocomplete="tel" /></label>
      <label>Cidade <input name="city" /></label>
      <button type="submit">Enviar</button>
    </form>
  </body>
</html>`;
}

/** Serves the form on its own origin; `keys` maps a path to the key its page carries. */
async function startSite(
  keys: () => Record<string, string>,
): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    const key = keys()[path];
    if (!key) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(formPage(key));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: another site than the API and the dashboard, as a customer's is.
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

let browser: Browser;
let page: Page;
let site: { server: Server; origin: string };
let unlistedSite: { server: Server; origin: string };
const keys: Record<string, string> = {};

beforeAll(async () => {
  site = await startSite(() => keys);
  unlistedSite = await startSite(() => ({ '/contato': keys['/contato']! }));
  keys['/contato'] = await createFormKey(`Site ${tag}`, [site.origin]);
  keys['/outra-chave'] = await createFormKey(`Other site ${tag}`, ['https://elsewhere.example']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 800, height: 700 }, locale: 'pt-BR' });
});

afterAll(async () => {
  await browser?.close();
  for (const running of [site?.server, unlistedSite?.server]) {
    await new Promise((resolve) => running?.close(resolve));
  }
});

async function fillForm(on: Page, values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) {
    await on.locator(`input[name="${name}"]`).fill(value);
  }
}

describe('Embedded form', () => {
  const email = `lia.${lower}@example.com`;

  test('shows the API’s error beside a wrong phone and creates nothing', async () => {
    await page.goto(
      `${site.origin}/contato?utm_source=instagram&utm_medium=social&utm_campaign=bf-${lower}`,
    );
    await fillForm(page, { name: `Lia ${tag}`, email, phone: '123', city: 'Campinas' });
    await page.getByRole('button', { name: 'Enviar' }).click();

    const phoneError = page.locator('input[name="phone"] + [data-error-for="phone"]');
    await expect
      .poll(() => phoneError.textContent())
      // The visitor's browser asks for Portuguese (Accept-Language), and the API words it so.
      .toBe('Informe um telefone válido com DDD, por exemplo (11) 99999-9999');
    const phone = page.locator('input[name="phone"]');
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(await phone.getAttribute('aria-describedby')).toBe(await phoneError.getAttribute('id'));
    expect(await page.locator('[data-error-for="email"]').count()).toBe(0);
    expect(await leadsByEmail(email)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS_DIR}embed-form-error.png`, fullPage: true });
  });

  test('creates the lead with the page’s UTM parameters once the phone is right', async () => {
    await page.locator('input[name="phone"]').fill('(11) 98888-7777');
    await page.getByRole('button', { name: 'Enviar' }).click();

    await expect
      .poll(() => page.locator('[data-streamleads-status]').textContent())
      .toBe('Obrigado! Vamos falar com você em breve.');
    expect(await page.locator('[data-error-for="phone"]').textContent()).toBe('');
    expect(await page.locator('input[name="phone"]').getAttribute('aria-invalid')).toBeNull();
    // Cleared for the next visitor.
    expect(await page.locator('input[name="name"]').inputValue()).toBe('');
    await page.screenshot({ path: `${ARTIFACTS_DIR}embed-form.png`, fullPage: true });

    const [lead, ...others] = await leadsByEmail(email);
    expect(others).toEqual([]);
    expect(lead).toMatchObject({
      name: `Lia ${tag}`,
      email,
      phone: '+5511988887777',
      origin: 'SITE',
      firstTouch: {
        channel: 'API',
        utmSource: 'instagram',
        utmMedium: 'social',
        utmCampaign: `bf-${lower}`,
        landingPage: `${site.origin}/contato?utm_source=instagram&utm_medium=social&utm_campaign=bf-${lower}`,
      },
    });
  });

  test('shows the refusal when the key does not allow the page’s site', async () => {
    const refusedEmail = `rui.${lower}@example.com`;
    await page.goto(`${site.origin}/outra-chave`);
    await fillForm(page, { name: `Rui ${tag}`, email: refusedEmail, phone: '(11) 97777-6666' });
    await page.getByRole('button', { name: 'Enviar' }).click();

    await expect
      .poll(() => page.locator('[data-error-for="form"]').textContent())
      .toBe(`This API key may not be used from ${site.origin}.`);
    expect(await page.locator('[data-streamleads-status]').count()).toBe(0);
    expect(await leadsByEmail(refusedEmail)).toEqual([]);
  });

  test('shows an error on a site no key allows, where CORS hides the answer', async () => {
    const refusedEmail = `teo.${lower}@example.com`;
    const messages: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') messages.push(message.text());
    });
    await page.goto(`${unlistedSite.origin}/contato`);
    await fillForm(page, { name: `Teo ${tag}`, email: refusedEmail });
    await page.getByRole('button', { name: 'Enviar' }).click();

    await expect
      .poll(() => page.locator('[data-error-for="form"]').textContent())
      .toBe('Could not send the form; try again.');
    expect(messages.join('\n')).toContain(`check that the API key allows ${unlistedSite.origin}`);
    expect(await page.getByRole('button', { name: 'Enviar' }).isEnabled()).toBe(true);
    expect(await leadsByEmail(refusedEmail)).toEqual([]);
  });
});
