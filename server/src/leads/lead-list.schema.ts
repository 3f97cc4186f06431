import { queryFromInfo } from '@pothos/plugin-prisma';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../access/audit.ts';
import { builder } from '../builder.ts';
import { ValidationError } from '../errors.ts';
import type { Lead, Prisma } from '../generated/prisma/client.ts';
import { bilingual } from '../localization/catalog.ts';
import {
  LeadFilterInput,
  leadFilterProblems,
  leadWhere,
  leadWhereSql,
  type LeadFilter,
  type LeadFilterViewer,
} from './lead-filter.ts';
import { LeadType } from './leads.schema.ts';

export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

/**
 * How far cappedCount counts. An exact count reads every match: at a million leads the bench's
 * page (warm Meta leads named Silva, 13,334 of them) took 200 ms to count, the rest of the page 2.
 * Stopping at 1,001 matches bounds that work whatever the list's size.
 */
export const COUNT_CAP = 1_000;

/** How many leads match, counted no further than COUNT_CAP. */
interface CappedCount {
  count: number;
  capped: boolean;
}

const CappedCountType = builder.objectRef<CappedCount>('CappedCount').implement({
  description: `How many leads match the filter, counted up to ${COUNT_CAP.toLocaleString('en-US')}, so that its cost stops growing with the list. Show it as "${COUNT_CAP.toLocaleString('en-US')}+" when \`capped\` is true.`,
  fields: (t) => ({
    count: t.exposeInt('count', {
      description: `The number of matching leads; ${COUNT_CAP.toLocaleString('en-US')} when more match (then \`capped\` is true).`,
    }),
    capped: t.exposeBoolean('capped', {
      description: `true when more than ${COUNT_CAP.toLocaleString('en-US')} leads match: \`count\` is then a lower bound, not the total.`,
    }),
  }),
});

type LeadOrderField = 'CREATED_AT' | 'SCORE' | 'NAME';
type OrderDirection = 'ASC' | 'DESC';

export const LeadOrderFieldEnum = builder.enumType('LeadOrderField', {
  description: 'What to sort leads by. Ties are always broken by id, so pages never overlap.',
  values: {
    CREATED_AT: { description: 'When the lead first arrived.' },
    SCORE: { description: 'The current score.' },
    NAME: { description: 'The name, alphabetically.' },
  } as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { description: 'Smallest, oldest or A first.' },
    DESC: { description: 'Largest, newest or Z first.' },
  } as const,
});

/** A leads sort order; the defaults give newest first. */
export interface LeadOrder {
  field: LeadOrderField;
  direction: OrderDirection;
}

const DEFAULT_ORDER: LeadOrder = { field: 'CREATED_AT', direction: 'DESC' };

export const LeadOrderInput = builder.inputRef<LeadOrder>('LeadOrder').implement({
  description: 'How to sort leads. Default: newest first.',
  fields: (t) => ({
    field: t.field({
      type: LeadOrderFieldEnum,
      required: true,
      defaultValue: DEFAULT_ORDER.field,
      description: 'What to sort by.',
    }),
    direction: t.field({
      type: OrderDirectionEnum,
      required: true,
      defaultValue: DEFAULT_ORDER.direction,
      description: 'Ascending or descending.',
    }),
  }),
});

const orderColumns = {
  CREATED_AT: 'createdAt',
  SCORE: 'score',
  NAME: 'name',
} as const satisfies Record<LeadOrderField, keyof Lead>;

type SortValue = Date | number | string;

/** Where a lead sits in an order: its sort value and its id, the tie-breaker. */
interface LeadPosition {
  value: SortValue;
  id: string;
}

/** The Prisma order for a LeadOrder, with id last so that every position in it is unique. */
export function leadOrderBy(order: LeadOrder): Prisma.LeadOrderByWithRelationInput[] {
  const direction = order.direction === 'ASC' ? 'asc' : 'desc';
  return [{ [orderColumns[order.field]]: direction }, { id: direction }];
}

