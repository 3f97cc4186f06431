import { forbiddenError } from '../access/access-errors.ts';
import { actorLabel, hasPermission, type Principal } from '../access/principal.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { ValidationError, type FieldError } from '../errors.ts';
import { ErrorInterface } from '../errors.schema.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { LeadOrigin, LeadStatus, SubmissionChannel } from '../generated/prisma/enums.ts';
import { parseConsent } from '../privacy/consent.ts';
import { LeadConsentInput } from '../privacy/privacy.schema.ts';
import { queuedScoringJobIds } from '../scoring/scoring.ts';
import { normaliseAttribution, parseLeadInput, type NormalisedAttribution } from './lead-input.ts';
import {
  deleteLead,
  IdempotencyKeyConflictError,
  ingestLead,
  isLeadId,
  LeadErasedError,
  LeadNotFoundError,
  parseLeadUpdate,
  rescoreLead,
  updateLead,
  waitForScoring,
  type UpdateLeadOptions,
} from './leads.ts';

export const LeadOriginEnum = builder.enumType('LeadOrigin', {
  description: 'Where a lead came from.',
  values: {
    META_ADS: { description: 'Meta (Facebook / Instagram) lead ads.' },
    GOOGLE_ADS: { description: 'Google Ads lead forms.' },
    WHATSAPP: { description: 'A WhatsApp conversation.' },
    SITE: { description: "A form on the company's website." },
    REFERRAL: { description: 'Referred by someone.' },
    OTHER: { description: 'Any other source.' },
  } satisfies Record<LeadOrigin, { description: string }>,
});

export const LeadStatusEnum = builder.enumType('LeadStatus', {
  description: "A lead's class: PROCESSING until its first scoring, then HOT, WARM or COLD.",
  values: {
    PROCESSING: { description: 'Received, not scored yet.' },
    HOT: { description: 'Score at or above the hot threshold: sales call at once.' },
    WARM: { description: 'Score between the warm and hot thresholds: nurture.' },
    COLD: { description: 'Score below the warm threshold: remarketing.' },
  } satisfies Record<LeadStatus, { description: string }>,
});

export const SubmissionChannelEnum = builder.enumType('SubmissionChannel', {
  description: 'How a submission reached StreamLeads.',
  values: {
    API: { description: 'The GraphQL API (forms, n8n, integrations).' },
    WEB_FORM: { description: 'The no-code web form endpoint.' },
    META_ADS: { description: 'The Meta lead ads webhook.' },
    GOOGLE_ADS: { description: 'The Google Ads lead form webhook.' },
    CSV_IMPORT: { description: 'A CSV import.' },
  } satisfies Record<SubmissionChannel, { description: string }>,
});

/** The attribution columns of a submission. */
const attributionColumns = {
  utmSource: true,
  utmMedium: true,
  utmCampaign: true,
  utmTerm: true,
  utmContent: true,
  landingPage: true,
  referrer: true,
} as const satisfies Record<keyof NormalisedAttribution, true>;

type AttributionView = NormalisedAttribution & { channel: SubmissionChannel; receivedAt: Date };

/** A submission's attribution, or null when its channel said nothing about where it came from. */
function attributionView(
  submission: NormalisedAttribution & { channel: SubmissionChannel; createdAt: Date },
): AttributionView | null {
  const { utmSource, utmMedium, utmCampaign, utmTerm, utmContent, landingPage, referrer } =
    submission;
  const values = { utmSource, utmMedium, utmCampaign, utmTerm, utmContent, landingPage, referrer };
  if (Object.values(values).every((value) => value === null)) return null;
  return { ...values, channel: submission.channel, receivedAt: submission.createdAt };
}

