import { z } from 'zod';
import { recordAudit } from '../access/audit.ts';
import { actorLabel } from '../access/principal.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { ErrorInterface } from '../errors.schema.ts';
import type { RescoreRunState } from '../generated/prisma/enums.ts';
import { LeadFilterInput } from '../leads/lead-filter.ts';
import { parseLeadUpdateInput } from '../leads/lead-input.ts';
import { LeadOriginEnum, LeadStatusEnum } from '../leads/leads.schema.ts';
import { catalogMessage } from '../localization/catalog.ts';
import { localize } from '../localization/locale.ts';
import { startRescore } from './rescore.ts';
import {
  activateRuleSet,
  activeCompiledRuleSet,
  ensureActiveRuleSet,
  findActiveRuleSet,
  NOTE_MAX_LENGTH,
  saveRuleSet,
  ScoringRuleSetNotFoundError,
} from './rule-sets.ts';
import {
  compileRuleSet,
  explanationEntrySchema,
  parseRuleSet,
  RuleSetValidationError,
  scoreBounds,
  type ExplanationEntry,
  type IncomeBand,
  type IncomeBandsRule,
  type InterestKeywordsRule,
  type RequiredFieldsRule,
  type RequiredField,
  type Rule,
  type RuleKind,
  type RuleSet,
  type RuleSetIssue,
  type ScoreResult,
  type ScoringLead,
  type ServedRegionRule,
  type Thresholds,
} from './rules.ts';

// Rule sets are edited as JSON (`definition`, the shape of server/src/scoring/rules.ts) and read
// back both as that JSON and as typed rules, so GraphiQL and n8n users can see every field.

export const ScoringRuleKindEnum = builder.enumType('ScoringRuleKind', {
  description: 'What a scoring rule looks at.',
  values: {
    REQUIRED_FIELDS: {
      description: 'Awards its points when every listed field is present and valid.',
    },
    INTEREST_KEYWORDS: {
      description:
        'Awards its points once when the interest mentions any keyword (whole words; case, accents and plurals ignored).',
    },
    SERVED_REGION: { description: "Awards its points when the lead's city or state is served." },
    INCOME_BANDS: {
      description:
        'Awards the points of the highest income band the lead reaches; 0 below all bands.',
    },
  } as const satisfies Record<RuleKind, { description: string }>,
});

export const ScoringLeadFieldEnum = builder.enumType('ScoringLeadField', {
  description: 'A lead field a REQUIRED_FIELDS rule can require.',
  values: {
    NAME: { value: 'name', description: 'The name.' },
    EMAIL: { value: 'email', description: 'The email address (must be valid).' },
    PHONE: { value: 'phone', description: 'The phone (must be valid E.164).' },
    ORIGIN: { value: 'origin', description: 'Where the lead came from.' },
  } as const satisfies Record<string, { value: RequiredField; description: string }>,
});

const ruleTypeNames = {
  REQUIRED_FIELDS: 'RequiredFieldsRule',
  INTEREST_KEYWORDS: 'InterestKeywordsRule',
  SERVED_REGION: 'ServedRegionRule',
  INCOME_BANDS: 'IncomeBandsRule',
} as const satisfies Record<RuleKind, string>;

export const ScoringRuleInterface = builder.interfaceRef<Rule>('ScoringRule').implement({
  description:
    'One rule of a rule set. Each kind has its own type; select `... on InterestKeywordsRule { points keywords }` and so on for its settings.',
  resolveType: (rule) => ruleTypeNames[rule.kind],
  fields: (t) => ({
    kind: t.field({
      type: ScoringRuleKindEnum,
      description: 'What the rule looks at.',
      resolve: (rule) => rule.kind,
    }),
    ruleId: t.string({
      description:
        'The rule\'s id within its rule set, kept across versions (e.g. "income"); explanation entries refer to it.',
      resolve: (rule) => rule.id,
    }),
    label: t.exposeString('label', {
      description: 'What admins and explanations call the rule.',
    }),
  }),
});

