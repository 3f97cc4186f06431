import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../../access/audit.ts';
import { actorLabel } from '../../access/principal.ts';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import type { Transaction } from '../../db.ts';
import { fieldErrorsOf, ValidationError, type FieldError } from '../../errors.ts';
import type { AutomationSettings, Prisma } from '../../generated/prisma/client.ts';
import type { SmtpTlsMode } from '../../generated/prisma/enums.ts';
import { isLeadId, LeadNotFoundError } from '../../leads/leads.ts';
import {
  bilingual,
  bilingualTemplate,
  catalogMessage,
  translationsOf,
} from '../../localization/catalog.ts';
import { defaultSettings, readSettings, settingsId } from '../automations.ts';
import { encryptSecret } from '../secrets.ts';
import {
  bytes,
  isPemCertificates,
  nurtureAttachment,
  nurtureTemplateKey,
  sendEmail,
  senderName,
  smtpTransport,
} from './email.ts';
import { emailLocaleOf, emailSkipReason, sequenceSteps, smtpSkipReason } from './settings.ts';
import {
  defaultTemplates,
  emailLocales,
  findTemplate,
  firstNameOf,
  isEmailLocale,
  listTemplates,
  renderTemplate,
  templateErrors,
  templateVariableNames,
  type EffectiveTemplate,
  type EmailLocale,
  type TemplateVariables,
} from './templates.ts';
import { unsubscribeUrl } from './unsubscribe.ts';

/** The largest nurture PDF an admin can upload. */
export const maxNurturePdfBytes = 2 * 1024 * 1024;

const emailMessageId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const SmtpTlsModeEnum = builder.enumType('SmtpTlsMode', {
  description: 'How the SMTP connection is secured.',
  values: {
    NONE: { description: 'No TLS: only for a relay on the same host or private network.' },
    STARTTLS: {
      description: 'A plain connection upgraded with STARTTLS, which the server must offer (587).',
    },
    TLS: { description: 'TLS from the first byte (implicit TLS, port 465).' },
  } satisfies Record<SmtpTlsMode, { description: string }>,
});

builder.prismaObject('EmailFile', {
  description: 'An uploaded PDF attached to nurture emails. Uploads are never changed.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The file id.' }),
    filename: t.exposeString('filename', { description: 'The name the attachment carries.' }),
    contentType: t.exposeString('contentType', { description: 'Always application/pdf.' }),
    size: t.exposeInt('size', { description: 'Size in bytes.' }),
    sha256: t.exposeString('sha256', { description: 'SHA-256 of the content, hex.' }),
    uploadedBy: t.exposeString('uploadedBy', {
      nullable: true,
      description: 'Who uploaded it (a person or an API key).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was uploaded.' }),
  }),
});

const EmailSequenceStepType = builder
  .objectRef<{ delayMinutes: number; template: string }>('EmailSequenceStep')
  .implement({
    description: 'One email of the WARM sequence.',
    fields: (t) => ({
      delayMinutes: t.exposeInt('delayMinutes', {
        description: "Minutes after the class change (step 1) or after the previous step's email.",
      }),
      template: t.exposeString('template', { description: 'The template key it sends.' }),
    }),
  });