// A cursor holds the position itself, not just an id: paging on does not depend on that lead
// still existing or still having the same score, and a rescore or a deletion between two pages
// cannot throw the rest of the list off.
function encodeCursor(field: LeadOrderField, lead: Lead): string {
  const value = lead[orderColumns[field]];
  const json = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([field, json, lead.id])).toString('base64url');
}

function decodeCursor(cursor: string, field: LeadOrderField): LeadPosition | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== field) return null;
  const [, value, id] = parsed as [unknown, unknown, unknown];
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return null;
  if (field === 'SCORE') return Number.isInteger(value) ? { value: value as number, id } : null;
  if (typeof value !== 'string') return null;
  if (field === 'NAME') return { value, id };
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : { value: date, id };
}

/** Leads strictly after `position` when reading in `direction`. */
function beyond(
  field: LeadOrderField,
  direction: OrderDirection,
  position: LeadPosition,
): Prisma.LeadWhereInput {
  const column = orderColumns[field];
  const [strict, inclusive] =
    direction === 'DESC' ? (['lt', 'lte'] as const) : (['gt', 'gte'] as const);
  const { value, id } = position;
  // The first condition repeats what the OR implies; unlike the OR, PostgreSQL can start the
  // index scan there, so a deep page does not read and discard every row before it.
  return {
    AND: [
      { [column]: { [inclusive]: value } },
      { OR: [{ [column]: { [strict]: value } }, { [column]: value, id: { [strict]: id } }] },
    ],
  };
}

const reversed = (direction: OrderDirection): OrderDirection =>
  direction === 'ASC' ? 'DESC' : 'ASC';

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  filter?: LeadFilter | null;
}

// Catalog entries: ValidationError gives them their Portuguese.
const pageMessages = {
  tooLarge: bilingual(
    `At most ${MAX_PAGE_SIZE} leads per page`,
    `No máximo ${MAX_PAGE_SIZE} leads por página`,
  ),
  foreignCursor: bilingual(
    'This cursor does not belong to this order; start again from the first page',
    'Este cursor não pertence a esta ordenação; comece de novo pela primeira página',
  ),
};

// Reports every problem at once, so a form can show them all.
function pageProblems(
  args: PageArgs,
  field: LeadOrderField,
  viewer: LeadFilterViewer,
): { path: string; message: string }[] {
  const problems = leadFilterProblems(args.filter, viewer).map(({ path, message }) => ({
    path: `filter.${path}`,
    message,
  }));
  // The connection helper would clamp a larger page silently; a client asking for 500 must learn
  // it gets at most 100 rather than believe it has everything.
  for (const name of ['first', 'last'] as const) {
    const size = args[name];
    if (size != null && size > MAX_PAGE_SIZE) {
      problems.push({ path: name, message: pageMessages.tooLarge });
    }
  }
  for (const name of ['after', 'before'] as const) {
    const cursor = args[name];
    if (cursor != null && !decodeCursor(cursor, field)) {
      problems.push({ path: name, message: pageMessages.foreignCursor });
    }
  }
  return problems;
}

function filterViewer(principal: Principal): LeadFilterViewer {
  return { userId: principal.kind === 'user' ? principal.userId : null };
}

