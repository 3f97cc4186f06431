import { z } from 'zod';
import { recordAudit } from '../access/audit.ts';
import { actorLabel } from '../access/principal.ts';
import { encryptSecret } from '../automations/secrets.ts';
import { builder } from '../builder.ts';
import { fieldErrorsOf, ValidationError, type FieldError } from '../errors.ts';
import { ErrorInterface } from '../errors.schema.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type {
  GoogleTestLeadPolicy,
  InboundPayloadStatus,
  LeadImportState,
} from '../generated/prisma/enums.ts';
import { LeadOriginEnum, SubmissionChannelEnum } from '../leads/leads.schema.ts';
import { bilingual, catalogMessage } from '../localization/catalog.ts';
import { localize } from '../localization/locale.ts';
import {
  checkCsv,
  createLeadImport,
  importableFields,
  ImportMappingError,
  LeadImportNotFoundError,
  type ImportCheck,
  type ImportMapping,
  type RowError,
} from './csv-import.ts';
import {
  InboundPayloadNotFoundError,
  InboundPayloadNotReprocessableError,
  payloadReasonIn,
  reprocessInboundPayload,
} from './inbound.ts';
import { inboundSettingsId, readInboundSettings, type FormQuestions } from './inbound-settings.ts';
import { allowedOrigins, httpUrl } from './web-forms.ts';

function isFileLike(value: unknown): value is File {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as File).arrayBuffer === 'function' &&
    typeof (value as File).size === 'number'
  );
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

builder.scalarType('File', {
  description:
    'A file sent as a part of a multipart request (the GraphQL multipart request spec): the variable is null in `operations` and mapped to the part in `map`.',
  serialize: () => {
    throw new TypeError('File is an input-only scalar');
  },
  parseValue: (value) => {
    // Yoga's multipart parser may hand over its own File class (@whatwg-node/fetch), not Node's.
    if (isFileLike(value)) return value;
    throw new TypeError('Send the file as a multipart part');
  },
});

const InboundPayloadStatusEnum = builder.enumType('InboundPayloadStatus', {
  description: 'Where a stored inbound payload stands.',
  values: {
    RECEIVED: { description: 'Stored, waiting for its job.' },
    PROCESSED: { description: 'Turned into a lead submission (see lead).' },
    UNMAPPABLE: {
      description:
        'Could not be mapped to a lead (see reason); fix the mapping, then reprocessInboundPayload.',
    },
    FAILED: {
      description: 'Processing failed for another reason (see reason), e.g. the Graph API refused.',
    },
    TEST: { description: 'A Google Ads test lead kept without creating a lead.' },
  } satisfies Record<InboundPayloadStatus, { description: string }>,
});

const GoogleTestLeadPolicyEnum = builder.enumType('GoogleTestLeadPolicy', {
  description: 'What a Google Ads test lead (is_test) becomes.',
  values: {
    STORE: { description: 'Kept as an inbound payload with status TEST; no lead is created.' },
    DROP: { description: 'Acknowledged and dropped; nothing is stored.' },
  } satisfies Record<GoogleTestLeadPolicy, { description: string }>,
});

const LeadImportStateEnum = builder.enumType('LeadImportState', {
  description: 'Where a CSV import stands.',
  values: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'Importing; processed counts the rows done.' },
    SUCCEEDED: { description: 'Every valid row was imported.' },
    FAILED: { description: 'Stopped (see error).' },
  } satisfies Record<LeadImportState, { description: string }>,
});

builder.prismaObject('InboundPayload', {
  description:
    'A webhook payload exactly as an ad platform sent it, kept whether or not it became a lead.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The payload id.' }),
    channel: t.expose('channel', { type: SubmissionChannelEnum, description: 'Who sent it.' }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description:
        "The platform's lead id with a channel prefix (meta:…, google:…); repeats are dropped.",
    }),
    payload: t.expose('payload', { type: 'JSON', description: 'The payload as received.' }),
    fetched: t.expose('fetched', {
      type: 'JSON',
      nullable: true,
      description: 'What was fetched to complete it (Meta: the Graph API lead).',
    }),
    status: t.expose('status', { type: InboundPayloadStatusEnum, description: 'Where it stands.' }),
    reason: t.string({
      nullable: true,
      description:
        "Why it is UNMAPPABLE or FAILED, in the language of the request's Accept-Language (Portuguese or English; English when it names neither).",
      resolve: (payload, _args, ctx) =>
        payload.reason === null ? null : payloadReasonIn(payload.reason, ctx.locale),
    }),
    attempts: t.exposeInt('attempts', { description: 'Processing attempts so far.' }),
    lead: t.relation('lead', {
      nullable: true,
      description: 'The lead it created or updated, once PROCESSED.',
    }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'When it arrived.' }),
    processedAt: t.expose('processedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it became a lead submission.',
    }),
  }),
});