builder.objectRef<RequiredFieldsRule>(ruleTypeNames.REQUIRED_FIELDS).implement({
  description: 'Awards `points` when every field in `fields` is present and valid.',
  interfaces: [ScoringRuleInterface],
  fields: (t) => ({
    points: t.exposeInt('points', { description: 'Points awarded (0 to 1000).' }),
    fields: t.field({
      type: [ScoringLeadFieldEnum],
      description: 'The fields that must all be present and valid.',
      resolve: (rule) => rule.fields,
    }),
  }),
});

builder.objectRef<InterestKeywordsRule>(ruleTypeNames.INTEREST_KEYWORDS).implement({
  description: 'Awards `points` once when the interest mentions any of `keywords`.',
  interfaces: [ScoringRuleInterface],
  fields: (t) => ({
    points: t.exposeInt('points', { description: 'Points awarded (0 to 1000).' }),
    keywords: t.exposeStringList('keywords', {
      description: 'Words or phrases; case, accents and Portuguese plurals do not matter.',
    }),
  }),
});

builder.objectRef<ServedRegionRule>(ruleTypeNames.SERVED_REGION).implement({
  description: "Awards `points` when the lead's city is one of `cities` or is in one of `states`.",
  interfaces: [ScoringRuleInterface],
  fields: (t) => ({
    points: t.exposeInt('points', { description: 'Points awarded (0 to 1000).' }),
    cities: t.exposeStringList('cities', {
      description: 'Whole city names, accents optional; "Campinas - SP" pins the state.',
    }),
    states: t.field({
      type: ['String'],
      description:
        'State abbreviations served as a whole (e.g. "SP"): a city written with that suffix counts.',
      resolve: (rule) => rule.states,
    }),
  }),
});

const IncomeBandType = builder.objectRef<IncomeBand>('IncomeBand').implement({
  description: 'One income band of an INCOME_BANDS rule.',
  fields: (t) => ({
    min: t.exposeFloat('min', {
      description: 'The lowest monthly income (BRL, inclusive) in this band.',
    }),
    points: t.exposeInt('points', { description: 'Points awarded in this band (0 to 1000).' }),
  }),
});

builder.objectRef<IncomeBandsRule>(ruleTypeNames.INCOME_BANDS).implement({
  description: 'Awards the points of the highest band whose `min` the income reaches.',
  interfaces: [ScoringRuleInterface],
  fields: (t) => ({
    bands: t.field({
      type: [IncomeBandType],
      description: 'Bands in ascending order of `min`.',
      resolve: (rule) => rule.bands,
    }),
  }),
});

const ScoreThresholdsType = builder.objectRef<Thresholds>('ScoreThresholds').implement({
  description: 'The lowest score of each class: HOT from `hot` up, WARM from `warm`, COLD below.',
  fields: (t) => ({
    hot: t.exposeInt('hot', { description: 'The lowest HOT score.' }),
    warm: t.exposeInt('warm', { description: 'The lowest WARM score (below `hot`).' }),
  }),
});

const ScoreRangeType = builder.objectRef<{ min: number; max: number }>('ScoreRange').implement({
  description: 'The lowest and highest scores a rule set can give.',
  fields: (t) => ({
    min: t.exposeInt('min', { description: 'The lowest possible score.' }),
    max: t.exposeInt('max', { description: 'The highest possible score.' }),
  }),
});

export const ScoreExplanationEntryType = builder
  .objectRef<ExplanationEntry>('ScoreExplanationEntry')
  .implement({
    description:
      "Why a lead got (or did not get) one rule's points. A lead has one entry per rule; their points add up to its score.",
    fields: (t) => ({
      ruleId: t.exposeString('ruleId', { description: "The rule's id (see ScoringRule.ruleId)." }),
      kind: t.field({
        type: ScoringRuleKindEnum,
        description: 'What the rule looks at.',
        resolve: (entry) => entry.kind,
      }),
      label: t.exposeString('label', { description: "The rule's label when it was applied." }),
      points: t.exposeInt('points', { description: 'Points this rule gave the lead (0 if none).' }),
      matched: t.exposeBoolean('matched', { description: 'Whether the rule applied.' }),
      detail: t.string({
        description:
          'What matched or what was missing, e.g. `keyword "apartamento"`, `city "São Paulo"`, `band ≥ 10,000`, `missing: phone`, in the language of the request\'s Accept-Language (Portuguese or English; English when it names neither).',
        resolve: (entry, _args, ctx) => catalogMessage(entry.detail, ctx.locale),
      }),
    }),
  });

