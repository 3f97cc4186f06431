import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../access/audit.ts';
import { builder } from '../builder.ts';
import { fieldErrorsOf, ValidationError } from '../errors.ts';
import { ErrorInterface } from '../errors.schema.ts';
import type { AutomationSettings, Prisma } from '../generated/prisma/client.ts';
import type { AutomationRunState } from '../generated/prisma/enums.ts';
import { bilingual, catalogMessage } from '../localization/catalog.ts';
import {
  automationActions,
  AutomationRunNotFoundError,
  AutomationRunNotRetryableError,
  planOf,
  readSettings,
  retryRun,
  settingsId,
  skipReason,
  type AutomationAction,
  type LeadClass,
  type RunPayload,
} from './automations.ts';
import { deliver } from './delivery.ts';
import { encryptSecret } from './secrets.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const AutomationRunStateEnum = builder.enumType('AutomationRunState', {
  description: 'Where an automation run stands.',
  values: {
    PENDING: { description: 'Waiting for its first attempt.' },
    RUNNING: { description: 'An attempt is under way.' },
    SUCCEEDED: { description: 'Delivered.' },
    FAILED: { description: 'An attempt failed and another is scheduled (nextAttemptAt).' },
    SKIPPED: { description: 'Not sent, on purpose (skipReason), e.g. no integration configured.' },
    DEAD: { description: 'Given up (lastError); retryAutomationRun re-queues it.' },
  } satisfies Record<AutomationRunState, { description: string }>,
});

const AutomationTargetEnum = builder.enumType('AutomationTarget', {
  description: 'An integration that automations deliver to.',
  values: {
    SLACK: { description: 'Slack incoming webhook.' },
    N8N: { description: 'n8n webhook (signed), the way to the CRM.' },
    WHATSAPP: { description: 'WhatsApp Cloud API template messages to the sales numbers.' },
  },
});

builder.prismaObject('AutomationRun', {
  description: 'One action run for one lead because of one trigger, with its attempts.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The run id.' }),
    lead: t.relation('lead', { description: 'The lead it is about.' }),
    action: t.exposeString('action', {
      description: `What it does: ${automationActions.join(', ')}, follow-up-due (the n8n reminder of a follow-up that fell due), sequence-email (one email of the sequence email-sequence started), notify-owner (the Slack mention or WhatsApp message telling a lead's new owner) or notify-stage-change (the n8n lead.stage_changed event).`,
    }),
    trigger: t.exposeString('trigger', {
      description:
        'What started it: class:WARM->HOT#3 (the lead’s third class change), follow-up:<due time>, class:...#3/step-2 (a sequence email), owner:<user id>@<assigned at> (an owner notice) or stage:<stage change id>. One run per lead, action and trigger.',
    }),
    state: t.expose('state', { type: AutomationRunStateEnum, description: 'Where it stands.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    maxAttempts: t.exposeInt('maxAttempts', { description: 'Attempts allowed before DEAD.' }),
    lastError: t.string({
      nullable: true,
      description:
        "Why the last attempt failed, in the language of the request's Accept-Language (Portuguese or English; English when it names neither); what the receiver answered is quoted as it came.",
      resolve: (run, _args, ctx) => run.lastError && catalogMessage(run.lastError, ctx.locale),
    }),
    responseStatus: t.exposeInt('responseStatus', {
      nullable: true,
      description:
        'HTTP status of the last answer (the SMTP reply code for emails); null when none came.',
    }),
    deliveryId: t.exposeString('deliveryId', {
      description:
        'Sent as X-StreamLeads-Delivery on every attempt, so receivers can drop repeats (emails also carry it in their Message-ID).',
    }),
    deliveredTo: t.stringList({
      description:
        'notify-whatsapp: the sales numbers that already got the message; a later attempt sends only to the others.',
      resolve: (run) => run.deliveredTo ?? [],
    }),
    skipReason: t.string({
      nullable: true,
      description:
        "Why it was SKIPPED (e.g. the integration is not configured), in the language of the request's Accept-Language (Portuguese or English; English when it names neither).",
      resolve: (run, _args, ctx) => run.skipReason && catalogMessage(run.skipReason, ctx.locale),
    }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due (FAILED runs).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
    startedAt: t.expose('startedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its latest attempt started.',
    }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it reached SUCCEEDED, SKIPPED or DEAD.',
    }),
  }),
});

