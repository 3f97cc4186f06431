import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

const here = path.dirname(fileURLToPath(import.meta.url));

// Prisma's CLI downloads a native schema engine before `migrate` and `db` commands, and this
// project runs where that download is impossible. `generate` only checks that the binary
// exists, so we point it at a script that refuses and names our own migration command.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(here, 'scripts', 'no-schema-engine.sh');

export default defineConfig({
  schema: path.join(here, '..', 'prisma', 'schema.prisma'),
  migrations: { path: path.join(here, '..', 'prisma', 'migrations') },
});