const EmailSettingsType = builder.objectRef<AutomationSettings>('EmailSettings').implement({
  description:
    'How StreamLeads sends email: SMTP, sender, links, the WARM sequence and the nurture PDF. The SMTP password is write-only: only whether it is set is shown.',
  fields: (t) => ({
    smtpHost: t.exposeString('smtpHost', {
      nullable: true,
      description: 'SMTP server host name; null while email is not configured.',
    }),
    smtpPort: t.exposeInt('smtpPort', { description: 'SMTP port (587, 465 or 25).' }),
    smtpTls: t.expose('smtpTls', {
      type: SmtpTlsModeEnum,
      description: 'How the connection is secured.',
    }),
    smtpUser: t.exposeString('smtpUser', {
      nullable: true,
      description: 'SMTP user name; null: no authentication.',
    }),
    smtpCaCertificates: t.exposeString('smtpCaCertificates', {
      nullable: true,
      description:
        "PEM certificates the SMTP server's certificate may chain to besides the public CAs: a private CA, or a self-signed server's own certificate. Null: only the public CAs.",
    }),
    smtpPasswordConfigured: t.boolean({
      description: 'Whether the SMTP password is set.',
      resolve: (settings) => settings.smtpPasswordEncrypted !== null,
    }),
    fromAddress: t.exposeString('emailFromAddress', {
      nullable: true,
      description: 'The sender address (From).',
    }),
    fromName: t.exposeString('emailFromName', {
      nullable: true,
      description: 'The sender name, also {{senderName}} in templates.',
    }),
    locale: t.exposeString('emailLocale', {
      description: `The templates' language: ${emailLocales.join(' or ')}.`,
    }),
    schedulingLink: t.exposeString('schedulingLink', {
      nullable: true,
      description: '{{schedulingLink}} in templates: where a lead books a call.',
    }),
    publicBaseUrl: t.exposeString('publicBaseUrl', {
      nullable: true,
      description:
        "The API's public URL, e.g. https://api.example.com: unsubscribe links point at <publicBaseUrl>/unsubscribe. Emails are not sent without it.",
    }),
    sequence: t.field({
      type: [EmailSequenceStepType],
      description: 'The WARM sequence, in order. Empty: no sequence.',
      resolve: (settings) => sequenceSteps(settings),
    }),
    nurturePdf: t.prismaField({
      type: 'EmailFile',
      nullable: true,
      description:
        'The uploaded PDF attached to nurture emails; null: each lead gets a guide generated for them.',
      resolve: (query, settings, _args, ctx) =>
        settings.nurturePdfFileId
          ? ctx.prisma.emailFile.findUnique({ ...query, where: { id: settings.nurturePdfFileId } })
          : null,
    }),
    notReadyReason: t.string({
      nullable: true,
      description:
        "Why emails to leads are not sent (they are recorded as SKIPPED with this reason), in the language of the request's Accept-Language (Portuguese or English; English when it names neither); null when they are.",
      resolve: (settings, _args, ctx) => {
        const reason = emailSkipReason(settings);
        return reason && catalogMessage(reason, ctx.locale);
      },
    }),
  }),
});

builder.queryField('emailSettings', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailSettingsType,
    description: 'The email settings (the defaults until an admin saves some).',
    resolve: (_root, _args, ctx) => readSettings(ctx.prisma),
  }),
);

const EmailSequenceStepInput = builder.inputType('EmailSequenceStepInput', {
  description: 'One email of the WARM sequence.',
  fields: (t) => ({
    delayMinutes: t.int({
      required: true,
      description: "Minutes after the class change (step 1) or the previous step's email.",
    }),
    template: t.string({ required: true, description: 'The template key it sends.' }),
  }),
});

const UpdateEmailSettingsInput = builder.inputType('UpdateEmailSettingsInput', {
  description:
    'Changes to the email settings. A field left out stays as it is; null (or "") clears it. The SMTP password is write-only.',
  fields: (t) => ({
    smtpHost: t.string({ description: 'SMTP server host name, e.g. smtp.example.com.' }),
    smtpPort: t.int({ description: 'SMTP port, 1 to 65535.' }),
    smtpTls: t.field({ type: SmtpTlsModeEnum, description: 'How the connection is secured.' }),
    smtpUser: t.string({ description: 'SMTP user name; null: no authentication.' }),
    smtpPassword: t.string({ description: 'SMTP password (a secret, never returned).' }),
    smtpCaCertificates: t.string({
      description:
        "PEM certificates (-----BEGIN CERTIFICATE-----) to trust for the SMTP server besides the public CAs, e.g. the company's private CA; at most 64 KiB. Public data, not a secret.",
    }),
    fromAddress: t.string({ description: 'The sender address.' }),
    fromName: t.string({ description: 'The sender name.' }),
    locale: t.string({ description: `Template language: ${emailLocales.join(' or ')}.` }),
    schedulingLink: t.string({ description: 'The http(s) link where leads book a call.' }),
    publicBaseUrl: t.string({ description: "The API's public http(s) URL." }),
    sequence: t.field({
      type: [EmailSequenceStepInput],
      description: 'Replaces the WARM sequence (at most 10 steps; [] for none).',
    }),
  }),
});

// Bounds without a message of their own (`.max(255)`) are worded by zod-messages.ts, in both
// languages; the rest are written with their Portuguese.
const httpUrl = z
  .url({
    protocol: /^https?$/,
    message: bilingual('Must be an http(s) URL', 'Deve ser uma URL http(s)'),
  })
  .max(2_000);
const nullableText = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .nullish()
    .transform((value) => (value === '' ? null : value))
    .pipe(schema.nullish());
