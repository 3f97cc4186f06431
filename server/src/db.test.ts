import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('openDatabase', () => {
  it('opens sessions in UTC without JIT compilation', async () => {
    // Prisma and raw SQL share the pool: both must see the session settings.
    const [prismaSession] = await database.prisma.$queryRaw<{ zone: string; jit: string }[]>`
      SELECT current_setting('TimeZone') AS zone, current_setting('jit') AS jit`;
    const { rows } = await database.pool.query<{ zone: string; jit: string }>(
      `SELECT current_setting('TimeZone') AS zone, current_setting('jit') AS jit`,
    );
    // The pipeline figures' per-lead lookups are costed above jit_above_cost from a few thousand
    // leads on; at 100,000 leads compiling took longer than running the statement.
    expect([prismaSession, rows[0]]).toEqual([
      { zone: 'UTC', jit: 'off' },
      { zone: 'UTC', jit: 'off' },
    ]);
  });
});
