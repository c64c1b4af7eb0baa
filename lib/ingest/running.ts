import type pg from 'pg';

// account_running_monthly (see prisma/schema.prisma): per UTC month and account route, the
// running totals of allowed and blocked decisions day by day. Built from daily per-account
// counts, whichever table holds them: a batch's own (gw_account_daily_part) or, once, all
// of account_counts_daily (the migration that created the table).

const KEY = 'month, account_id, caller_region, provider, channel';

/**
 * Rows of account_running_monthly from a relation with the columns of account_counts_daily.
 * A month's array is built without expanding it day by day: each active day's running
 * total is repeated up to the next active day (text, then cast), which keeps the cost
 * proportional to the active days rather than to 31 per account route.
 */
export function runningRowsSql(source: string): string {
  return `
    WITH per_day AS (
      SELECT date_trunc('month', bucket)::date AS month, extract(day FROM bucket)::int AS d,
             account_id, caller_region, provider, channel,
             coalesce(sum(count) FILTER (WHERE decision = 'allowed'), 0) AS a,
             coalesce(sum(count) FILTER (WHERE decision = 'blocked'), 0) AS b
        FROM ${source} GROUP BY 1, 2, 3, 4, 5, 6
    ), running AS (
      SELECT ${KEY}, d, sum(a) OVER w AS ra, sum(b) OVER w AS rb,
             lead(d, 1, extract(day FROM month + interval '1 month' - interval '1 day')::int + 1) OVER w - d AS span
        FROM per_day
      WINDOW w AS (PARTITION BY ${KEY} ORDER BY d)
    )
    SELECT ${KEY},
           ('{' || repeat('0,', min(d) - 1) || rtrim(string_agg(repeat(ra || ',', span), '' ORDER BY d), ',') || '}')::int[] AS allowed,
           ('{' || repeat('0,', min(d) - 1) || rtrim(string_agg(repeat(rb || ',', span), '' ORDER BY d), ',') || '}')::int[] AS blocked
      FROM running GROUP BY ${KEY}`;
}

const addArrays = (column: string) =>
  `${column} = ARRAY(SELECT x + y FROM unnest(t.${column}, excluded.${column}) WITH ORDINALITY u(x, y, i) ORDER BY i)`;

/** Adds a batch's daily per-account counts (in `source`) to the running totals. */
export async function addRunning(client: pg.PoolClient, source: string): Promise<void> {
  await client.query(`
    INSERT INTO account_running_monthly AS t (${KEY}, allowed, blocked)
    SELECT * FROM (${runningRowsSql(source)}) r ORDER BY ${KEY}
    ON CONFLICT (${KEY}) DO UPDATE SET ${addArrays('allowed')}, ${addArrays('blocked')}`);
}
