import { describe, expect, it } from 'vitest';

import { useTestDatabase } from '../helpers/test-database';

// Every pooled connection (Prisma's and COPY's share the pool) carries the session
// settings lib/db/pool.ts explains: no parallel workers, 64 MB of work memory, no JIT.

describe('pooled connections', () => {
  const db = useTestDatabase();

  it('run without parallel workers or JIT, with 64 MB of work memory, through the pool and through Prisma', async () => {
    const settings = `SELECT current_setting('max_parallel_workers_per_gather') AS workers, current_setting('work_mem') AS work_mem,
                              current_setting('jit') AS jit`;
    const expected = { workers: '0', work_mem: '64MB', jit: 'off' };
    expect((await db().pool.query(settings)).rows[0]).toEqual(expected);
    expect((await db().prisma.$queryRawUnsafe<object[]>(settings))[0]).toEqual(expected);
  });
});
