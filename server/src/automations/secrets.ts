import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { bilingual } from '../localization/catalog.ts';
import { loadEnv, type Env } from '../env.ts';

// A fixed, public key for the test suite only. Development gets a random key of its own from
// `pnpm start` (.data/secret-key), and production refuses to start without one.
const testKey = createHash('sha256').update('streamleads test secret key').digest();

export class SecretKeyMissingError extends AppError {
  override name = 'SecretKeyMissingError';

  constructor() {
    super(
      'STREAMLEADS_SECRET_KEY is not set, so integration secrets cannot be stored: set it to 32 random bytes in base64 (openssl rand -base64 32); `pnpm start` creates one for you',
      {
        'pt-BR':
          'STREAMLEADS_SECRET_KEY não está definida, então os segredos das integrações não podem ser guardados: defina-a com 32 bytes aleatórios em base64 (openssl rand -base64 32); `pnpm start` cria uma para você',
      },
    );
  }
}

let cachedKey: Buffer | null = null;

/** The AES-256 key for integration secrets (see STREAMLEADS_SECRET_KEY in env.ts). */
export function secretKey(): Buffer {
  cachedKey ??= secretKeyFrom(loadEnv());
  return cachedKey;
}

export function secretKeyFrom(env: Pick<Env, 'STREAMLEADS_SECRET_KEY' | 'NODE_ENV'>): Buffer {
  if (env.STREAMLEADS_SECRET_KEY) return Buffer.from(env.STREAMLEADS_SECRET_KEY, 'base64');
  if (env.NODE_ENV === 'test') return testKey;
  throw new SecretKeyMissingError();
}

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, base64 parts; a fresh 12-byte IV per value. */
export function encryptSecret(plaintext: string, key: Buffer = secretKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
    .join('.');
}

// A delivery that cannot read its target's secret fails with this (it is the run's error): the
// usual cause is a changed STREAMLEADS_SECRET_KEY, and the fix is to save the secret again.
export const unreadableSecretError = bilingual(
  'A stored secret cannot be read with this STREAMLEADS_SECRET_KEY: save it again in the settings',
  'Um segredo guardado não pode ser lido com esta STREAMLEADS_SECRET_KEY: salve-o de novo nas configurações',
);

/** Reverses encryptSecret; throws when the value was not made with this key or was altered. */
export function decryptSecret(stored: string, key: Buffer = secretKey()): string {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined) {
    throw new Error(unreadableSecretError);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    // Node says "Unsupported state or unable to authenticate data": true, but no help.
    throw new Error(unreadableSecretError, { cause: error });
  }
}