// A row's definition is parsed once per object, however many of its fields a query selects.
const parsedDefinitions = new WeakMap<object, RuleSet>();

function storedRuleSet(row: { definition: unknown }): RuleSet {
  const definition = row.definition as object;
  let ruleSet = parsedDefinitions.get(definition);
  if (!ruleSet) {
    ruleSet = parseRuleSet(definition);
    parsedDefinitions.set(definition, ruleSet);
  }
  return ruleSet;
}

// One lookup of the active version per request, however many rule sets the query lists.
const activeIdByContext = new WeakMap<Context, Promise<string | null>>();

function activeRuleSetId(ctx: Context): Promise<string | null> {
  let id = activeIdByContext.get(ctx);
  if (!id) {
    id = findActiveRuleSet(ctx.prisma).then((active) => active?.id ?? null);
    activeIdByContext.set(ctx, id);
  }
  return id;
}

builder.prismaObject('ScoringRuleSet', {
  description:
    'One immutable version of the scoring rules. Saving creates a new version; the active one is the version activated last.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The version's id (a UUID)." }),
    version: t.exposeInt('version', { description: 'The version number: 1, 2, 3…' }),
    definition: t.expose('definition', {
      type: 'JSON',
      description:
        'The rules and thresholds as JSON, exactly as saveScoringRuleSet takes them: edit this and save it as a new version.',
    }),
    rules: t.field({
      type: [ScoringRuleInterface],
      description: 'The rules, in order, as typed objects.',
      resolve: (row) => storedRuleSet(row).rules,
    }),
    thresholds: t.field({
      type: ScoreThresholdsType,
      description: 'Where HOT and WARM begin.',
      resolve: (row) => storedRuleSet(row).thresholds,
    }),
    scoreRange: t.field({
      type: ScoreRangeType,
      description: 'The lowest and highest scores these rules can give.',
      resolve: (row) => scoreBounds(storedRuleSet(row)),
    }),
    note: t.exposeString('note', {
      nullable: true,
      description: 'What changed and why, as the author wrote it.',
    }),
    createdBy: t.exposeString('createdBy', {
      description: 'Who saved it ("system" for version 1, "api" until accounts exist).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was saved.' }),
    activatedAt: t.expose('activatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it last became the active version; null if it never was.',
    }),
    active: t.boolean({
      description: 'Whether this is the version new scorings use.',
      resolve: async (row, _args, ctx) => row.id === (await activeRuleSetId(ctx)),
    }),
  }),
});

export const RescoreRunStateEnum = builder.enumType('RescoreRunState', {
  description: 'Where a bulk rescore stands.',
  values: {
    RUNNING: { description: 'Batches are being scored.' },
    SUCCEEDED: { description: 'Every matching lead was rescored.' },
    FAILED: { description: 'A batch gave up; see error.' },
  } satisfies Record<RescoreRunState, { description: string }>,
});

builder.prismaObject('RescoreRun', {
  description:
    'A bulk rescore of the leads a filter selected, run in the background in batches. Read it again (rescoreRun) to follow its progress.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The run id (a UUID).' }),
    state: t.expose('state', {
      type: RescoreRunStateEnum,
      description:
        'RUNNING until every lead is rescored (SUCCEEDED), or FAILED when a batch gave up after its retries.',
    }),
    total: t.exposeInt('total', {
      description:
        'Leads to rescore: counted when the run started, then set to the exact number once they are listed.',
    }),
    processed: t.exposeInt('processed', {
      description: 'Leads rescored so far (a deleted lead counts as done).',
    }),
    changed: t.exposeInt('changed', {
      description:
        'Leads whose class (HOT/WARM/COLD) changed; only these run their automations again.',
    }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'Why the run failed, when it did.',
    }),
    filter: t.expose('filter', { type: 'JSON', description: 'The LeadFilter as given.' }),
    ruleSet: t.relation('ruleSet', {
      description: 'The rule set version the leads are scored with.',
    }),
    requestedBy: t.exposeString('requestedBy', {
      description: 'Who started it ("api" until accounts exist).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it succeeded or failed; null while running.',
    }),
  }),
});

const explanationSchema = z.array(explanationEntrySchema);

