// Email templates: Mustache subject, HTML and text bodies per key and locale. Admins edit them
// (EmailTemplate rows); a key and locale without a row uses the built-in default below.
import Mustache from 'mustache';
import type { PrismaClient, Transaction } from '../../db.ts';
import type { FieldError } from '../../errors.ts';

export const emailLocales = ['pt-BR', 'en'] as const;
export type EmailLocale = (typeof emailLocales)[number];
export const defaultLocale: EmailLocale = 'pt-BR';

export function isEmailLocale(value: string): value is EmailLocale {
  return (emailLocales as readonly string[]).includes(value);
}

/** What a template may use. Sections work too: `{{#interest}}...{{/interest}}`. */
export interface TemplateVariables {
  firstName: string;
  interest: string | null;
  schedulingLink: string | null;
  unsubscribeUrl: string;
  senderName: string;
}

export const templateVariableNames: readonly (keyof TemplateVariables)[] = [
  'firstName',
  'interest',
  'schedulingLink',
  'unsubscribeUrl',
  'senderName',
];

export interface EmailTemplateContent {
  subject: string;
  html: string;
  text: string;
}

/** A template as it applies: an admin's version, or the built-in default. */
export interface EffectiveTemplate extends EmailTemplateContent {
  key: string;
  locale: EmailLocale;
  /** True when an admin saved this key and locale. */
  customized: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Renders the three parts. The HTML body escapes every value (a lead's interest is their own
 * text); the text body and the subject take them as they are, but the subject gets no line
 * breaks (a header cannot hold them).
 */
export function renderTemplate(
  template: EmailTemplateContent,
  variables: TemplateVariables,
): RenderedEmail {
  const plain = { escape: (value: unknown) => String(value) };
  const oneLine = {
    ...variables,
    firstName: oneLineOf(variables.firstName),
    interest: variables.interest === null ? null : oneLineOf(variables.interest),
    senderName: oneLineOf(variables.senderName),
  };
  return {
    subject: oneLineOf(Mustache.render(template.subject, oneLine, {}, plain)),
    html: Mustache.render(template.html, variables, {}),
    text: Mustache.render(template.text, variables, {}, plain),
  };
}

function oneLineOf(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The person's first name, as templates greet them. */
export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

/**
 * Problems with a template an admin wrote, per part: Mustache syntax, unknown variables (a typo
 * would render as nothing), partials (there are none) and unescaped values in the HTML body
 * (`{{{x}}}` or `{{& x}}` would put a lead's own text into the HTML as markup).
 */
export function templateErrors(template: EmailTemplateContent): FieldError[] {
  const errors: FieldError[] = [];
  for (const part of ['subject', 'html', 'text'] as const) {
    let tokens: unknown[];
    try {
      tokens = Mustache.parse(template[part]);
    } catch (error) {
      // Mustache's own explanation stays as it wrote it.
      const detail = (error as Error).message;
      errors.push({
        path: part,
        message: `Template syntax: ${detail}`,
        translations: { 'pt-BR': `Sintaxe do modelo: ${detail}` },
      });
      continue;
    }
    const problem = tokenProblem(tokens, part === 'html');
    if (problem) errors.push({ path: part, ...problem });
  }
  return errors;
}

function tokenProblem(
  tokens: unknown[],
  html: boolean,
): Pick<FieldError, 'message' | 'translations'> | null {
  const variables = templateVariableNames.join(', ');
  for (const token of tokens as [string, string, number, number, unknown[]?][]) {
    const [type, value] = token;
    if (type === '>') {
      return {
        message: 'Partials ({{> name}}) are not supported',
        translations: { 'pt-BR': 'Partials ({{> name}}) não são aceitos' },
      };
    }
    if (type === '&' && html) {
      return {
        message: `Use {{${value}}}: unescaped values ({{{${value}}}} or {{& ${value}}}) are not allowed in the HTML body`,
        translations: {
          'pt-BR': `Use {{${value}}}: valores sem escape ({{{${value}}}} ou {{& ${value}}}) não são permitidos no corpo em HTML`,
        },
      };
    }
    if (['name', '&', '#', '^'].includes(type) && !isVariable(value)) {
      return {
        message: `Unknown variable {{${value}}}: use ${variables}`,
        translations: { 'pt-BR': `Variável desconhecida {{${value}}}: use ${variables}` },
      };
    }
    if (type === '#' || type === '^') {
      const nested = tokenProblem(token[4] ?? [], html);
      if (nested) return nested;
    }
  }
  return null;
}

function isVariable(name: string): boolean {
  return name === '.' || (templateVariableNames as readonly string[]).includes(name);
}

/** The template for a key and locale: the saved one, else the default; pt-BR when the locale has none. */
export async function findTemplate(
  db: PrismaClient | Transaction,
  key: string,
  locale: EmailLocale,
): Promise<EffectiveTemplate | null> {
  const rows = await db.emailTemplate.findMany({
    where: { key, locale: { in: [...new Set([locale, defaultLocale])] } },
  });
  for (const candidate of [...new Set([locale, defaultLocale])]) {
    const row = rows.find((found) => found.locale === candidate);
    if (row) {
      return {
        key,
        locale: candidate,
        subject: row.subject,
        html: row.html,
        text: row.text,
        customized: true,
        updatedAt: row.updatedAt,
        updatedBy: row.updatedBy,
      };
    }
    const builtIn = defaultTemplates[key]?.[candidate];
    if (builtIn) {
      return {
        key,
        locale: candidate,
        ...builtIn,
        customized: false,
        updatedAt: null,
        updatedBy: null,
      };
    }
  }
  return null;
}

/** Every template an admin can edit: each default key and saved row, in both locales. */
export async function listTemplates(db: PrismaClient): Promise<EffectiveTemplate[]> {
  const rows = await db.emailTemplate.findMany({ orderBy: [{ key: 'asc' }, { locale: 'asc' }] });
  const keys = [...new Set([...Object.keys(defaultTemplates), ...rows.map((row) => row.key)])];
  const result: EffectiveTemplate[] = [];
  for (const key of keys.sort()) {
    for (const locale of emailLocales) {
      const row = rows.find((found) => found.key === key && found.locale === locale);
      const builtIn = defaultTemplates[key]?.[locale];
      if (row) {
        result.push({
          key,
          locale,
          subject: row.subject,
          html: row.html,
          text: row.text,
          customized: true,
          updatedAt: row.updatedAt,
          updatedBy: row.updatedBy,
        });
      } else if (builtIn) {
        result.push({
          key,
          locale,
          ...builtIn,
          customized: false,
          updatedAt: null,
          updatedBy: null,
        });
      }
    }
  }
  return result;
}

const htmlPage = (body: string) =>
  `<!doctype html>
<html>
  <body style="margin:0;padding:24px;background:#f5f5f4;font-family:Arial,Helvetica,sans-serif;color:#1c1917;line-height:1.5">
    <div style="max-width:560px;margin:0 auto;background:#ffffff;padding:32px;border-radius:8px">
${body}
    </div>
  </body>
</html>
`;

const footerPtBr = `      <p style="margin-top:32px;font-size:12px;color:#78716c">Você recebe este email porque pediu contato de {{senderName}}. <a href="{{unsubscribeUrl}}" style="color:#78716c">Não quero mais receber emails</a>.</p>`;
const footerEn = `      <p style="margin-top:32px;font-size:12px;color:#78716c">You get this email because you asked {{senderName}} to contact you. <a href="{{unsubscribeUrl}}" style="color:#78716c">Stop these emails</a>.</p>`;
const scheduleButton = (label: string) =>
  `      {{#schedulingLink}}<p><a href="{{schedulingLink}}" style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">${label}</a></p>{{/schedulingLink}}`;

/** The built-in templates: what every key says until an admin saves their own. */
export const defaultTemplates: Record<
  string,
  Partial<Record<EmailLocale, EmailTemplateContent>>
> = {
  nurture: {
    'pt-BR': {
      subject: '{{firstName}}, seu guia chegou',
      html: htmlPage(`      <p>Olá, {{firstName}}!</p>
      <p>Obrigado pelo seu contato{{#interest}} sobre <strong>{{interest}}</strong>{{/interest}}. Preparamos um guia com os próximos passos: ele está em anexo, em PDF.</p>
      <p>Quando quiser conversar, escolha o melhor horário para você:</p>
${scheduleButton('Agendar uma conversa')}
      <p>Até breve,<br>{{senderName}}</p>
${footerPtBr}`),
      text: `Olá, {{firstName}}!

Obrigado pelo seu contato{{#interest}} sobre {{interest}}{{/interest}}. Preparamos um guia com os próximos passos: ele está em anexo, em PDF.
{{#schedulingLink}}

Quando quiser conversar, escolha o melhor horário para você: {{schedulingLink}}
{{/schedulingLink}}

Até breve,
{{senderName}}

--
Para não receber mais nossos emails: {{unsubscribeUrl}}
`,
    },
    en: {
      subject: '{{firstName}}, your guide is here',
      html: htmlPage(`      <p>Hi {{firstName}},</p>
      <p>Thank you for getting in touch{{#interest}} about <strong>{{interest}}</strong>{{/interest}}. We put together a guide with the next steps: it is attached as a PDF.</p>
      <p>Whenever you want to talk, pick a time that suits you:</p>
${scheduleButton('Book a call')}
      <p>Talk soon,<br>{{senderName}}</p>
${footerEn}`),
      text: `Hi {{firstName}},

Thank you for getting in touch{{#interest}} about {{interest}}{{/interest}}. We put together a guide with the next steps: it is attached as a PDF.
{{#schedulingLink}}

Whenever you want to talk, pick a time that suits you: {{schedulingLink}}
{{/schedulingLink}}

Talk soon,
{{senderName}}

--
To stop these emails: {{unsubscribeUrl}}
`,
    },
  },
  'sequence-1': {
    'pt-BR': {
      subject: '{{firstName}}, alguma dúvida sobre o guia?',
      html: htmlPage(`      <p>Olá, {{firstName}}!</p>
      <p>Conseguiu ler o guia que enviamos? Se ficou alguma dúvida{{#interest}} sobre {{interest}}{{/interest}}, é só responder este email: uma pessoa da nossa equipe vai ler.</p>
${scheduleButton('Tirar dúvidas numa conversa')}
      <p>{{senderName}}</p>
${footerPtBr}`),
      text: `Olá, {{firstName}}!

Conseguiu ler o guia que enviamos? Se ficou alguma dúvida{{#interest}} sobre {{interest}}{{/interest}}, é só responder este email: uma pessoa da nossa equipe vai ler.
{{#schedulingLink}}

Prefere conversar? {{schedulingLink}}
{{/schedulingLink}}

{{senderName}}

--
Para não receber mais nossos emails: {{unsubscribeUrl}}
`,
    },
    en: {
      subject: '{{firstName}}, any questions about the guide?',
      html: htmlPage(`      <p>Hi {{firstName}},</p>
      <p>Did you get a chance to read the guide? If you have any questions{{#interest}} about {{interest}}{{/interest}}, just reply to this email: a person on our team will read it.</p>
${scheduleButton('Ask us on a call')}
      <p>{{senderName}}</p>
${footerEn}`),
      text: `Hi {{firstName}},

Did you get a chance to read the guide? If you have any questions{{#interest}} about {{interest}}{{/interest}}, just reply to this email: a person on our team will read it.
{{#schedulingLink}}

Rather talk? {{schedulingLink}}
{{/schedulingLink}}

{{senderName}}

--
To stop these emails: {{unsubscribeUrl}}
`,
    },
  },
  'sequence-2': {
    'pt-BR': {
      subject: 'Como outros clientes decidiram, {{firstName}}',
      html: htmlPage(`      <p>Olá, {{firstName}}!</p>
      <p>Quem nos procura{{#interest}} por {{interest}}{{/interest}} costuma ter as mesmas perguntas: prazos, valores e o que acontece depois. Numa conversa de 20 minutos respondemos tudo isso para o seu caso.</p>
${scheduleButton('Escolher um horário')}
      <p>{{senderName}}</p>
${footerPtBr}`),
      text: `Olá, {{firstName}}!

Quem nos procura{{#interest}} por {{interest}}{{/interest}} costuma ter as mesmas perguntas: prazos, valores e o que acontece depois. Numa conversa de 20 minutos respondemos tudo isso para o seu caso.
{{#schedulingLink}}

Escolha um horário: {{schedulingLink}}
{{/schedulingLink}}

{{senderName}}

--
Para não receber mais nossos emails: {{unsubscribeUrl}}
`,
    },
    en: {
      subject: 'How others decided, {{firstName}}',
      html: htmlPage(`      <p>Hi {{firstName}},</p>
      <p>People who contact us{{#interest}} about {{interest}}{{/interest}} usually ask the same things: timing, pricing and what happens next. In a 20-minute call we answer all of it for your case.</p>
${scheduleButton('Pick a time')}
      <p>{{senderName}}</p>
${footerEn}`),
      text: `Hi {{firstName}},

People who contact us{{#interest}} about {{interest}}{{/interest}} usually ask the same things: timing, pricing and what happens next. In a 20-minute call we answer all of it for your case.
{{#schedulingLink}}

Pick a time: {{schedulingLink}}
{{/schedulingLink}}

{{senderName}}

--
To stop these emails: {{unsubscribeUrl}}
`,
    },
  },
  'sequence-3': {
    'pt-BR': {
      subject: '{{firstName}}, podemos ajudar?',
      html: htmlPage(`      <p>Olá, {{firstName}}!</p>
      <p>Este é o nosso último email sobre o assunto. Se ainda fizer sentido para você, estamos à disposição: responda este email ou agende uma conversa.</p>
${scheduleButton('Agendar agora')}
      <p>Obrigado,<br>{{senderName}}</p>
${footerPtBr}`),
      text: `Olá, {{firstName}}!

Este é o nosso último email sobre o assunto. Se ainda fizer sentido para você, estamos à disposição: responda este email{{#schedulingLink}} ou agende uma conversa: {{schedulingLink}}{{/schedulingLink}}.

Obrigado,
{{senderName}}

--
Para não receber mais nossos emails: {{unsubscribeUrl}}
`,
    },
    en: {
      subject: '{{firstName}}, can we help?',
      html: htmlPage(`      <p>Hi {{firstName}},</p>
      <p>This is our last email about it. If it still makes sense for you, we are here: reply to this email or book a call.</p>
${scheduleButton('Book now')}
      <p>Thank you,<br>{{senderName}}</p>
${footerEn}`),
      text: `Hi {{firstName}},

This is our last email about it. If it still makes sense for you, we are here: reply to this email{{#schedulingLink}} or book a call: {{schedulingLink}}{{/schedulingLink}}.

Thank you,
{{senderName}}

--
To stop these emails: {{unsubscribeUrl}}
`,
    },
  },
};
