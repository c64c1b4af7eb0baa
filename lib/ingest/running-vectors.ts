import type pg from 'pg';

import { utcMonth } from '@/lib/analytics/range';

import { dayText } from './copy-text';

// account_running_vectors (see prisma/schema.prisma): every account's running totals of
// allowed and blocked decisions from the first of a UTC month through a day, summed over
// its routes, as one vector over account ordinals per day and chunk of ordinals. The
// accounts list ranks 90,000 accounts over 30 days from a handful of these rows (a
// subtraction per account in Node) instead of aggregating a running row per account
// route and month in SQL (README, "The accounts list").
//
// A day without a row holds the totals of the month's latest earlier row (zeros when
// there is none): a batch writes the days it has decisions on, and adds its counts to the
// month's later rows. Rows are rewritten whole, under the merge lock.

/** Ordinals per row: an account's ordinal n is element n % 8192 of chunk n / 8192. */
export const VECTOR_CHUNK = 8192;
const CHUNK_SHIFT = 13;
/** Each element is a 4-byte big-endian integer, as PostgreSQL's int4send writes it. */
export const VECTOR_BYTES = VECTOR_CHUNK * 4;
// Numeric map keys: day of month × CHUNK_SPACE + chunk.
const CHUNK_SPACE = 2 ** 20;

/** An account's decisions on one UTC day (days since 1970-01-01). */
export interface AccountDay {
  day: number;
  ordinal: number;
  allowed: number;
  blocked: number;
}

interface StoredRow {
  chunk: number;
  /** Days since the month's first day. */
  d: number;
  allowed: Buffer;
  blocked: Buffer;
}

/**
 * Adds accounts' daily counts to the running vectors. Counts may come in any order, but
 * come month by month (as the batch's tally and the cursors below give them), since each
 * change of month writes the month held so far.
 */
export async function addRunningVectors(client: pg.PoolClient, counts: Iterable<AccountDay> | AsyncIterable<AccountDay>): Promise<void> {
  let month: { first: number; next: number } | null = null;
  // Per day of the month and chunk: the day's counts, allowed for the chunk's ordinals, then blocked.
  const deltas = new Map<number, Int32Array>();
  /** Adds one count; a promise only where a month ends, as awaiting each of ~300k counts per million rows cost more than the rest. */
  const add = (c: AccountDay): Promise<void> | undefined => {
    if (c.allowed === 0 && c.blocked === 0) return;
    if (month === null || c.day < month.first || c.day >= month.next) {
      const done = month;
      month = utcMonth(c.day);
      if (done) return writeMonth(client, done, deltas).then(() => add(c));
    }
    const key = (c.day - month.first) * CHUNK_SPACE + (c.ordinal >>> CHUNK_SHIFT);
    let delta = deltas.get(key);
    if (!delta) deltas.set(key, (delta = new Int32Array(2 * VECTOR_CHUNK)));
    const at = c.ordinal & (VECTOR_CHUNK - 1);
    delta[at]! += c.allowed;
    delta[VECTOR_CHUNK + at]! += c.blocked;
  };
  if (Symbol.iterator in counts) {
    for (const c of counts) {
      const written = add(c);
      if (written) await written;
    }
  } else {
    for await (const c of counts) await add(c);
  }
  if (month) await writeMonth(client, month, deltas);
}

