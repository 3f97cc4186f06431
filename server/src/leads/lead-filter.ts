import { builder } from '../builder.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { LeadOrigin, LeadStage, LeadStatus } from '../generated/prisma/enums.ts';
import { bilingual } from '../localization/catalog.ts';
import { LeadStageEnum } from '../pipeline/pipeline.schema.ts';
import { LeadOriginEnum, LeadStatusEnum } from './leads.schema.ts';

/** Which leads to read or rescore. Every given condition must hold; absent ones are ignored. */
export interface LeadFilter {
  /** Any of these statuses. */
  status?: LeadStatus[] | null;
  /** Any of these origins. */
  origin?: LeadOrigin[] | null;
  /** The city, ignoring case and accents ("sao paulo" finds "São Paulo"). */
  city?: string | null;
  /** Created at or after this instant. */
  createdFrom?: Date | null;
  /** Created before this instant (exclusive). */
  createdTo?: Date | null;
  /** Score at least this (inclusive). */
  scoreMin?: number | null;
  /** Score at most this (inclusive). */
  scoreMax?: number | null;
  /** true: a follow-up is set and due (at or before now); false: none set or not due yet. */
  followUpDue?: boolean | null;
  /** Text within name, email or phone, ignoring case and accents; at least 3 characters. */
  search?: string | null;
  /** Any of these Sales pipeline stages. */
  stage?: LeadStage[] | null;
  /** Owned by any of these users. */
  ownerIds?: string[] | null;
  /** true: owned by the signed-in user ("my leads"); false: not owned by them. */
  mine?: boolean | null;
  /** true: with an owner; false: without one. */
  assigned?: boolean | null;
}

/** Who is asking, for `mine`: the signed-in user's id, or null for callers that own no leads. */
export interface LeadFilterViewer {
  userId: string | null;
}

/** Shorter searches cannot use the trigram index (pg_trgm needs 3 characters for a trigram). */
export const SEARCH_MIN_LENGTH = 3;
export const SEARCH_MAX_LENGTH = 200;

export const LeadFilterInput = builder.inputRef<LeadFilter>('LeadFilter').implement({
  description:
    'Which leads to select. Every given condition must hold (AND); within a list, any value matches (OR).',
  fields: (t) => ({
    status: t.field({
      type: [LeadStatusEnum],
      required: false,
      description: 'Leads with any of these statuses.',
    }),
    origin: t.field({
      type: [LeadOriginEnum],
      required: false,
      description: 'Leads from any of these origins.',
    }),
    city: t.string({
      required: false,
      description:
        'Leads from this city, ignoring case and accents ("sao paulo" matches "São Paulo").',
    }),
    createdFrom: t.field({
      type: 'DateTime',
      required: false,
      description: 'Leads created at or after this instant.',
    }),
    createdTo: t.field({
      type: 'DateTime',
      required: false,
      description: 'Leads created before this instant (exclusive).',
    }),
    scoreMin: t.int({ required: false, description: 'Leads with a score of at least this.' }),
    scoreMax: t.int({ required: false, description: 'Leads with a score of at most this.' }),
    followUpDue: t.boolean({
      required: false,
      description:
        'true: leads whose follow-up time has come (followUpAt at or before now); false: leads with no follow-up or one still in the future.',
    }),
    search: t.string({
      required: false,
      description: `Text found in the name, email or phone, ignoring case and accents (${SEARCH_MIN_LENGTH} to ${SEARCH_MAX_LENGTH} characters). A phone-like text such as "(11) 99999-9999" matches by its digits.`,
    }),
    stage: t.field({
      type: [LeadStageEnum],
      required: false,
      description: 'Leads at any of these Sales pipeline stages.',
    }),
    ownerIds: t.idList({
      required: false,
      description: 'Leads owned by any of these users (see salesReps).',
    }),
    mine: t.boolean({
      required: false,
      description:
        'true: the leads the signed-in user owns ("my leads"); false: the leads they do not own. Only for a signed-in user, not an API key.',
    }),
    assigned: t.boolean({
      required: false,
      description: 'true: leads with an owner; false: leads nobody owns yet.',
    }),
  }),
});

// unaccent() also folds letters that have no Unicode decomposition; these are the ones a
// Portuguese or Spanish speaker may type. Anything else unaccent folds differently simply fails
// to match, it never matches wrongly.
const UNDECOMPOSABLE: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
};

