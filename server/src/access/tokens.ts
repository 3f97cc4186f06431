import { createHash, randomBytes } from 'node:crypto';

/**
 * A random secret with a readable prefix (`slk_` API keys, `sls_` sessions). 32 random bytes
 * make guessing hopeless, so a plain SHA-256 is enough to store them: unlike passwords they
 * need no slow hash.
 */
export function newToken(prefix: 'slk' | 'sls'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
