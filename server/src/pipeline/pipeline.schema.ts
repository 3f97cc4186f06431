import { z } from 'zod';
import { recordAudit } from '../access/audit.ts';
import { UserNotFoundError } from '../access/access.schema.ts';
import { builder } from '../builder.ts';
import { fieldErrorsOf, ValidationError } from '../errors.ts';
import type { LeadStage } from '../generated/prisma/enums.ts';
import { LeadErasedError, LeadNotFoundError } from '../leads/leads.ts';
import { LeadType } from '../leads/leads.schema.ts';
import { bilingual } from '../localization/catalog.ts';
import { InvalidOwnerError, pipelineSettingsId, reassignLead } from './owners.ts';
import { LOST_REASON_MAX, parseStageRequest, setLeadStage, stageActor } from './stages.ts';
import { ErrorInterface } from '../errors.schema.ts';

export const LeadStageEnum = builder.enumType('LeadStage', {
  description:
    'Where sales stands with a lead, beside its class. Any stage may follow any other (a lost lead can be reopened).',
  values: {
    NEW: { description: 'Nobody has worked the lead yet.' },
    CONTACTED: { description: 'Sales reached the person.' },
    QUALIFIED: { description: 'The person is a real opportunity.' },
    WON: { description: 'The person became a customer.' },
    LOST: { description: 'The opportunity is gone; lostReason says why.' },
  } satisfies Record<LeadStage, { description: string }>,
});

/** A user as a lead's owner: what colleagues and n8n may see of them. */
export const SalesRepType = builder.prismaObject('User', {
  variant: 'SalesRep',
  description: 'A sales user as the owner of leads.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The user id (use it in LeadFilter.ownerIds).' }),
    name: t.exposeString('name', { description: 'Their name.' }),
    email: t.exposeString('email', { description: 'Their sign-in email, lower-case.' }),
  }),
});

builder.prismaObjectFields('User', (t) => ({
  acceptsLeads: t.exposeBoolean('acceptsLeads', {
    description:
      'false: the round-robin skips them (leave, full pipeline); leads they own stay theirs. Only active SALES users get leads.',
  }),
  leadWeight: t.exposeInt('leadWeight', {
    description: 'Their share of new leads against the other reps: 2 gets twice as many as 1.',
  }),
  slackMemberId: t.exposeString('slackMemberId', {
    nullable: true,
    description: 'Slack member id (e.g. U024BE7LH): owner notifications mention them.',
  }),
  whatsappNumber: t.exposeString('whatsappNumber', {
    nullable: true,
    description: 'WhatsApp number in E.164, where owner notifications go when WhatsApp is set up.',
  }),
}));

builder.prismaObject('LeadStageChange', {
  description: "One change of a lead's stage: who made it, when, from and to.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The change id.' }),
    fromStage: t.expose('fromStage', { type: LeadStageEnum, description: 'The stage before.' }),
    toStage: t.expose('toStage', { type: LeadStageEnum, description: 'The stage after.' }),
    lostReason: t.exposeString('lostReason', {
      nullable: true,
      description: 'Why the lead was lost, for a change to LOST (cleared if the lead is erased).',
    }),
    changedBy: t.exposeString('actorLabel', {
      description: "Who changed it: a user's email or an API key's name and prefix, as it was.",
    }),
    changedByUserId: t.id({
      nullable: true,
      description: 'The user who changed it; null when an API key (n8n, a script) did.',
      select: { actorKind: true, actorId: true },
      resolve: (change) => (change.actorKind === 'user' ? change.actorId : null),
    }),
    changedAt: t.expose('changedAt', { type: 'DateTime', description: 'When.' }),
  }),
});

builder.prismaObjectFields(LeadType, (t) => ({
  stage: t.expose('stage', {
    type: LeadStageEnum,
    description: 'Where sales stands with the lead; change it with setLeadStage.',
  }),
  lostReason: t.exposeString('lostReason', {
    nullable: true,
    description: 'Why the lead was lost, while its stage is LOST.',
  }),
  stageChangedAt: t.expose('stageChangedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When the stage last changed; null while it is still the first NEW.',
  }),
  firstContactedAt: t.expose('firstContactedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When the stage first moved out of NEW: the end of the time to first contact.',
  }),
  stageChanges: t.relation('stageChanges', {
    description: 'Every stage change, newest first.',
    query: { orderBy: [{ changedAt: 'desc' }, { id: 'desc' }] },
  }),
  owner: t.relation('owner', {
    type: SalesRepType,
    nullable: true,
    description:
      'The sales user who works the lead: given by round-robin when it becomes HOT (or WARM, by setting), or by an admin (reassignLead). null while nobody owns it.',
  }),
  ownerAssignedAt: t.expose('ownerAssignedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When the current owner got the lead.',
  }),
}));

