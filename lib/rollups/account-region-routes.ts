import type pg from 'pg';

import { copyLines } from '@/lib/db/copy-in';
import { copyValue } from '@/lib/db/copy-format';
import { ACCOUNT_ROUTE_SPACE, type DecisionTally } from '@/lib/ingest/tally';

// account_region_routes: per account and caller region, every route (provider/channel)
// it has ever had decisions on, as a sorted text[].
//
// Answers: which account and region pairs could ever diverge (be blocked on one route and
// allowed on another): only those with two routes or more, found through a partial index
// of those alone, instead of grouping every running row of the range's months (~175k at
// 10M decisions, a third of a second). Costs: a row per account and region (~90k at 10M);
// a batch merges its pairs' routes in (one upsert from the rows it wrote to the running
// monthly table), so a row only ever grows: a superset of the routes still stored, which
// is all a candidate filter needs.

const upsert = (rows: string) => `
  INSERT INTO account_region_routes AS t (account_id, caller_region, routes)
  SELECT * FROM (${rows}) r ORDER BY 1, 2
  ON CONFLICT (account_id, caller_region) DO UPDATE
     SET routes = ARRAY(SELECT DISTINCT x FROM unnest(t.routes || excluded.routes) x ORDER BY x)
   WHERE NOT excluded.routes <@ t.routes`;

/**
 * Merges in the routes of the account routes in `source` (account_id, caller_region,
 * provider, channel, and a count where `counted`: those of no decisions are left out).
 */
export async function addRegionRoutes(client: pg.PoolClient, source: string, counted = false): Promise<void> {
  await client.query(upsert(`SELECT account_id, caller_region, array_agg(DISTINCT provider || '/' || channel) AS routes
    FROM ${source} ${counted ? 'WHERE count > 0' : ''} GROUP BY 1, 2`));
}

/** Merges in the routes of a batch's account routes, from its Node tally. Runs under the merge lock. */
export async function writeRegionRoutesFromTally(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  const { account, route } = tally.accountRoutes;
  const routes = tally.combos.routeTexts;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_region_routes_in (
    account_id text NOT NULL, caller_region text NOT NULL, provider text NOT NULL, channel text NOT NULL) ON COMMIT DROP`);
  await client.query('TRUNCATE gw_region_routes_in');
  // Account routes whose rows all turned out duplicates net to no decisions: not stored, not routes.
  const stored = new Uint8Array(account.length);
  const { keys, counts } = tally.accountDaily;
  for (let i = 0; i < keys.length; i++) if (counts[i]! > 0) stored[keys[i]! % ACCOUNT_ROUTE_SPACE] = 1;
  await copyLines(client, 'COPY gw_region_routes_in FROM STDIN', (function* () {
    for (let id = 0; id < account.length; id++) {
      if (!stored[id]) continue;
      // Route text: region\tprovider\tchannel\tdecision, in COPY text already.
      const text = routes[route[id]!]!;
      yield `${copyValue(account[id])}\t${text.slice(0, text.lastIndexOf('\t'))}\n`;
    }
  })());
  await addRegionRoutes(client, 'gw_region_routes_in');
}

/** Every row from the running monthly rows (into an empty table: the benchmark's generated data). */
export const fillRegionRoutesFromRunning = (client: pg.PoolClient) => addRegionRoutes(client, 'account_running_monthly');

/**
 * Of a row of account_region_routes (alias `r`): its pair has used two routes or more, the
 * only pairs that can diverge (its partial index holds those).
 */
export const hasTwoRoutes = (r = 'account_region_routes') => `cardinality(${r}.routes) > 1`;