export const LeadAttributionType = builder.objectRef<AttributionView>('LeadAttribution').implement({
  description:
    'Where a person came from on one submission: UTM parameters, landing page and referrer, for conversion by source.',
  fields: (t) => ({
    utmSource: t.exposeString('utmSource', { nullable: true, description: 'utm_source.' }),
    utmMedium: t.exposeString('utmMedium', { nullable: true, description: 'utm_medium.' }),
    utmCampaign: t.exposeString('utmCampaign', {
      nullable: true,
      description: 'utm_campaign (for ads: the campaign id).',
    }),
    utmTerm: t.exposeString('utmTerm', { nullable: true, description: 'utm_term.' }),
    utmContent: t.exposeString('utmContent', { nullable: true, description: 'utm_content.' }),
    landingPage: t.exposeString('landingPage', {
      nullable: true,
      description: 'The page the person landed on (http or https URL).',
    }),
    referrer: t.exposeString('referrer', {
      nullable: true,
      description: 'The page that sent the person to the landing page (http or https URL).',
    }),
    channel: t.expose('channel', {
      type: SubmissionChannelEnum,
      description: 'How the submission carrying it arrived.',
    }),
    receivedAt: t.expose('receivedAt', {
      type: 'DateTime',
      description: 'When the submission carrying it arrived.',
    }),
  }),
});

export const LeadAttributionInput = builder.inputType('LeadAttributionInput', {
  description:
    'Where the person came from: the UTM parameters of the landing page, the page itself and its referrer. Every field is optional; an empty string counts as not given. Refused values return a ValidationError with paths such as attribution.landingPage.',
  fields: (t) => ({
    utmSource: t.string({ description: 'utm_source (up to 255 characters).' }),
    utmMedium: t.string({ description: 'utm_medium (up to 255 characters).' }),
    utmCampaign: t.string({ description: 'utm_campaign (up to 255 characters).' }),
    utmTerm: t.string({ description: 'utm_term (up to 255 characters).' }),
    utmContent: t.string({ description: 'utm_content (up to 255 characters).' }),
    landingPage: t.string({
      description: 'The page the form was on: an http or https URL of up to 2,000 characters.',
    }),
    referrer: t.string({
      description:
        'The page that sent the person there (document.referrer): an http or https URL of up to 2,000 characters.',
    }),
  }),
});

export const LeadSubmissionType = builder.prismaObject('LeadSubmission', {
  description: 'One submission exactly as it was received. Every submission of a lead is kept.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The submission id.' }),
    channel: t.expose('channel', { type: SubmissionChannelEnum, description: 'How it arrived.' }),
    payload: t.expose('payload', { type: 'JSON', description: 'The input as received.' }),
    createdLead: t.exposeBoolean('createdLead', {
      description: 'True when this submission created the lead; false when it updated it.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was received.' }),
    attribution: t.field({
      type: LeadAttributionType,
      nullable: true,
      description:
        'Where the person came from on this submission; null when the submission did not say.',
      resolve: (submission) => attributionView(submission),
    }),
  }),
});