builder.queryField('leads', (t) =>
  t.connection(
    {
      authScopes: { permission: 'leads:read' },
      type: LeadType,
      description: `Leads matching the filter, in a stable order, ${DEFAULT_PAGE_SIZE} per page by default and at most ${MAX_PAGE_SIZE}. Paging on with endCursor never repeats or skips a lead, even while leads arrive. Select \`... on LeadConnection { cappedCount { count capped } edges { node { id } } pageInfo { endCursor hasNextPage } }\` for the page and \`... on ValidationError { fieldErrors { path message } }\` for a refused filter, page size or cursor.`,
      errors: {
        types: [ValidationError],
        directResult: true,
        union: {
          description: 'A page of leads, or why the filter, page size or cursor was refused.',
        },
      },
      args: {
        filter: t.arg({
          type: LeadFilterInput,
          required: false,
          description: 'Which leads; all when absent.',
        }),
        orderBy: t.arg({
          type: LeadOrderInput,
          required: false,
          description: 'Sort order; newest first when absent.',
        }),
        export: t.arg.boolean({
          defaultValue: false,
          description:
            'true when these pages are read to leave the system (a CSV download): the first page (no cursor) is recorded in the audit log as leads.export, with the names of the filters used.',
        }),
      },
      resolve: async (_root, args, ctx, info) => {
        const order = args.orderBy ?? DEFAULT_ORDER;
        const viewer = filterViewer(ctx.principal);
        const problems = pageProblems(args, order.field, viewer);
        if (problems.length > 0) throw new ValidationError(problems);
        const now = new Date();
        const where = leadWhere(args.filter, now, viewer);
        if (args.export && !args.after && !args.before) {
          // Filter names only: a search text may be someone's email.
          await recordAudit(ctx.prisma, ctx, {
            action: 'leads.export',
            details: { filteredBy: Object.keys(args.filter ?? {}), orderBy: order.field },
          });
        }
        // The selection under edges.node (relations included) is loaded by this one findMany,
        // plus the columns every cursor needs.
        const query = queryFromInfo({
          context: ctx,
          info,
          path: ['edges', 'node'],
          typeName: 'Lead',
          // Include mode loads every column, which the cursors need whatever was selected.
          include: {},
        });
        const page = await resolveCursorConnection<Promise<Lead[]>>(
          {
            args,
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: MAX_PAGE_SIZE,
            toCursor: (lead) => encodeCursor(order.field, lead),
          },
          async ({ before, after, limit, inverted }): Promise<Lead[]> => {
            const direction = inverted ? reversed(order.direction) : order.direction;
            const conditions = [where];
            if (after) conditions.push(beyond(order.field, order.direction, position(after)));
            if (before) {
              conditions.push(beyond(order.field, reversed(order.direction), position(before)));
            }
            return ctx.prisma.lead.findMany({
              ...query,
              where: { AND: conditions },
              orderBy: leadOrderBy({ field: order.field, direction }),
              take: limit,
            });
          },
        );
        // Counted only when selected: a count is the costly part of a page.
        return {
          ...page,
          totalCount: () => ctx.prisma.lead.count({ where }),
          cappedCount: async (): Promise<CappedCount> => {
            const count = await countUpTo(COUNT_CAP + 1);
            return { count: Math.min(count, COUNT_CAP), capped: count > COUNT_CAP };
          },
        };

        // One more than the cap tells "exactly 1,000" from "more than 1,000". No ORDER BY, so
        // PostgreSQL stops at the limit (Prisma's count with `take` adds one: see leadWhereSql).
        async function countUpTo(limit: number): Promise<number> {
          const condition = leadWhereSql(args.filter, now, viewer);
          const [row] = await ctx.prisma.$queryRaw<{ count: number }[]>`
            SELECT count(*)::int AS count
            FROM (SELECT FROM leads WHERE ${condition} LIMIT ${limit}) AS matches`;
          return row!.count;
        }

        function position(cursor: string): LeadPosition {
          // pageProblems has already refused cursors that do not decode.
          return decodeCursor(cursor, order.field)!;
        }
      },
    },
    {
      name: 'LeadConnection',
      description: 'A page of leads.',
      edgesField: { description: 'The leads of this page, in order, each with its cursor.' },
      fields: (connection) => ({
        totalCount: connection.int({
          description: `How many leads match the filter, across all pages, exactly. Reads every match, so its cost grows with the number of matches: a list view should show cappedCount instead.`,
          resolve: (parent) => parent.totalCount(),
        }),
        cappedCount: connection.field({
          type: CappedCountType,
          description: `How many leads match the filter, counted up to ${COUNT_CAP.toLocaleString('en-US')} ("${COUNT_CAP.toLocaleString('en-US')}+" beyond): the count for a list view, whose cost stops growing past that.`,
          resolve: (parent) => parent.cappedCount(),
        }),
      }),
    },
    {
      name: 'LeadEdge',
      description: 'A lead and its cursor.',
      nodeField: { description: 'The lead.' },
    },
  ),
);
