// docker-compose.yml cannot be run here (no Docker engine); check what can be checked statically.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  healthcheck?: { test: unknown };
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

async function compose(): Promise<{ services: Record<string, Service> }> {
  const text = await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
  return parse(text, { merge: true }) as { services: Record<string, Service> };
}

describe('docker-compose.yml', () => {
  it('defines PostgreSQL, the migration, the API, the worker, the dashboard, n8n and a mail catcher', async () => {
    const { services } = await compose();
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'dashboard',
      'mailpit',
      'migrate',
      'n8n',
      'postgres',
      'worker',
    ]);
    expect(services.mailpit?.profiles).toEqual(['dev']);
  });

  it('passes the Compose specification schema and the lint rules', () => {
    const result = spawnSync('pnpm', ['exec', 'dclint', 'docker-compose.yml'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
  });

  it('publishes ports on the loopback interface only', async () => {
    const { services } = await compose();
    const published = Object.values(services).flatMap((service) => service.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:/);
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
    expect(services.api?.command?.slice(-2)).toEqual(['server/dist/main.js', 'api']);
    expect(services.worker?.command?.slice(-2)).toEqual(['server/dist/main.js', 'worker']);
  });
});