builder.queryField('inboundPayloads', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: ['InboundPayload'],
    description: 'Stored inbound payloads, newest first (e.g. the UNMAPPABLE ones to fix).',
    args: {
      status: t.arg({
        type: InboundPayloadStatusEnum,
        description: 'Only payloads in this status.',
      }),
      first: t.arg.int({ defaultValue: 50, description: 'How many (default 50, at most 200).' }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.inboundPayload.findMany({
        ...query,
        where: args.status ? { status: args.status } : {},
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take: Math.min(Math.max(args.first ?? 50, 1), 200),
      }),
  }),
);

builder.mutationField('reprocessInboundPayload', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'InboundPayload',
    description:
      'Queues an UNMAPPABLE or FAILED payload again, typically after fixing its mapping in updateInboundSettings.',
    errors: {
      types: [InboundPayloadNotFoundError, InboundPayloadNotReprocessableError],
      directResult: true,
      union: { description: 'The queued payload, or why it cannot be reprocessed.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The payload id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      await reprocessInboundPayload(ctx.prisma, ctx.jobs, id);
      await recordAudit(ctx.prisma, ctx, {
        action: 'inbound.reprocess',
        target: { type: 'inbound-payload', id },
      });
      return ctx.prisma.inboundPayload.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.objectType(InboundPayloadNotFoundError, {
  name: 'InboundPayloadNotFoundError',
  description: 'No payload has this id.',
  interfaces: [ErrorInterface],
});
builder.objectType(InboundPayloadNotReprocessableError, {
  name: 'InboundPayloadNotReprocessableError',
  description: 'The payload is PROCESSED, TEST or already queued: reprocessing changes nothing.',
  interfaces: [ErrorInterface],
});

interface FormQuestionsView {
  formId: string;
  interestQuestion: string | null;
  incomeQuestion: string | null;
}

const MetaFormQuestionsType = builder.objectRef<FormQuestionsView>('MetaFormQuestions').implement({
  description: 'Which custom questions of one Meta lead form answer interest and income.',
  fields: (t) => ({
    formId: t.exposeString('formId', { description: 'The Meta lead form id.' }),
    interestQuestion: t.exposeString('interestQuestion', {
      nullable: true,
      description: "The question key whose answer becomes the lead's interest.",
    }),
    incomeQuestion: t.exposeString('incomeQuestion', {
      nullable: true,
      description: "The question key whose answer becomes the lead's approximate income.",
    }),
  }),
});

const MetaFormQuestionsInput = builder.inputType('MetaFormQuestionsInput', {
  description: 'Which custom questions of one Meta lead form answer interest and income.',
  fields: (t) => ({
    formId: t.string({ required: true, description: 'The Meta lead form id.' }),
    interestQuestion: t.string({ description: "The question key for the lead's interest." }),
    incomeQuestion: t.string({ description: "The question key for the lead's income." }),
  }),
});

const GoogleFormQuestionsType = builder
  .objectRef<FormQuestionsView>('GoogleFormQuestions')
  .implement({
    description: 'Which custom questions of one Google Ads lead form answer interest and income.',
    fields: (t) => ({
      formId: t.exposeString('formId', { description: 'The Google lead form id (form_id).' }),
      interestQuestion: t.exposeString('interestQuestion', {
        nullable: true,
        description:
          "The column (its column_id, or the question as column_name) whose answer becomes the lead's interest.",
      }),
      incomeQuestion: t.exposeString('incomeQuestion', {
        nullable: true,
        description:
          "The column (its column_id, or the question as column_name) whose answer becomes the lead's approximate income.",
      }),
    }),
  });

const GoogleFormQuestionsInput = builder.inputType('GoogleFormQuestionsInput', {
  description: 'Which custom questions of one Google Ads lead form answer interest and income.',
  fields: (t) => ({
    formId: t.string({ required: true, description: 'The Google lead form id (form_id).' }),
    interestQuestion: t.string({
      description: "The column_id (or column_name) for the lead's interest.",
    }),
    incomeQuestion: t.string({
      description: "The column_id (or column_name) for the lead's income.",
    }),
  }),
});

/** Lists per-form questions for GraphQL. */
function questionsView(questions: Record<string, FormQuestions>): FormQuestionsView[] {
  return Object.entries(questions).map(([formId, form]) => ({
    formId,
    interestQuestion: form.interest ?? null,
    incomeQuestion: form.income ?? null,
  }));
}

type FormQuestionsInputValue = {
  formId: string;
  interestQuestion?: string | null;
  incomeQuestion?: string | null;
};

const maxMappedForms = 500;

/** Limits on a per-form mapping: it is stored as JSON and read for every payload. */
function questionErrors(field: string, forms: readonly FormQuestionsInputValue[]): FieldError[] {
  if (forms.length > maxMappedForms) {
    return [
      {
        path: field,
        message: `At most ${maxMappedForms} forms`,
        translations: { 'pt-BR': `No máximo ${maxMappedForms} formulários` },
      },
    ];
  }
  return forms.flatMap((form, index) => [
    ...(form.formId.trim() === '' || form.formId.length > 100
      ? [
          {
            path: `${field}.${index}.formId`,
            message: 'Enter the form id (up to 100 characters)',
            translations: { 'pt-BR': 'Informe o ID do formulário (até 100 caracteres)' },
          },
        ]
      : []),
    ...(['interestQuestion', 'incomeQuestion'] as const)
      .filter((key) => (form[key]?.length ?? 0) > 500)
      .map((key) => ({
        path: `${field}.${index}.${key}`,
        message: 'At most 500 characters',
        translations: { 'pt-BR': 'No máximo 500 caracteres' },
      })),
  ]);
}

/** Per-form questions as stored; a form listed twice keeps its last entry. */
function storedQuestions(
  forms: readonly FormQuestionsInputValue[],
): Record<string, Prisma.InputJsonObject> {
  const questions: Record<string, Prisma.InputJsonObject> = {};
  for (const form of forms) {
    questions[form.formId.trim()] = {
      ...(form.interestQuestion && { interest: form.interestQuestion }),
      ...(form.incomeQuestion && { income: form.incomeQuestion }),
    };
  }
  return questions;
}

interface InboundSettingsView {
  metaVerifyTokenSet: boolean;
  metaAppSecretSet: boolean;
  metaAccessTokenSet: boolean;
  metaGraphBaseUrl: string;
  metaFormQuestions: FormQuestionsView[];
  googleKeySet: boolean;
  googleTestLeads: GoogleTestLeadPolicy;
  googleFormQuestions: FormQuestionsView[];
  formThankYouUrl: string | null;
  formAllowedOrigins: string[];
}

const InboundSettingsType = builder.objectRef<InboundSettingsView>('InboundSettings').implement({
  description:
    'The inbound channels: Meta lead ads (POST/GET /inbound/meta), Google Ads lead forms (POST /inbound/google) and the no-JavaScript form (POST /forms/lead). Secrets are write-only: only whether one is set is shown.',
  fields: (t) => ({
    metaVerifyTokenSet: t.exposeBoolean('metaVerifyTokenSet', {
      description: "Whether the token for Meta's subscription handshake is set.",
    }),
    metaAppSecretSet: t.exposeBoolean('metaAppSecretSet', {
      description:
        'Whether the Meta app secret (X-Hub-Signature-256) is set; without it every POST is refused.',
    }),
    metaAccessTokenSet: t.exposeBoolean('metaAccessTokenSet', {
      description: 'Whether the page access token used to read leads from the Graph API is set.',
    }),
    metaGraphBaseUrl: t.exposeString('metaGraphBaseUrl', {
      description: 'The Graph API base URL, version included.',
    }),
    metaFormQuestions: t.expose('metaFormQuestions', {
      type: [MetaFormQuestionsType],
      description: 'Per Meta form, its custom questions for interest and income.',
    }),
    googleKeySet: t.exposeBoolean('googleKeySet', {
      description: 'Whether the google_key configured in Google Ads is set.',
    }),
    googleTestLeads: t.expose('googleTestLeads', {
      type: GoogleTestLeadPolicyEnum,
      description: 'What Google Ads test leads become.',
    }),
    googleFormQuestions: t.expose('googleFormQuestions', {
      type: [GoogleFormQuestionsType],
      description: 'Per Google form, its custom questions for interest and income.',
    }),
    formThankYouUrl: t.exposeString('formThankYouUrl', {
      nullable: true,
      description:
        'Where the default no-JavaScript form (/forms/lead) redirects after a lead is saved; each form of webForms has its own.',
    }),
    formAllowedOrigins: t.exposeStringList('formAllowedOrigins', {
      description:
        'Sites (origins) whose pages may post the default no-JavaScript form (/forms/lead); each form of webForms has its own.',
    }),
  }),
});

async function settingsView(ctx: { prisma: Parameters<typeof readInboundSettings>[0] }) {
  const settings = await readInboundSettings(ctx.prisma);
  return {
    metaVerifyTokenSet: settings.metaVerifyToken !== null,
    metaAppSecretSet: settings.metaAppSecret !== null,
    metaAccessTokenSet: settings.metaAccessToken !== null,
    metaGraphBaseUrl: settings.metaGraphBaseUrl,
    metaFormQuestions: questionsView(settings.metaFormQuestions),
    googleKeySet: settings.googleKey !== null,
    googleTestLeads: settings.googleTestLeads,
    googleFormQuestions: questionsView(settings.googleFormQuestions),
    formThankYouUrl: settings.formThankYouUrl,
    formAllowedOrigins: settings.formAllowedOrigins,
  } satisfies InboundSettingsView;
}

builder.queryField('inboundSettings', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: InboundSettingsType,
    description: 'The inbound channels’ settings.',
    resolve: (_root, _args, ctx) => settingsView(ctx),
  }),
);

const secret = z
  .string()
  .trim()
  .min(1, bilingual('Enter a value or null to clear it', 'Informe um valor, ou null para apagá-lo'))
  .max(1_000)
  .nullish();

// Checked in the resolver, not with the validation plugin's `validate:`: that runs before the
// errors plugin can turn a refusal into the typed ValidationError every other mutation answers.
const inboundSettingsChecks = z.object({
  metaVerifyToken: secret,
  metaAppSecret: secret,
  metaAccessToken: secret,
  metaGraphBaseUrl: httpUrl.nullish(),
  googleKey: secret,
  formThankYouUrl: httpUrl.nullish(),
  formAllowedOrigins: allowedOrigins.nullish(),
});

/** Every refused field of the input, by its path (formAllowedOrigins.1 for the second origin). */
function inboundSettingsErrors(input: Record<string, unknown>): FieldError[] {
  const checked = inboundSettingsChecks.safeParse(input);
  return checked.success ? [] : fieldErrorsOf(checked.error.issues);
}

const UpdateInboundSettingsInput = builder.inputType('UpdateInboundSettingsInput', {
  description:
    'The settings to change; absent fields are left alone. Secrets are stored encrypted; null clears one.',
  fields: (t) => ({
    metaVerifyToken: t.string({
      description: "Any string; enter the same in Meta's webhook setup (Verify token).",
    }),
    metaAppSecret: t.string({ description: 'The Meta app secret.' }),
    metaAccessToken: t.string({
      description: 'A page access token with leads_retrieval.',
    }),
    metaGraphBaseUrl: t.string({
      description: 'The Graph API base URL, e.g. https://graph.facebook.com/v21.0.',
    }),
    metaFormQuestions: t.field({
      type: [MetaFormQuestionsInput],
      description: 'Replaces the per-form custom question mapping.',
    }),
    googleKey: t.string({
      description: 'The key entered in the Google Ads lead form webhook.',
    }),
    googleTestLeads: t.field({
      type: GoogleTestLeadPolicyEnum,
      description: 'What Google Ads test leads become.',
    }),
    googleFormQuestions: t.field({
      type: [GoogleFormQuestionsInput],
      description: 'Replaces the per-form custom question mapping of Google Ads lead forms.',
    }),
    formThankYouUrl: t.string({
      description:
        'Where the no-JavaScript form redirects after a lead is saved; null: a plain page.',
    }),
    formAllowedOrigins: t.stringList({
      description: 'Replaces the origins whose pages may post the no-JavaScript form.',
    }),
  }),
});

builder.mutationField('updateInboundSettings', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: InboundSettingsType,
    description: 'Changes the inbound channels’ settings.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The settings as saved, or why the input was refused.' },
    },
    args: {
      input: t.arg({
        type: UpdateInboundSettingsInput,
        required: true,
        description: 'The changes.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const mappingErrors = [
        ...inboundSettingsErrors(input),
        ...questionErrors('metaFormQuestions', input.metaFormQuestions ?? []),
        ...questionErrors('googleFormQuestions', input.googleFormQuestions ?? []),
      ];
      if (mappingErrors.length > 0) throw new ValidationError(mappingErrors);
      const data: Prisma.InboundSettingsUncheckedCreateInput = { id: inboundSettingsId };
      const secrets = {
        metaVerifyToken: 'metaVerifyTokenEncrypted',
        metaAppSecret: 'metaAppSecretEncrypted',
        metaAccessToken: 'metaAccessTokenEncrypted',
        googleKey: 'googleKeyEncrypted',
      } as const;
      for (const [field, column] of Object.entries(secrets)) {
        const value = input[field as keyof typeof secrets];
        if (value !== undefined) data[column] = value === null ? null : encryptSecret(value);
      }
      if (input.metaGraphBaseUrl != null) data.metaGraphBaseUrl = input.metaGraphBaseUrl;
      if (input.metaFormQuestions != null) {
        data.metaFormQuestions = storedQuestions(input.metaFormQuestions);
      }
      if (input.googleFormQuestions != null) {
        data.googleFormQuestions = storedQuestions(input.googleFormQuestions);
      }
      if (input.googleTestLeads != null) data.googleTestLeads = input.googleTestLeads;
      if (input.formThankYouUrl !== undefined) data.formThankYouUrl = input.formThankYouUrl;
      if (input.formAllowedOrigins != null) data.formAllowedOrigins = input.formAllowedOrigins;
      const { id: _id, ...update } = data;
      await ctx.prisma.inboundSettings.upsert({
        where: { id: inboundSettingsId },
        create: data,
        update,
        select: { id: true },
      });
      await recordAudit(ctx.prisma, ctx, {
        action: 'settings.inbound.update',
        details: {
          fields: Object.keys(input).filter(
            (key) => input[key as keyof typeof input] !== undefined,
          ),
        },
      });
      return settingsView(ctx);
    },
  }),
);

