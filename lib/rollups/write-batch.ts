import type pg from 'pg';

import { ACCOUNT_ROUTE_SPACE, type DecisionTally, routeParts } from '@/lib/ingest/tally';

import { addHourlyVectorsFromQuery, addHourlyVectorsFromTally, hourlyCountsSql } from './account-hourly-vectors';
import { addRegionRoutes, writeRegionRoutesFromTally } from './account-region-routes';
import { writeBatchRouteVectors } from './account-route-vectors';
import { PresenceBitmaps, presenceRowsSql, writePresenceFromQuery } from './account-presence';
import { addRunning, writeRunningFromTally } from './account-running-monthly';
import { addRunningVectors, addRunningVectorsFromQuery, vectorCountsSql } from './account-running-vectors';
import { batchOrdinals, copyAccountSpans, routeOrdinals, upsertAccountSpans } from './account-spans';
import { createPartials, spillTally } from './batch-partials';
import { addDecisionCountsFromQuery, writeDecisionCounts } from './decision-counts';
import { addQuarterCountsFromPartials, addQuarterCountsFromTally } from './region-route-quarters';

// Writes a batch's counts into every derived table, each through its own module:
//   decision-counts.ts           decision_counts_hourly, decision_counts_daily
//   account-spans.ts             accounts
//   account-presence.ts          account_presence_daily
//   account-running-monthly.ts   account_running_monthly
//   account-running-vectors.ts   account_running_vectors
//   account-hourly-vectors.ts    account_hourly_vectors
//   account-region-routes.ts     account_region_routes
//   account-route-vectors.ts     account_routes, account_route_daily_vectors, account_route_hourly_vectors
//   region-route-quarters.ts     region_routes, region_route_quarter_vectors
// from the Node tally, or from the partial tables (batch-partials.ts) once it has spilled
// (the account route vectors then from the rows the batch stored).

/**
 * Writes the batch's counts and account spans. Must run under the merge lock: buckets
 * found empty here stay empty until this transaction commits. `batch` names the batch's
 * stored rows (its id, and the highest decision id before them), null when it stored none.
 */
export async function writeRollups(client: pg.PoolClient, tally: DecisionTally, spilled: boolean, batch: { id: number; idFloor: string } | null): Promise<void> {
  await writeCounts(client, tally, spilled);
  // After the routes (account_region_routes) and accounts (gw_accounts_part) it reads.
  if (batch) await writeBatchRouteVectors(client, { ...batch, tally: spilled ? null : tally });
}

async function writeCounts(client: pg.PoolClient, tally: DecisionTally, spilled: boolean): Promise<void> {
  if (spilled) {
    // Part of the tally is in the database already: sum everything there.
    if (tally.size > 0) await spillTally(client, tally);
    await addDecisionCountsFromQuery(client, 'gw_hourly_part');
    await addQuarterCountsFromPartials(client);
    await upsertAccountSpans(client);
    await writePresenceFromQuery(client, presenceRowsSql('gw_account_daily_part'));
    await addRunning(client, 'gw_account_daily_part');
    await addRegionRoutes(client, 'gw_account_daily_part', true);
    await addRunningVectorsFromQuery(client, vectorCountsSql('gw_account_daily_part'));
    await addHourlyVectorsFromQuery(client, hourlyCountsSql('gw_account_hourly_part'));
    return;
  }
  if (tally.size === 0) return;
  await writeDecisionCounts(client, tally);
  await addQuarterCountsFromTally(client, tally);
  await createPartials(client);
  await copyAccountSpans(client, tally);
  await upsertAccountSpans(client);
  await writeOrdinalRollups(client, tally);
  await writeRunningFromTally(client, tally);
  await writeRegionRoutesFromTally(client, tally);
}

/**
 * The presence bitmaps, running and hourly vectors of the batch's accounts from the Node tally
 * (after the accounts upsert, which gives new accounts their ordinals).
 */
async function writeOrdinalRollups(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  const ordinalOf = await batchOrdinals(client);
  const presence = new PresenceBitmaps(client);
  const { account, route } = tally.accountRoutes;
  // Each account route's ordinal, looked up once: every loop below visits ~a million keys.
  const ordinals = routeOrdinals(tally, ordinalOf);
  const routes = tally.combos.routeTexts.map((text) => {
    const route = routeParts(text);
    return { ...route, blocked: route.decision === 'blocked', cells: presence.cellsOf(route) };
  });
  const { keys } = tally.accountDaily;
  for (let i = 0; i < keys.length; i++) {
    const day = Math.floor(keys[i]! / ACCOUNT_ROUTE_SPACE);
    const id = keys[i]! - day * ACCOUNT_ROUTE_SPACE;
    presence.add(day, ordinals[id]!, routes[route[id]!]!.cells);
    if (presence.full) await presence.flush();
  }
  await presence.write();
  await addRunningVectors(client, (function* () {
    for (let i = 0; i < keys.length; i++) {
      const day = Math.floor(keys[i]! / ACCOUNT_ROUTE_SPACE);
      const id = keys[i]! - day * ACCOUNT_ROUTE_SPACE;
      const count = tally.accountDaily.counts[i]!;
      const { callerRegion, provider, channel, blocked } = routes[route[id]!]!;
      yield {
        day, ordinal: ordinals[id]!, callerRegion, provider, channel,
        allowed: blocked ? 0 : count, blocked: blocked ? count : 0,
      };
    }
  })());
  await addHourlyVectorsFromTally(client, tally, ordinals);
}