const oneLineOnly = bilingual('One line only', 'Só uma linha');
const oneLine = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\r\n]*$/, oneLineOnly);
const templateKey = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    bilingual(
      'Lower-case letters, digits and dashes, e.g. sequence-1',
      'Letras minúsculas, dígitos e hífens, ex.: sequence-1',
    ),
  );
const portRange = bilingual('From 1 to 65535', 'De 1 a 65535');
const localeRefusal = bilingual(
  `Must be ${emailLocales.join(' or ')}`,
  `Deve ser ${emailLocales.join(' ou ')}`,
);
const atLeastOneMinute = bilingual('At least 1 minute', 'Pelo menos 1 minuto');
const atMostAYear = bilingual(
  'At most a year (525,600 minutes)',
  'No máximo um ano (525.600 minutos)',
);
const unknownSequenceTemplate = bilingualTemplate<'template'>(
  'No template "{template}": save it with updateEmailTemplate first',
  'Não existe o modelo "{template}": salve-o antes com updateEmailTemplate',
);

const emailSettingsSchema = z.object({
  smtpHost: nullableText(
    z
      .string()
      .max(255)
      .regex(
        /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i,
        bilingual('A host name such as smtp.example.com', 'Um servidor como smtp.example.com'),
      ),
  ),
  smtpPort: z.number().int().min(1, portRange).max(65_535, portRange).nullish(),
  smtpTls: z.enum(['NONE', 'STARTTLS', 'TLS']).nullish(),
  smtpUser: nullableText(oneLine(255)),
  smtpPassword: nullableText(z.string().max(1_000)),
  smtpCaCertificates: nullableText(
    z
      .string()
      .max(65_536, bilingual('At most 64 KiB of PEM', 'No máximo 64 KiB de PEM'))
      .transform((value) => value.trim())
      .refine(
        isPemCertificates,
        bilingual(
          'PEM certificates (-----BEGIN CERTIFICATE-----), one or more',
          'Certificados PEM (-----BEGIN CERTIFICATE-----), um ou mais',
        ),
      ),
  ),
  fromAddress: nullableText(
    z
      .email(
        bilingual(
          'An email address such as contato@example.com',
          'Um e-mail como contato@example.com',
        ),
      )
      .max(255),
  ),
  fromName: nullableText(oneLine(255)),
  locale: z.enum(emailLocales, localeRefusal).nullish(),
  schedulingLink: nullableText(httpUrl),
  publicBaseUrl: nullableText(
    httpUrl.refine(
      (value) => !/[?#]/.test(value),
      bilingual('A base URL, without ? or #', 'Uma URL base, sem ? nem #'),
    ),
  ),
  sequence: z
    .array(
      z.object({
        delayMinutes: z.number().int().min(1, atLeastOneMinute).max(525_600, atMostAYear),
        template: templateKey,
      }),
    )
    .max(10, bilingual('At most 10 steps', 'No máximo 10 e-mails'))
    .nullish(),
});

/** Keys a step may name: the built-in templates and those admins saved. */
async function knownTemplateKeys(ctx: Context): Promise<Set<string>> {
  const saved = await ctx.prisma.emailTemplate.findMany({
    select: { key: true },
    distinct: ['key'],
  });
  return new Set([...Object.keys(defaultTemplates), ...saved.map((row) => row.key)]);
}

/** Writes the settings row, creating it from the defaults the first time. */
async function saveSettings(
  tx: Transaction,
  data: Prisma.AutomationSettingsUncheckedUpdateInput,
): Promise<AutomationSettings> {
  const { id: _id, updatedAt: _updatedAt, ...defaults } = defaultSettings();
  return tx.automationSettings.upsert({
    where: { id: settingsId },
    create: {
      ...defaults,
      plan: defaults.plan as Prisma.InputJsonValue,
      followUpMinutes: defaults.followUpMinutes as Prisma.InputJsonValue,
      emailSequence: defaults.emailSequence as Prisma.InputJsonValue,
      ...(data as Partial<Prisma.AutomationSettingsUncheckedCreateInput>),
      id: settingsId,
    },
    update: data,
  });
}

builder.mutationField('updateEmailSettings', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailSettingsType,
    description:
      'Changes the email settings; the next emails use them. Select `... on EmailSettings { notReadyReason }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The saved settings, or why nothing was saved.' },
    },
    args: {
      input: t.arg({ type: UpdateEmailSettingsInput, required: true, description: 'Changes.' }),
    },
    resolve: async (_root, args, ctx) => {
      const parsed = emailSettingsSchema.safeParse(args.input);
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      const input = parsed.data;
      if (input.sequence) {
        const known = await knownTemplateKeys(ctx);
        const unknown: FieldError[] = input.sequence.flatMap((step, index) => {
          if (known.has(step.template)) return [];
          const message = unknownSequenceTemplate({ template: step.template });
          return [
            { path: `sequence.${index}.template`, message, translations: translationsOf(message) },
          ];
        });
        if (unknown.length > 0) throw new ValidationError(unknown);
      }
      const given = (key: keyof typeof args.input) => key in args.input;
      const data: Prisma.AutomationSettingsUncheckedUpdateInput = {};
      if (given('smtpHost')) data.smtpHost = input.smtpHost ?? null;
      if (input.smtpPort != null) data.smtpPort = input.smtpPort;
      if (input.smtpTls != null) data.smtpTls = input.smtpTls;
      if (given('smtpUser')) data.smtpUser = input.smtpUser ?? null;
      if (given('smtpPassword')) {
        data.smtpPasswordEncrypted = input.smtpPassword ? encryptSecret(input.smtpPassword) : null;
      }
      if (given('smtpCaCertificates')) data.smtpCaCertificates = input.smtpCaCertificates ?? null;
      if (given('fromAddress')) data.emailFromAddress = input.fromAddress ?? null;
      if (given('fromName')) data.emailFromName = input.fromName ?? null;
      if (input.locale != null) data.emailLocale = input.locale;
      if (given('schedulingLink')) data.schedulingLink = input.schedulingLink ?? null;
      if (given('publicBaseUrl')) data.publicBaseUrl = input.publicBaseUrl ?? null;
      if (input.sequence != null) data.emailSequence = input.sequence;
      return ctx.prisma.$transaction(async (tx) => {
        const saved = await saveSettings(tx, data);
        // Setting names only: the values include the SMTP password.
        await recordAudit(tx, ctx, {
          action: 'settings.email.update',
          target: { type: 'settings', id: settingsId },
          details: { changed: Object.keys(data) },
        });
        return saved;
      });
    },
  }),
);