builder.objectType(InvalidOwnerError, {
  name: 'InvalidOwnerError',
  description:
    'The user cannot own leads: no such user, disabled, or not a SALES user. Nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    userId: t.exposeID('userId', { description: 'The user id that was given.' }),
  }),
});

builder.mutationField('setLeadStage', (t) =>
  t.prismaField({
    authScopes: { permission: 'pipeline:write' },
    type: 'Lead',
    description: [
      'Moves a lead to a stage and records the change (who, when, from, to) in its stageChanges. LOST needs a lostReason. The first move out of NEW sets firstContactedAt. A change counts as sales handling the lead: its pending follow-up reminder is cancelled and its automated emails stop. n8n receives a signed `lead.stage_changed` event (previousStage, stage, lostReason, changedBy) and subscribers a STAGE change.',
      'Safe to retry: asking for the stage the lead already has (with the same lostReason) changes nothing. Select `... on Lead { stage }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    ].join('\n\n'),
    errors: {
      types: [ValidationError, LeadNotFoundError, LeadErasedError],
      directResult: true,
      union: { description: 'The lead at its new stage, or why nothing was changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The lead id.' }),
      stage: t.arg({ type: LeadStageEnum, required: true, description: 'The new stage.' }),
      lostReason: t.arg.string({
        description: `Why the lead was lost (up to ${LOST_REASON_MAX.toLocaleString('en-US')} characters): required with LOST, refused with any other stage.`,
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const parsed = parseStageRequest(args.stage, args.lostReason);
      if (!parsed.ok) throw new ValidationError(parsed.fieldErrors);
      await setLeadStage(ctx, id, parsed.value, stageActor(ctx.principal));
      const lead = await ctx.prisma.lead.findUnique({ ...query, where: { id } });
      if (!lead) throw new LeadNotFoundError(id);
      return lead;
    },
  }),
);

builder.mutationField('reassignLead', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'Lead',
    description:
      "Gives a lead to another owner (any active SALES user, even one not taking new leads), or to nobody (ownerId null). The new owner is notified (Slack mention, WhatsApp); the change is audited (lead.reassign) and subscribers get an OWNER change. The round-robin's turns are not affected. Select `... on Lead { owner { id name } }` and `... on Error { message }`.",
    errors: {
      types: [LeadNotFoundError, LeadErasedError, InvalidOwnerError],
      directResult: true,
      union: { description: 'The lead with its new owner, or why nothing was changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The lead id.' }),
      ownerId: t.arg.id({
        required: false,
        description: 'The new owner (a SALES user id); null or absent leaves the lead unowned.',
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      await reassignLead(ctx, ctx, id, args.ownerId == null ? null : String(args.ownerId));
      const lead = await ctx.prisma.lead.findUnique({ ...query, where: { id } });
      if (!lead) throw new LeadNotFoundError(id);
      return lead;
    },
  }),
);

builder.queryField('salesReps', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:read' },
    type: [SalesRepType],
    description:
      'Every active SALES user, by name: who can own leads (for owner filters and reassignment).',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.user.findMany({
        ...query,
        where: { role: 'SALES', disabledAt: null },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      }),
  }),
);

const UpdateSalesRepInput = builder.inputType('UpdateSalesRepInput', {
  description:
    'A user\'s lead settings. A field left out stays as it is; null (or "") clears an optional one.',
  fields: (t) => ({
    acceptsLeads: t.boolean({
      description: 'false: the round-robin gives them no new leads.',
    }),
    leadWeight: t.int({
      description: 'Their share of new leads against the other reps, 1 to 100 (default 1).',
    }),
    slackMemberId: t.string({
      description: 'Slack member id, e.g. U024BE7LH (Slack profile → Copy member ID).',
    }),
    whatsappNumber: t.string({
      description: 'WhatsApp number in E.164, e.g. +5511999999999.',
    }),
  }),
});

const optionalText = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .nullish()
    .transform((value) => (value === '' || value === null ? null : value?.trim()))
    .pipe(schema.nullish());

