import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every `graphql(...)` operation in src/, checked against the schema the
 * server commits. The output is committed too, so typecheck, tests and builds need no generate
 * step; `generate:check` fails when it is stale.
 */
export const config: CodegenConfig = {
  schema: '../server/schema.graphql',
  // Tests query the small schema of src/test/graphql-test-server.ts, not the API's.
  documents: [
    'src/**/*.{ts,svelte}',
    '!src/**/*.test.ts',
    '!src/test/**',
    '!src/lib/graphql/generated/**',
  ],
  generates: {
    'src/lib/graphql/generated/': {
      preset: 'client',
      // Fragments only share selections between operations here; no component reads a masked one.
      presetConfig: { skipIndexFile: true, fragmentMasking: false },
      config: {
        useTypeImports: true,
        // Only the types our operations use: a schema change elsewhere leaves the output alone.
        onlyOperationTypes: true,
        enumsAsTypes: true,
        strictScalars: true,
        // File: multipart uploads (graphql-yoga's File scalar), a browser File or Blob.
        scalars: { DateTime: 'string', Decimal: 'string', JSON: 'unknown', File: 'File' },
      },
    },
  },
};

// The codegen CLI loads its config through a default export, like SvelteKit's and Vite's.
export default config;