const UploadNurturePdfInput = builder.inputType('UploadNurturePdfInput', {
  description: 'A PDF to attach to nurture emails instead of the generated guide.',
  fields: (t) => ({
    filename: t.string({
      required: true,
      description: 'The name the attachment carries, e.g. guia.pdf (.pdf is added when missing).',
    }),
    contentBase64: t.string({
      required: true,
      description: `The file, base64-encoded: a PDF of at most ${maxNurturePdfBytes / 1024 / 1024} MiB. The whole request must also fit MAX_REQUEST_BODY_BYTES (4 MiB by default).`,
    }),
  }),
});

const uploadSchema = z.object({
  filename: z
    .string()
    .trim()
    .min(1, bilingual('Give the file a name', 'Dê um nome ao arquivo'))
    .max(200)
    .refine(
      (name) => ![...name].some((char) => '/\\'.includes(char) || char < ' ' || char === '\u007f'),
      bilingual(
        'A file name without slashes or control characters',
        'Um nome de arquivo sem barras nem caracteres de controle',
      ),
    )
    .transform((name) => (/\.pdf$/i.test(name) ? name : `${name}.pdf`)),
  contentBase64: z
    .string()
    .transform((value) => value.replace(/\s+/g, ''))
    .refine((value) => /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0, {
      message: bilingual('Must be base64', 'Deve estar em base64'),
    }),
});

/** Removes an uploaded file that neither the settings nor any sent email point at any more. */
async function dropUnusedFile(tx: Transaction, fileId: string | null): Promise<void> {
  if (!fileId) return;
  await tx.emailFile.deleteMany({
    where: { id: fileId, messages: { none: {} }, settings: { none: {} } },
  });
}

