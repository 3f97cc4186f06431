#!/bin/sh
echo "Prisma's native schema engine is not used by StreamLeads." >&2
echo "Use: pnpm db:migrate (deploy), pnpm db:migrate:create <name>, pnpm db:migrate:status, pnpm db:migrate:check" >&2
exit 1
