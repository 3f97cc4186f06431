import { recordAudit } from '../access/audit.ts';
import { builder } from '../builder.ts';
import { ValidationError } from '../errors.ts';
import { ErrorInterface } from '../errors.schema.ts';
import { LeadOriginEnum } from '../leads/leads.schema.ts';
import { webFormPath } from './web-form.ts';
import { createWebForm, deleteWebForm, updateWebForm, WebFormNotFoundError } from './web-forms.ts';

builder.prismaObject('WebForm', {
  description:
    'A no-JavaScript form with its own settings: sites post it (URL-encoded) to `path`. The form at /forms/lead without a slug keeps the inbound settings (formThankYouUrl, formAllowedOrigins).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The form id.' }),
    slug: t.exposeString('slug', { description: "The form's name in its URL." }),
    path: t.string({
      description: 'Where its <form method="post"> points, on the API: /forms/lead/<slug>.',
      resolve: (form) => `${webFormPath}/${form.slug}`,
    }),
    name: t.exposeString('name', { description: 'A name for admins.' }),
    thankYouUrl: t.exposeString('thankYouUrl', {
      nullable: true,
      description: 'Where a saved lead is redirected; null: a plain thank-you page.',
    }),
    errorUrl: t.exposeString('errorUrl', {
      nullable: true,
      description:
        'Where refused input is sent back, with form_status=invalid and one error_<field> parameter per field; null: back to the page that posted it.',
    }),
    allowedOrigins: t.exposeStringList('allowedOrigins', {
      description: 'Sites (origins) whose pages may post it.',
    }),
    defaultOrigin: t.expose('defaultOrigin', {
      type: LeadOriginEnum,
      description: 'The origin its leads get.',
    }),
    defaultInterest: t.exposeString('defaultInterest', {
      nullable: true,
      description: 'The interest its leads get when the form sends none.',
    }),
    consentRequired: t.exposeBoolean('consentRequired', {
      description:
        'Whether the consent checkbox (field `consent`) must be ticked: unticked, the person is sent back with error_consent and nothing is stored.',
    }),
    consentText: t.exposeString('consentText', {
      nullable: true,
      description: 'The consent text the form shows.',
    }),
    consentTextVersion: t.exposeString('consentTextVersion', {
      nullable: true,
      description:
        "Recorded in the lead's consents (source web-form:<slug>) whenever the box is ticked.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

builder.objectType(WebFormNotFoundError, {
  name: 'WebFormNotFoundError',
  description: 'No web form has this id. Nothing was changed.',
  interfaces: [ErrorInterface],
});

const descriptions = {
  slug: 'The name in its URL (/forms/lead/<slug>): 1 to 64 lower-case letters, digits and hyphens.',
  name: 'A name for admins (up to 255 characters).',
  thankYouUrl: 'Where a saved lead is redirected (http or https); null: a plain thank-you page.',
  errorUrl:
    'Where refused input is sent back (http or https), with error_<field> parameters; null: the page that posted.',
  allowedOrigins: 'Sites whose pages may post it, e.g. https://www.example.com (1 to 50).',
  defaultOrigin: 'The origin its leads get (default SITE).',
  defaultInterest: 'The interest its leads get when the form sends none (up to 2,000 characters).',
  consentRequired:
    'Whether the consent checkbox must be ticked (needs consentText and consentTextVersion).',
  consentText: 'The consent text the form shows (up to 10,000 characters).',
  consentTextVersion:
    'The version recorded with each consent, e.g. "privacy-2026-03" (up to 64 characters); a changed consentText needs a new one.',
} as const;

const CreateWebFormInput = builder.inputType('CreateWebFormInput', {
  description: 'A new no-JavaScript form.',
  fields: (t) => ({
    slug: t.string({ required: true, description: descriptions.slug }),
    name: t.string({ required: true, description: descriptions.name }),
    thankYouUrl: t.string({ description: descriptions.thankYouUrl }),
    errorUrl: t.string({ description: descriptions.errorUrl }),
    allowedOrigins: t.stringList({ required: true, description: descriptions.allowedOrigins }),
    defaultOrigin: t.field({ type: LeadOriginEnum, description: descriptions.defaultOrigin }),
    defaultInterest: t.string({ description: descriptions.defaultInterest }),
    consentRequired: t.boolean({ description: descriptions.consentRequired }),
    consentText: t.string({ description: descriptions.consentText }),
    consentTextVersion: t.string({ description: descriptions.consentTextVersion }),
  }),
});

const UpdateWebFormInput = builder.inputType('UpdateWebFormInput', {
  description: 'The changes to a form; absent fields stay, null clears an optional one.',
  fields: (t) => ({
    slug: t.string({ description: `${descriptions.slug} Its old URL stops answering.` }),
    name: t.string({ description: descriptions.name }),
    thankYouUrl: t.string({ description: descriptions.thankYouUrl }),
    errorUrl: t.string({ description: descriptions.errorUrl }),
    allowedOrigins: t.stringList({ description: descriptions.allowedOrigins }),
    defaultOrigin: t.field({ type: LeadOriginEnum, description: descriptions.defaultOrigin }),
    defaultInterest: t.string({ description: descriptions.defaultInterest }),
    consentRequired: t.boolean({ description: descriptions.consentRequired }),
    consentText: t.string({ description: descriptions.consentText }),
    consentTextVersion: t.string({ description: descriptions.consentTextVersion }),
  }),
});

const DeleteWebFormPayload = builder
  .objectRef<{ deletedId: string }>('DeleteWebFormPayload')
  .implement({
    description: 'What deleteWebForm removed.',
    fields: (t) => ({
      deletedId: t.exposeID('deletedId', {
        description: 'The deleted form; its URL answers 404, its leads and consents stay.',
      }),
    }),
  });

builder.queryField('webForms', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: ['WebForm'],
    description: 'The no-JavaScript forms, by slug.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.webForm.findMany({ ...query, orderBy: { slug: 'asc' } }),
  }),
);