builder.mutationField('uploadNurturePdf', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailSettingsType,
    description:
      'Uploads the PDF that nurture emails attach from now on (instead of the guide generated per lead). Select `... on EmailSettings { nurturePdf { filename size } }` and `... on ValidationError { fieldErrors { path message } }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The settings with the new PDF, or why it was refused.' },
    },
    args: {
      input: t.arg({ type: UploadNurturePdfInput, required: true, description: 'The PDF.' }),
    },
    resolve: async (_root, args, ctx) => {
      const parsed = uploadSchema.safeParse(args.input);
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      const content = Buffer.from(parsed.data.contentBase64, 'base64');
      if (content.length > maxNurturePdfBytes) {
        const [max, size] = [maxNurturePdfBytes / 1024 / 1024, content.length];
        throw new ValidationError([
          {
            path: 'contentBase64',
            message: `At most ${max} MiB (this file has ${size.toLocaleString('en-US')} bytes)`,
            translations: {
              'pt-BR': `No máximo ${max} MiB (este arquivo tem ${size.toLocaleString('pt-BR')} bytes)`,
            },
          },
        ]);
      }
      if (content.subarray(0, 5).toString('latin1') !== '%PDF-') {
        throw new ValidationError([
          {
            path: 'contentBase64',
            message: 'Not a PDF file',
            translations: { 'pt-BR': 'Não é um arquivo PDF' },
          },
        ]);
      }
      return ctx.prisma.$transaction(async (tx) => {
        const previous = await readSettings(tx);
        const file = await tx.emailFile.create({
          data: {
            filename: parsed.data.filename,
            contentType: 'application/pdf',
            size: content.length,
            sha256: createHash('sha256').update(content).digest('hex'),
            content: bytes(content),
            uploadedBy: actorLabel(ctx.principal),
          },
          select: { id: true },
        });
        const saved = await saveSettings(tx, { nurturePdfFileId: file.id });
        await dropUnusedFile(tx, previous.nurturePdfFileId);
        await recordAudit(tx, ctx, {
          action: 'settings.email.update',
          target: { type: 'settings', id: settingsId },
          details: { changed: ['nurturePdfFileId'], fileId: file.id, size: content.length },
        });
        return saved;
      });
    },
  }),
);

builder.mutationField('removeNurturePdf', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailSettingsType,
    description:
      'Stops attaching the uploaded PDF: nurture emails attach a guide generated for each lead again. Emails already sent keep theirs.',
    resolve: (_root, _args, ctx) =>
      ctx.prisma.$transaction(async (tx) => {
        const previous = await readSettings(tx);
        const saved = await saveSettings(tx, { nurturePdfFileId: null });
        await dropUnusedFile(tx, previous.nurturePdfFileId);
        await recordAudit(tx, ctx, {
          action: 'settings.email.update',
          target: { type: 'settings', id: settingsId },
          details: { changed: ['nurturePdfFileId'], fileId: null },
        });
        return saved;
      }),
  }),
);

interface ConnectionTest {
  ok: boolean;
  error: string | null;
  testEmailSent: boolean;
  response: string | null;
}

const EmailConnectionTestType = builder.objectRef<ConnectionTest>('EmailConnectionTest').implement({
  description: 'What the SMTP server said to a connection check (and a test email).',
  fields: (t) => ({
    ok: t.exposeBoolean('ok', {
      description: 'True when the server accepted the login (and the test email, when asked).',
    }),
    error: t.string({
      nullable: true,
      description: `What went wrong, including "SMTP not configured", in the language of the request's Accept-Language (Portuguese or English; English when it names neither); what the SMTP server answered is quoted as it came.`,
      resolve: (test, _args, ctx) => test.error && catalogMessage(test.error, ctx.locale),
    }),
    testEmailSent: t.exposeBoolean('testEmailSent', {
      description: 'True when a test email was accepted by the server.',
    }),
    response: t.exposeString('response', {
      nullable: true,
      description: "The server's answer to the test email, e.g. 250 OK.",
    }),
  }),
});

/** Someone to render templates for when no lead is given. */
const sampleLead = {
  id: '00000000-0000-0000-0000-000000000000',
  name: 'Maria Souza',
  interest: 'Apartamento para investimento',
};

function previewVariables(
  settings: AutomationSettings,
  lead: { id: string; name: string; interest: string | null },
): TemplateVariables {
  return {
    firstName: firstNameOf(lead.name),
    interest: lead.interest,
    schedulingLink: settings.schedulingLink,
    unsubscribeUrl: unsubscribeUrl(
      settings.publicBaseUrl ?? 'https://streamleads.invalid',
      lead.id,
    ),
    senderName: settings.emailFromName || settings.emailFromAddress || 'StreamLeads',
  };
}

const notAnAddress = bilingual(
  'sendTestTo is not an email address',
  'O endereço do e-mail de teste não é um e-mail válido',
);

