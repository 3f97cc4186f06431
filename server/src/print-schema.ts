// Writes schema.graphql (committed; the dashboard's typed operations come from it) or, with
// --check, fails when the committed file differs from what the code builds.
import { readFile, writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { schema } from './schema.ts';

const target = new URL('../schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== printed) {
    console.error('server/schema.graphql is stale: run `pnpm generate` and commit the result.');
    process.exit(1);
  }
  console.log('server/schema.graphql is up to date.');
} else {
  await writeFile(target, printed);
  console.log('wrote server/schema.graphql');
}
