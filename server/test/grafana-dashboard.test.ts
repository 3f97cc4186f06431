// examples/grafana/streamleads-dashboard.json only queries metrics and labels that /metrics
// really serves, so its panels cannot silently go blank when a metric is renamed.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

interface Dashboard {
  uid: string;
  panels: { title: string; targets: { expr: string }[] }[];
}

let database: TestDatabase;
let app: TestApp;
let exposition: string;
let dashboard: Dashboard;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  // One real operation so request histograms have samples with their labels.
  await app.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({ query: 'query Probe { version }' }),
  });
  exposition = await (await app.yoga.fetch('http://test/metrics')).text();
  dashboard = JSON.parse(
    await readFile(
      new URL('../../examples/grafana/streamleads-dashboard.json', import.meta.url),
      'utf8',
    ),
  ) as Dashboard;
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

const families = (expr: string) =>
  [...expr.matchAll(/\b((?:streamleads|graphql|process)_[a-z_]+)/g)].map(([, name]) =>
    name!.replace(/_(bucket|count|sum)$/, ''),
  );

describe('the Grafana dashboard', () => {
  it('queries only metric families that /metrics serves', () => {
    const used = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => families(t.expr))),
    );
    expect(used.size).toBeGreaterThan(8);
    for (const family of used) expect(exposition, family).toContain(`# TYPE ${family} `);
  });

  it('groups only by labels those metrics carry', () => {
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const labels = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap(([, list]) =>
          list!
            .split(',')
            .map((label) => label.trim())
            .filter((label) => label !== 'le'),
        );
        const family = families(expr)[0]!;
        // prom-client keeps each metric's declared label names, samples or not.
        const metric = app.metrics.registry.getSingleMetric(family) as unknown as
          { labelNames: string[] } | undefined;
        for (const label of labels) {
          expect(metric?.labelNames, `${panel.title}: ${family}`).toContain(label);
        }
      }
    }
  });
});