// CSV import ---------------------------------------------------------------------------------

const LeadImportMappingInput = builder.inputType('LeadImportMappingInput', {
  description:
    'Which CSV column (by its header) fills which lead field; name and email are required.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The column with the name.' }),
    email: t.string({ required: true, description: 'The column with the email.' }),
    phone: t.string({ description: 'The column with the phone.' }),
    origin: t.string({
      description: 'The column with the origin (META_ADS, SITE, …); without it, defaultOrigin.',
    }),
    interest: t.string({ description: 'The column with the interest.' }),
    approximateIncome: t.string({ description: 'The column with the approximate income.' }),
    city: t.string({ description: 'The column with the city.' }),
    notes: t.string({ description: 'The column with notes.' }),
    defaultOrigin: t.field({
      type: LeadOriginEnum,
      defaultValue: 'OTHER',
      description: 'The origin of rows without one (default OTHER).',
    }),
  }),
});

function toMapping(input: Record<string, unknown>): ImportMapping {
  const columns: ImportMapping['columns'] = {};
  for (const field of importableFields) {
    const column = input[field];
    if (typeof column === 'string' && column.trim() !== '') columns[field] = column.trim();
  }
  return {
    columns,
    defaultOrigin: (input['defaultOrigin'] as ImportMapping['defaultOrigin']) ?? 'OTHER',
  };
}

