import type pg from 'pg';

import { waitForMergeLock } from '@/lib/db/merge-lock';

import { fillHourlyVectorsFromDecisions } from './account-hourly-vectors';
import { fillPresenceFromDecisions } from './account-presence';
import { hasTwoRoutes } from './account-region-routes';
import { fillRouteVectorsFromDecisions } from './account-route-vectors';
import { fillRunningVectorsFromDecisions } from './account-running-vectors';
import { fillViolationVectorsFromViolations } from './violation-counts';

// Derived tables that a migration could only create empty, filled from the stored
// decisions when a database had decisions before the table existed (or, for the account
// routes, pairs with two routes: the only routes it holds; for the violation vectors, the
// stored violations). The decision counts and running
// monthly rows are filled by their migrations' own SQL.
const FILLED_AFTER_MIGRATION = [
  { table: 'account_presence_daily', source: 'access_decisions', fill: fillPresenceFromDecisions },
  { table: 'account_running_vectors', source: 'access_decisions', fill: fillRunningVectorsFromDecisions },
  { table: 'account_hourly_vectors', source: 'access_decisions', fill: fillHourlyVectorsFromDecisions },
  { table: 'account_routes', source: `account_region_routes WHERE ${hasTwoRoutes()}`, fill: fillRouteVectorsFromDecisions },
  { table: 'account_violation_daily_vectors', source: 'decision_violations', fill: fillViolationVectorsFromViolations },
] as const;

/** Fills each such table that exists, is empty, and has decisions to be derived from. */
export async function backfillDerivedTables(client: pg.PoolClient): Promise<void> {
  for (const { table, source, fill } of FILLED_AFTER_MIGRATION) {
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table]);
    if (rows[0]!.exists) await backfillWhenEmpty(client, table, source, () => fill(client));
  }
}

/**
 * Fills a table derived from the stored decisions when it is empty while its source (the
 * decisions, or what it is made from) has rows. Every batch writes both in one
 * transaction, so this finds nothing to do afterwards, at the cost of two one-row probes. Under the merge lock, as a batch writes:
 * one committed between the probe and the fill would otherwise be added twice.
 */
async function backfillWhenEmpty(client: pg.PoolClient, table: string, source: string, fill: () => Promise<void>): Promise<boolean> {
  const missing = async (sourced: boolean) => (await client.query<{ missing: boolean }>(`
    SELECT ${sourced ? `EXISTS (SELECT 1 FROM ${source}) AND` : ''} NOT EXISTS (SELECT 1 FROM ${table}) AS missing`)).rows[0]!.missing;
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
