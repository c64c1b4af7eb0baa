import type pg from 'pg';

// Set-based SQL that moves a staged batch into the decision store. All of it runs inside
// the batch's transaction, so a batch is visible completely or not at all.

/** Staging table for one batch: valid rows and rejected rows, in file order. */
export const STAGE_COLUMNS = [
  'line',
  'occurred_at',
  'request_id',
  'account_id',
  'account_name',
  'caller_region',
  'serving_region',
  'provider',
  'channel',
  'decision',
  'reason',
  'policy_version',
  'model',
  'error',
  'original',
] as const;

export async function createStage(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE TEMP TABLE gw_stage (
    line int NOT NULL,
    occurred_at timestamptz,
    request_id text,
    account_id text,
    account_name text,
    caller_region text,
    serving_region text,
    provider text,
    channel text,
    decision "Decision",
    reason text,
    policy_version text,
    model text,
    error text,
    original jsonb
  ) ON COMMIT DROP`);
}

export const COPY_INTO_STAGE = `COPY gw_stage (${STAGE_COLUMNS.join(', ')}) FROM STDIN`;

// Merges are serialised: two overlapping batches would otherwise wait on each other's
// uncommitted keys and rollup rows in different orders and deadlock. Parsing and COPY
// of concurrent uploads still run in parallel; only this final step queues.
const MERGE_LOCK = 0x6d657267; // 'merg'

/**
 * Inserts the batch's valid rows (first occurrence of a key wins, in line order), and in
 * the same statement adds them to the hourly and daily rollups and upserts accounts.
 * Returns the number of rows inserted.
 */
export async function mergeStage(client: pg.PoolClient, batchId: number): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MERGE_LOCK]);
  const { rows } = await client.query<{ accepted: number }>(
    `WITH ins AS (
       INSERT INTO access_decisions (occurred_at, request_id, account_id, account_name, caller_region,
         serving_region, provider, channel, decision, reason, policy_version, model, batch_id, batch_line)
       SELECT occurred_at, request_id, account_id, account_name, caller_region, serving_region, provider,
         channel, decision, reason, policy_version, model, $1, line
         FROM gw_stage WHERE error IS NULL ORDER BY line
       ON CONFLICT (provider, request_id) DO NOTHING
       RETURNING occurred_at, account_id, account_name, caller_region, provider, channel, decision, reason, model
     ), hourly AS (
       INSERT INTO decision_counts_hourly AS t (bucket, caller_region, provider, channel, decision, reason, model, count)
       SELECT date_trunc('hour', occurred_at), caller_region, provider, channel, decision,
              coalesce(reason, ''), coalesce(model, ''), count(*)
         FROM ins GROUP BY 1, 2, 3, 4, 5, 6, 7
       ON CONFLICT (bucket, caller_region, provider, channel, decision, reason, model)
       DO UPDATE SET count = t.count + excluded.count
     ), daily AS (
       INSERT INTO decision_counts_daily AS t (bucket, caller_region, provider, channel, decision, reason, model, count)
       SELECT (occurred_at AT TIME ZONE 'UTC')::date, caller_region, provider, channel, decision,
              coalesce(reason, ''), coalesce(model, ''), count(*)
         FROM ins GROUP BY 1, 2, 3, 4, 5, 6, 7
       ON CONFLICT (bucket, caller_region, provider, channel, decision, reason, model)
       DO UPDATE SET count = t.count + excluded.count
     ), account_daily AS (
       INSERT INTO account_counts_daily AS t (bucket, account_id, caller_region, provider, channel, decision, count)
       SELECT (occurred_at AT TIME ZONE 'UTC')::date, account_id, caller_region, provider, channel, decision, count(*)
         FROM ins GROUP BY 1, 2, 3, 4, 5, 6
       ON CONFLICT (bucket, account_id, caller_region, provider, channel, decision)
       DO UPDATE SET count = t.count + excluded.count
     ), accts AS (
       INSERT INTO accounts AS a (id, name, name_seen_at, first_seen, last_seen)
       SELECT account_id,
              (array_agg(account_name ORDER BY occurred_at DESC) FILTER (WHERE account_name IS NOT NULL))[1],
              max(occurred_at) FILTER (WHERE account_name IS NOT NULL),
              min(occurred_at), max(occurred_at)
         FROM ins GROUP BY account_id
       ON CONFLICT (id) DO UPDATE SET
         name = CASE WHEN excluded.name_seen_at IS NOT NULL
                      AND (a.name_seen_at IS NULL OR excluded.name_seen_at >= a.name_seen_at)
                     THEN excluded.name ELSE a.name END,
         name_seen_at = GREATEST(a.name_seen_at, excluded.name_seen_at),
         first_seen = LEAST(a.first_seen, excluded.first_seen),
         last_seen = GREATEST(a.last_seen, excluded.last_seen)
     )
     SELECT count(*)::int AS accepted FROM ins`,
    [batchId],
  );
  return rows[0]!.accepted;
}

/**
 * Records every duplicate whose decision differs from the stored one (after mergeStage:
 * the stored row is either older or this batch's own first occurrence). Returns the count.
 */
export async function recordConflicts(client: pg.PoolClient, batchId: number): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO batch_conflicts (batch_id, line, provider, request_id, stored_decision, received_decision)
     SELECT $1, s.line, s.provider, s.request_id, d.decision, s.decision
       FROM gw_stage s
       JOIN access_decisions d ON d.provider = s.provider AND d.request_id = s.request_id
      WHERE s.error IS NULL
        AND NOT (d.batch_id = $1 AND d.batch_line = s.line)
        AND d.decision <> s.decision`,
    [batchId],
  );
  return rowCount ?? 0;
}

/**
 * For a batch refused in strict mode: what the batch would have counted as duplicates and
 * conflicts, without storing anything, so the refused batch still gets a full report.
 */
export async function countWouldBeDuplicates(
  client: pg.PoolClient,
): Promise<{ duplicates: number; conflicts: number }> {
  const { rows } = await client.query<{ duplicates: number; conflicts: number }>(
    `WITH valid AS (
       SELECT line, provider, request_id, decision,
              first_value(decision) OVER w AS first_decision, row_number() OVER w AS nth
         FROM gw_stage WHERE error IS NULL
       WINDOW w AS (PARTITION BY provider, request_id ORDER BY line)
     )
     SELECT count(*) FILTER (WHERE d.decision IS NOT NULL OR v.nth > 1)::int AS duplicates,
            count(*) FILTER (WHERE (d.decision IS NOT NULL AND d.decision <> v.decision)
                                OR (d.decision IS NULL AND v.nth > 1 AND v.first_decision <> v.decision))::int AS conflicts
       FROM valid v
       LEFT JOIN access_decisions d ON d.provider = v.provider AND d.request_id = v.request_id`,
  );
  return rows[0]!;
}

export async function storeRejections(client: pg.PoolClient, batchId: number): Promise<void> {
  await client.query(
    `INSERT INTO batch_rejections (batch_id, line, error, original)
     SELECT $1, line, error, coalesce(original, '{}'::jsonb) FROM gw_stage WHERE error IS NOT NULL`,
    [batchId],
  );
}
