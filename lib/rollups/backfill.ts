import type pg from 'pg';

import { waitForMergeLock } from '@/lib/db/merge-lock';

import { fillHourlyVectorsFromDecisions } from './account-hourly-vectors';
import { fillPresenceFromDecisions } from './account-presence';
import { hasTwoRoutes } from './account-region-routes';
import { fillRouteVectorsFromDecisions } from './account-route-vectors';
import { fillRunningVectorsFromDecisions } from './account-running-vectors';
import { fillQuarterVectorsFromDecisions } from './region-route-quarters';
import { fillViolationQuarterVectors, fillViolationVectorsFromViolations } from './violation-counts';

// Derived tables that a migration could only create empty, filled from the stored
// decisions when a database had decisions before the table existed (or, for the account
// routes, pairs with two routes: the only routes it holds; for the violation vectors, the
// stored violations). The decision counts and running
// monthly rows are filled by their migrations' own SQL.
// Tables filled together are one entry: missing if any of them is empty, and emptied
// before the fill (a fill adds to what it finds).
const FILLED_AFTER_MIGRATION = [
  { tables: ['account_presence_daily'], source: 'access_decisions', fill: fillPresenceFromDecisions },
  { tables: ['account_running_vectors'], source: 'access_decisions', fill: fillRunningVectorsFromDecisions },
  { tables: ['account_hourly_vectors'], source: 'access_decisions', fill: fillHourlyVectorsFromDecisions },
  {
    tables: ['account_routes', 'account_route_daily_vectors', 'account_route_hourly_vectors'],
    source: `account_region_routes WHERE ${hasTwoRoutes()}`, fill: fillRouteVectorsFromDecisions,
  },
  // The route catalogue numbers both quarter vector tables' entries: lost, both are made again
  // (renumbered); the decisions' vectors lost alone are refilled under the numbers kept.
  { tables: ['region_routes'], source: 'access_decisions', fill: refillQuarterVectors },
  { tables: ['region_route_quarter_vectors'], source: 'access_decisions', fill: fillQuarterVectorsFromDecisions },
  { tables: ['account_violation_daily_vectors', 'account_violation_hourly_vectors', 'violation_quarter_vectors'], source: 'decision_violations', fill: fillViolationVectorsFromViolations },
] as const;

/** Both quarter vector tables from scratch, their routes numbered anew (region_routes is empty). */
async function refillQuarterVectors(client: pg.PoolClient): Promise<void> {
  // Numbered from 1 again, as at the first fill: the catalogue is empty, so no ordinal is in use.
  await client.query(`SELECT setval(pg_get_serial_sequence('region_routes', 'ordinal'), 1, false)`);
  await client.query('DELETE FROM region_route_quarter_vectors');
  await client.query('DELETE FROM violation_quarter_vectors');
  await fillQuarterVectorsFromDecisions(client);
  await fillViolationQuarterVectors(client);
}

/** Fills each such set of tables that exists, has an empty table, and has rows to be derived from. */
export async function backfillDerivedTables(client: pg.PoolClient): Promise<void> {
  for (const { tables, source, fill } of FILLED_AFTER_MIGRATION) {
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [tables[0]]);
    if (rows[0]!.exists) await backfillWhenEmpty(client, tables, source, () => fill(client));
  }
}

/**
 * Fills tables derived from the stored decisions when one is empty while their source (the
 * decisions, or what they are made from) has rows. Every batch writes them all in one
 * transaction, so this finds nothing to do afterwards, at the cost of two one-row probes.
 * Under the merge lock, as a batch writes: one committed between the probe and the fill
 * would otherwise be added twice.
 */
async function backfillWhenEmpty(client: pg.PoolClient, tables: readonly string[], source: string, fill: () => Promise<void>): Promise<boolean> {
  const empty = tables.map((t) => `NOT EXISTS (SELECT 1 FROM ${t})`).join(' OR ');
  const missing = async (sourced: boolean) => (await client.query<{ missing: boolean }>(`
    SELECT ${sourced ? `EXISTS (SELECT 1 FROM ${source}) AND` : ''} (${empty}) AS missing`)).rows[0]!.missing;
  if (!(await missing(true))) return false;
  await client.query('BEGIN');
  try {
    await waitForMergeLock(client);
    if (!(await missing(false))) {
      await client.query('ROLLBACK');
      return false;
    }
    for (const t of tables) await client.query(`DELETE FROM ${t}`);
    await fill();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return true;
}