builder.prismaObjectFields('Lead', (t) => ({
  scoreExplanation: t.field({
    type: [ScoreExplanationEntryType],
    nullable: true,
    description:
      'One entry per rule of the version it was scored with (see scoredWith); their points add up to score. Null until the first scoring.',
    resolve: (lead, _args, ctx) => {
      if (lead.scoreExplanation === null) return null;
      const parsed = explanationSchema.safeParse(lead.scoreExplanation);
      if (parsed.success) return parsed.data;
      ctx.logger.error({ leadId: lead.id }, 'stored score explanation has an unknown shape');
      return null;
    },
  }),
  scoredWith: t.relation('scoredWith', {
    nullable: true,
    description:
      'The rule set version the lead was last scored with; null until the first scoring.',
  }),
}));

builder.objectType(RuleSetValidationError, {
  name: 'RuleSetValidationError',
  description:
    "The rule set was refused and nothing was saved. `issues` lists every problem with where it is; `message` lists them all in one line, in the language of the request's Accept-Language.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [
        builder.objectRef<RuleSetIssue>('RuleSetIssue').implement({
          description: 'One problem in a rule set, worded to be shown next to the setting.',
          fields: (issue) => ({
            path: issue.string({
              description:
                'Where in the definition, dotted, with list positions from 0: "rules.2.bands.1.min", "thresholds.hot"; "" for the rule set as a whole.',
              resolve: ({ path }) => path.join('.'),
            }),
            message: issue.string({
              description:
                'What to fix, e.g. "Bands must be in ascending order of minimum income", in the language of the request\'s Accept-Language (Portuguese or English; English when it names neither).',
              resolve: (ruleSetIssue, _args, ctx) => localize(ruleSetIssue, ctx.locale),
            }),
          }),
        }),
      ],
      description: 'Every problem found, in definition order.',
      resolve: (error) => error.issues,
    }),
  }),
});

builder.objectType(ScoringRuleSetNotFoundError, {
  name: 'ScoringRuleSetNotFoundError',
  description: 'No rule set has the given version. Nothing was changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version that was looked up.' }),
  }),
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

builder.queryFields((t) => ({
  activeScoringRuleSet: t.prismaField({
    authScopes: { permission: 'leads:read' },
    type: 'ScoringRuleSet',
    description: 'The rule set new scorings use.',
    resolve: async (query, _root, _args, ctx) => {
      const active = await ensureActiveRuleSet(ctx.prisma);
      return ctx.prisma.scoringRuleSet.findUniqueOrThrow({ ...query, where: { id: active.id } });
    },
  }),
  scoringRuleSet: t.prismaField({
    authScopes: { permission: 'leads:read' },
    type: 'ScoringRuleSet',
    nullable: true,
    description: 'One rule set version; null if there is none with that number.',
    args: { version: t.arg.int({ required: true, description: 'The version number.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.scoringRuleSet.findUnique({ ...query, where: { version: args.version } }),
  }),
  scoringRuleSets: t.prismaConnection(
    {
      authScopes: { permission: 'leads:read' },
      type: 'ScoringRuleSet',
      cursor: 'version',
      defaultSize: 20,
      maxSize: 100,
      description: 'Every rule set version, newest first (20 per page by default, at most 100).',
      resolve: async (query, _root, _args, ctx) => {
        await ensureActiveRuleSet(ctx.prisma);
        return ctx.prisma.scoringRuleSet.findMany({ ...query, orderBy: { version: 'desc' } });
      },
    },
    {
      name: 'ScoringRuleSetConnection',
      description: 'A page of rule set versions.',
      edgesField: { description: 'The versions of this page, newest first, each with its cursor.' },
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'How many versions exist.',
          resolve: (_parent, _args, ctx) => ctx.prisma.scoringRuleSet.count(),
        }),
      }),
    },
    {
      name: 'ScoringRuleSetEdge',
      description: 'A rule set version and its cursor.',
      nodeField: { description: 'The version.' },
    },
  ),
  rescoreRun: t.prismaField({
    authScopes: { permission: 'leads:read' },
    type: 'RescoreRun',
    nullable: true,
    description: 'A bulk rescore and its progress; null if there is none with that id.',
    args: { id: t.arg.id({ required: true, description: 'The run id.' }) },
    resolve: (query, _root, args, ctx) => {
      const id = String(args.id);
      if (!uuid.test(id)) return null;
      return ctx.prisma.rescoreRun.findUnique({ ...query, where: { id } });
    },
  }),
}));