builder.mutationField('testEmailConnection', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailConnectionTestType,
    description:
      'Connects to the SMTP server with the saved settings and logs in (nothing is sent). With sendTestTo, then sends the nurture email, as a sample lead would get it (PDF included), to that address. No run or email is recorded.',
    args: {
      sendTestTo: t.arg.string({
        required: false,
        description: 'An address to send a test email to.',
      }),
    },
    resolve: async (_root, args, ctx): Promise<ConnectionTest> => {
      const settings = await readSettings(ctx.prisma);
      const reason = smtpSkipReason(settings);
      if (reason) return { ok: false, error: reason, testEmailSent: false, response: null };
      const address = args.sendTestTo?.trim();
      if (address && !z.email().safeParse(address).success) {
        return { ok: false, error: notAnAddress, testEmailSent: false, response: null };
      }
      const transport = smtpTransport(settings);
      try {
        await transport.verify();
      } catch (error) {
        return {
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          testEmailSent: false,
          response: null,
        };
      } finally {
        transport.close();
      }
      if (!address) return { ok: true, error: null, testEmailSent: false, response: null };
      const locale = emailLocaleOf(settings);
      const template = await findTemplate(ctx.prisma, nurtureTemplateKey, locale);
      const variables = previewVariables(settings, sampleLead);
      const rendered = renderTemplate(template!, variables);
      const attachment = await nurtureAttachment(ctx.prisma, settings, variables, template!.locale);
      const result = await sendEmail(settings, {
        to: { name: senderName(settings), address },
        rendered: { ...rendered, subject: `[Teste] ${rendered.subject}` },
        deliveryId: randomUUID(),
        unsubscribeUrl: variables.unsubscribeUrl,
        attachment,
      });
      return result.kind === 'delivered'
        ? { ok: true, error: null, testEmailSent: true, response: result.response }
        : { ok: false, error: result.error, testEmailSent: false, response: null };
    },
  }),
);

const EmailTemplateType = builder.objectRef<EffectiveTemplate>('EmailTemplate').implement({
  description: `An email template (Mustache). Variables: ${templateVariableNames.map((name) => `{{${name}}}`).join(', ')}; sections such as {{#interest}}...{{/interest}} show text only when the value is set.`,
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'nurture (the nurture email) or a sequence step’s key, e.g. sequence-1.',
    }),
    locale: t.exposeString('locale', { description: 'pt-BR or en.' }),
    subject: t.exposeString('subject', { description: 'The subject template.' }),
    html: t.exposeString('html', {
      description: 'The HTML body template; values are HTML-escaped.',
    }),
    text: t.exposeString('text', { description: 'The plain-text body template.' }),
    customized: t.exposeBoolean('customized', {
      description: 'True when an admin saved it; false: the built-in default.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an admin last saved it.',
    }),
    updatedBy: t.exposeString('updatedBy', {
      nullable: true,
      description: 'Who last saved it.',
    }),
  }),
});

builder.queryField('emailTemplates', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: [EmailTemplateType],
    description: 'Every email template in every language, saved or built-in, by key.',
    resolve: (_root, _args, ctx) => listTemplates(ctx.prisma),
  }),
);

const EmailTemplateInput = builder.inputType('EmailTemplateInput', {
  description: 'A template to save.',
  fields: (t) => ({
    key: t.string({
      required: true,
      description: 'nurture, a sequence key such as sequence-1, or a new key for a new step.',
    }),
    locale: t.string({ required: true, description: 'pt-BR or en.' }),
    subject: t.string({ required: true, description: 'Subject template, one line.' }),
    html: t.string({ required: true, description: 'HTML body template.' }),
    text: t.string({ required: true, description: 'Plain-text body template.' }),
  }),
});

const templateSchema = z.object({
  key: templateKey,
  locale: z.enum(emailLocales, localeRefusal),
  subject: z.string().trim().min(1, bilingual('Write a subject', 'Escreva o assunto')).max(500),
  html: z
    .string()
    .trim()
    .min(1, bilingual('Write the HTML body', 'Escreva o corpo em HTML'))
    .max(100_000),
  text: z
    .string()
    .trim()
    .min(1, bilingual('Write the text body', 'Escreva o corpo em texto'))
    .max(50_000),
});

