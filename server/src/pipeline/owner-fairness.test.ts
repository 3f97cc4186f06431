// Round-robin fairness as production runs it: two StreamLeads processes (API and worker each), each
// its own Node process, meeting only in PostgreSQL. 1,000 leads are created through both APIs at
// once; every one scores HOT with the built-in rules, so the scoring batches of both workers, run
// concurrently, hand out owners at the same time. Each active rep must get 1000/N ± 1 leads.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { freePort, runScript, type RunningScript, waitUntilReady } from '../../test/processes.ts';
import { createApiKey } from '../access/api-keys.ts';
import { createUser } from '../access/users.ts';
import type { UserRole } from '../generated/prisma/enums.ts';

const LEADS = 1_000;
/** Requests each API has in flight at any time. */
const IN_FLIGHT_PER_API = 16;

let database: TestDatabase;
let adminKey: string;
const processes: RunningScript[] = [];
const apis: string[] = [];
const activeReps: string[] = [];
const inactiveReps: string[] = [];

function processEnv(port: number): NodeJS.ProcessEnv {
  const { TEST_DATABASE_URL: _unset, ...inherited } = process.env;
  return {
    ...inherited,
    DATABASE_URL: database.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Small batches, several at a time in each process: many scoring transactions race to assign.
    SCORING_BATCH_SIZE: '5',
    SCORING_CONCURRENCY: '4',
    DATABASE_POOL_SIZE: '16',
    RATE_LIMIT_PER_KEY: '1000000',
  };
}

async function startProcess(): Promise<string> {
  const port = await freePort();
  const script = runScript('src/main.ts', ['all'], processEnv(port));
  processes.push(script);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url, script);
  return url;
}

async function user(role: UserRole, index: number, fields: Record<string, unknown> = {}) {
  const created = await createUser(database.prisma, {
    email: `${role.toLowerCase()}${index}@example.com`,
    name: `${role} ${index}`,
    role,
    password: 'correct horse battery staple',
  });
  if (Object.keys(fields).length > 0) {
    await database.prisma.user.update({ where: { id: created.id }, data: fields });
  }
  return created.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ key: adminKey } = await createApiKey(database.prisma, { name: 'test', scopes: ['admin'] }));
  for (let index = 0; index < 3; index += 1) activeReps.push(await user('SALES', index));
  inactiveReps.push(
    await user('SALES', 3, { disabledAt: new Date() }),
    await user('SALES', 4, { acceptsLeads: false }),
    await user('MANAGER', 5),
  );
  apis.push(...(await Promise.all([startProcess(), startProcess()])));
}, 90_000);

afterAll(async () => {
  for (const script of processes) script.child.kill('SIGTERM');
  const codes = await Promise.all(processes.map((script) => script.exited));
  await database?.drop();
  expect(codes).toEqual(processes.map(() => 0));
}, 60_000);

async function createLead(api: string, index: number): Promise<void> {
  const response = await fetch(`${api}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({
      query: `mutation ($input: CreateLeadInput!) {
        createLead(input: $input) { __typename ... on Error { message } }
      }`,
      variables: {
        input: {
          name: 'Carla Mendes',
          email: `lead${index}@example.com`,
          phone: '11 98765-4321',
          origin: 'META_ADS',
          // The built-in rules' documented HOT example: 10 + 15 + 5 + 7 = 37 points.
          interest: 'Apartamento para investimento',
          approximateIncome: '15000',
          city: 'São Paulo',
        },
      },
    }),
  });
  const body = (await response.json()) as { data?: { createLead: { __typename: string } } };
  if (body.data?.createLead.__typename !== 'CreateLeadPayload') {
    throw new Error(`createLead ${index} failed: ${JSON.stringify(body)}`);
  }
}

describe('round-robin across processes', () => {
  it('gives each of N reps 1000/N ± 1 of 1,000 leads created at once through two APIs', async () => {
    // Leads alternate between the APIs; each API keeps IN_FLIGHT_PER_API requests going.
    const queues = apis.map((_api, which) =>
      Array.from({ length: LEADS / apis.length }, (_unused, n) => n * apis.length + which),
    );
    await Promise.all(
      apis.flatMap((api, which) =>
        Array.from({ length: IN_FLIGHT_PER_API }, async () => {
          for (let index = queues[which]!.shift(); index !== undefined;) {
            await createLead(api, index);
            index = queues[which]!.shift();
          }
        }),
      ),
    );

    const deadline = Date.now() + 120_000;
    let owned = 0;
    while (
      (owned = await database.prisma.lead.count({ where: { ownerId: { not: null } } })) < LEADS
    ) {
      if (Date.now() > deadline) throw new Error(`only ${owned} leads got an owner in time`);
      await sleep(250);
    }

    expect(await database.prisma.lead.count({ where: { status: 'HOT' } })).toBe(LEADS);
    const counts = await database.prisma.lead.groupBy({ by: ['ownerId'], _count: true });
    const byOwner = new Map(counts.map((row) => [row.ownerId, row._count]));
    const fair = LEADS / activeReps.length;
    for (const rep of activeReps) {
      expect(Math.abs(byOwner.get(rep)! - fair)).toBeLessThanOrEqual(1);
    }
    expect([...byOwner.keys()].sort()).toEqual([...activeReps].sort());
    for (const rep of inactiveReps) expect(byOwner.get(rep)).toBeUndefined();
    // Every assignment was one turn of the rotation, each recorded once.
    const rotation = await database.prisma.ownerRotation.findMany({
      select: { assignedCount: true },
    });
    expect(rotation.reduce((total, row) => total + row.assignedCount, 0)).toBe(LEADS);
  }, 240_000);
});