const SaveScoringRuleSetInput = builder.inputType('SaveScoringRuleSetInput', {
  description: 'A new version of the scoring rules.',
  fields: (t) => ({
    definition: t.field({
      type: 'JSON',
      required: true,
      description:
        'The rules and thresholds: `{ rules: [{ kind, id, label, ... }], thresholds: { hot, warm } }`, the shape ScoringRuleSet.definition returns. Points are whole numbers from 0 to 1000.',
    }),
    note: t.string({
      description: `What changed and why (up to ${NOTE_MAX_LENGTH.toLocaleString('en-US')} characters).`,
    }),
    activate: t.boolean({
      defaultValue: true,
      description:
        'true (the default): new scorings use this version at once. Existing leads keep their scores until rescoreLeads.',
    }),
  }),
});

builder.mutationFields((t) => ({
  saveScoringRuleSet: t.prismaField({
    authScopes: { permission: 'rules:write' },
    type: 'ScoringRuleSet',
    description:
      'Validates rules and saves them as a new version. Select `... on ScoringRuleSet { version }`, `... on RuleSetValidationError { issues { path message } }` and `... on Error { message }`.',
    errors: {
      types: [RuleSetValidationError, ValidationError],
      directResult: true,
      union: { description: 'The saved version, or why nothing was saved.' },
    },
    args: {
      input: t.arg({ type: SaveScoringRuleSetInput, required: true, description: 'The rules.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const saved = await saveRuleSet(ctx.prisma, {
        definition: args.input.definition,
        note: args.input.note,
        activate: args.input.activate ?? true,
        createdBy: actorLabel(ctx.principal),
      });
      await recordAudit(ctx.prisma, ctx, {
        action: 'scoring.rule-set.save',
        target: { type: 'rule-set', id: saved.id },
        details: { version: saved.version, activated: args.input.activate ?? true },
      });
      return ctx.prisma.scoringRuleSet.findUniqueOrThrow({ ...query, where: { id: saved.id } });
    },
  }),
  activateScoringRuleSet: t.prismaField({
    authScopes: { permission: 'rules:write' },
    type: 'ScoringRuleSet',
    description:
      'Makes a saved version the active one (also to roll back). Existing leads keep their scores until rescoreLeads. Select `... on ScoringRuleSet { version active }` and `... on Error { message }`.',
    errors: {
      types: [ScoringRuleSetNotFoundError],
      directResult: true,
      union: { description: 'The now active version, or why nothing changed.' },
    },
    args: { version: t.arg.int({ required: true, description: 'The version to activate.' }) },
    resolve: async (query, _root, args, ctx) => {
      const activated = await activateRuleSet(ctx.prisma, args.version);
      await recordAudit(ctx.prisma, ctx, {
        action: 'scoring.rule-set.activate',
        target: { type: 'rule-set', id: activated.id },
        details: { version: args.version },
      });
      return ctx.prisma.scoringRuleSet.findUniqueOrThrow({ ...query, where: { id: activated.id } });
    },
  }),
  rescoreLeads: t.prismaField({
    authScopes: { permission: 'rules:write' },
    type: 'RescoreRun',
    description:
      'Rescores the leads the filter selects (all leads without one) with the active rule set, in the background, and returns the run at once: follow it with rescoreRun(id). Only leads whose class changes run their automations again. Select `... on RescoreRun { id total }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The started run, or why it was not started.' },
    },
    args: {
      filter: t.arg({
        type: LeadFilterInput,
        required: false,
        description: 'Which leads to rescore; all of them when absent.',
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      const run = await startRescore(ctx, args.filter, actorLabel(ctx.principal));
      await recordAudit(ctx.prisma, ctx, {
        action: 'leads.rescore',
        target: { type: 'rescore-run', id: run.id },
        // Filter names only: a search text may be someone's email.
        details: { filteredBy: Object.keys(args.filter ?? {}), total: run.total },
      });
      return ctx.prisma.rescoreRun.findUniqueOrThrow({ ...query, where: { id: run.id } });
    },
  }),
}));