const RowErrorType = builder.objectRef<RowError>('LeadImportRowError').implement({
  description: 'What is wrong with one field of one CSV row.',
  fields: (t) => ({
    row: t.exposeInt('row', { description: 'The line in the file; the header is line 1.' }),
    path: t.exposeString('path', { description: 'The lead field, e.g. "email".' }),
    message: t.string({
      description: "What to fix, in the language of the request's Accept-Language.",
      resolve: (error, _args, ctx) => localize(error, ctx.locale),
    }),
  }),
});

const LeadImportCheckType = builder.objectRef<ImportCheck>('LeadImportCheck').implement({
  description: 'What a dry run found in a CSV file; nothing was imported.',
  fields: (t) => ({
    totalRows: t.exposeInt('totalRows', { description: 'Data rows (the header excluded).' }),
    validRows: t.exposeInt('validRows', { description: 'Rows that would be imported.' }),
    invalidRows: t.exposeInt('invalidRows', { description: 'Rows that would be skipped.' }),
    errors: t.expose('errors', {
      type: [RowErrorType],
      description: 'One entry per refused field, the first 1,000.',
    }),
  }),
});

builder.objectType(ImportMappingError, {
  name: 'ImportMappingError',
  description: 'The mapping names a column the file lacks, or leaves out name or email.',
  interfaces: [ErrorInterface],
});
builder.objectType(LeadImportNotFoundError, {
  name: 'LeadImportNotFoundError',
  description: 'No import has this id.',
  interfaces: [ErrorInterface],
});

