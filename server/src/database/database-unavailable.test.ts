import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { openDatabase } from '../db.ts';
import { isDatabaseUnavailable } from './database-unavailable.ts';

describe('isDatabaseUnavailable', () => {
  it('recognises what Prisma and node-postgres raise when the server cannot be reached', async () => {
    // Port 1: nothing listens, so every call fails as it does while PostgreSQL restarts.
    const database = openDatabase({
      url: 'postgres://postgres@127.0.0.1:1/none',
      poolSize: 1,
      logger: createLogger('silent'),
    });
    try {
      const failures = await Promise.all(
        [
          () => database.prisma.lead.findFirst(),
          () => database.prisma.$queryRaw`SELECT 1`,
          () => database.prisma.$transaction((tx) => tx.lead.count()),
          () => database.pool.query('SELECT 1'),
        ].map((call) =>
          call().then(
            () => null,
            (error: unknown) => error,
          ),
        ),
      );
      expect(failures.map((error) => isDatabaseUnavailable(error))).toEqual([
        true,
        true,
        true,
        true,
      ]);
    } finally {
      await database.close();
    }
  });

  it('recognises a server shutting down or refusing connections by its SQLSTATE', () => {
    for (const code of ['57P01', '57P03', '08006', '53300']) {
      expect(isDatabaseUnavailable(Object.assign(new Error('server says no'), { code }))).toBe(
        true,
      );
    }
    const wrapped = {
      code: 'P2010',
      meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } },
    };
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('leaves every other error to the usual masking', () => {
    const unique = {
      code: 'P2002',
      meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } },
    };
    expect(isDatabaseUnavailable(unique)).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