export const LeadType = builder.prismaObject('Lead', {
  description: 'A person who asked to be contacted. One lead per email address.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The lead id (a UUID).' }),
    name: t.exposeString('name', { description: 'Full name, as normalised on intake.' }),
    email: t.exposeString('email', { description: 'Email address, lower-case.' }),
    phone: t.exposeString('phone', {
      nullable: true,
      description: 'Phone in E.164, e.g. +5511999999999.',
    }),
    origin: t.expose('origin', { type: LeadOriginEnum, description: 'Where the lead came from.' }),
    interest: t.exposeString('interest', {
      nullable: true,
      description: 'What the lead is interested in.',
    }),
    approximateIncome: t.expose('approximateIncome', {
      type: 'Decimal',
      nullable: true,
      description: 'Approximate monthly income in BRL.',
    }),
    city: t.exposeString('city', { nullable: true, description: 'City as the lead wrote it.' }),
    score: t.exposeInt('score', {
      description: 'Score from the rule set it was last scored with.',
    }),
    status: t.expose('status', {
      type: LeadStatusEnum,
      description: 'Class: set by scoring, or by a person (see statusOverride).',
    }),
    statusOverride: t.expose('statusOverride', {
      type: LeadStatusEnum,
      nullable: true,
      description: 'A class set by a person; while set, scoring no longer changes status.',
    }),
    statusOverrideReason: t.exposeString('statusOverrideReason', {
      nullable: true,
      description: 'Why the class was set by hand.',
    }),
    statusOverrideBy: t.exposeString('statusOverrideBy', {
      nullable: true,
      description: 'Who set the class by hand.',
    }),
    statusOverrideAt: t.expose('statusOverrideAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the class was set by hand.',
    }),
    processedAt: t.expose('processedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When scoring last finished; null until the first scoring.',
    }),
    notes: t.exposeString('notes', { nullable: true, description: 'Free notes by staff.' }),
    followUpAt: t.expose('followUpAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When sales should follow up.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the lead first arrived.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: 'When the lead last changed.',
    }),
    submissions: t.relation('submissions', {
      description: 'Every submission of this lead, newest first.',
      query: { orderBy: { createdAt: 'desc' } },
    }),
    firstTouch: t.field({
      type: LeadAttributionType,
      nullable: true,
      description:
        "First-touch attribution: the attribution of the lead's earliest submission that carried any. Later submissions (a known email sending again) never change it; each keeps its own in submissions.attribution.",
      // Read with the lead's own query, so a list of leads costs no query per lead.
      select: {
        submissions: {
          where: { OR: Object.keys(attributionColumns).map((key) => ({ [key]: { not: null } })) },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          take: 1,
          select: { ...attributionColumns, channel: true, createdAt: true },
        },
      },
      resolve: (lead) => {
        const [first] = lead.submissions;
        return first ? attributionView(first) : null;
      },
    }),
  }),
});

builder.objectType(LeadNotFoundError, {
  name: 'LeadNotFoundError',
  description: 'No lead has the given id (it never existed or was deleted). Nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    leadId: t.exposeID('leadId', { description: 'The id that was looked up.' }),
  }),
});

builder.objectType(LeadErasedError, {
  name: 'LeadErasedError',
  description:
    "The lead's personal data was erased on request, so it is not changed. Nothing was changed; a new submission from the person creates a new lead.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    leadId: t.exposeID('leadId', { description: 'The erased lead.' }),
  }),
});

builder.objectType(IdempotencyKeyConflictError, {
  name: 'IdempotencyKeyConflictError',
  description:
    'The idempotency key was already used for a request with different input. Nothing was recorded; send new data with a new key.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    idempotencyKey: t.exposeString('idempotencyKey', { description: 'The key that was reused.' }),
  }),
});

const leadFieldsDescriptions = {
  name: 'Full name; at least 2 letters. Typed all lower- or upper-case, it is title-cased.',
  email: 'Email address; stored lower-case. One lead per email.',
  phone: 'Phone with area code; Brazilian unless it starts with "+". Stored in E.164.',
  origin: 'Where the lead came from.',
  interest: 'What the lead is interested in (up to 2,000 characters).',
  approximateIncome:
    'Approximate monthly income in BRL: a number, or text such as "15000.50" or "15.000,50".',
  city: 'City as the lead wrote it (up to 100 characters).',
  notes: 'Free notes (up to 10,000 characters).',
} as const;

export const CreateLeadInput = builder.inputType('CreateLeadInput', {
  description:
    'A lead as a form or integration sends it. name, email and origin are required: leaving one out returns a ValidationError for that field. An empty string counts as not given.',
  fields: (t) => ({
    name: t.string({ description: `Required. ${leadFieldsDescriptions.name}` }),
    email: t.string({ description: `Required. ${leadFieldsDescriptions.email}` }),
    phone: t.string({ description: leadFieldsDescriptions.phone }),
    origin: t.field({
      type: LeadOriginEnum,
      description: `Required. ${leadFieldsDescriptions.origin}`,
    }),
    interest: t.string({ description: leadFieldsDescriptions.interest }),
    approximateIncome: t.field({
      type: 'Decimal',
      description: leadFieldsDescriptions.approximateIncome,
    }),
    city: t.string({ description: leadFieldsDescriptions.city }),
    notes: t.string({ description: leadFieldsDescriptions.notes }),
    attribution: t.field({
      type: LeadAttributionInput,
      description:
        "Where the person came from (UTM parameters, landing page, referrer): kept on this submission, and the lead's firstTouch when it is the first to carry any.",
    }),
    consent: t.field({
      type: LeadConsentInput,
      description:
        "The consent the person gave on the form, when the form asks for it: recorded with this submission and listed in the lead's consents. Refused consent fields return a ValidationError with paths such as consent.givenAt.",
    }),
  }),
});