builder.prismaObjectField('Lead', 'automationRuns', (t) =>
  t.relation('automationRuns', {
    description: 'The automations run for this lead, newest first.',
    query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
  }),
);

const AutomationRunFilter = builder.inputType('AutomationRunFilter', {
  description: 'Which runs to list; every given field must match.',
  fields: (t) => ({
    state: t.field({ type: AutomationRunStateEnum, description: 'Only runs in this state.' }),
    action: t.string({ description: 'Only runs of this action, e.g. notify-slack.' }),
    leadId: t.id({ description: "Only this lead's runs." }),
  }),
});

builder.queryFields((t) => ({
  automationRuns: t.prismaConnection(
    {
      authScopes: { permission: 'leads:read' },
      type: 'AutomationRun',
      cursor: 'id',
      defaultSize: 50,
      maxSize: 200,
      description: 'Automation runs, newest first (50 per page by default, at most 200).',
      args: {
        filter: t.arg({ type: AutomationRunFilter, required: false, description: 'Filters.' }),
      },
      resolve: (query, _root, args, ctx) => {
        const leadId = args.filter?.leadId == null ? undefined : String(args.filter.leadId);
        // Not a UUID: no run can match (ids are UUIDs), and Postgres would reject the cast.
        if (leadId !== undefined && !uuid.test(leadId)) return [];
        const where: Prisma.AutomationRunWhereInput = {
          ...(args.filter?.state ? { state: args.filter.state } : {}),
          ...(args.filter?.action ? { action: args.filter.action } : {}),
          ...(leadId ? { leadId } : {}),
        };
        // Ids are UUIDv7: their order is their creation order.
        return ctx.prisma.automationRun.findMany({ ...query, where, orderBy: { id: 'desc' } });
      },
    },
    {
      name: 'AutomationRunConnection',
      description: 'A page of automation runs.',
      edgesField: { description: 'The runs of this page, newest first, each with its cursor.' },
    },
    {
      name: 'AutomationRunEdge',
      description: 'An automation run and its cursor.',
      nodeField: { description: 'The run.' },
    },
  ),
}));

builder.objectType(AutomationRunNotFoundError, {
  name: 'AutomationRunNotFoundError',
  description: 'No automation run has the given id. Nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ runId: t.exposeID('runId', { description: 'The id that was looked up.' }) }),
});

builder.objectType(AutomationRunNotRetryableError, {
  name: 'AutomationRunNotRetryableError',
  description: 'Only DEAD or FAILED runs can be retried. Nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    state: t.field({
      type: AutomationRunStateEnum,
      description: "The run's state.",
      resolve: (error) => error.state as AutomationRunState,
    }),
  }),
});

