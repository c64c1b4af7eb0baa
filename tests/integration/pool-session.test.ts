import { describe, expect, it, vi } from 'vitest';

import { adminQuery } from '../helpers/postgres';
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

describe('idle pooled connections', () => {
  const db = useTestDatabase();
  const backend = async () => (await db().pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

  it('stay open between page views (pg would close them after 10 s, and a new backend runs its first statements cold)', async () => {
    // Only timers are faked (the pool's idle timer starts when the query releases its
    // connection); the connection's I/O stays real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const first = await backend();
      vi.advanceTimersByTime(5 * 60_000);
      expect(db().pool.totalCount).toBeGreaterThan(0);
      expect(await backend()).toBe(first);
    } finally {
      vi.useRealTimers();
    }
  });

  it('are replaced, without ending the process, when the server ends one', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const pid = await backend();
      await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
      await vi.waitFor(() => expect(logged).toHaveBeenCalledWith('[gatewatch] an idle database connection was closed:', expect.any(String)));
      const next = await backend();
      expect(next).not.toBe(pid);
    } finally {
      logged.mockRestore();
    }
  });
});
