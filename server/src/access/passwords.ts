import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's second recommended setting (19 MiB, 2 passes): tens of milliseconds, slow
 * enough to make offline guessing expensive, fast enough for sign-in.
 */
// algorithm 2 is Argon2id (the package exports it as a const enum, which our isolated modules
// cannot read).
const options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const minPasswordLength = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of nothing anyone knows, verified when the email matches no user, so a sign-in for an
 * unknown email takes as long as one for a known email and timing does not tell them apart.
 */
export const decoyPasswordHash = hashPassword('decoy password that matches nothing');