builder.mutationField('createWebForm', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'WebForm',
    description:
      'Creates a no-JavaScript form. Select `... on WebForm { path }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The new form, or why nothing was created.' },
    },
    args: {
      input: t.arg({ type: CreateWebFormInput, required: true, description: 'The form.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const { id, slug } = await createWebForm(ctx.prisma, args.input);
      await recordAudit(ctx.prisma, ctx, {
        action: 'settings.web-form.create',
        target: { type: 'web-form', id },
        details: { slug },
      });
      return ctx.prisma.webForm.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateWebForm', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'WebForm',
    description: 'Changes a no-JavaScript form; its next post uses the new settings.',
    errors: {
      types: [ValidationError, WebFormNotFoundError],
      directResult: true,
      union: { description: 'The changed form, or why nothing was changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The form id.' }),
      input: t.arg({ type: UpdateWebFormInput, required: true, description: 'The changes.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      await updateWebForm(ctx.prisma, id, args.input);
      await recordAudit(ctx.prisma, ctx, {
        action: 'settings.web-form.update',
        target: { type: 'web-form', id },
        details: {
          fields: Object.keys(args.input).filter(
            (key) => args.input[key as keyof typeof args.input] !== undefined,
          ),
        },
      });
      return ctx.prisma.webForm.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('deleteWebForm', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: DeleteWebFormPayload,
    description: 'Deletes a no-JavaScript form: its URL answers 404 from then on.',
    errors: {
      types: [WebFormNotFoundError],
      directResult: true,
      union: { description: 'The deleted id, or why nothing was deleted.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The form id.' }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      const { slug } = await deleteWebForm(ctx.prisma, id);
      await recordAudit(ctx.prisma, ctx, {
        action: 'settings.web-form.delete',
        target: { type: 'web-form', id },
        details: { slug },
      });
      return { deletedId: id };
    },
  }),
);
