import { describe, expect, test } from 'vitest';
import type { AutomationSettingsFieldsFragment } from '$lib/graphql/generated/graphql';
import { hasChanges, toForm, toInput } from './automation-form';

/** The API's defaults (server/src/automations/automations.ts), Slack set. */
const settings: AutomationSettingsFieldsFragment = {
  plans: [
    {
      status: 'HOT',
      actions: ['notify-slack', 'notify-whatsapp', 'send-to-crm', 'schedule-follow-up'],
      followUpMinutes: 60,
    },
    {
      status: 'WARM',
      actions: ['nurture-email', 'email-sequence', 'send-to-crm', 'schedule-follow-up'],
      followUpMinutes: 4320,
    },
    {
      status: 'COLD',
      actions: ['send-to-crm', 'schedule-follow-up', 'remarketing-list'],
      followUpMinutes: 10080,
    },
  ],
  maxAttempts: 3,
  retryDelaySeconds: 60,
  slackConfigured: true,
  n8nWebhookUrl: null,
  n8nSecretConfigured: false,
  whatsappBaseUrl: null,
  whatsappPhoneNumberId: null,
  whatsappTokenConfigured: false,
  whatsappRecipients: ['+5511999990000'],
  whatsappTemplate: null,
  whatsappLanguage: null,
};

describe('automation settings form', () => {
  test('shows follow-up delays in days and hours', () => {
    const form = toForm(settings);
    expect(form.plans.HOT.followUp).toEqual({ amount: 1, unit: 'hours' });
    expect(form.plans.COLD.followUp).toEqual({ amount: 7, unit: 'days' });
    expect(form.whatsappRecipients).toBe('+5511999990000');
  });

  test('sends nothing when nothing changed', () => {
    const saved = toForm(settings);
    expect(toInput(saved, toForm(settings))).toEqual({ ok: true, input: {} });
    expect(hasChanges(saved, toForm(settings))).toBe(false);
  });

  test('sends every class plan in order once one changes, with actions in display order', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.plans.COLD.actions = ['remarketing-list', 'notify-slack'];
    form.plans.WARM.followUp = { amount: 2, unit: 'days' };
    const result = toInput(saved, form);
    expect(result).toEqual({
      ok: true,
      input: {
        plans: [
          {
            status: 'HOT',
            actions: ['notify-slack', 'notify-whatsapp', 'send-to-crm', 'schedule-follow-up'],
            followUpMinutes: 60,
          },
          {
            status: 'WARM',
            actions: ['send-to-crm', 'schedule-follow-up', 'nurture-email', 'email-sequence'],
            followUpMinutes: 2880,
          },
          { status: 'COLD', actions: ['notify-slack', 'remarketing-list'], followUpMinutes: 10080 },
        ],
      },
    });
  });

  test('keeps an action the dashboard does not know', () => {
    const withUnknown = {
      ...settings,
      plans: [{ status: 'HOT', actions: ['notify-slack', 'call-robot'], followUpMinutes: 30 }],
    };
    const saved = toForm(withUnknown);
    const form = toForm(withUnknown);
    form.plans.HOT.actions.push('send-to-crm');
    const result = toInput(saved, form);
    expect(result.ok && result.input.plans?.[0]?.actions).toEqual([
      'notify-slack',
      'send-to-crm',
      'call-robot',
    ]);
  });

  test('sends changed text trimmed, "" to clear it, and the recipients one per line', () => {
    const saved = toForm({ ...settings, whatsappTemplate: 'novo_lead' });
    const form = toForm({ ...settings, whatsappTemplate: 'novo_lead' });
    form.n8nWebhookUrl = ' https://n8n.example.com/webhook/x ';
    form.whatsappTemplate = '';
    form.whatsappRecipients = '+5511999990000\n\n +5521988887777 ';
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: {
        n8nWebhookUrl: 'https://n8n.example.com/webhook/x',
        whatsappTemplate: '',
        whatsappRecipients: ['+5511999990000', '+5521988887777'],
      },
    });
  });

  test('sends a secret only when it is replaced or cleared', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.slackWebhookUrl = { mode: 'clear' };
    form.n8nSecret = { mode: 'replace', value: 'a-long-signing-secret' };
    form.whatsappToken = { mode: 'replace', value: '' };
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: { slackWebhookUrl: null, n8nSecret: 'a-long-signing-secret' },
    });
  });

  test('refuses numbers that are not whole, under the API’s field names', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.maxAttempts = null;
    form.retryDelaySeconds = 1.5;
    form.plans.WARM.followUp = { amount: null, unit: 'days' };
    expect(toInput(saved, form)).toEqual({
      ok: false,
      errors: {
        maxAttempts: 'settings.wholeNumber',
        retryDelaySeconds: 'settings.wholeNumber',
        'plans.1.followUpMinutes': 'settings.wholeNumber',
      },
    });
    expect(hasChanges(saved, form)).toBe(true);
  });
});