builder.mutationField('retryAutomationRun', (t) =>
  t.prismaField({
    authScopes: { permission: 'leads:write' },
    type: 'AutomationRun',
    description:
      'Re-queues a DEAD or FAILED run now, with a fresh set of attempts and the same delivery id. Select `... on AutomationRun { state }` and `... on Error { message }`.',
    errors: {
      types: [AutomationRunNotFoundError, AutomationRunNotRetryableError],
      directResult: true,
      union: { description: 'The re-queued run, or why it was not.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The run id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      if (!uuid.test(id)) throw new AutomationRunNotFoundError(id);
      await retryRun(ctx.prisma, ctx.jobs, id);
      return ctx.prisma.automationRun.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

const leadClasses: LeadClass[] = ['HOT', 'WARM', 'COLD'];

const AutomationClassPlanType = builder
  .objectRef<{ status: LeadClass; actions: AutomationAction[]; followUpMinutes: number }>(
    'AutomationClassPlan',
  )
  .implement({
    description: 'What one class runs.',
    fields: (t) => ({
      status: t.string({ description: 'HOT, WARM or COLD.', resolve: (plan) => plan.status }),
      actions: t.stringList({
        description: `Its actions, among ${automationActions.join(', ')}.`,
        resolve: (plan) => plan.actions,
      }),
      followUpMinutes: t.exposeInt('followUpMinutes', {
        description: 'Minutes after the class change when sales should follow up.',
      }),
    }),
  });

const AutomationSettingsType = builder
  .objectRef<AutomationSettings>('AutomationSettings')
  .implement({
    description:
      'What automations run and where they deliver. Secrets are write-only: only whether they are set is shown.',
    fields: (t) => ({
      plans: t.field({
        type: [AutomationClassPlanType],
        description: 'One entry per class: HOT, WARM, COLD.',
        resolve: (settings) => {
          const plan = planOf(settings);
          const followUp = settings.followUpMinutes as Partial<Record<LeadClass, number>>;
          return leadClasses.map((status) => ({
            status,
            actions: plan[status],
            followUpMinutes: followUp[status] ?? 0,
          }));
        },
      }),
      maxAttempts: t.exposeInt('maxAttempts', { description: 'Attempts per run before DEAD.' }),
      retryDelaySeconds: t.exposeInt('retryDelaySeconds', {
        description: 'Wait before the first retry; each next one waits twice as long.',
      }),
      slackConfigured: t.boolean({
        description: 'Whether a Slack incoming-webhook URL is set.',
        resolve: (settings) => settings.slackWebhookUrlEncrypted !== null,
      }),
      n8nWebhookUrl: t.exposeString('n8nWebhookUrl', {
        nullable: true,
        description: 'The n8n webhook URL.',
      }),
      n8nSecretConfigured: t.boolean({
        description: 'Whether the n8n signing secret is set.',
        resolve: (settings) => settings.n8nSecretEncrypted !== null,
      }),
      whatsappBaseUrl: t.exposeString('whatsappBaseUrl', {
        nullable: true,
        description: 'WhatsApp Cloud API base URL, e.g. https://graph.facebook.com/v21.0.',
      }),
      whatsappPhoneNumberId: t.exposeString('whatsappPhoneNumberId', {
        nullable: true,
        description: 'The sending phone number id.',
      }),
      whatsappTokenConfigured: t.boolean({
        description: 'Whether the WhatsApp access token is set.',
        resolve: (settings) => settings.whatsappTokenEncrypted !== null,
      }),
      whatsappRecipients: t.exposeStringList('whatsappRecipients', {
        description: 'Sales numbers that get HOT leads, in E.164.',
      }),
      whatsappTemplate: t.exposeString('whatsappTemplate', {
        nullable: true,
        description: 'Name of the approved message template.',
      }),
      whatsappLanguage: t.exposeString('whatsappLanguage', {
        nullable: true,
        description: "The template's language code, e.g. pt_BR.",
      }),
    }),
  });

builder.queryField('automationSettings', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: AutomationSettingsType,
    description: 'The automations settings (the defaults until an admin saves some).',
    resolve: (_root, _args, ctx) => readSettings(ctx.prisma),
  }),
);

const AutomationClassPlanInput = builder.inputType('AutomationClassPlanInput', {
  description: 'What one class runs.',
  fields: (t) => ({
    status: t.string({ required: true, description: 'HOT, WARM or COLD.' }),
    actions: t.stringList({ required: true, description: 'Its actions, in order.' }),
    followUpMinutes: t.int({ required: true, description: 'Minutes until the follow-up.' }),
  }),
});

const UpdateAutomationSettingsInput = builder.inputType('UpdateAutomationSettingsInput', {
  description:
    'Changes to the settings. A field left out stays as it is; null (or "") clears it. Secrets are write-only.',
  fields: (t) => ({
    plans: t.field({
      type: [AutomationClassPlanInput],
      description: 'Replaces the plan of each class given.',
    }),
    maxAttempts: t.int({ description: 'Attempts per run, 1 to 10.' }),
    retryDelaySeconds: t.int({ description: 'First retry delay in seconds, 1 to 86,400.' }),
    slackWebhookUrl: t.string({ description: 'Slack incoming-webhook URL (a secret).' }),
    n8nWebhookUrl: t.string({ description: 'n8n webhook URL.' }),
    n8nSecret: t.string({ description: 'Shared secret that signs n8n webhooks.' }),
    whatsappBaseUrl: t.string({ description: 'WhatsApp Cloud API base URL.' }),
    whatsappPhoneNumberId: t.string({ description: 'The sending phone number id.' }),
    whatsappToken: t.string({ description: 'WhatsApp Cloud API access token (a secret).' }),
    whatsappRecipients: t.stringList({ description: 'Sales numbers in E.164.' }),
    whatsappTemplate: t.string({ description: 'Approved template name.' }),
    whatsappLanguage: t.string({ description: 'Template language code.' }),
  }),
});

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

const settingsInputSchema = z.object({
  plans: z
    .array(
      z.object({
        status: z.enum(
          leadClasses,
          bilingual('Must be HOT, WARM or COLD', 'Deve ser HOT, WARM ou COLD'),
        ),
        actions: z
          .array(z.enum(automationActions, bilingual('Unknown action', 'Ação desconhecida')))
          .max(automationActions.length),
        followUpMinutes: z
          .number()
          .int()
          .min(1, bilingual('At least 1 minute', 'Pelo menos 1 minuto'))
          .max(
            525_600,
            bilingual('At most a year (525,600 minutes)', 'No máximo um ano (525.600 minutos)'),
          ),
      }),
    )
    .nullish(),
  // Bounds without a message of their own are worded by zod-messages.ts, in both languages.
  maxAttempts: z.number().int().min(1).max(10).nullish(),
  retryDelaySeconds: z.number().int().min(1).max(86_400).nullish(),
  slackWebhookUrl: nullableText(httpUrl),
  n8nWebhookUrl: nullableText(httpUrl),
  n8nSecret: nullableText(z.string().min(16).max(500)),
  whatsappBaseUrl: nullableText(httpUrl),
  whatsappPhoneNumberId: nullableText(
    z.string().regex(/^\d{1,64}$/, bilingual('Digits only', 'Só dígitos')),
  ),
  whatsappToken: nullableText(z.string().max(4_000)),
  whatsappRecipients: z
    .array(
      z
        .string()
        .regex(
          /^\+[1-9]\d{7,14}$/,
          bilingual(
            'Phone numbers in E.164, e.g. +5511999999999',
            'Números no formato E.164, por exemplo +5511999999999',
          ),
        ),
    )
    .max(20, bilingual('At most 20 numbers', 'No máximo 20 números'))
    .nullish(),
  whatsappTemplate: nullableText(z.string().max(512)),
  whatsappLanguage: nullableText(z.string().max(16)),
});

builder.mutationField('updateAutomationSettings', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: AutomationSettingsType,
    description:
      'Changes the automations settings; new class changes use them at once. Select `... on AutomationSettings { slackConfigured }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The saved settings, or why nothing was saved.' },
    },
    args: {
      input: t.arg({
        type: UpdateAutomationSettingsInput,
        required: true,
        description: 'Changes.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const parsed = settingsInputSchema.safeParse(args.input);
      if (!parsed.success) {
        throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      }
      const input = parsed.data;
      const current = await readSettings(ctx.prisma);
      const data: Prisma.AutomationSettingsUpdateInput = {};
      if (input.plans) {
        const plan = planOf(current);
        const followUp = { ...(current.followUpMinutes as Record<string, number>) };
        for (const entry of input.plans) {
          plan[entry.status] = [...new Set(entry.actions)];
          followUp[entry.status] = entry.followUpMinutes;
        }
        data.plan = plan;
        data.followUpMinutes = followUp;
      }
      if (input.maxAttempts != null) data.maxAttempts = input.maxAttempts;
      if (input.retryDelaySeconds != null) data.retryDelaySeconds = input.retryDelaySeconds;
      const secret = (value: string | null | undefined) =>
        value === undefined ? undefined : value === null ? null : encryptSecret(value);
      const given = <T>(key: keyof typeof args.input, value: T) =>
        key in args.input ? value : undefined;
      Object.assign(
        data,
        Object.fromEntries(
          Object.entries({
            slackWebhookUrlEncrypted: given('slackWebhookUrl', secret(input.slackWebhookUrl)),
            n8nWebhookUrl: given('n8nWebhookUrl', input.n8nWebhookUrl ?? null),
            n8nSecretEncrypted: given('n8nSecret', secret(input.n8nSecret)),
            whatsappBaseUrl: given('whatsappBaseUrl', input.whatsappBaseUrl ?? null),
            whatsappPhoneNumberId: given(
              'whatsappPhoneNumberId',
              input.whatsappPhoneNumberId ?? null,
            ),
            whatsappTokenEncrypted: given('whatsappToken', secret(input.whatsappToken)),
            whatsappRecipients: given('whatsappRecipients', input.whatsappRecipients ?? []),
            whatsappTemplate: given('whatsappTemplate', input.whatsappTemplate ?? null),
            whatsappLanguage: given('whatsappLanguage', input.whatsappLanguage ?? null),
          }).filter(([, value]) => value !== undefined),
        ),
      );
      const { id: _id, updatedAt: _updatedAt, ...defaults } = current;
      return ctx.prisma.$transaction(async (tx) => {
        const saved = await tx.automationSettings.upsert({
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
        // Names only: the values include secrets (webhook URLs, tokens).
        await recordAudit(tx, ctx, {
          action: 'settings.automations.update',
          target: { type: 'settings', id: settingsId },
          details: { changed: Object.keys(data) },
        });
        return saved;
      });
    },
  }),
);

interface TargetTest {
  ok: boolean;
  status: number | null;
  error: string | null;
}

const AutomationTargetTestType = builder.objectRef<TargetTest>('AutomationTargetTest').implement({
  description: 'The answer to a test message.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok', { description: 'True when the target accepted it (2xx).' }),
    status: t.exposeInt('status', {
      nullable: true,
      description: 'HTTP status of the answer; null when none came.',
    }),
    error: t.string({
      nullable: true,
      description: `What went wrong, including "not configured", in the language of the request's Accept-Language (Portuguese or English; English when it names neither); what the target answered is quoted as it came.`,
      resolve: (test, _args, ctx) => test.error && catalogMessage(test.error, ctx.locale),
    }),
  }),
});

