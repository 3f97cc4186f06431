import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';

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

export function useGraphqlLimits(options: { exposeSuggestions: boolean }) {
  return EnvelopArmorPlugin({
    maxDepth: { n: graphqlLimits.maxDepth },
    maxAliases: { n: graphqlLimits.maxAliases },
    maxTokens: { n: graphqlLimits.maxTokens },
    maxDirectives: { n: graphqlLimits.maxDirectives },
    costLimit: { maxCost: graphqlLimits.maxCost },
    // "Did you mean ...?" reveals field names to callers who may not introspect.
    blockFieldSuggestion: { enabled: !options.exposeSuggestions },
  });
}