const PreviewLeadInput = builder.inputType('PreviewLeadInput', {
  description:
    'A hypothetical lead, checked and normalised the way createLead does (a phone becomes E.164, "15.000,50" an amount). Every field is optional: a field left out counts as missing.',
  fields: (t) => ({
    name: t.string({ description: 'Full name.' }),
    email: t.string({ description: 'Email address.' }),
    phone: t.string({ description: 'Phone with area code.' }),
    origin: t.field({ type: LeadOriginEnum, description: 'Where the lead came from.' }),
    interest: t.string({ description: 'What the lead is interested in.' }),
    approximateIncome: t.field({
      type: 'Decimal',
      description: 'Approximate monthly income in BRL.',
    }),
    city: t.string({ description: 'City as a lead would write it.' }),
  }),
});

/** A preview's result, before its fields are read. */
interface ScorePreview extends ScoreResult {
  /** The stored version used; null for draft rules. */
  ruleSetId: string | null;
  range: { min: number; max: number };
}

const ScorePreviewType = builder.objectRef<ScorePreview>('ScorePreview').implement({
  description: 'How a lead would score. Nothing was saved.',
  fields: (t) => ({
    score: t.exposeInt('score', { description: "The score: the sum of the explanation's points." }),
    status: t.field({
      type: LeadStatusEnum,
      description: 'The class the score falls in: HOT, WARM or COLD.',
      resolve: (preview) => preview.status,
    }),
    explanation: t.field({
      type: [ScoreExplanationEntryType],
      description: 'One entry per rule, in rule order.',
      resolve: (preview) => preview.explanation,
    }),
    scoreRange: t.field({
      type: ScoreRangeType,
      description: 'The lowest and highest scores the rules used can give.',
      resolve: (preview) => preview.range,
    }),
    ruleSet: t.prismaField({
      type: 'ScoringRuleSet',
      nullable: true,
      description: 'The stored version used: the active one; null when draftRules were given.',
      resolve: (query, preview, _args, ctx) =>
        preview.ruleSetId === null
          ? null
          : ctx.prisma.scoringRuleSet.findUnique({ ...query, where: { id: preview.ruleSetId } }),
    }),
  }),
});

builder.queryField('previewScore', (t) =>
  t.field({
    authScopes: { permission: 'leads:read' },
    type: ScorePreviewType,
    description:
      'Scores a hypothetical lead without saving anything: with the active rule set, or with draftRules (checked like saveScoringRuleSet) to try an edit before saving it. Select `... on ScorePreview { score status explanation { label points detail } }`, `... on RuleSetValidationError { issues { path message } }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [RuleSetValidationError, ValidationError],
      directResult: true,
      union: { description: 'The preview, or why the lead or the draft rules were refused.' },
    },
    args: {
      input: t.arg({ type: PreviewLeadInput, required: true, description: 'The lead.' }),
      draftRules: t.arg({
        type: 'JSON',
        required: false,
        description:
          'Unsaved rules in the shape of SaveScoringRuleSetInput.definition; the active rule set when absent.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const lead = previewLead(args.input);
      if (args.draftRules != null) {
        const ruleSet = parseRuleSet(args.draftRules);
        const result = compileRuleSet(ruleSet)(lead);
        return { ...result, ruleSetId: null, range: scoreBounds(ruleSet) };
      }
      const active = await activeCompiledRuleSet(ctx.prisma);
      return { ...active.score(lead), ruleSetId: active.id, range: scoreBounds(active.ruleSet) };
    },
  }),
);

function previewLead(input: Record<string, unknown>): ScoringLead {
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value != null));
  let fields: Partial<Record<keyof ScoringLead, string | null>> = {};
  if (Object.keys(given).length > 0) {
    const parsed = parseLeadUpdateInput(given);
    if (!parsed.ok) throw new ValidationError(parsed.fieldErrors);
    fields = parsed.value;
  }
  return {
    name: fields.name ?? null,
    email: fields.email ?? null,
    phone: fields.phone ?? null,
    origin: fields.origin ?? null,
    interest: fields.interest ?? null,
    approximateIncome: fields.approximateIncome ?? null,
    city: fields.city ?? null,
  };
}
