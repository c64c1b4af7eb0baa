import type pg from 'pg';

import { where } from '@/lib/analytics/filter-sql';
import type { Filters } from '@/lib/analytics/filters';
import { type MonthDays, utcMonth } from '@/lib/analytics/range';
import { copyLines } from '@/lib/db/copy-in';
import { copyValue } from '@/lib/db/copy-format';
import { Prisma } from '@/lib/generated/prisma/client';
import { ACCOUNT_ROUTE_SPACE, type DecisionTally } from '@/lib/ingest/tally';

// account_running_monthly: per UTC month and account route (account, region, provider,
// channel), the running totals of allowed and blocked decisions day by day, as two int[]
// of the month's days so far: day d's decisions are element d less element d - 1.
//
// Answers: any account's counts on any whole UTC days with two subscripts per route and
// month (the drill-down, the accounts list under filters on two or more of region,
// provider and channel, its regions and channels seen, and its CSV export). Costs: a row
// per account route and month (180k rows for 10M decisions over 90 days), rewritten with
// its arrays added up when a batch touches it. A batch adds its own rows, built in Node
// from its tally (runningLines) or, when the tally was spilled, in SQL from its daily
// per-account counts (runningRowsSql); the migration that created the table built them
// once from the stored decisions with the same SQL.

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

/**
 * Adds running rows (a relation with the table's columns, at most one row per key) to a
 * table of this shape: a key's arrays are added up element by element. The violations'
 * running rows (violation-counts.ts) share the shape and this statement.
 */
export const upsertRunningSql = (table: string, rows: string) => `
  INSERT INTO ${table} AS t (${KEY}, allowed, blocked)
  SELECT * FROM (${rows}) r ORDER BY ${KEY}
  ON CONFLICT (${KEY}) DO UPDATE SET ${addArrays('allowed')}, ${addArrays('blocked')}`;

const upsert = (rows: string) => upsertRunningSql('account_running_monthly', rows);

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

/** Adds a batch's per-account daily counts from its Node tally. Runs under the merge lock. */
export function writeRunningFromTally(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  return writeRunning(client, runningLines(tallyDayCounts(tally)));
}

/** The tally's per-account daily counts, in day order, keyed as the running totals are. */
function* tallyDayCounts(tally: DecisionTally): Generator<DayCount> {
  const { account, route } = tally.accountRoutes;
  const routes = tally.combos.routeTexts;
  const keyOf: string[] = [];
  const blockedOf: boolean[] = [];
  for (let id = 0; id < account.length; id++) {
    // region\tprovider\tchannel\tdecision: the key keeps all but the decision.
    const text = routes[route[id]!]!;
    const cut = text.lastIndexOf('\t');
    keyOf.push(`${copyValue(account[id])}\t${text.slice(0, cut)}`);
    blockedOf.push(text.slice(cut + 1) === 'blocked');
  }
  const { keys, counts } = tally.accountDaily;
  for (let i = 0; i < keys.length; i++) {
    const day = Math.floor(keys[i]! / ACCOUNT_ROUTE_SPACE);
    const id = keys[i]! - day * ACCOUNT_ROUTE_SPACE;
    yield { day, key: keyOf[id]!, blocked: blockedOf[id]!, count: counts[i]! };
  }
}

/** Every row from the stored decisions (into an empty table: the benchmark's generated data). */
export async function fillRunningFromDecisions(client: pg.PoolClient): Promise<void> {
  await client.query(`INSERT INTO account_running_monthly ${runningRowsSql(`(
    SELECT (occurred_at AT TIME ZONE 'UTC')::date AS bucket, account_id, caller_region, provider, channel, decision, count(*) AS count
      FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6) daily`)}`);
}

// Reads.

/** An integer written into the SQL text (array subscripts), refused unless it is one. */
export function sqlInteger(n: number): Prisma.Sql {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return Prisma.raw(String(n));
}

/** The dimensions a running row has (it sums an account route's decisions of both kinds). */
export const RUNNING_DIMENSIONS = ['region', 'provider', 'channel'] as const;

/**
 * Decisions of a running column (of rows `m`) on days lo..hi of the row's month, where
 * lo and hi name columns of the month bounds `v` (see runningRowsIn); 0 when the decision
 * filter leaves them out.
 */
export const runningDaysSum = (column: 'allowed' | 'blocked', admitted: boolean, lo: 'wlo' | 'tlo', hi: 'whi' | 'thi') =>
  Prisma.raw(admitted ? `coalesce(m.${column}[v.${hi}], 0) - coalesce(m.${column}[v.${lo} - 1], 0)` : '0');

/**
 * FROM and WHERE of the rows `m` for the months given that the filters keep, joined to
 * each month's day bounds `v` (wlo..whi: whole days; tlo..thi: touched days).
 */
export function runningRowsIn(filters: Filters, months: MonthDays[], extra: Prisma.Sql[]): Prisma.Sql {
  return runningRowsOf('account_running_monthly', filters, months, extra);
}

/** runningRowsIn over any table of running rows' shape (the violations' too). */
export function runningRowsOf(table: string, filters: Filters, months: MonthDays[], extra: Prisma.Sql[]): Prisma.Sql {
  const n = sqlInteger;
  const monthRows = Prisma.join(months.map((d) => Prisma.sql`(${d.month}::date, ${n(d.whole[0])}, ${n(d.whole[1])}, ${n(d.touched[0])}, ${n(d.touched[1])})`));
  const routes = where([], filters, RUNNING_DIMENSIONS);
  // The months also go in the WHERE clause, where an index can use them.
  return Prisma.sql`${Prisma.raw(table)} m
    JOIN (VALUES ${monthRows}) v (month, wlo, whi, tlo, thi) ON v.month = m.month
   WHERE ${Prisma.join([Prisma.sql`m.month IN (${Prisma.join(months.map((d) => Prisma.sql`${d.month}::date`))})`, ...extra, routes], ' AND ')}`;
}

/**
 * One account's decisions per whole UTC day of the months given, as the relation
 * (ts, account_id, caller_region, provider, channel, decision, n): a day's count is the
 * difference of its running total and the day before's.
 */
export function accountDailySelects(filters: Filters, months: MonthDays[], accountId: string): Prisma.Sql[] {
  return months.filter((m) => m.whole[1] >= m.whole[0]).map((m) => Prisma.sql`
    SELECT ((${m.month}::date + d - 1)::timestamp AT TIME ZONE 'UTC') AS ts, r.account_id, r.caller_region, r.provider,
           r.channel, x.decision, x.n
      FROM account_running_monthly r
     CROSS JOIN LATERAL generate_series(${m.whole[0]}::int, ${m.whole[1]}::int) d
     CROSS JOIN LATERAL (VALUES ('allowed'::"Decision", r.allowed[d] - coalesce(r.allowed[d - 1], 0)),
                                ('blocked'::"Decision", r.blocked[d] - coalesce(r.blocked[d - 1], 0))) x (decision, n)
     WHERE ${where([Prisma.sql`r.month = ${m.month}::date`, Prisma.sql`r.account_id = ${accountId}`, Prisma.sql`x.n > 0`], filters)}`);
}
