import type {
  LeadFilter,
  LeadOrder,
  LeadOrderField,
  OrderDirection,
} from '$lib/graphql/generated/graphql';
import { isLeadOrigin, isLeadStatus } from '$lib/leads/lead-labels';
import { isLeadStage } from '$lib/pipeline/stages';

/** The sort options the Leads page offers, as they appear in its URL (`sort=score-desc`). */
export const LEAD_SORTS = {
  'created-desc': { field: 'CREATED_AT', direction: 'DESC' },
  'created-asc': { field: 'CREATED_AT', direction: 'ASC' },
  'score-desc': { field: 'SCORE', direction: 'DESC' },
  'score-asc': { field: 'SCORE', direction: 'ASC' },
  'name-asc': { field: 'NAME', direction: 'ASC' },
  'name-desc': { field: 'NAME', direction: 'DESC' },
} as const satisfies Record<string, { field: LeadOrderField; direction: OrderDirection }>;

export type LeadSort = keyof typeof LEAD_SORTS;

export const DEFAULT_LEAD_SORT: LeadSort = 'created-desc';

export const PAGE_SIZE = 25;

/**
 * Days are São Paulo days: Brazil has kept UTC−3 all year since 2019, so a date picked in the
 * form starts at 03:00 UTC.
 */
const BUSINESS_DAY_OFFSET = '-03:00';

/** `owner=none` in the URL: leads nobody owns yet. */
export const UNASSIGNED_OWNER = 'none';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Everything the Leads page shows, read from its URL so a view can be shared. */
export interface LeadListQuery {
  filter: LeadFilter;
  orderBy: LeadOrder;
  sort: LeadSort;
  after?: string;
  before?: string;
}

function text(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value ? value : undefined;
}

function integer(params: URLSearchParams, name: string): number | undefined {
  const value = text(params, name);
  if (value === undefined || !/^-?\d+$/.test(value)) return undefined;
  return Number(value);
}

function date(params: URLSearchParams, name: string): string | undefined {
  const value = text(params, name);
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
}

/** The day after `day` (YYYY-MM-DD), as YYYY-MM-DD. */
function nextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Reads the page's URL; unknown or malformed values are left out rather than refused. */
export function parseLeadListQuery(params: URLSearchParams): LeadListQuery {
  const filter: LeadFilter = {};
  const status = params.getAll('status').filter(isLeadStatus);
  if (status.length) filter.status = status;
  const origin = params.getAll('origin').filter(isLeadOrigin);
  if (origin.length) filter.origin = origin;
  const city = text(params, 'city');
  if (city) filter.city = city;
  const search = text(params, 'q');
  if (search) filter.search = search;
  const from = date(params, 'from');
  if (from) filter.createdFrom = `${from}T00:00:00${BUSINESS_DAY_OFFSET}`;
  // "Created until" includes the day picked.
  const to = date(params, 'to');
  if (to) filter.createdTo = `${nextDay(to)}T00:00:00${BUSINESS_DAY_OFFSET}`;
  const scoreMin = integer(params, 'scoreMin');
  if (scoreMin !== undefined) filter.scoreMin = scoreMin;
  const scoreMax = integer(params, 'scoreMax');
  if (scoreMax !== undefined) filter.scoreMax = scoreMax;
  const followUp = params.get('followUp');
  if (followUp === 'due') filter.followUpDue = true;
  if (followUp === 'not-due') filter.followUpDue = false;
  const stage = params.getAll('stage').filter(isLeadStage);
  if (stage.length) filter.stage = stage;
  const owner = text(params, 'owner');
  if (owner === UNASSIGNED_OWNER) filter.assigned = false;
  else if (owner && UUID.test(owner)) filter.ownerIds = [owner];
  if (params.get('mine') === '1') filter.mine = true;

  const sortParam = params.get('sort');
  const sort =
    sortParam !== null && Object.hasOwn(LEAD_SORTS, sortParam)
      ? (sortParam as LeadSort)
      : DEFAULT_LEAD_SORT;

  const query: LeadListQuery = { filter, orderBy: { ...LEAD_SORTS[sort] }, sort };
  const after = text(params, 'after');
  const before = text(params, 'before');
  if (after) query.after = after;
  else if (before) query.before = before;
  return query;
}

/**
 * The URL parameters of a submitted filter form: empty fields are dropped, so shared links stay
 * short, and the page position is reset.
 */
export function filterFormParams(form: FormData): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of form) {
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (!trimmed || name === 'after' || name === 'before') continue;
    if (name === 'sort' && trimmed === DEFAULT_LEAD_SORT) continue;
    params.append(name, trimmed);
  }
  return params;
}

/** The same view one page further or back. */
export function pageParams(
  current: URLSearchParams,
  cursor: { after: string } | { before: string },
): URLSearchParams {
  const params = new URLSearchParams(current);
  params.delete('after');
  params.delete('before');
  if ('after' in cursor) params.set('after', cursor.after);
  else params.set('before', cursor.before);
  return params;
}
