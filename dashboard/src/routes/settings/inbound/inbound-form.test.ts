import { describe, expect, test } from 'vitest';
import type { InboundSettingsFieldsFragment } from '$lib/graphql/generated/graphql';
import {
  hasChanges,
  inboundUrls,
  questionRow,
  toForm,
  toInput,
  withRowAdded,
  withRowRemoved,
} from './inbound-form';

const settings: InboundSettingsFieldsFragment = {
  metaAppSecretSet: true,
  metaVerifyTokenSet: false,
  metaAccessTokenSet: true,
  metaGraphBaseUrl: 'https://graph.facebook.com/v21.0',
  metaFormQuestions: [{ formId: '111', interestQuestion: 'imovel', incomeQuestion: null }],
  googleKeySet: false,
  googleTestLeads: 'STORE',
  googleFormQuestions: [
    { formId: '900', interestQuestion: 'Qual imóvel?', incomeQuestion: 'Renda' },
    { formId: '901', interestQuestion: null, incomeQuestion: 'INCOME' },
  ],
  formAllowedOrigins: ['https://www.example.com', 'https://lp.example.com'],
  formThankYouUrl: null,
};

describe('inbound settings form', () => {
  test('holds the saved settings as typed text, secrets kept', () => {
    const form = toForm(settings);
    expect(form.metaAppSecret).toEqual({ mode: 'keep' });
    expect(form.googleKey).toEqual({ mode: 'keep' });
    expect(form.googleFormQuestions.map(({ key: _key, ...row }) => row)).toEqual([
      { formId: '900', interestQuestion: 'Qual imóvel?', incomeQuestion: 'Renda' },
      { formId: '901', interestQuestion: '', incomeQuestion: 'INCOME' },
    ]);
    expect(form.formAllowedOrigins).toBe('https://www.example.com\nhttps://lp.example.com');
    expect(form.formThankYouUrl).toBe('');
  });

  test('sends nothing when nothing changed', () => {
    expect(toInput(toForm(settings), toForm(settings))).toEqual({ ok: true, input: {} });
    expect(hasChanges(toForm(settings), toForm(settings))).toBe(false);
  });

  test('sends only the changed fields, a mapping as a whole and blanks as null', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.googleFormQuestions[1]!.interestQuestion = '  Interesse ';
    form.googleTestLeads = 'DROP';
    form.formAllowedOrigins = ' https://www.example.com \n\nhttps://novo.example.com\n';
    form.formThankYouUrl = 'https://www.example.com/obrigado';
    form.metaGraphBaseUrl = ' https://graph.facebook.com/v22.0 ';
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: {
        metaGraphBaseUrl: 'https://graph.facebook.com/v22.0',
        googleFormQuestions: [
          { formId: '900', interestQuestion: 'Qual imóvel?', incomeQuestion: 'Renda' },
          { formId: '901', interestQuestion: 'Interesse', incomeQuestion: 'INCOME' },
        ],
        googleTestLeads: 'DROP',
        formAllowedOrigins: ['https://www.example.com', 'https://novo.example.com'],
        formThankYouUrl: 'https://www.example.com/obrigado',
      },
    });
  });

  test('clears the thank-you page with null, not an empty URL', () => {
    const saved = toForm({ ...settings, formThankYouUrl: 'https://www.example.com/obrigado' });
    const form = toForm({ ...settings, formThankYouUrl: 'https://www.example.com/obrigado' });
    form.formThankYouUrl = '  ';
    expect(toInput(saved, form)).toEqual({ ok: true, input: { formThankYouUrl: null } });
  });

  test('replaces or clears a secret and keeps a replacement left blank', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.googleKey = { mode: 'replace', value: ' chave-nova ' };
    form.metaAppSecret = { mode: 'clear' };
    form.metaAccessToken = { mode: 'replace', value: '   ' };
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: { googleKey: 'chave-nova', metaAppSecret: null },
    });
  });

  test('sends a removed row as the shorter mapping, and an emptied one as []', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.googleFormQuestions = withRowRemoved(
      form.googleFormQuestions,
      form.googleFormQuestions[0]!.key,
    );
    form.metaFormQuestions = [];
    expect(toInput(saved, form)).toEqual({
      ok: true,
      input: {
        metaFormQuestions: [],
        googleFormQuestions: [{ formId: '901', interestQuestion: null, incomeQuestion: 'INCOME' }],
      },
    });
  });

  test('refuses a row without a form id and a form listed twice, at their row', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.googleFormQuestions = withRowAdded(form.googleFormQuestions);
    form.googleFormQuestions = withRowAdded(form.googleFormQuestions);
    form.googleFormQuestions[3]!.formId = ' 900 ';
    expect(toInput(saved, form)).toEqual({
      ok: false,
      errors: {
        'googleFormQuestions.2.formId': 'settings.inbound.formIdRequired',
        'googleFormQuestions.3.formId': 'settings.inbound.formIdRepeated',
      },
    });
    expect(hasChanges(saved, form)).toBe(true);
  });

  test('refuses a URL or an origin the API would refuse, beside its field or line', () => {
    const saved = toForm(settings);
    const form = toForm(settings);
    form.metaGraphBaseUrl = 'graph.facebook.com';
    form.formThankYouUrl = 'ftp://www.example.com/obrigado';
    form.formAllowedOrigins =
      'https://www.example.com\n\nhttps://lp.example.com/pagina\nnão é site';
    expect(toInput(saved, form)).toEqual({
      ok: false,
      errors: {
        metaGraphBaseUrl: 'settings.inbound.httpUrl',
        formThankYouUrl: 'settings.inbound.httpUrl',
        'formAllowedOrigins.1': 'settings.inbound.origin',
        'formAllowedOrigins.2': 'settings.inbound.origin',
      },
    });
  });
});

describe('mapping rows', () => {
  test('adds a blank row with a key of its own at the end', () => {
    const first = questionRow({ formId: '1' });
    const rows = withRowAdded([first]);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ formId: '', interestQuestion: '', incomeQuestion: '' });
    expect(rows[1]!.key).not.toBe(first.key);
  });

  test('removes only the row with the given key', () => {
    const rows = [questionRow({ formId: '1' }), questionRow({ formId: '2' })];
    const left = withRowRemoved(rows, rows[0]!.key);
    expect(left.map((row) => row.formId)).toEqual(['2']);
    expect(rows).toHaveLength(2);
  });
});

describe('inbound addresses', () => {
  test('sit beside the GraphQL endpoint', () => {
    expect(inboundUrls('http://127.0.0.1:4000/graphql', 'http://localhost:5173')).toEqual({
      meta: 'http://127.0.0.1:4000/inbound/meta',
      google: 'http://127.0.0.1:4000/inbound/google',
      form: 'http://127.0.0.1:4000/forms/lead',
    });
  });

  test('keep a path prefix and resolve a relative API URL against the page', () => {
    expect(
      inboundUrls('https://example.com/api/graphql', 'https://painel.example.com').google,
    ).toBe('https://example.com/api/inbound/google');
    expect(inboundUrls('/graphql', 'https://painel.example.com').meta).toBe(
      'https://painel.example.com/inbound/meta',
    );
  });
});
