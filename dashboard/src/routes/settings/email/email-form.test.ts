import { describe, expect, test } from 'vitest';
import type { EmailSettingsFieldsFragment } from '$lib/graphql/generated/graphql';
import { cumulativeMinutes, hasChanges, newStep, toForm, toInput } from './email-form';

/** The API's defaults (server/src/automations/email/settings.ts), with a host set. */
const settings: EmailSettingsFieldsFragment = {
  smtpHost: 'smtp.example.com',
  smtpPort: 587,
  smtpTls: 'STARTTLS',
  smtpUser: null,
  smtpPasswordConfigured: false,
  smtpCaCertificates: null,
  fromAddress: 'contato@example.com',
  fromName: null,
  locale: 'pt-BR',
  schedulingLink: null,
  publicBaseUrl: null,
  notReadyReason: 'Public base URL (for unsubscribe links) not configured',
  sequence: [
    { template: 'sequence-1', delayMinutes: 2880 },
    { template: 'sequence-2', delayMinutes: 4320 },
    { template: 'sequence-3', delayMinutes: 7200 },
  ],
  nurturePdf: null,
};

/** The shape of a PEM certificate; the API, not the form, checks that it is one. */
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUXk\n-----END CERTIFICATE-----';

describe('email settings form', () => {
  test('holds the sequence delays in days', () => {
    expect(toForm(settings).sequence.map((step) => step.delay)).toEqual([
      { amount: 2, unit: 'days' },
      { amount: 3, unit: 'days' },
      { amount: 5, unit: 'days' },
    ]);
  });

  test('sends nothing when nothing changed', () => {
    expect(toInput(toForm(settings), toForm(settings))).toEqual({ ok: true, input: {} });
    expect(hasChanges(toForm(settings), toForm(settings))).toBe(false);
  });

  test('sends only the changed fields, trimmed, and "" to clear one', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.smtpHost = ' 127.0.0.1 ';
    form.smtpPort = 2525;
    form.smtpTls = 'NONE';
    form.fromAddress = '';
    form.publicBaseUrl = 'https://api.example.com';
    form.locale = 'en';
    form.smtpPassword = { mode: 'replace', value: 's3cret' };
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: {
        smtpHost: '127.0.0.1',
        smtpPort: 2525,
        smtpTls: 'NONE',
        fromAddress: '',
        publicBaseUrl: 'https://api.example.com',
        locale: 'en',
        smtpPassword: 's3cret',
      },
    });
  });

  test('sends the whole sequence in its new order once a step changes', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.sequence = [form.sequence[2]!, form.sequence[0]!, newStep('nurture', 90)];
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: {
        sequence: [
          { template: 'sequence-3', delayMinutes: 7200 },
          { template: 'sequence-1', delayMinutes: 2880 },
          { template: 'nurture', delayMinutes: 90 },
        ],
      },
    });
  });

  test('sends an empty sequence to stop it', () => {
    const form = toForm(settings);
    form.sequence = [];
    expect(toInput(toForm(settings), form)).toEqual({ ok: true, input: { sequence: [] } });
  });

  test('refuses a port or delay that is not a whole number, under the API’s field names', () => {
    const form = toForm(settings);
    form.smtpPort = null;
    form.sequence[1]!.delay = { amount: null, unit: 'days' };
    expect(toInput(toForm(settings), form)).toEqual({
      ok: false,
      errors: {
        smtpPort: 'settings.wholeNumber',
        'sequence.1.delayMinutes': 'settings.wholeNumber',
      },
    });
  });

  test('sends the pasted CA certificates trimmed, with their line breaks', () => {
    const form = toForm(settings);
    form.smtpCaCertificates = `\n${PEM}\n\n`;
    expect(toInput(toForm(settings), form)).toEqual({
      ok: true,
      input: { smtpCaCertificates: PEM },
    });
  });

  test('sends "" to go back to the public CAs only, and nothing while the text is unchanged', () => {
    const withCa = { ...settings, smtpCaCertificates: PEM };
    expect(toForm(withCa).smtpCaCertificates).toBe(PEM);
    expect(toInput(toForm(withCa), toForm(withCa))).toEqual({ ok: true, input: {} });
    const form = toForm(withCa);
    form.smtpCaCertificates = '  ';
    expect(toInput(toForm(withCa), form)).toEqual({ ok: true, input: { smtpCaCertificates: '' } });
    expect(hasChanges(toForm(withCa), form)).toBe(true);
  });

  test('adds up the wait before each email of the sequence', () => {
    const steps = toForm(settings).sequence;
    expect(cumulativeMinutes(steps)).toEqual([2880, 7200, 14400]);
    steps[0]!.delay = { amount: null, unit: 'days' };
    expect(cumulativeMinutes(steps)).toEqual([null, null, null]);
  });
});
