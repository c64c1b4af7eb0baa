import type pg from 'pg';

// Writers of access_decisions and the rollups are serialised: two overlapping batches
// would otherwise wait on each other's uncommitted keys and rollup rows in different
// orders and deadlock. A batch takes the lock (for the rest of its transaction) when a
// segment starts and the lock is free; a batch that finds it taken stages its segments,
// in parallel with the holder, tries again at each segment, and waits for it once its
// input has ended. The price of COPYing straight in is that the holder keeps the lock
// while its upload streams: a slow upload delays the merge of a concurrent one by as long.
const MERGE_LOCK = 0x6d657267; // 'merg'

export async function tryMergeLock(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [MERGE_LOCK]);
  return rows[0]!.ok;
}

export async function waitForMergeLock(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MERGE_LOCK]);
}