/** The unsubscribe link must be in both bodies: every email carries one (and List-Unsubscribe). */
function contentErrors(input: { subject: string; html: string; text: string }): FieldError[] {
  const errors = templateErrors(input);
  for (const part of ['html', 'text'] as const) {
    if (
      !errors.some((error) => error.path === part) &&
      !input[part].includes('{{unsubscribeUrl}}')
    ) {
      errors.push({
        path: part,
        message: 'Include the unsubscribe link: {{unsubscribeUrl}}',
        translations: { 'pt-BR': 'Inclua o link de descadastro: {{unsubscribeUrl}}' },
      });
    }
  }
  if (/[\r\n]/.test(input.subject)) {
    errors.push({
      path: 'subject',
      message: oneLineOnly,
      translations: translationsOf(oneLineOnly),
    });
  }
  return errors;
}

builder.mutationField('updateEmailTemplate', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailTemplateType,
    description:
      'Saves a template for a key and language; the next emails use it. Check it first with previewEmailTemplate. Select `... on EmailTemplate { key }` and `... on ValidationError { fieldErrors { path message } }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The saved template, or why it was refused.' },
    },
    args: {
      input: t.arg({ type: EmailTemplateInput, required: true, description: 'The template.' }),
    },
    resolve: async (_root, args, ctx) => {
      const parsed = templateSchema.safeParse(args.input);
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      const input = parsed.data;
      const errors = contentErrors(input);
      if (errors.length > 0) throw new ValidationError(errors);
      const content = {
        subject: input.subject,
        html: input.html,
        text: input.text,
        updatedBy: actorLabel(ctx.principal),
      };
      return ctx.prisma.$transaction(async (tx) => {
        const row = await tx.emailTemplate.upsert({
          where: { key_locale: { key: input.key, locale: input.locale } },
          create: { key: input.key, locale: input.locale, ...content },
          update: content,
        });
        await recordAudit(tx, ctx, {
          action: 'settings.email-template.update',
          target: { type: 'email-template', id: `${input.key}/${input.locale}` },
        });
        return {
          key: row.key,
          locale: row.locale as EmailLocale,
          subject: row.subject,
          html: row.html,
          text: row.text,
          customized: true,
          updatedAt: row.updatedAt,
          updatedBy: row.updatedBy,
        };
      });
    },
  }),
);

interface Preview {
  subject: string;
  html: string;
  text: string;
  locale: string;
}

const EmailPreviewType = builder.objectRef<Preview>('EmailPreview').implement({
  description: 'A template rendered for one lead (or a sample lead), as it would be sent.',
  fields: (t) => ({
    subject: t.exposeString('subject', { description: 'The subject line.' }),
    html: t.exposeString('html', { description: 'The HTML part.' }),
    text: t.exposeString('text', { description: 'The plain-text part.' }),
    locale: t.exposeString('locale', {
      description: 'The language rendered (pt-BR when the asked one has no template).',
    }),
  }),
});

const EmailTemplateDraftInput = builder.inputType('EmailTemplateDraftInput', {
  description: 'An unsaved template to preview.',
  fields: (t) => ({
    subject: t.string({ required: true, description: 'Subject template.' }),
    html: t.string({ required: true, description: 'HTML body template.' }),
    text: t.string({ required: true, description: 'Plain-text body template.' }),
  }),
});

builder.queryField('previewEmailTemplate', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: EmailPreviewType,
    description:
      'Renders a template (the saved one, or a draft) with a real lead’s values or a sample lead’s, using the saved sender, scheduling link and public URL. Nothing is sent. Select `... on EmailPreview { subject html text }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError, LeadNotFoundError],
      directResult: true,
      union: { description: 'The rendered email, or why it could not be rendered.' },
    },
    args: {
      key: t.arg.string({ required: true, description: 'The template key, e.g. nurture.' }),
      locale: t.arg.string({
        required: false,
        description: 'pt-BR or en; default: the settings’ language.',
      }),
      leadId: t.arg.id({
        required: false,
        description: 'Render for this lead; default: a sample lead (Maria Souza).',
      }),
      draft: t.arg({
        type: EmailTemplateDraftInput,
        required: false,
        description: 'Render this instead of the saved template.',
      }),
    },
    resolve: async (_root, args, ctx): Promise<Preview> => {
      const settings = await readSettings(ctx.prisma);
      const locale = args.locale ?? emailLocaleOf(settings);
      if (!isEmailLocale(locale)) {
        throw new ValidationError([
          { path: 'locale', message: localeRefusal, translations: translationsOf(localeRefusal) },
        ]);
      }
      let template: { subject: string; html: string; text: string; locale: string } | null;
      if (args.draft) {
        const errors = templateErrors(args.draft);
        if (errors.length > 0) {
          throw new ValidationError(
            errors.map((error) => ({ ...error, path: `draft.${error.path}` })),
          );
        }
        template = { ...args.draft, locale };
      } else {
        template = await findTemplate(ctx.prisma, args.key, locale);
        if (!template) {
          throw new ValidationError([
            {
              path: 'key',
              message: `No template "${args.key}"`,
              translations: { 'pt-BR': `Não existe o modelo "${args.key}"` },
            },
          ]);
        }
      }
      let lead: { id: string; name: string; interest: string | null } = sampleLead;
      if (args.leadId != null) {
        const id = String(args.leadId);
        const found = isLeadId(id)
          ? await ctx.prisma.lead.findUnique({
              where: { id },
              select: { id: true, name: true, interest: true },
            })
          : null;
        if (!found) throw new LeadNotFoundError(id);
        lead = found;
      }
      return {
        ...renderTemplate(template, previewVariables(settings, lead)),
        locale: template.locale,
      };
    },
  }),
);

