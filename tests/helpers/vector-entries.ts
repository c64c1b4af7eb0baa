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
