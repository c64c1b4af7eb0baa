import { describe, expect, it } from 'vitest';

import { type BucketTable, readBucketRows } from '@/lib/rollups/bucket-vectors';
import { VectorRowCache } from '@/lib/rollups/vector-row-cache';

import { useTestDatabase } from '../helpers/test-database';

// A read of bucket vector rows names the versions its cache holds, and the rows held at
// their current version come back as one count: what it returns must still be exactly the
// table's rows, as they changed, were added or went between reads.

const TABLE: BucketTable = { name: 'region_route_quarter_vectors', unit: 'hour' };
const BASE = Date.parse('2026-03-01T00:00:00Z') / 3_600_000;
const HOURS = Array.from({ length: 6 }, (_, i) => BASE + i);

/** One entry: index, allowed, blocked (the bucket vectors' encoding). */
function entry(index: number, allowed: number, blocked: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt16BE(index, 0);
  b.writeInt32BE(allowed, 2);
  b.writeInt32BE(blocked, 6);
  return b;
}

describe('readBucketRows', () => {
  const db = useTestDatabase();

  const put = (hour: number, chunk: number, counts: Buffer) => db().pool.query(
    `INSERT INTO ${TABLE.name} (hour, chunk, counts) VALUES (to_timestamp($1::bigint * 3600), $2, $3)
     ON CONFLICT (hour, chunk) DO UPDATE SET counts = excluded.counts`, [hour, chunk, counts]);

  /** The table's rows of the hours, as the database holds them. */
  async function stored(): Promise<string[]> {
    const { rows } = await db().pool.query<{ bucket: number; chunk: number; counts: Buffer }>(
      `SELECT (extract(epoch FROM hour) / 3600)::int AS bucket, chunk, counts FROM ${TABLE.name} ORDER BY 1, 2`);
    return rows.map((r) => `${r.bucket}/${r.chunk}/${r.counts.toString('hex')}`);
  }

  async function read(cache: VectorRowCache<{ bucket: number; chunk: number }>): Promise<string[]> {
    const rows = await db().prisma.$transaction((tx) => readBucketRows(tx, TABLE, cache, HOURS));
    return rows.map((r) => `${r.bucket}/${r.chunk}/${Buffer.from(r.counts).toString('hex')}`).sort();
  }

  it('returns the stored rows whether held, rewritten, added or gone since the last read', async () => {
    await db().pool.query(`TRUNCATE ${TABLE.name}`);
    for (const [i, hour] of HOURS.slice(0, 5).entries()) await put(hour, 0, entry(i, i + 1, 2 * i));
    await put(HOURS[1]!, 1, entry(3, 9, 9));
    const cache = new VectorRowCache<{ bucket: number; chunk: number }>(2 ** 20);

    expect(await read(cache)).toEqual(await stored());
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 6 });

    // Every row held: none sent again.
    expect(await read(cache)).toEqual(await stored());
    expect(cache.stats()).toMatchObject({ hits: 6, misses: 6 });

    // One rewritten (a new version), one added: those two sent, the other five held.
    await put(HOURS[2]!, 0, Buffer.concat([entry(2, 3, 4), entry(7, 1, 0)]));
    await put(HOURS[5]!, 0, entry(1, 5, 5));
    expect(await read(cache)).toEqual(await stored());
    expect(cache.stats()).toMatchObject({ hits: 11, misses: 8 });

    // One gone (emptied and deleted): not returned from the cache.
    await db().pool.query(`DELETE FROM ${TABLE.name} WHERE hour = to_timestamp($1::bigint * 3600) AND chunk = 1`, [HOURS[1]]);
    const afterDelete = await read(cache);
    expect(afterDelete).toEqual(await stored());
    expect(afterDelete).toHaveLength(6);
  });
});
