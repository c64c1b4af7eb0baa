import type pg from 'pg';

import { Prisma } from '@/lib/generated/prisma/client';
import { where } from '@/lib/analytics/filter-sql';
import type { Filters } from '@/lib/analytics/filters';
import { waitForMergeLock } from '@/lib/db/merge-lock';
import { contradictsPolicy, IN_FORCE_ID, policyInForceJoins } from '@/lib/policy/in-force';

import { addBatchViolationCounts, fillViolationCounts, withdrawViolationCounts } from './violation-counts';

// decision_violations: every stored decision that contradicts the policy in force when it
// was made (lib/policy/in-force.ts), with the dimensions the filters use, so that
// headline counts, the Violations view, per-account counts and exports read only the
// violations (a few per cent of the decisions at most in practice) instead of joining
// every raw row with the catalogue. Costs one row per violation; each batch adds its own
// (an index range scan of the rows it just stored, by id); a policy change rebuilds the
// rows of its provider and region (a scan of the decisions, ~1 s per 10M rows here).
// Their counts per account route and day, per hour, and every account's per day and
// hour (violation-counts.ts), are kept alongside for whole days and hours. Writers hold the merge lock, so a batch and a
// policy change never see each other half-done.

const COLUMNS = 'decision_id, occurred_at, account_id, caller_region, provider, channel, decision, policy_id';

const violationsOf = (condition: string) => `
  INSERT INTO decision_violations (${COLUMNS})
  SELECT d.id, d.occurred_at, d.account_id, d.caller_region, d.provider, d.channel, d.decision, ${IN_FORCE_ID}
    FROM access_decisions d
    ${policyInForceJoins('d')}
   WHERE ${condition} AND ${contradictsPolicy('d')}
     AND EXISTS (SELECT 1 FROM region_policies r WHERE r.provider = d.provider AND r.region = d.caller_region)`;

/**
 * The highest decision id stored when the merge lock was taken: with the lock held no
 * other batch inserts, so the batch's rows are exactly those above it with its id.
 */
export async function decisionIdFloor(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ floor: string }>('SELECT coalesce(max(id), 0)::text AS floor FROM access_decisions');
  return rows[0]!.floor;
}

/** Records the violations among a batch's stored rows, and their counts (under the merge lock). */
export async function writeBatchViolations(client: pg.PoolClient, batchId: number, idFloor: string): Promise<number> {
  const { rowCount } = await client.query(violationsOf('d.id > $1 AND d.batch_id = $2'), [idFloor, batchId]);
  if (rowCount) await addBatchViolationCounts(client, idFloor);
  return rowCount ?? 0;
}

export interface PolicyKey {
  provider: string;
  region: string;
}

/**
 * Derives the violations of these provider and region pairs again, after their policies
 * changed (under the merge lock, in the change's transaction). Per pair rather than per
 * channel: a provider-wide version governs every channel without one of its own.
 */
export async function rebuildViolations(client: pg.PoolClient, keys: PolicyKey[]): Promise<void> {
  if (keys.length === 0) return;
  const providers = keys.map((k) => k.provider);
  const regions = keys.map((k) => k.region);
  const pairs = `(provider, caller_region) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;
  const withdrawn = await withdrawViolationCounts(client, pairs, [providers, regions]);
  await client.query(`DELETE FROM decision_violations WHERE ${pairs}`, [providers, regions]);
  await client.query(violationsOf(`(d.provider, d.caller_region) IN (SELECT * FROM unnest($1::text[], $2::text[]))`), [providers, regions]);
  await fillViolationCounts(client, pairs, [providers, regions], withdrawn);
}

/**
 * Every stored decision's violations and their counts, for a database that had decisions
 * before the table: in one transaction under the merge lock, so that a batch cannot commit
 * between the violations and their counts, and a failure leaves neither.
 */
export async function fillViolationsFromDecisions(client: pg.PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await waitForMergeLock(client);
    await client.query(violationsOf('true'));
    await fillViolationCounts(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

// Reads ---------------------------------------------------------------------------------

/**
 * The violations in a span with the filters' dimension conditions and `extra`, as a
 * relation with the decisions' column names (decision_id for the decision's id).
 */
export function violationsIn(span: { from: Date; to: Date }, filters: Filters, extra: Prisma.Sql[] = []): Prisma.Sql {
  return Prisma.sql`SELECT * FROM decision_violations
     WHERE ${where([Prisma.sql`occurred_at >= ${span.from}`, Prisma.sql`occurred_at < ${span.to}`, ...extra], filters)}`;
}
