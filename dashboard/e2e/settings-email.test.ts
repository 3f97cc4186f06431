import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { asSession } from './access-api';
import { adminApi } from './api';
import { ARTIFACTS_DIR, launchChromium, signedIn } from './browser';
import {
  readEmailSettings,
  readEmailTemplate,
  restoreEmailSettings,
  type SavedEmailSettings,
} from './settings-api';

const api = adminApi();
const dashboardUrl = inject('dashboardUrl');

const tag = `Zm${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;

/** What the local SMTP server accepted: envelope recipients and the raw message. */
const received: { to: string[]; message: string }[] = [];

let browser: Browser;
let page: Page;
let smtp: SMTPServer;
let smtpPort: number;
let original: SavedEmailSettings;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
    locale: 'pt-BR',
    storageState: signedIn(api),
  });
  // A real SMTP server on a free port, without TLS or login: the relay a test can stand in for.
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          message: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  original = await readEmailSettings(api);
});

afterAll(async () => {
  // Later files must not try to send through a server that is gone.
  if (original) await restoreEmailSettings(api, original);
  await browser?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()));
});

const formMessage = () => page.locator('[data-form-message]').textContent();
const save = () => page.getByRole('button', { name: 'Salvar configurações de e-mail' }).click();
const templates = () => page.locator('[data-template-editor]');

describe('Email settings', () => {
  test('says why emails are not sent yet and refuses a sender that is not an address', async () => {
    await page.goto(`${dashboardUrl}/settings/email`);
    await expect
      .poll(() => page.locator('[data-email-not-ready]').textContent())
      .toContain('Os e-mails aos leads não estão sendo enviados');
    await page.getByLabel('E-mail do remetente').fill('contato');
    await save();
    await expect
      .poll(() => page.locator('[data-field-error="fromAddress"]').textContent())
      .toContain('Um e-mail como contato@example.com');
    expect((await readEmailSettings(api)).fromAddress).toBe(original.fromAddress);
  });

  test('refuses CA certificates that are not PEM beside the field and saves nothing', async () => {
    const caField = page.getByLabel('Certificados de CA (PEM)');
    await caField.fill('não é um certificado');
    await save();
    const error = page.locator('[data-field-error="smtpCaCertificates"]');
    await expect.poll(() => error.textContent()).toContain('Certificados PEM');
    expect(await caField.getAttribute('aria-invalid')).toBe('true');
    await page
      .locator('section.card', { has: caField })
      .screenshot({ path: `${ARTIFACTS_DIR}settings-email-ca-refused.png` });
    const saved = await asSession<{ emailSettings: { smtpCaCertificates: string | null } }>(
      api,
      '{ emailSettings { smtpCaCertificates } }',
    );
    expect(saved.data?.emailSettings.smtpCaCertificates).toBeNull();
    // Back to the public CAs only, so the next save carries no refused value.
    await caField.fill('');
  });

  test('saves the SMTP server, the sender and the links, and then emails are sent', async () => {
    await page.getByLabel('Servidor', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Segurança da conexão').selectOption('NONE');
    await page.getByLabel('Porta').fill(String(smtpPort));
    await page.getByLabel('E-mail do remetente').fill('contato@streamleads.test');
    await page.getByLabel('Nome do remetente').fill(`Imobiliária ${tag}`);
    await page.getByLabel('Link de agendamento').fill('https://agenda.example.com/conversa');
    await page.getByLabel('URL pública da API').fill('https://api.example.com');
    await save();
    await expect.poll(formMessage).toContain('Configurações salvas.');
    await expect.poll(() => page.locator('[data-email-ready]').count()).toBe(1);
    expect(await readEmailSettings(api)).toMatchObject({
      smtpHost: '127.0.0.1',
      smtpPort,
      smtpTls: 'NONE',
      fromAddress: 'contato@streamleads.test',
      fromName: `Imobiliária ${tag}`,
      publicBaseUrl: 'https://api.example.com',
    });
  });

  test('tests the SMTP connection and sends a test email through a local server', async () => {
    await page.getByRole('button', { name: 'Testar conexão SMTP' }).click();
    const result = page.locator('[data-smtp-test-result]');
    await expect.poll(() => result.getAttribute('data-smtp-test-result')).toBe('ok');
    expect(await result.textContent()).toContain('o servidor aceitou a conexão e o login');
    expect(received).toHaveLength(0);

    await page.getByLabel('Enviar um e-mail de teste para (opcional)').fill('teste@example.com');
    await page.getByRole('button', { name: 'Testar conexão SMTP' }).click();
    await expect
      .poll(() => result.textContent())
      .toContain('o e-mail de teste para teste@example.com foi aceito');
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['teste@example.com']);
    expect(received[0]!.message).toContain('[Teste]');
  });

  test('edits the sequence steps and saves them', async () => {
    const steps = page.locator('[data-sequence-step]');
    expect(await steps.count()).toBe(original.sequence.length);
    await page
      .getByRole('button', { name: `Remover o e-mail ${original.sequence.length}` })
      .click();
    await steps.nth(1).locator('input[type="number"]').fill('4');
    await page.getByRole('button', { name: 'Descer o e-mail 1' }).click();
    await save();
    await expect.poll(formMessage).toContain('Configurações salvas.');
    const sequence = (await readEmailSettings(api)).sequence;
    expect(sequence).toEqual([
      { template: original.sequence[1]!.template, delayMinutes: 4 * 24 * 60 },
      original.sequence[0],
    ]);
  });

  test('uploads a nurture PDF, shows its name and size, and removes it after confirming', async () => {
    const pdf = Buffer.from(`%PDF-1.4\n% StreamLeads ${tag}\n%%EOF\n`);
    await page.getByLabel('Enviar um PDF').setInputFiles({
      name: `guia-${tag}.pdf`,
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    const current = page.locator('[data-pdf-current]');
    await expect
      .poll(() => current.locator('[data-pdf-name]').textContent())
      .toBe(`guia-${tag}.pdf`);
    expect(await current.locator('[data-pdf-size]').textContent()).toMatch(
      new RegExp(`^${pdf.length} bytes?$`),
    );
    expect((await readEmailSettings(api)).nurturePdf).toEqual({
      filename: `guia-${tag}.pdf`,
      size: pdf.length,
    });

    await page.getByRole('button', { name: 'Remover o PDF' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(`guia-${tag}.pdf`);
    await dialog.getByRole('button', { name: 'Remover o PDF' }).click();
    await expect.poll(() => page.locator('[data-pdf-none]').count()).toBe(1);
    expect((await readEmailSettings(api)).nurturePdf).toBeNull();
  });

  test('previews a template draft live in a sandboxed frame and refuses an unknown variable', async () => {
    const editor = templates();
    const subject = editor.getByLabel('Assunto');
    await expect.poll(() => subject.inputValue()).toContain('{{firstName}}');
    await subject.fill(`Olá {{firstName}}, novidades ${tag}`);
    await expect
      .poll(() => editor.locator('[data-preview-subject]').textContent())
      .toBe(`Olá Maria, novidades ${tag}`);
    const frame = editor.locator('iframe[data-preview-html]');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('Maria');
    expect(await frame.getAttribute('srcdoc')).toContain(`Imobiliária ${tag}`);

    const html = editor.getByLabel('HTML', { exact: true });
    const saved = await html.inputValue();
    await html.fill(`${saved}\n<p>{{nome}}</p>`);
    await expect
      .poll(() => editor.locator('[data-field-error="html"]').textContent())
      .toContain('Variável desconhecida {{nome}}');
    expect(await html.getAttribute('aria-invalid')).toBe('true');
    await html.fill(saved);
    await expect.poll(() => editor.locator('[data-field-error="html"]').count()).toBe(0);

    await editor.getByRole('button', { name: 'Texto', exact: true }).click();
    await expect.poll(() => editor.locator('[data-preview-text]').textContent()).toContain('Maria');
  });

  test('saves the template, which then reads as customized', async () => {
    const editor = templates();
    await editor.getByRole('button', { name: 'Salvar modelo' }).click();
    await expect
      .poll(() => editor.locator('[data-template-message]').textContent())
      .toContain('Modelo salvo');
    await expect
      .poll(() => editor.locator('[data-template-status]').textContent())
      .toContain('Personalizado');
    expect(await readEmailTemplate(api, 'nurture', 'pt-BR')).toMatchObject({
      subject: `Olá {{firstName}}, novidades ${tag}`,
      customized: true,
    });

    // The English version is another template, still the built-in one.
    await editor.getByLabel('English').check();
    await expect
      .poll(() => editor.locator('[data-template-status]').textContent())
      .toContain('Padrão do sistema');
    await expect
      .poll(() => editor.locator('[data-preview-subject]').textContent())
      .toBe('Maria, your guide is here');
    // Sticky parts (the section menu, the preview) stay where the page was scrolled.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS_DIR}settings-email.png`, fullPage: true });
  });

  test('fits a 390 px phone without scrolling the page sideways', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      locale: 'pt-BR',
      storageState: signedIn(api),
    });
    try {
      await phone.goto(`${dashboardUrl}/settings/email`);
      await expect
        .poll(() => phone.locator('[data-template-preview] iframe').count())
        .toBeGreaterThan(0);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      await phone.screenshot({ path: `${ARTIFACTS_DIR}settings-email-390px.png`, fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
