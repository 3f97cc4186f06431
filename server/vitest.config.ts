import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS ("main") and ESM ("module") builds. Node, as in production, loads
    // the CommonJS one for everybody; Vite would give our sources the ESM one while yoga gets
    // the CommonJS one, and `instanceof GraphQLError` then fails across the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more forks only queue on the database and the CPU.
    maxWorkers: 2,
    // The JSON report is what CI totals (.ci/count-results.mjs).
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
