import type pg from 'pg';

import { utcMonth } from '@/lib/analytics/range';

import { copyLines } from './copy-in';

// account_running_monthly (see prisma/schema.prisma): per UTC month and account route, the
// running totals of allowed and blocked decisions day by day. A batch adds its own, built
// in Node from its tally (RunningRows) or, when the tally was spilled, in SQL from its
// daily per-account counts (runningRowsSql); the migration that created the table built
// them once from the stored decisions with the same SQL.

const KEY = 'month, account_id, caller_region, provider, channel';

/**
 * Rows of account_running_monthly from per-account daily counts: a relation with the
 * columns bucket, account_id, caller_region, provider, channel, decision and count.
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

const upsert = (rows: string) => `
  INSERT INTO account_running_monthly AS t (${KEY}, allowed, blocked)
  SELECT * FROM (${rows}) r ORDER BY ${KEY}
  ON CONFLICT (${KEY}) DO UPDATE SET ${addArrays('allowed')}, ${addArrays('blocked')}`;

/** Adds a batch's daily per-account counts (in `source`) to the running totals. */
export async function addRunning(client: pg.PoolClient, source: string): Promise<void> {
  await client.query(upsert(runningRowsSql(source)));
}

/** One day's decisions of one kind for an account route (key: account\tregion\tprovider\tchannel, COPY text). */
export interface DayCount {
  day: number;
  key: string;
  blocked: boolean;
  count: number;
}

/**
 * A batch's running rows as COPY lines, from its daily counts in day order, a month at a
 * time. Building them in Node from the tally costs a fraction of runningRowsSql, which
 * sorts every daily count twice.
 */
export function* runningLines(counts: Iterable<DayCount>): Generator<string> {
  let first = 0;
  let next = -Infinity;
  let monthText = '';
  // Key → allowed decisions of days 1..31, then blocked.
  const month = new Map<string, Int32Array>();
  function* flush(): Generator<string> {
    const days = next - first;
    const running = (row: Int32Array, at: number) => {
      let sum = 0;
      const values = new Array<number>(days);
      for (let d = 0; d < days; d++) values[d] = sum += row[at + d]!;
      return `{${values.join(',')}}`;
    };
    for (const key of [...month.keys()].sort()) {
      const row = month.get(key)!;
      yield `${monthText}\t${key}\t${running(row, 0)}\t${running(row, 31)}\n`;
    }
    month.clear();
  }
  for (const { day, key, blocked, count } of counts) {
    if (day >= next || day < first) {
      if (day < first) throw new Error('runningLines needs daily counts in day order');
      yield* flush();
      ({ first, next, text: monthText } = utcMonth(day));
    }
    let row = month.get(key);
    if (!row) month.set(key, (row = new Int32Array(62)));
    row[(blocked ? 31 : 0) + day - first]! += count;
  }
  yield* flush();
}

/** Adds running rows (COPY lines, at most one per month and key) to the table. */
export async function writeRunning(client: pg.PoolClient, lines: Iterable<string>): Promise<void> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_running_in (LIKE account_running_monthly) ON COMMIT DROP`);
  await client.query('TRUNCATE gw_running_in');
  await copyLines(client, `COPY gw_running_in (${KEY}, allowed, blocked) FROM STDIN`, lines);
  await client.query(upsert('SELECT * FROM gw_running_in'));
}
