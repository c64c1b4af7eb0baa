import { describe, expect, it } from 'vitest';

import { streamCsv } from '@/lib/export/stream';
import { Prisma } from '@/lib/generated/prisma/client';

import { useTestDatabase } from '../helpers/test-database';

// An export whose query fails must end the download with that error, promptly, and give
// its connection back: a hung response would keep the browser's progress bar spinning.

describe('a CSV export whose query fails', () => {
  const db = useTestDatabase();

  it.each(['query', 'copy'] as const)('ends the download with the error (%s source)', async (kind) => {
    const { body, done } = streamCsv(db().pool, { kind, sql: Prisma.sql`SELECT 1 / (0 * ${1}::int) AS x` }, ['x'], (r: { x: number }) => [r.x]);
    const read = new Response(body).text();
    await expect(read).rejects.toThrow(/division by zero/);
    await expect(done).rejects.toThrow(/division by zero/);
    // The failed export's connection was destroyed, not left checked out.
    await expect.poll(() => db().pool.totalCount - db().pool.idleCount).toBe(0);
    expect((await db().pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