const salesRepSchema = z.object({
  acceptsLeads: z.boolean().nullish(),
  // Worded by zod-messages.ts: "At least 1", "At most 100".
  leadWeight: z.number().int().min(1).max(100).nullish(),
  slackMemberId: optionalText(
    z
      .string()
      .regex(
        /^[UW][A-Z0-9]{2,30}$/,
        bilingual(
          'A Slack member id looks like U024BE7LH',
          'Um ID de membro do Slack é parecido com U024BE7LH',
        ),
      ),
  ),
  whatsappNumber: optionalText(
    z
      .string()
      .regex(
        /^\+[1-9]\d{7,14}$/,
        bilingual(
          'Phone number in E.164, e.g. +5511999999999',
          'Número no formato internacional (E.164), ex.: +5511999999999',
        ),
      ),
  ),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

builder.mutationField('updateSalesRep', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'User',
    description:
      "Changes a user's lead settings: whether the round-robin gives them leads, their weight, and where owner notifications reach them. Audited (user.sales-settings.update). Select `... on User { acceptsLeads leadWeight }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.",
    errors: {
      types: [ValidationError, UserNotFoundError],
      directResult: true,
      union: { description: 'The changed user, or why nothing changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The user id.' }),
      input: t.arg({ type: UpdateSalesRepInput, required: true, description: 'The changes.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const parsed = salesRepSchema.safeParse(args.input);
      if (!parsed.success) {
        throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      }
      const input = parsed.data;
      const data = {
        ...(input.acceptsLeads != null ? { acceptsLeads: input.acceptsLeads } : {}),
        ...(input.leadWeight != null ? { leadWeight: input.leadWeight } : {}),
        ...('slackMemberId' in args.input ? { slackMemberId: input.slackMemberId ?? null } : {}),
        ...('whatsappNumber' in args.input ? { whatsappNumber: input.whatsappNumber ?? null } : {}),
      };
      const user = UUID.test(id)
        ? await ctx.prisma.user.findUnique({ where: { id }, select: { id: true } })
        : null;
      if (!user) throw new UserNotFoundError(id);
      return ctx.prisma.$transaction(async (tx) => {
        const updated = await tx.user.update({ ...query, where: { id }, data });
        // Names only, as for other settings.
        await recordAudit(tx, ctx, {
          action: 'user.sales-settings.update',
          target: { type: 'user', id },
          details: { changed: Object.keys(data) },
        });
        return updated;
      });
    },
  }),
);

builder.prismaObject('PipelineSettings', {
  description: 'How the Sales pipeline gives leads owners.',
  fields: (t) => ({
    assignWarmLeads: t.exposeBoolean('assignWarmLeads', {
      description:
        'true: leads becoming WARM also get an owner by round-robin (HOT leads always do).',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When they last changed.' }),
  }),
});

const defaultPipelineSettings = {
  id: pipelineSettingsId,
  assignWarmLeads: false,
  updatedAt: new Date(0),
};

builder.queryField('pipelineSettings', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'PipelineSettings',
    description: 'How leads get owners; the defaults until an admin saves any.',
    resolve: async (query, _root, _args, ctx) =>
      (await ctx.prisma.pipelineSettings.findUnique({
        ...query,
        where: { id: pipelineSettingsId },
      })) ?? defaultPipelineSettings,
  }),
);

const UpdatePipelineSettingsInput = builder.inputType('UpdatePipelineSettingsInput', {
  description: 'Changes to the pipeline settings; a field left out stays as it is.',
  fields: (t) => ({
    assignWarmLeads: t.boolean({
      description: 'true: leads becoming WARM also get an owner by round-robin.',
    }),
  }),
});

builder.mutationField('updatePipelineSettings', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'PipelineSettings',
    description:
      'Changes how leads get owners, for the class changes from now on. Audited (settings.pipeline.update).',
    args: {
      input: t.arg({
        type: UpdatePipelineSettingsInput,
        required: true,
        description: 'The changes.',
      }),
    },
    resolve: (query, _root, args, ctx) => {
      const data =
        args.input.assignWarmLeads == null ? {} : { assignWarmLeads: args.input.assignWarmLeads };
      return ctx.prisma.$transaction(async (tx) => {
        const saved = await tx.pipelineSettings.upsert({
          ...query,
          where: { id: pipelineSettingsId },
          create: { id: pipelineSettingsId, ...data },
          update: data,
        });
        await recordAudit(tx, ctx, {
          action: 'settings.pipeline.update',
          target: { type: 'settings', id: pipelineSettingsId },
          details: { changed: Object.keys(data) },
        });
        return saved;
      });
    },
  }),
);
