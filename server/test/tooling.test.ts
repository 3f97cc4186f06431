import { createRequire } from 'node:module';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';

describe('test tooling', () => {
  it('loads the same graphql module for our sources and for yoga', () => {
    const { GraphQLError: loadedByNode } = createRequire(import.meta.url)('graphql') as {
      GraphQLError: unknown;
    };
    expect(loadedByNode).toBe(GraphQLError);
  });
});