builder.prismaObject('EmailMessage', {
  description:
    'An email sent to a lead by an automation (the nurture email or a sequence step), as it was sent.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The email id.' }),
    lead: t.relation('lead', { description: 'The lead it was sent to.' }),
    run: t.relation('run', { description: 'The automation run that sent it.' }),
    templateKey: t.exposeString('templateKey', {
      description: 'The template it was rendered from: nurture, sequence-1, ...',
    }),
    locale: t.exposeString('locale', { description: 'The template language: pt-BR or en.' }),
    subject: t.exposeString('subject', {
      description: 'The subject as sent ([erased] once the lead is erased).',
    }),
    to: t.exposeString('toAddress', {
      description: 'The address it was sent to (empty once the lead is erased).',
    }),
    from: t.exposeString('fromAddress', { description: 'The sender address.' }),
    messageId: t.exposeString('messageId', {
      description: 'Its Message-ID header: <delivery id of the run@sender domain>.',
    }),
    smtpResponse: t.exposeString('smtpResponse', {
      nullable: true,
      description: "The SMTP server's answer, e.g. 250 OK: queued as 1A2B.",
    }),
    sentAt: t.expose('sentAt', { type: 'DateTime', description: 'When the server accepted it.' }),
    attachmentName: t.exposeString('attachmentName', {
      nullable: true,
      description: 'The attached PDF’s file name; null when nothing was attached.',
    }),
    attachmentSize: t.exposeInt('attachmentSize', {
      nullable: true,
      description: 'The attached PDF’s size in bytes.',
    }),
    attachmentFile: t.relation('attachmentFile', {
      nullable: true,
      description: 'The uploaded PDF it carried; null when it carried a generated guide (or none).',
    }),
    attachmentBase64: t.string({
      nullable: true,
      description:
        'The attached PDF, base64-encoded (up to a few MB): select it for one email (emailMessage) rather than for a whole list. Null when nothing was attached, or once the lead is erased (generated guides).',
      select: { attachmentContent: true, attachmentFile: { select: { content: true } } },
      resolve: (message) => {
        const content = message.attachmentFile?.content ?? message.attachmentContent;
        return content ? Buffer.from(content).toString('base64') : null;
      },
    }),
  }),
});

builder.prismaObjectFields('Lead', (t) => ({
  emails: t.relation('emails', {
    description: 'The emails automations sent to this lead, newest first.',
    query: { orderBy: [{ sentAt: 'desc' }, { id: 'desc' }] },
  }),
  unsubscribedAt: t.expose('unsubscribedAt', {
    type: 'DateTime',
    nullable: true,
    description:
      'When the person unsubscribed with the link in an email; null while they receive emails. No email goes out after it.',
  }),
}));

builder.prismaObjectField('AutomationRun', 'email', (t) =>
  t.relation('email', {
    nullable: true,
    description: 'The email this run sent (nurture-email and sequence-email runs that succeeded).',
  }),
);

builder.queryField('emailMessage', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:read' },
    type: 'EmailMessage',
    nullable: true,
    description:
      'One email sent to a lead, e.g. to download its attachment (attachmentBase64); null when no email has this id.',
    args: { id: t.arg.id({ required: true, description: 'The email id.' }) },
    resolve: (query, _root, args, ctx) => {
      const id = String(args.id);
      if (!emailMessageId.test(id)) return null;
      return ctx.prisma.emailMessage.findUnique({ ...query, where: { id } });
    },
  }),
);
