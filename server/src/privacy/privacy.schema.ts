import { builder } from '../builder.ts';
import { LeadNotFoundError } from '../leads/leads.ts';
import { eraseLead, exportLeadData } from './privacy.ts';

export const LeadConsentInput = builder.inputType('LeadConsentInput', {
  description:
    'Consent the person gave on the form (LGPD): which consent text they were shown, when and where. Recorded with the submission.',
  fields: (t) => ({
    textVersion: t.string({
      required: true,
      description:
        'Required. The version of the consent text shown to the person, e.g. "privacy-2026-03" (up to 64 characters).',
    }),
    givenAt: t.field({
      type: 'DateTime',
      description:
        'When the person gave consent. Default: when the submission is received. A time more than 5 minutes ahead of the server is refused.',
    }),
    source: t.string({
      description:
        'Where consent was given: the form or page name, or its URL (up to 255 characters). Default: the submission channel, e.g. "API".',
    }),
  }),
});

builder.prismaObject('LeadConsent', {
  description:
    'Consent a person gave with a submission: when, where, and which version of the consent text they were shown.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The consent record id.' }),
    givenAt: t.expose('givenAt', { type: 'DateTime', description: 'When consent was given.' }),
    source: t.exposeString('source', {
      description:
        'Where it was given: the form or page the sender named, or the submission channel.',
    }),
    textVersion: t.exposeString('textVersion', {
      description: 'The version of the consent text the person was shown.',
    }),
    submission: t.relation('submission', {
      nullable: true,
      description: 'The submission it came with.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When StreamLeads recorded it.',
    }),
    withdrawnAt: t.expose('withdrawnAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When the person withdrew it (withdrawLeadConsent); null while it stands. A withdrawn consent no longer allows marketing.',
    }),
  }),
});

builder.prismaObjectFields('Lead', (t) => ({
  consents: t.relation('consents', {
    description: 'Consents the person gave with their submissions, newest first.',
    query: { orderBy: [{ givenAt: 'desc' }, { id: 'desc' }] },
  }),
  erasedAt: t.expose('erasedAt', {
    type: 'DateTime',
    nullable: true,
    description:
      "When the lead's personal data was erased on request (eraseLead); null while it is held. An erased lead keeps only its origin, score, status and dates.",
  }),
}));

/** What exportLeadData resolves to. */
interface LeadDataExportShape {
  leadId: string;
  data: Record<string, unknown>;
}

const LeadDataExport = builder.objectRef<LeadDataExportShape>('LeadDataExport').implement({
  description: "Everything StreamLeads holds about one lead, for the person's access request.",
  fields: (t) => ({
    leadId: t.exposeID('leadId', { description: 'The exported lead.' }),
    data: t.expose('data', {
      type: 'JSON',
      description:
        'The export as one JSON document: formatVersion, exportedAt, lead (its fields), scoring (score, status, explanation, override), submissions (each payload as received), consents, automationRuns (payloads, states, attempts, errors) and emailsSent.',
    }),
  }),
});

builder.mutationFields((t) => ({
  exportLeadData: t.field({
    authScopes: { permission: 'admin' },
    type: LeadDataExport,
    description:
      "Exports everything held about a lead as JSON, for the person's access request (LGPD). Recorded in the audit log. Select `... on LeadDataExport { data }` and `... on Error { message }`.",
    errors: {
      types: [LeadNotFoundError],
      directResult: true,
      union: { description: 'The export, or why there is none.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The lead id.' }) },
    resolve: async (_root, args, ctx) => {
      const leadId = String(args.id);
      return { leadId, data: await exportLeadData(ctx, ctx, leadId) };
    },
  }),
  eraseLead: t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'Lead',
    description:
      "Irreversibly erases a lead's personal data on request (LGPD): its fields, submission payloads, automation payloads and errors. Its origin, score, status and dates stay, so counts and statistics do not change; a later submission from the person creates a new lead. Erasing again is harmless. Recorded in the audit log. Select `... on Lead { erasedAt }` and `... on Error { message }`.",
    errors: {
      types: [LeadNotFoundError],
      directResult: true,
      union: { description: 'The erased lead, or why nothing was erased.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The lead id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const leadId = String(args.id);
      await eraseLead(ctx, ctx, leadId);
      const lead = await ctx.prisma.lead.findUnique({ ...query, where: { id: leadId } });
      if (!lead) throw new LeadNotFoundError(leadId);
      return lead;
    },
  }),
}));
