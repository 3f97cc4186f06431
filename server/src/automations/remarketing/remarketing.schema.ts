import { recordAudit } from '../../access/audit.ts';
import { builder } from '../../builder.ts';
import { publishEvent } from '../../events.ts';
import { isLeadId, LeadNotFoundError } from '../../leads/leads.ts';
import { readSettings } from '../automations.ts';
import { downloadLinkTtlMs, downloadToken, remarketingExportPath } from './remarketing-export.ts';
import { coldLeadsAudience, leaveAudiences } from './remarketing.ts';

builder.prismaObject('RemarketingMember', {
  description:
    'A lead in a remarketing audience. COLD leads join when their remarketing-list run succeeds (they need a consent on record); unsubscribing, withdrawing consent or erasure removes them.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The membership id.' }),
    lead: t.relation('lead', { description: 'The lead.' }),
    audience: t.exposeString('audience', { description: 'The audience, e.g. cold-leads.' }),
    addedAt: t.expose('addedAt', { type: 'DateTime', description: 'When it (last) joined.' }),
  }),
});

/** What remarketingAudience resolves to: the audience's name. */
interface AudienceShape {
  name: string;
}

const RemarketingAudience = builder.objectRef<AudienceShape>('RemarketingAudience').implement({
  description: 'A remarketing audience and its current members.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The audience, e.g. cold-leads.' }),
    memberCount: t.int({
      description: 'Current members: what an export lists now.',
      resolve: (audience, _args, ctx) =>
        ctx.prisma.remarketingMember.count({
          where: { audience: audience.name, removedAt: null, lead: { erasedAt: null } },
        }),
    }),
    members: t.prismaConnection(
      {
        type: 'RemarketingMember',
        cursor: 'id',
        defaultSize: 50,
        maxSize: 200,
        description:
          'Current members, in the order they joined (50 per page by default, at most 200).',
        resolve: (query, audience, _args, ctx) =>
          ctx.prisma.remarketingMember.findMany({
            ...query,
            where: { audience: audience.name, removedAt: null, lead: { erasedAt: null } },
            orderBy: { id: 'asc' },
          }),
      },
      {
        name: 'RemarketingMemberConnection',
        description: 'A page of remarketing audience members.',
        edgesField: { description: 'The members of this page, in joining order, with cursors.' },
      },
      {
        name: 'RemarketingMemberEdge',
        description: 'A remarketing audience member and its cursor.',
        nodeField: { description: 'The member.' },
      },
    ),
  }),
});

builder.queryField('remarketingAudience', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: RemarketingAudience,
    description:
      'The cold-leads remarketing audience: how many leads it holds and who (admins only; the export sends their hashed email and phone to ad platforms).',
    resolve: () => ({ name: coldLeadsAudience }),
  }),
);

/** What createRemarketingExport resolves to. */
interface ExportLinkShape {
  url: string;
  expiresAt: Date;
}

const RemarketingExportLink = builder
  .objectRef<ExportLinkShape>('RemarketingExportLink')
  .implement({
    description: 'A short-lived link to download the audience as a customer-match CSV.',
    fields: (t) => ({
      url: t.exposeString('url', {
        description: `GET it for the CSV (Google Ads Customer Match / Meta custom audience): header Email,Phone, then one row per current member with the SHA-256 (hex) of the normalised email and of the E.164 phone. It works for ${downloadLinkTtlMs / 60_000} minutes, while the session or API key that made it is still valid; each download is audited.`,
      }),
      expiresAt: t.expose('expiresAt', {
        type: 'DateTime',
        description: 'When the link stops working.',
      }),
    }),
  });

builder.mutationField('createRemarketingExport', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: RemarketingExportLink,
    description: `Makes a download link for the cold-leads audience as a hashed customer-match CSV. Admins can also GET ${remarketingExportPath} directly with their session or an admin API key.`,
    resolve: async (_root, _args, ctx) => {
      const now = Date.now();
      const settings = await readSettings(ctx.prisma);
      // The API's public URL when an admin set it (behind a proxy the request's URL is internal).
      const base = settings.publicBaseUrl ?? ctx.request?.url ?? 'http://localhost/';
      const url = new URL(`${base.replace(/\/+$/, '')}${remarketingExportPath}`);
      if (!settings.publicBaseUrl) url.pathname = remarketingExportPath;
      url.search = '';
      url.searchParams.set('token', downloadToken(ctx.principal, coldLeadsAudience, now));
      return { url: url.href, expiresAt: new Date(now + downloadLinkTtlMs) };
    },
  }),
);

builder.mutationField('withdrawLeadConsent', (t) =>
  t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'Lead',
    description:
      'Records that the person withdrew their consent (LGPD art. 8 §5): every consent on record is marked withdrawn and the lead leaves every remarketing audience at once; later remarketing runs are SKIPPED until a new consent arrives with a submission. Audited. Select `... on Lead { id }` and `... on Error { message }`.',
    errors: {
      types: [LeadNotFoundError],
      directResult: true,
      union: { description: 'The lead, or why nothing was changed.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The lead id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id).toLowerCase();
      if (!isLeadId(id)) throw new LeadNotFoundError(id);
      await ctx.prisma.$transaction(async (tx) => {
        const [lead] = await tx.$queryRaw<{ id: string }[]>`
          SELECT id::text FROM leads WHERE id = ${id}::uuid FOR UPDATE`;
        if (!lead) throw new LeadNotFoundError(id);
        const consents = await tx.leadConsent.updateMany({
          where: { leadId: id, withdrawnAt: null },
          data: { withdrawnAt: new Date() },
        });
        const audiences = await leaveAudiences(tx, id, 'consent-withdrawn');
        await recordAudit(tx, ctx, {
          action: 'lead.consent-withdraw',
          target: { type: 'lead', id },
          details: { consents: consents.count, audiences },
        });
        await publishEvent(tx, { type: 'lead.changed', leadId: id, change: 'updated' });
      });
      return ctx.prisma.lead.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);
