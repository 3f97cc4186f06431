import type { PrismaClient } from '../db.ts';
import type { ApiKeyScope } from './permissions.ts';
import { hashToken, newToken } from './tokens.ts';

/** Characters of a key shown in lists: "slk_" and 8 of the secret. */
const visiblePrefixLength = 12;

export interface NewApiKey {
  name: string;
  scopes: readonly ApiKeyScope[];
  allowedOrigins?: readonly string[];
  createdById?: string | null;
}

/** Creates a key and returns it in clear text with its row: the only time the key exists whole. */
export async function createApiKey(prisma: Pick<PrismaClient, 'apiKey'>, input: NewApiKey) {
  const key = newToken('slk');
  const record = await prisma.apiKey.create({
    data: {
      name: input.name,
      prefix: key.slice(0, visiblePrefixLength),
      keyHash: hashToken(key),
      scopes: [...new Set(input.scopes)],
      allowedOrigins: [...new Set(input.allowedOrigins ?? [])],
      createdById: input.createdById ?? null,
    },
  });
  return { key, record };
}
