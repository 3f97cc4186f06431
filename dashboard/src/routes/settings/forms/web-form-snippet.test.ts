import { describe, expect, test } from 'vitest';
import { webFormAction, webFormSnippet, type WebFormSnippetLabels } from './web-form-snippet';

const labels: WebFormSnippetLabels = {
  name: 'Nome',
  email: 'E-mail',
  phone: 'Telefone',
  city: 'Cidade',
  interest: 'Interesse',
  approximateIncome: 'Renda mensal aproximada (R$)',
  notes: 'Mensagem',
  submit: 'Enviar',
  errorsComment: 'Um envio recusado volta com ?form_status=invalid.',
};

const ACTION = 'https://api.example.com/forms/lead/contato';
const form = { path: '/forms/lead/contato', consentText: null, consentRequired: false };

function parse(snippet: string): Document {
  return new DOMParser().parseFromString(snippet, 'text/html');
}

const fieldNames = (document: Document) =>
  [...document.querySelectorAll('form [name]')].map((field) => field.getAttribute('name'));

describe('web form snippet', () => {
  test('posts to the form’s path on the API’s origin, whatever the API URL looks like', () => {
    expect(
      webFormAction('https://api.example.com/graphql', 'https://app.example.com', form.path),
    ).toBe(ACTION);
    // A relative PUBLIC_API_URL: the API answers on the dashboard's own origin.
    expect(webFormAction('/graphql', 'https://app.example.com', form.path)).toBe(
      'https://app.example.com/forms/lead/contato',
    );
  });

  test('is a plain URL-encoded post with the field names the endpoint reads', () => {
    const document = parse(webFormSnippet(ACTION, form, labels));
    const element = document.querySelector('form');
    expect(element?.getAttribute('method')).toBe('post');
    expect(element?.getAttribute('action')).toBe(ACTION);
    expect(element?.getAttribute('enctype')).toBeNull();
    expect(document.querySelectorAll('script')).toHaveLength(0);
    // server/src/inbound/web-form.ts: leadFields, then `consent` for the box.
    expect(fieldNames(document)).toEqual([
      'name',
      'email',
      'phone',
      'city',
      'interest',
      'approximateIncome',
      'notes',
    ]);
    const required = [...document.querySelectorAll('[required]')].map((field) =>
      field.getAttribute('name'),
    );
    expect(required).toEqual(['name', 'email']);
    expect(document.querySelector('button[type="submit"]')?.textContent).toBe('Enviar');
    expect(document.querySelector('label')?.textContent).toContain('Nome');
  });

  test('adds the consent box with the form’s text, required when the form requires it', () => {
    const optional = parse(
      webFormSnippet(ACTION, { ...form, consentText: 'Aceito receber ofertas.' }, labels),
    );
    expect(fieldNames(optional).at(-1)).toBe('consent');
    const box = optional.querySelector('input[name="consent"]');
    expect(box?.getAttribute('type')).toBe('checkbox');
    expect(box?.hasAttribute('required')).toBe(false);
    expect(box?.closest('label')?.textContent?.trim()).toBe('Aceito receber ofertas.');

    const required = parse(
      webFormSnippet(
        ACTION,
        { ...form, consentText: 'Aceito a política.', consentRequired: true },
        labels,
      ),
    );
    const requiredBox = required.querySelector<HTMLInputElement>('input[name="consent"]');
    expect(requiredBox?.required).toBe(true);
    // Ticked, it sends a non-blank value: the endpoint counts that as consent.
    expect(requiredBox?.value.trim()).not.toBe('');
  });

  test('escapes the consent text and labels so they cannot add markup', () => {
    const hostile = '</label><script>alert(1)</script><b>oi</b> & "aspas"';
    const snippet = webFormSnippet(
      'https://api.example.com/forms/lead/a"b',
      { ...form, consentText: hostile },
      { ...labels, name: hostile, errorsComment: 'fim --> <script>alert(2)</script>' },
    );
    const document = parse(snippet);
    expect(document.querySelectorAll('script')).toHaveLength(0);
    expect(document.querySelectorAll('b')).toHaveLength(0);
    expect(document.querySelector('form')?.getAttribute('action')).toBe(
      'https://api.example.com/forms/lead/a"b',
    );
    expect(
      document.querySelector('input[name="consent"]')?.closest('label')?.textContent,
    ).toContain(hostile);
  });
});
