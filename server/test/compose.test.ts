// docker-compose.yml cannot be run here (no Docker engine); check what can be checked statically.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

async function compose(): Promise<{ services: Record<string, Service> }> {
  const text = await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
  return parse(text, { merge: true }) as { services: Record<string, Service> };
}

describe('docker-compose.yml', () => {
  it('defines PostgreSQL, the migration, the API, the worker and the dashboard', async () => {
    const { services } = await compose();
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'dashboard',
      'migrate',
      'postgres',
      'worker',
    ]);
  });

  it('gives every long-running service that others wait on a health check', async () => {
    const { services } = await compose();
    for (const name of ['postgres', 'api', 'dashboard']) {
      expect(services[name]?.healthcheck?.test, name).toBeDefined();
    }
  });

  it('starts the app only after the database is healthy and migrated', async () => {
    const { services } = await compose();
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(services[name]?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
  });

  it('runs each process role with the entry point the README documents', async () => {
    const { services } = await compose();
    expect(services.api?.command?.slice(-2)).toEqual(['server/src/main.ts', 'api']);
    expect(services.worker?.command?.slice(-2)).toEqual(['server/src/main.ts', 'worker']);
  });
});