const targetActions: Record<'SLACK' | 'N8N' | 'WHATSAPP', AutomationAction> = {
  SLACK: 'notify-slack',
  N8N: 'send-to-crm',
  WHATSAPP: 'notify-whatsapp',
};

builder.mutationField('testAutomationTarget', (t) =>
  t.field({
    authScopes: { permission: 'admin' },
    type: AutomationTargetTestType,
    description:
      'Sends a test message with the saved settings: Slack and n8n get one request (n8n with event streamleads.test), WhatsApp one template message per sales number. No run is recorded.',
    args: {
      target: t.arg({ type: AutomationTargetEnum, required: true, description: 'Which one.' }),
    },
    resolve: async (_root, args, ctx): Promise<TargetTest> => {
      const settings = await readSettings(ctx.prisma);
      const action = targetActions[args.target];
      const reason = skipReason(action, settings);
      if (reason) return { ok: false, status: null, error: reason };
      const result = await deliver({
        action,
        deliveryId: randomUUID(),
        payload: samplePayload(),
        settings,
        event: 'streamleads.test',
      });
      return result.kind === 'delivered'
        ? { ok: true, status: result.status, error: null }
        : { ok: false, status: result.status || null, error: result.error };
    },
  }),
);

function samplePayload(): RunPayload {
  return {
    lead: {
      id: '00000000-0000-0000-0000-000000000000',
      name: 'StreamLeads test message',
      email: 'test@streamleads.invalid',
      phone: null,
      origin: 'OTHER',
      interest: 'Checking the connection',
      city: null,
      approximateIncome: null,
      score: 0,
      status: 'HOT',
    },
    previousStatus: 'PROCESSING',
    status: 'HOT',
    occurredAt: new Date().toISOString(),
  };
}
