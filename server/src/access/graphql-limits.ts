import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';

/**
 * Bounds on one operation, so no single request can make the API walk the whole database. The
 * dashboard's deepest operation (lead detail with its runs) is depth 7 and costs about 600;
 * these leave room for n8n and GraphiQL users without letting a crafted query explode.
 */
export const graphqlLimits = {
  maxDepth: 10,
  maxAliases: 20,
  maxTokens: 3_000,
  maxDirectives: 20,
  maxCost: 20_000,
} as const;

/**
 * Armor's envelop rules throw their refusal out of validation by default; yoga then answers it
 * like an execution error (HTTP 200, no code). Reported to the validation context instead, a
 * refusal is a validation error like any other: GRAPHQL_VALIDATION_FAILED and 400.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => context?.reportError(error),
  ],
};

export function useGraphqlLimits(options: { exposeSuggestions: boolean }) {
  return EnvelopArmorPlugin({
    maxDepth: { n: graphqlLimits.maxDepth, ...asValidationError },
    maxAliases: { n: graphqlLimits.maxAliases, ...asValidationError },
    // Counted by the parser, before any validation: it answers GRAPHQL_PARSE_FAILED and 400.
    maxTokens: { n: graphqlLimits.maxTokens },
    maxDirectives: { n: graphqlLimits.maxDirectives, ...asValidationError },
    costLimit: { maxCost: graphqlLimits.maxCost, ...asValidationError },
    // "Did you mean ...?" reveals field names to callers who may not introspect.
    blockFieldSuggestion: { enabled: !options.exposeSuggestions },
  });
}
