// SQL for tests that check a day and an hour table of bucket vectors against their source
// (lib/rollups/bucket-vectors.ts: 10-byte entries of index in the chunk, allowed, blocked).

/** The rows (unit, bucket as timestamptz, chunk, counts) of a day table and an hour table. */
export const dayAndHourRowsSql = (daily: string, hourly: string) => `
  SELECT 'day' AS unit, v.day::timestamp AT TIME ZONE 'UTC' AS bucket, v.chunk, v.counts FROM ${daily} v
  UNION ALL SELECT 'hour', v.hour, v.chunk, v.counts FROM ${hourly} v`;

/** The entries (unit, bucket, ordinal, a, b) of a relation of such rows, decoded. */
export const decodedEntriesSql = (rows: string) => `
  SELECT v.unit, v.bucket, v.chunk * 8192 + get_byte(v.counts, e * 10) * 256 + get_byte(v.counts, e * 10 + 1) AS ordinal,
         ('x' || encode(substring(v.counts FROM e * 10 + 3 FOR 4), 'hex'))::bit(32)::int AS a,
         ('x' || encode(substring(v.counts FROM e * 10 + 7 FOR 4), 'hex'))::bit(32)::int AS b
    FROM ${rows} v CROSS JOIN LATERAL generate_series(0, length(v.counts) / 10 - 1) e`;

/**
 * What a quarter vector table (lib/rollups/region-route-quarters.ts) should hold, from the
 * rows of `source` (access_decisions, decision_violations): entries (unit, bucket, ordinal,
 * a, b) by region route ordinal × 4 + quarter of the UTC hour.
 */
export const quarterEntriesFromSql = (source: string) => `
  SELECT 'hour' AS unit, date_trunc('hour', s.occurred_at, 'UTC') AS bucket,
         r.ordinal * 4 + floor(extract(minute FROM s.occurred_at AT TIME ZONE 'UTC') / 15)::int AS ordinal,
         count(*) FILTER (WHERE s.decision = 'allowed')::int AS a, count(*) FILTER (WHERE s.decision = 'blocked')::int AS b
    FROM ${source} s JOIN region_routes r USING (caller_region, provider, channel) GROUP BY 1, 2, 3`;

/** The rows (unit, bucket, chunk, counts) of a table of hour vectors. */
export const hourRowsSql = (hourly: string) => `SELECT 'hour' AS unit, v.hour AS bucket, v.chunk, v.counts FROM ${hourly} v`;
