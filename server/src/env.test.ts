import { describe, expect, it } from 'vitest';
import { corsOrigins, EnvError, loadEnv } from './env.ts';

describe('loadEnv', () => {
  it('applies defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 4000, HOST: '127.0.0.1', NODE_ENV: 'development' });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(4000);
  });

  it('names every bad variable in one message', () => {
    const load = () =>
      loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x@y/z', LOG_LEVEL: 'loud' });
    expect(load).toThrow(EnvError);
    expect(load).toThrow(/PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/);
    expect(load).toThrow(/LOG_LEVEL/);
  });

  it('splits CORS_ORIGINS and rejects an origin that is not a URL', () => {
    const env = loadEnv({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' });
    expect(corsOrigins(env)).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(() => loadEnv({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS/);
  });

  it('allows the local dashboard by default', () => {
    expect(corsOrigins(loadEnv({ DASHBOARD_PORT: '3100' }))).toContain('http://localhost:3100');
  });

  it('accepts a postgres connection string', () => {
    const url = 'postgresql://user:secret@db.internal:5432/streamleads';
    expect(loadEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });
});
