import type pg from 'pg';

import { waitForMergeLock } from './merge-lock';

/**
 * Fills a table derived from the stored decisions when it is empty while there are
 * decisions: a database that had decisions before the table existed (its migration
 * creates it empty). Every batch writes both in one transaction, so this finds nothing to
 * do afterwards, at the cost of two one-row probes. Under the merge lock, as a batch
 * writes: one committed between the probe and the fill would otherwise be added twice.
 */
export async function backfillWhenEmpty(client: pg.PoolClient, table: string, fill: () => Promise<void>): Promise<boolean> {
  const missing = async (decisions: boolean) => (await client.query<{ missing: boolean }>(`
    SELECT ${decisions ? 'EXISTS (SELECT 1 FROM access_decisions) AND' : ''} NOT EXISTS (SELECT 1 FROM ${table}) AS missing`)).rows[0]!.missing;
  if (!(await missing(true))) return false;
  await client.query('BEGIN');
  try {
    await waitForMergeLock(client);
    if (!(await missing(false))) {
      await client.query('ROLLBACK');
      return false;
    }
    await fill();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return true;
}