export const UpdateLeadInput = builder.inputType('UpdateLeadInput', {
  description:
    'The changes to a lead. A field left out stays as it is; null (or "") clears an optional field. Give at least one.',
  fields: (t) => ({
    name: t.string({ description: leadFieldsDescriptions.name }),
    email: t.string({ description: leadFieldsDescriptions.email }),
    phone: t.string({ description: leadFieldsDescriptions.phone }),
    origin: t.field({ type: LeadOriginEnum, description: leadFieldsDescriptions.origin }),
    interest: t.string({ description: leadFieldsDescriptions.interest }),
    approximateIncome: t.field({
      type: 'Decimal',
      description: leadFieldsDescriptions.approximateIncome,
    }),
    city: t.string({ description: leadFieldsDescriptions.city }),
    notes: t.string({ description: leadFieldsDescriptions.notes }),
    statusOverride: t.field({
      type: LeadStatusEnum,
      description:
        'Sets the class by hand (HOT, WARM or COLD) and keeps it: scoring still updates the score but no longer the status. Requires statusOverrideReason.',
    }),
    statusOverrideReason: t.string({
      description:
        'Why the class is set by hand (up to 1,000 characters). Only with statusOverride.',
    }),
    clearStatusOverride: t.boolean({
      description:
        'true removes a status override and rescores the lead; its status keeps the overridden class until that scoring finishes.',
    }),
    followUpAt: t.field({
      type: 'DateTime',
      description:
        'When sales should follow up: a time in the future, within 365 days. It replaces the pending reminder, so n8n gets `lead.follow_up_due` at this time instead; null cancels the reminder.',
    }),
  }),
});

/** What createLead resolves to before its fields are read. */
interface CreateLeadResult {
  leadId: string;
  created: boolean;
  replayed: boolean;
}

/**
 * A publishable key sits in a browser form that anyone can drive: it must learn nothing about an
 * email it sends — not the lead, not its id, not even whether it was already known.
 */
const readersOnly = {
  authScopes: { permission: 'leads:read' },
  unauthorizedResolver: () => null,
} as const;

export const CreateLeadPayload = builder
  .objectRef<CreateLeadResult>('CreateLeadPayload')
  .implement({
    description: 'The lead a createLead call created or updated.',
    fields: (t) => ({
      leadId: t.exposeID('leadId', {
        nullable: true,
        description:
          'The id of the created or updated lead; null for callers that may only send leads.',
        ...readersOnly,
      }),
      lead: t.prismaField({
        type: 'Lead',
        nullable: true,
        description:
          'The lead as it is now: status PROCESSING until its first scoring, unless awaitScoring waited for it. null for callers that may only send leads (a publishable `leads:create` key): a form must not read back what is known about an email.',
        ...readersOnly,
        resolve: async (query, result, _args, ctx) => {
          const lead = await ctx.prisma.lead.findUnique({ ...query, where: { id: result.leadId } });
          if (!lead) throw new LeadNotFoundError(result.leadId);
          return lead;
        },
      }),
      created: t.exposeBoolean('created', {
        nullable: true,
        description:
          'true when this call created the lead; false when a lead with this email existed and took the new non-empty values. null for callers that may only send leads.',
        ...readersOnly,
      }),
      replayed: t.exposeBoolean('replayed', {
        description:
          "true when the idempotency key matched an earlier call: this is that call's result and nothing new was recorded.",
      }),
    }),
  });

export const DeleteLeadPayload = builder
  .objectRef<{ deletedId: string }>('DeleteLeadPayload')
  .implement({
    description: 'What deleteLead removed.',
    fields: (t) => ({
      deletedId: t.exposeID('deletedId', {
        description: 'The id of the deleted lead; its submission history went with it.',
      }),
    }),
  });