builder.prismaObject('LeadImport', {
  description: 'A CSV import run by a job, with its progress.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The import id.' }),
    filename: t.exposeString('filename', { description: 'The uploaded file name.' }),
    state: t.expose('state', { type: LeadImportStateEnum, description: 'Where it stands.' }),
    totalRows: t.exposeInt('totalRows', { description: 'Data rows in the file.' }),
    processed: t.exposeInt('processed', {
      description: 'Rows done (imported or skipped as invalid); totalRows when finished.',
    }),
    created: t.exposeInt('created', { description: 'Leads created.' }),
    merged: t.exposeInt('merged', { description: 'Existing leads (same email) updated.' }),
    invalid: t.exposeInt('invalid', { description: 'Rows skipped as invalid.' }),
    rowErrors: t.field({
      type: [RowErrorType],
      description: 'The first 1,000 row errors.',
      resolve: (parent) => parent.rowErrors as unknown as RowError[],
    }),
    error: t.string({
      nullable: true,
      description:
        "Why it FAILED, in the language of the request's Accept-Language (Portuguese or English; English when it names neither).",
      resolve: (leadImport, _args, ctx) =>
        leadImport.error === null ? null : catalogMessage(leadImport.error, ctx.locale),
    }),
    requestedBy: t.exposeString('requestedBy', { description: 'Who started it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was started.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it finished.',
    }),
  }),
});

