import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { forbiddenError, unauthenticatedError } from './access/access-errors.ts';
import type { Permission } from './access/permissions.ts';
import { hasPermission } from './access/principal.ts';
import type { Context } from './context.ts';
import { AppError } from './errors.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  /**
   * Every root field states one of these (a test walks the schema and fails on a field without
   * one). `public`: anyone; `authenticated`: any signed-in person or valid key; `signedIn`: a
   * person; `permission`: a role or key scope that grants it (access/permissions.ts).
   */
  AuthScopes: {
    public: boolean;
    authenticated: boolean;
    signedIn: boolean;
    permission: Permission;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    /** Exact decimal amounts: numbers or numeric strings in, a string with 2 decimals out. */
    Decimal: { Input: number | string; Output: { toFixed(digits: number): string } | string };
    /** A file of a multipart request (GraphQL multipart request spec), e.g. a CSV import. */
    File: { Input: File; Output: never };
  };
}>({
  // Scope auth first, so nothing runs for a caller who may not call. Input is validated in the
  // resolvers (zod), where the errors plugin turns a refusal into the typed ValidationError: the
  // validation plugin checked arguments before that plugin could see its errors.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      public: true,
      authenticated: context.principal.kind !== 'anonymous',
      signedIn: context.principal.kind === 'user',
      permission: (permission) => hasPermission(context.principal, permission),
    }),
    // Subscriptions are authorized when they start, then re-checked by the WebSocket layer when
    // a session or key is revoked (the socket is closed).
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context, info) =>
      context.principal.kind === 'anonymous'
        ? unauthenticatedError(`Sign in or send an API key to use ${info.fieldName}.`)
        : forbiddenError(`Your role or key scopes do not allow ${info.fieldName}.`),
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    pageInfoTypeOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'True when a page follows (use endCursor as after).' },
    hasPreviousPageFieldOptions: {
      description: 'True when a page precedes (use startCursor as before).',
    },
    startCursorFieldOptions: { description: "The first item's cursor." },
    endCursorFieldOptions: { description: "The last item's cursor." },
    cursorFieldOptions: { description: "This item's position, for after/before." },
    edgesFieldOptions: { description: 'The items of this page with their cursors.' },
    nodeFieldOptions: { description: 'The item.' },
    pageInfoFieldOptions: { description: 'Cursors and whether more pages exist.' },
    firstArgOptions: {
      description: 'How many items after `after` (each list documents its default and maximum).',
    },
    afterArgOptions: { description: 'Return items after this cursor.' },
    lastArgOptions: { description: 'How many items before `before`.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
  errors: {
    defaultTypes: [AppError],
  },
});

builder.queryType({ description: 'Everything that can be read.' });
builder.mutationType({ description: 'Everything that changes data.' });
builder.subscriptionType({ description: 'Live updates, over graphql-ws on the same URL.' });

builder.addScalarType('DateTime', DateTimeResolver, {});
builder.addScalarType('JSON', JSONResolver, {});
builder.scalarType('Decimal', {
  description:
    'An exact decimal amount. Accepts a number or a numeric string; returned as a string with two decimals (e.g. "15000.50").',
  serialize: (value) => (typeof value === 'string' ? value : value.toFixed(2)),
  parseValue: (value) => {
    if (typeof value === 'number' || typeof value === 'string') return value;
    throw new TypeError('Decimal must be a number or a numeric string');
  },
});