/** Writes one month's daily counts into its rows and empties `deltas`. */
async function writeMonth(client: pg.PoolClient, month: { first: number; next: number }, deltas: Map<number, Int32Array>): Promise<void> {
  // Per chunk, the days it has counts on, in order.
  const daysOf = new Map<number, number[]>();
  for (const key of deltas.keys()) {
    const chunk = key % CHUNK_SPACE;
    const days = daysOf.get(chunk) ?? [];
    days.push((key - chunk) / CHUNK_SPACE);
    daysOf.set(chunk, days);
  }
  const chunks = [...daysOf.keys()].sort((a, b) => a - b);
  const firstDays = chunks.map((chunk) => dayText(month.first + Math.min(...daysOf.get(chunk)!)));
  // The rows a change reaches: those from each chunk's first changed day to the month's
  // end, and the latest earlier one, which the new days start from.
  const { rows } = await client.query<StoredRow>(
    `SELECT c.chunk, v.day - $1::date AS d, v.allowed, v.blocked
       FROM unnest($3::int[], $4::date[]) c(chunk, from_day)
       JOIN account_running_vectors v ON v.chunk = c.chunk AND v.day >= c.from_day AND v.day < $2::date
     UNION ALL
     SELECT c.chunk, v.day - $1::date, v.allowed, v.blocked
       FROM unnest($3::int[], $4::date[]) c(chunk, from_day)
      CROSS JOIN LATERAL (SELECT day, allowed, blocked FROM account_running_vectors
                           WHERE chunk = c.chunk AND day >= $1::date AND day < c.from_day ORDER BY day DESC LIMIT 1) v
     ORDER BY 1, 2`,
    [dayText(month.first), dayText(month.next), chunks, firstDays],
  );
  for (const chunk of chunks) {
    const stored = rows.filter((r) => r.chunk === chunk);
    const changed = daysOf.get(chunk)!.sort((a, b) => a - b);
    const days = [...new Set([...stored.map((r) => r.d).filter((d) => d >= changed[0]!), ...changed])].sort((a, b) => a - b);
    const added = new Float64Array(2 * VECTOR_CHUNK);
    let next = 0;
    for (const d of days) {
      while (next < changed.length && changed[next]! <= d) {
        const delta = deltas.get(changed[next]! * CHUNK_SPACE + chunk)!;
        for (let i = 0; i < delta.length; i++) added[i]! += delta[i]!;
        next++;
      }
      // The totals stored for this day: its own row, or the latest earlier one.
      const before = stored.findLast((r) => r.d <= d);
      const allowed = Buffer.alloc(VECTOR_BYTES);
      const blocked = Buffer.alloc(VECTOR_BYTES);
      for (let i = 0; i < VECTOR_CHUNK; i++) {
        // writeInt32BE throws on a total beyond 32 bits rather than wrapping around.
        allowed.writeInt32BE((before ? before.allowed.readInt32BE(i * 4) : 0) + added[i]!, i * 4);
        blocked.writeInt32BE((before ? before.blocked.readInt32BE(i * 4) : 0) + added[VECTOR_CHUNK + i]!, i * 4);
      }
      await client.query(
        `INSERT INTO account_running_vectors (day, chunk, allowed, blocked) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day, chunk) DO UPDATE SET allowed = excluded.allowed, blocked = excluded.blocked`,
        [dayText(month.first + d), chunk, allowed, blocked],
      );
    }
  }
  deltas.clear();
}

const FETCH_ROWS = 50_000;

/**
 * The daily counts a query returns (columns day, days since 1970-01-01; ordinal; allowed;
 * blocked; in day order), through a cursor so that memory stays bounded. Runs inside the
 * caller's transaction.
 */
async function* queryCounts(client: pg.PoolClient, query: string): AsyncGenerator<AccountDay> {
  await client.query(`DECLARE gw_vector_counts NO SCROLL CURSOR FOR ${query}`);
  for (;;) {
    const { rows } = await client.query<{ day: number; ordinal: number; allowed: string; blocked: string }>(
      `FETCH ${FETCH_ROWS} FROM gw_vector_counts`,
    );
    for (const r of rows) yield { day: r.day, ordinal: r.ordinal, allowed: Number(r.allowed), blocked: Number(r.blocked) };
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query('CLOSE gw_vector_counts');
}

/** The daily counts of a relation with per-account daily counts' columns (bucket, account_id, decision, count). */
export function vectorCountsSql(source: string): string {
  return `SELECT x.bucket - DATE '1970-01-01' AS day, a.ordinal,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'allowed'), 0) AS allowed,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'blocked'), 0) AS blocked
            FROM ${source} x JOIN accounts a ON a.id = x.account_id
           GROUP BY 1, 2 ORDER BY 1`;
}

/** Adds the daily counts a query returns (see vectorCountsSql) to the running vectors. */
export async function addRunningVectorsFromQuery(client: pg.PoolClient, query: string): Promise<void> {
  await addRunningVectors(client, queryCounts(client, query));
}

/**
 * Fills account_running_vectors from the stored decisions when it is empty while there
 * are decisions: a database that had decisions before the table existed (its migration
 * creates it empty). Every batch writes both in one transaction, so this finds nothing to
 * do afterwards, at the cost of two one-row probes.
 */
export async function backfillRunningVectors(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ missing: boolean }>(`
    SELECT EXISTS (SELECT 1 FROM access_decisions) AND NOT EXISTS (SELECT 1 FROM account_running_vectors) AS missing`);
  if (!rows[0]!.missing) return false;
  await client.query('BEGIN');
  try {
    await addRunningVectorsFromQuery(client, vectorCountsSql(`(
      SELECT (occurred_at AT TIME ZONE 'UTC')::date AS bucket, account_id, decision, count(*) AS count
        FROM access_decisions GROUP BY 1, 2, 3)`));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return true;
}