/** How long `awaitScoring` waits for the worker; a form or n8n flow can wait this long. */
const awaitScoringTimeoutMs = 5_000;

builder.queryField('lead', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:read' },
    type: 'Lead',
    description:
      'One lead by id. Select `... on Lead { ... }` for the lead and `... on Error { message }` for a LeadNotFoundError.',
    errors: {
      types: [LeadNotFoundError],
      directResult: true,
      union: { description: 'The lead, or why it could not be read.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The lead id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const lead = isLeadId(id)
        ? await ctx.prisma.lead.findUnique({ ...query, where: { id } })
        : null;
      if (!lead) throw new LeadNotFoundError(id);
      return lead;
    },
  }),
);

builder.mutationField('createLead', (t) =>
  t.field({
    authScopes: { permission: 'leads:create' },
    type: CreateLeadPayload,
    description: [
      "Receives a lead. A new email creates a lead; a known email updates that lead with the non-empty values sent (`created: false`). Every call is kept in the lead's submission history, and the lead is (re)scored in the background.",
      'Select `... on CreateLeadPayload { created lead { id status score } }` for the result and `... on ValidationError { message fieldErrors { path message } }` for refused input (nothing is recorded then); `... on Error { message }` covers every error.',
      'Safe retries: send an idempotency key (this argument or an `Idempotency-Key` header); a retry with the same key returns the first result and records nothing.',
    ].join('\n\n'),
    errors: {
      types: [ValidationError, IdempotencyKeyConflictError],
      directResult: true,
      union: { description: 'The created or updated lead, or why the input was refused.' },
    },
    args: {
      input: t.arg({ type: CreateLeadInput, required: true, description: 'The lead.' }),
      idempotencyKey: t.arg.string({
        description:
          'Any unique string of up to 255 characters (e.g. a UUID or the form submission id). Same as the `Idempotency-Key` header; if both are sent they must match.',
      }),
      awaitScoring: t.arg.boolean({
        defaultValue: false,
        description:
          'true waits (up to 5 seconds) for the scoring job and returns the scored lead; on timeout the lead comes back as it is (a new lead still PROCESSING). false returns at once: the lead is scored in the background.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const idempotencyKey = readIdempotencyKey(
        args.idempotencyKey,
        ctx.request?.headers.get('idempotency-key'),
      );
      const { consent: consentInput, attribution: attributionInput, ...fields } = args.input;
      const parsed = parseLeadInput(fields);
      const consent = parseConsent(consentInput, { receivedAt: new Date(), channel: 'API' });
      const attribution = normaliseAttribution(attributionInput);
      const fieldErrors = [
        ...(idempotencyKey.ok ? [] : idempotencyKey.fieldErrors),
        ...(parsed.ok ? [] : parsed.fieldErrors),
        ...(consent.ok ? [] : consent.fieldErrors),
        ...attribution.fieldErrors,
      ];
      if (fieldErrors.length > 0 || !parsed.ok || !idempotencyKey.ok || !consent.ok) {
        throw new ValidationError(fieldErrors);
      }

      const result = await ingestLead(ctx, {
        input: parsed.value,
        // The consent time arrives as a Date; stored and hashed as the JSON a client would send.
        raw: JSON.parse(JSON.stringify(args.input)) as Prisma.InputJsonObject,
        consent: consent.value,
        attribution: attribution.value,
        channel: 'API',
        idempotencyKey: idempotencyKey.value,
        withScoringJobs: args.awaitScoring === true,
      });
      if (args.awaitScoring) {
        // A replay waits for what is still queued for the lead, if anything.
        const jobIds = result.replayed
          ? await queuedScoringJobIds(ctx.jobs, result.leadId)
          : result.scoringJobIds;
        await waitForScoring(ctx.jobs, jobIds, awaitScoringTimeoutMs);
      }
      return result;
    },
  }),
);

builder.mutationField('updateLead', (t) =>
  t.prismaField({
    authScopes: { permission: 'pipeline:write' },
    type: 'Lead',
    description:
      'Changes a lead. Changing a field scoring reads rescores it in the background. A status override records who set it, when and why; overriding to HOT gives an unowned lead an owner by round-robin. A new followUpAt replaces the pending follow-up reminder. Sales users may change only the status, notes and follow-up. Select `... on Lead { ... }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError, LeadNotFoundError, LeadErasedError],
      directResult: true,
      union: { description: 'The changed lead, or why nothing was changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The lead id.' }),
      input: t.arg({ type: UpdateLeadInput, required: true, description: 'The changes.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const parsed = parseLeadUpdate(args.input);
      if (!parsed.ok) throw new ValidationError(parsed.fieldErrors);
      assertMayUpdate(ctx.principal, parsed.value);
      await updateLead(ctx, id, { ...parsed.value, actor: actorLabel(ctx.principal) });
      return readLead(ctx, query, id);
    },
  }),
);

/** Fields that are pipeline work (sales may change them); the rest need leads:write. */
const pipelineFields: ReadonlySet<string> = new Set(['notes', 'followUpAt']);

function assertMayUpdate(principal: Principal, update: Omit<UpdateLeadOptions, 'actor'>): void {
  if (hasPermission(principal, 'leads:write')) return;
  const changed = [
    ...Object.keys(update.fields),
    ...('followUpAt' in update ? ['followUpAt'] : []),
  ];
  const contactFields = changed.filter((field) => !pipelineFields.has(field));
  if (contactFields.length > 0) {
    throw forbiddenError(
      `Your role may change a lead's status, notes and follow-up, not: ${contactFields.join(', ')}.`,
    );
  }
}

builder.mutationField('deleteLead', (t) =>
  t.field({
    authScopes: { permission: 'leads:write' },
    type: DeleteLeadPayload,
    description:
      'Deletes a lead and its submission history. Select `... on DeleteLeadPayload { deletedId }` and `... on Error { message }`.',
    errors: {
      types: [LeadNotFoundError],
      directResult: true,
      union: { description: 'The deleted id, or why nothing was deleted.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The lead id.' }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      await deleteLead(ctx, id);
      return { deletedId: id };
    },
  }),
);

builder.mutationField('rescoreLead', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:write' },
    type: 'Lead',
    description:
      'Scores a lead again with the active rule set, in the background; the lead returned is as it is now. Select `... on Lead { ... }` and `... on Error { message }`.',
    errors: {
      types: [LeadNotFoundError, LeadErasedError],
      directResult: true,
      union: { description: 'The lead, or why it could not be rescored.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The lead id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      await rescoreLead(ctx, id);
      return readLead(ctx, query, id);
    },
  }),
);

async function readLead(
  ctx: Context,
  query: { include?: Prisma.LeadInclude; select?: Prisma.LeadSelect },
  id: string,
) {
  // A delete between the write and this read answers like any other missing lead.
  const lead = await ctx.prisma.lead.findUnique({ ...query, where: { id } });
  if (!lead) throw new LeadNotFoundError(id);
  return lead;
}

const IDEMPOTENCY_KEY_MAX = 255;

function readIdempotencyKey(
  argument: string | null | undefined,
  header: string | null | undefined,
): { ok: true; value: string | null } | { ok: false; fieldErrors: FieldError[] } {
  const fail = (message: string) => ({
    ok: false as const,
    fieldErrors: [{ path: 'idempotencyKey', message }],
  });
  if (argument != null && header != null && argument !== header) {
    return fail('The idempotencyKey argument and the Idempotency-Key header differ');
  }
  const key = argument ?? header ?? null;
  if (key === null) return { ok: true, value: null };
  if (key.trim() === '') return fail('Idempotency key cannot be empty');
  if ([...key].length > IDEMPOTENCY_KEY_MAX) {
    return fail(`Idempotency key must be at most ${IDEMPOTENCY_KEY_MAX} characters`);
  }
  return { ok: true, value: key };
}