/** Lower-case, without accents: what the leads trigger stores in cityKey and searchText. */
export function searchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđł]/g, (letter) => UNDECOMPOSABLE[letter] ?? letter)
    .replace(/\s+/g, ' ')
    .trim();
}

const PHONE_LIKE = /^[\d\s()+.-]+$/;

/** The text to look for in searchText: the digits of a phone-like query, else its searchKey. */
export function searchNeedle(search: string): string {
  const trimmed = search.trim();
  // searchText holds the phone in E.164 (+5511999999999), so "(11) 99999-9999" must become digits.
  if (PHONE_LIKE.test(trimmed) && /\d/.test(trimmed)) return trimmed.replace(/\D/g, '');
  return searchKey(trimmed);
}

/** One thing wrong with a filter: the LeadFilter field and a message to show beside it. */
export interface LeadFilterProblem {
  path: keyof LeadFilter;
  message: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Catalog entries: ValidationError gives them their Portuguese.
const filterMessages = {
  mineNeedsUser: bilingual(
    'Only a signed-in user has leads of their own',
    'Só um usuário conectado tem leads próprios',
  ),
  ownerIds: bilingual(
    'Owner ids are user ids (UUIDs)',
    'Os ids de responsáveis são ids de usuários (UUIDs)',
  ),
  searchTooLong: bilingual(
    `Search at most ${SEARCH_MAX_LENGTH} characters`,
    `Busque no máximo ${SEARCH_MAX_LENGTH} caracteres`,
  ),
  searchTooShort: bilingual(
    `Type at least ${SEARCH_MIN_LENGTH} letters or digits`,
    `Digite pelo menos ${SEARCH_MIN_LENGTH} letras ou dígitos`,
  ),
  scoreRange: bilingual(
    'The maximum score must not be below the minimum',
    'A pontuação máxima não pode ser menor que a mínima',
  ),
  dateRange: bilingual('The end must be after the start', 'O fim deve ser depois do início'),
};

/**
 * What is wrong with a filter; empty when leadWhere can apply it. `mine` needs the viewer: without
 * one (an API key, a stored rescore filter) it is refused.
 */
export function leadFilterProblems(
  filter: LeadFilter | null | undefined,
  viewer?: LeadFilterViewer,
): LeadFilterProblem[] {
  if (!filter) return [];
  const problems: LeadFilterProblem[] = [];
  if (filter.mine != null && !viewer?.userId) {
    problems.push({ path: 'mine', message: filterMessages.mineNeedsUser });
  }
  if (filter.ownerIds?.some((id) => !UUID.test(id))) {
    problems.push({ path: 'ownerIds', message: filterMessages.ownerIds });
  }
  if (filter.search != null) {
    if (filter.search.length > SEARCH_MAX_LENGTH) {
      problems.push({ path: 'search', message: filterMessages.searchTooLong });
    } else if (searchNeedle(filter.search).length < SEARCH_MIN_LENGTH) {
      problems.push({ path: 'search', message: filterMessages.searchTooShort });
    }
  }
  if (filter.scoreMin != null && filter.scoreMax != null && filter.scoreMin > filter.scoreMax) {
    problems.push({ path: 'scoreMax', message: filterMessages.scoreRange });
  }
  if (filter.createdFrom && filter.createdTo && filter.createdFrom >= filter.createdTo) {
    problems.push({ path: 'createdTo', message: filterMessages.dateRange });
  }
  return problems;
}

// Prisma's `contains` passes % and _ through as LIKE wildcards; backslash is LIKE's default escape.
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The Prisma condition for a filter. Each condition is served by an index on leads: status,
 * origin, stage and owner (with createdAt), cityKey, createdAt, score, followUpAt, and the trigram
 * index on searchText for search. Check leadFilterProblems first: this does not reject bad input.
 */
export function leadWhere(
  filter: LeadFilter | null | undefined,
  now: Date = new Date(),
  viewer?: LeadFilterViewer,
): Prisma.LeadWhereInput {
  if (!filter) return {};
  const conditions: Prisma.LeadWhereInput[] = [];
  if (filter.status) conditions.push({ status: { in: filter.status } });
  if (filter.origin) conditions.push({ origin: { in: filter.origin } });
  if (filter.city != null) conditions.push({ cityKey: searchKey(filter.city) });
  if (filter.createdFrom) conditions.push({ createdAt: { gte: filter.createdFrom } });
  if (filter.createdTo) conditions.push({ createdAt: { lt: filter.createdTo } });
  if (filter.scoreMin != null) conditions.push({ score: { gte: filter.scoreMin } });
  if (filter.scoreMax != null) conditions.push({ score: { lte: filter.scoreMax } });
  if (filter.followUpDue === true) conditions.push({ followUpAt: { lte: now } });
  if (filter.followUpDue === false) {
    conditions.push({ OR: [{ followUpAt: null }, { followUpAt: { gt: now } }] });
  }
  if (filter.search != null) {
    conditions.push({ searchText: { contains: escapeLike(searchNeedle(filter.search)) } });
  }
  if (filter.stage) conditions.push({ stage: { in: filter.stage } });
  if (filter.ownerIds) conditions.push({ ownerId: { in: filter.ownerIds } });
  if (filter.assigned === true) conditions.push({ ownerId: { not: null } });
  if (filter.assigned === false) conditions.push({ ownerId: null });
  if (filter.mine != null) {
    // leadFilterProblems refuses `mine` without a viewer; matching nobody is the safe fallback.
    const userId = viewer?.userId ?? '00000000-0000-0000-0000-000000000000';
    conditions.push(
      filter.mine ? { ownerId: userId } : { OR: [{ ownerId: null }, { ownerId: { not: userId } }] },
    );
  }
  return conditions.length === 0 ? {} : { AND: conditions };
}

// As text with its zone: a Date parameter would be sent without one.
const instant = (date: Date): Prisma.Sql => Prisma.sql`${date.toISOString()}::timestamptz`;

/**
 * leadWhere as an SQL condition on leads, for the one read Prisma cannot shape: a count that
 * stops early. Prisma orders every `take` by id, and PostgreSQL then finds and sorts every match
 * before stopping, which is the full count again. lead-list.test.ts runs both on every filter
 * field, so the two cannot drift apart unnoticed.
 */
export function leadWhereSql(
  filter: LeadFilter | null | undefined,
  now: Date = new Date(),
  viewer?: LeadFilterViewer,
): Prisma.Sql {
  if (!filter) return Prisma.sql`TRUE`;
  const conditions: Prisma.Sql[] = [];
  if (filter.status) conditions.push(Prisma.sql`"status" = ANY(${filter.status}::"LeadStatus"[])`);
  if (filter.origin) conditions.push(Prisma.sql`"origin" = ANY(${filter.origin}::"LeadOrigin"[])`);
  if (filter.city != null) conditions.push(Prisma.sql`"cityKey" = ${searchKey(filter.city)}`);
  if (filter.createdFrom) {
    conditions.push(Prisma.sql`"createdAt" >= ${instant(filter.createdFrom)}`);
  }
  if (filter.createdTo) conditions.push(Prisma.sql`"createdAt" < ${instant(filter.createdTo)}`);
  if (filter.scoreMin != null) conditions.push(Prisma.sql`"score" >= ${filter.scoreMin}`);
  if (filter.scoreMax != null) conditions.push(Prisma.sql`"score" <= ${filter.scoreMax}`);
  if (filter.followUpDue === true) conditions.push(Prisma.sql`"followUpAt" <= ${instant(now)}`);
  if (filter.followUpDue === false) {
    conditions.push(Prisma.sql`("followUpAt" IS NULL OR "followUpAt" > ${instant(now)})`);
  }
  if (filter.search != null) {
    const pattern = `%${escapeLike(searchNeedle(filter.search))}%`;
    conditions.push(Prisma.sql`"searchText" LIKE ${pattern}`);
  }
  if (filter.stage) conditions.push(Prisma.sql`"stage" = ANY(${filter.stage}::"LeadStage"[])`);
  if (filter.ownerIds) conditions.push(Prisma.sql`"ownerId" = ANY(${filter.ownerIds}::uuid[])`);
  if (filter.assigned === true) conditions.push(Prisma.sql`"ownerId" IS NOT NULL`);
  if (filter.assigned === false) conditions.push(Prisma.sql`"ownerId" IS NULL`);
  if (filter.mine != null) {
    const userId = viewer?.userId ?? '00000000-0000-0000-0000-000000000000';
    conditions.push(
      filter.mine
        ? Prisma.sql`"ownerId" = ${userId}::uuid`
        : Prisma.sql`("ownerId" IS NULL OR "ownerId" <> ${userId}::uuid)`,
    );
  }
  return conditions.length === 0 ? Prisma.sql`TRUE` : Prisma.join(conditions, ' AND ');
}
