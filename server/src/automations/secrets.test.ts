import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../env.ts';
import { translationsOf } from '../localization/catalog.ts';
import {
  decryptSecret,
  encryptSecret,
  SecretKeyMissingError,
  secretKeyFrom,
  unreadableSecretError,
} from './secrets.ts';

const key = randomBytes(32);

describe('integration secrets', () => {
  it('decrypts what it encrypted, with a fresh IV each time', () => {
    const first = encryptSecret('xoxb-secret', key);
    const second = encryptSecret('xoxb-secret', key);
    expect(first).not.toBe(second);
    expect(first).not.toContain('xoxb');
    expect(decryptSecret(first, key)).toBe('xoxb-secret');
    expect(decryptSecret(second, key)).toBe('xoxb-secret');
  });

  it('refuses a ciphertext that was altered or made with another key', () => {
    const stored = encryptSecret('token', key);
    const [version, iv, tag, ciphertext] = stored.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64');
    flipped[0]! ^= 1;
    expect(() =>
      decryptSecret([version, iv, tag, flipped.toString('base64')].join('.'), key),
    ).toThrow();
    expect(() => decryptSecret(stored, randomBytes(32))).toThrow(unreadableSecretError);
    expect(() => decryptSecret('plain text', key)).toThrow(unreadableSecretError);
    expect(translationsOf(unreadableSecretError)?.['pt-BR']).toMatch(/salve-o de novo/);
  });

  it('uses STREAMLEADS_SECRET_KEY when set', () => {
    const env = {
      NODE_ENV: 'development',
      STREAMLEADS_SECRET_KEY: key.toString('base64'),
    } as const;
    expect(secretKeyFrom(env).equals(key)).toBe(true);
    expect(decryptSecret(encryptSecret('x', secretKeyFrom(env)), key)).toBe('x');
  });

  it('refuses to store secrets outside tests without a key of their own', () => {
    expect(() => secretKeyFrom({ NODE_ENV: 'development' })).toThrow(SecretKeyMissingError);
    expect(secretKeyFrom({ NODE_ENV: 'test' })).toHaveLength(32);
  });
});

describe('STREAMLEADS_SECRET_KEY', () => {
  it('is required in production', () => {
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(EnvError);
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/STREAMLEADS_SECRET_KEY: required/);
    expect(
      loadEnv({ NODE_ENV: 'production', STREAMLEADS_SECRET_KEY: key.toString('base64') })
        .STREAMLEADS_SECRET_KEY,
    ).toBe(key.toString('base64'));
  });

  it('must hold 32 bytes', () => {
    expect(() => loadEnv({ STREAMLEADS_SECRET_KEY: randomBytes(16).toString('base64') })).toThrow(
      /STREAMLEADS_SECRET_KEY: must be 32 bytes/,
    );
    expect(loadEnv({ NODE_ENV: 'development' }).STREAMLEADS_SECRET_KEY).toBeUndefined();
  });
});