const maxImportBytes = 64 * 1024 * 1024;

async function readCsvFile(file: File): Promise<Buffer> {
  if (file.size > maxImportBytes) {
    throw new ValidationError([
      {
        path: 'file',
        message: 'The file must be at most 64 MB',
        translations: { 'pt-BR': 'O arquivo pode ter no máximo 64 MB' },
      },
    ]);
  }
  return Buffer.from(await file.arrayBuffer());
}

builder.mutationField('checkLeadImport', (t) =>
  t.field({
    // Same rule as importing: the dry run shows the file's personal data back in its errors.
    authScopes: { permission: 'leads:write' },
    type: LeadImportCheckType,
    description:
      'Dry run of a CSV import: validates every row with createLead’s rules and reports the errors per row. Nothing is stored.',
    errors: {
      types: [ImportMappingError, ValidationError],
      directResult: true,
      union: { description: 'What the file holds, or why it cannot be read.' },
    },
    args: {
      file: t.arg({ type: 'File', required: true, description: 'The CSV file (UTF-8).' }),
      mapping: t.arg({
        type: LeadImportMappingInput,
        required: true,
        description: 'Columns to lead fields.',
      }),
    },
    resolve: async (_root, args) => {
      const content = await readCsvFile(args.file);
      const { valid: _valid, ...check } = checkCsv(
        content.toString('utf8'),
        toMapping(args.mapping),
      );
      return check;
    },
  }),
);

builder.mutationField('importLeads', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:write' },
    type: 'LeadImport',
    description:
      'Imports a CSV file in the background (see leadImport for progress). Rows merge by email as createLead does; invalid rows are skipped and listed in rowErrors.',
    errors: {
      types: [ImportMappingError, ValidationError],
      directResult: true,
      union: { description: 'The queued import, or why the file cannot be imported.' },
    },
    args: {
      file: t.arg({ type: 'File', required: true, description: 'The CSV file (UTF-8).' }),
      mapping: t.arg({
        type: LeadImportMappingInput,
        required: true,
        description: 'Columns to lead fields.',
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      const content = await readCsvFile(args.file);
      const { id } = await createLeadImport(ctx.prisma, ctx.jobs, {
        filename: args.file.name || 'import.csv',
        content,
        mapping: toMapping(args.mapping),
        requestedBy: actorLabel(ctx.principal),
      });
      await recordAudit(ctx.prisma, ctx, {
        action: 'leads.import',
        target: { type: 'lead-import', id },
      });
      return ctx.prisma.leadImport.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.queryField('leadImport', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:write' },
    type: 'LeadImport',
    description: 'One CSV import with its progress.',
    errors: {
      types: [LeadImportNotFoundError],
      directResult: true,
      union: { description: 'The import, or why it could not be read.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The import id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const found = uuid.test(id)
        ? await ctx.prisma.leadImport.findUnique({ ...query, where: { id } })
        : null;
      if (!found) throw new LeadImportNotFoundError(id);
      return found;
    },
  }),
);
