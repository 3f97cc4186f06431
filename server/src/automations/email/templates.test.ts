import { describe, expect, it } from 'vitest';
import {
  defaultTemplates,
  emailLocales,
  firstNameOf,
  renderTemplate,
  templateErrors,
  type TemplateVariables,
} from './templates.ts';

const variables: TemplateVariables = {
  firstName: 'Maria',
  interest: 'Casa "grande" & <jardim>',
  schedulingLink: 'https://agenda.example/maria?dia=1&hora=2',
  unsubscribeUrl: 'https://api.example/unsubscribe?lead=1&token=abc',
  senderName: 'Imobiliária Exemplo',
};

describe('renderTemplate', () => {
  it('escapes values in the HTML part and keeps them as written in the text part', () => {
    const rendered = renderTemplate(
      { subject: 'Oi {{firstName}}', html: '<p>{{interest}}</p>', text: '{{interest}}' },
      variables,
    );
    expect(rendered.html).toBe('<p>Casa &quot;grande&quot; &amp; &lt;jardim&gt;</p>');
    expect(rendered.text).toBe('Casa "grande" & <jardim>');
    expect(rendered.subject).toBe('Oi Maria');
  });

  it('keeps the subject on one line whatever the values hold', () => {
    const rendered = renderTemplate(
      { subject: '{{firstName}}: {{interest}}', html: '', text: '' },
      { ...variables, firstName: 'Maria\r\nBcc: x@example.com', interest: 'a\nb' },
    );
    expect(rendered.subject).toBe('Maria Bcc: x@example.com: a b');
  });

  it('leaves out a section whose value is missing', () => {
    const template = {
      subject: 's',
      html: '',
      text: 'Oi{{#interest}} sobre {{interest}}{{/interest}}.',
    };
    expect(renderTemplate(template, { ...variables, interest: null }).text).toBe('Oi.');
    expect(renderTemplate(template, { ...variables, interest: 'casa' }).text).toBe(
      'Oi sobre casa.',
    );
  });

  it('renders every built-in template with its unsubscribe link in both parts', () => {
    for (const [key, locales] of Object.entries(defaultTemplates)) {
      for (const locale of emailLocales) {
        const template = locales[locale];
        expect(template, `${key}/${locale}`).toBeDefined();
        expect(templateErrors(template!), `${key}/${locale}`).toEqual([]);
        const rendered = renderTemplate(template!, variables);
        expect(rendered.subject).toContain('Maria');
        expect(rendered.text).toContain(variables.unsubscribeUrl);
        expect(rendered.html).toContain(
          'https:&#x2F;&#x2F;api.example&#x2F;unsubscribe?lead&#x3D;1&amp;token&#x3D;abc',
        );
      }
    }
  });
});

describe('templateErrors', () => {
  it('names unknown variables, partials, syntax errors and unescaped HTML values per part', () => {
    expect(
      templateErrors({
        subject: '{{nome}}',
        html: '{{& interest}}',
        text: '{{#interest}}unclosed',
      }),
    ).toEqual([
      {
        path: 'subject',
        message:
          'Unknown variable {{nome}}: use firstName, interest, schedulingLink, unsubscribeUrl, senderName',
        translations: {
          'pt-BR':
            'Variável desconhecida {{nome}}: use firstName, interest, schedulingLink, unsubscribeUrl, senderName',
        },
      },
      {
        path: 'html',
        message:
          'Use {{interest}}: unescaped values ({{{interest}}} or {{& interest}}) are not allowed in the HTML body',
        translations: {
          'pt-BR':
            'Use {{interest}}: valores sem escape ({{{interest}}} ou {{& interest}}) não são permitidos no corpo em HTML',
        },
      },
      {
        path: 'text',
        // Mustache's own explanation is quoted as it wrote it.
        message: 'Template syntax: Unclosed section "interest" at 21',
        translations: { 'pt-BR': 'Sintaxe do modelo: Unclosed section "interest" at 21' },
      },
    ]);
    expect(templateErrors({ subject: '{{> header}}', html: 'x', text: '{{{interest}}}' })).toEqual([
      {
        path: 'subject',
        message: 'Partials ({{> name}}) are not supported',
        translations: { 'pt-BR': 'Partials ({{> name}}) não são aceitos' },
      },
    ]);
  });
});

describe('firstNameOf', () => {
  it('takes the first word of the name', () => {
    expect(firstNameOf('  Maria   da Silva ')).toBe('Maria');
    expect(firstNameOf('Ana')).toBe('Ana');
  });
});
