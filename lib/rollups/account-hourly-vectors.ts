import type pg from 'pg';

import type { Span } from '@/lib/analytics/range';
import { Prisma } from '@/lib/generated/prisma/client';

import { addEntries, CHUNK_SHIFT, copyBinary, ENTRY_BYTES, PG_EPOCH_DAY, VECTOR_CHUNK } from './account-running-vectors';

// account_hourly_vectors: every account's allowed and blocked decisions in each UTC hour,
// every route together, per chunk of account ordinals, in the running vectors' entry
// encoding (an account's index in the chunk, its allowed and its blocked decisions).
// The running vectors answer whole UTC days; a range that ends now also holds the hours of
// a partial day at each end, up to a day of every account's decisions, which before this
// table came from raw rows hashed by account (~70 ms for a day at 10M rows). Read from
// here, an hour costs its active accounts' 10 bytes each, and only the minutes of the
// range's first and last partial hours are left to raw rows (README, "Edges by the hour").
//
// Not cumulative, unlike the running vectors: a row holds one hour's decisions, so a
// batch only adds to the rows of its own hours (a new hour is a plain COPY), and an hour's
// row is small (the accounts active in it). Every route together only: filters on region,
// provider or channel keep the day-resolution path.
//
// Costs: ~10 bytes per account and hour with decisions (~100 MB for 10M decisions over 90
// days, where nearly every decision is its account's only one in its hour).

/** An account's decisions in one UTC hour (hours since 1970-01-01 00:00 UTC). */
export interface AccountHour {
  hour: number;
  ordinal: number;
  allowed: number;
  blocked: number;
}

const HOUR_MS = 3_600_000;
/** Hours held before they are written: 168 hours of every chunk at most (a week of a batch). */
const HOURS_PER_WRITE = 168;

interface HeldChunk {
  counts: Int32Array;
  touched: number[];
}

/**
 * Adds accounts' hourly counts to the table. Counts may come in any order; in hour order
 * (as the tally and the queries below give them) each hour is written once.
 */
export async function addHourlyVectors(client: pg.PoolClient, counts: Iterable<AccountHour> | AsyncIterable<AccountHour>): Promise<void> {
  // Per hour, per chunk: the chunk's allowed counts, then its blocked ones.
  let held = new Map<number, Map<number, HeldChunk>>();
  const add = (c: AccountHour) => {
    if (c.allowed === 0 && c.blocked === 0) return;
    let hour = held.get(c.hour);
    if (!hour) held.set(c.hour, (hour = new Map()));
    const chunk = c.ordinal >>> CHUNK_SHIFT;
    const at = c.ordinal & (VECTOR_CHUNK - 1);
    let h = hour.get(chunk);
    if (!h) hour.set(chunk, (h = { counts: new Int32Array(2 * VECTOR_CHUNK), touched: [] }));
    if (h.counts[at] === 0 && h.counts[VECTOR_CHUNK + at] === 0) h.touched.push(at);
    h.counts[at]! += c.allowed;
    h.counts[VECTOR_CHUNK + at]! += c.blocked;
  };
  const flush = async () => {
    await writeHours(client, held);
    held = new Map();
  };
  // A promise only where hours are written: awaiting each of a million counts would cost more than the rest.
  const step = (c: AccountHour): Promise<void> | undefined => {
    if (held.size >= HOURS_PER_WRITE && !held.has(c.hour)) return flush().then(() => add(c));
    add(c);
  };
  if (Symbol.iterator in counts) {
    for (const c of counts) {
      const written = step(c);
      if (written) await written;
    }
  } else {
    for await (const c of counts) await step(c);
  }
  await flush();
}

const COLUMNS = 'hour, chunk, counts';

/** Writes held hours: new rows by COPY, and stored rows with the held counts added, replaced through a temporary table. */
async function writeHours(client: pg.PoolClient, held: Map<number, Map<number, HeldChunk>>): Promise<void> {
  if (held.size === 0) return;
  const keys = [...held].flatMap(([hour, chunks]) => [...chunks.keys()].map((chunk) => ({ hour, chunk })));
  const { rows: stored } = await client.query<{ hour: number; chunk: number; counts: Buffer }>(
    `SELECT (extract(epoch FROM v.hour) / 3600)::int AS hour, v.chunk, v.counts
       FROM unnest($1::timestamptz[], $2::int[]) k(hour, chunk) JOIN account_hourly_vectors v USING (hour, chunk)`,
    [keys.map((k) => new Date(k.hour * HOUR_MS).toISOString()), keys.map((k) => k.chunk)],
  );
  for (const r of stored) {
    const h = held.get(r.hour)!.get(r.chunk)!;
    const view = new DataView(r.counts.buffer, r.counts.byteOffset, r.counts.length);
    for (let o = 0; o < r.counts.length; o += ENTRY_BYTES) {
      const at = view.getUint16(o);
      if (h.counts[at] === 0 && h.counts[VECTOR_CHUNK + at] === 0) h.touched.push(at);
      h.counts[at]! += view.getInt32(o + 2);
      h.counts[VECTOR_CHUNK + at]! += view.getInt32(o + 6);
    }
  }
  const isStored = new Set(stored.map((r) => r.hour * 2 ** 16 + r.chunk));
  const fresh: Buffer[] = [];
  const existing: Buffer[] = [];
  for (const { hour, chunk } of keys) {
    const t = tuple(hour, chunk, entries(held.get(hour)!.get(chunk)!));
    (isStored.has(hour * 2 ** 16 + chunk) ? existing : fresh).push(t);
  }
  await copyBinary(client, `COPY account_hourly_vectors (${COLUMNS}) FROM STDIN (FORMAT binary)`, fresh);
  if (existing.length === 0) return;
  await client.query('CREATE TEMP TABLE IF NOT EXISTS gw_hourly_vectors_in (LIKE account_hourly_vectors) ON COMMIT DROP');
  await client.query('TRUNCATE gw_hourly_vectors_in');
  await copyBinary(client, `COPY gw_hourly_vectors_in (${COLUMNS}) FROM STDIN (FORMAT binary)`, existing);
  await client.query(`UPDATE account_hourly_vectors t SET counts = i.counts FROM gw_hourly_vectors_in i
                       WHERE (t.hour, t.chunk) = (i.hour, i.chunk)`);
}

/** A chunk's entries in index order. */
function entries({ counts, touched }: HeldChunk): Buffer {
  touched.sort((a, b) => a - b);
  const out = Buffer.allocUnsafe(touched.length * ENTRY_BYTES);
  let o = 0;
  for (const i of touched) {
    out.writeUInt16BE(i, o);
    // writeInt32BE throws on a count beyond 32 bits rather than wrapping around.
    out.writeInt32BE(counts[i]!, o + 2);
    out.writeInt32BE(counts[VECTOR_CHUNK + i]!, o + 6);
    o += ENTRY_BYTES;
  }
  return out;
}

/** A row as a binary COPY tuple: hour (timestamptz, microseconds since 2000-01-01), chunk, counts. */
function tuple(hour: number, chunk: number, counts: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + 12 + 8 + 4 + counts.length);
  let o = out.writeInt16BE(3, 0);
  o = out.writeInt32BE(8, o);
  o = out.writeBigInt64BE(BigInt(hour * 3600 - PG_EPOCH_DAY * 86_400) * 1_000_000n, o);
  o = out.writeInt32BE(4, o);
  o = out.writeInt32BE(chunk, o);
  o = out.writeInt32BE(counts.length, o);
  counts.copy(out, o);
  return out;
}

const FETCH_ROWS = 50_000;

/**
 * Adds the hourly counts a query returns (columns hour, hours since 1970; ordinal; allowed;
 * blocked; in hour order), read through a cursor so that memory stays bounded. Runs inside
 * the caller's transaction.
 */
export async function addHourlyVectorsFromQuery(client: pg.PoolClient, query: string): Promise<void> {
  await addHourlyVectors(client, (async function* () {
    await client.query(`DECLARE gw_hourly_counts NO SCROLL CURSOR FOR ${query}`);
    for (;;) {
      const { rows } = await client.query<{ hour: number; ordinal: number; allowed: number; blocked: number }>(
        `FETCH ${FETCH_ROWS} FROM gw_hourly_counts`,
      );
      yield* rows;
      if (rows.length < FETCH_ROWS) break;
    }
    await client.query('CLOSE gw_hourly_counts');
  })());
}

/** The hourly counts of a relation with (bucket timestamptz at whole hours, account_id, decision, count) columns. */
export function hourlyCountsSql(source: string): string {
  return `SELECT (extract(epoch FROM x.bucket) / 3600)::int AS hour, a.ordinal,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'allowed'), 0)::int AS allowed,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'blocked'), 0)::int AS blocked
            FROM ${source} x JOIN accounts a ON a.id = x.account_id
           GROUP BY 1, 2 ORDER BY 1`;
}

/** Every row from the stored decisions (into an empty table: see backfill.ts). */
export function fillHourlyVectorsFromDecisions(client: pg.PoolClient): Promise<void> {
  return addHourlyVectorsFromQuery(client, hourlyCountsSql(`(
    SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, account_id, decision, count(*) AS count
      FROM access_decisions GROUP BY 1, 2, 3)`));
}

// Reads.

/** Per-account counts by ordinal, added to by readHourlyTotals. */
export interface OrdinalCounts {
  allowed: Float64Array;
  blocked: Float64Array;
}

/** The hours (as instants) that start in a span of whole hours. */
function hoursOf(spans: Span[]): Date[] {
  const hours: Date[] = [];
  for (const s of spans) for (let t = Math.floor(s.from.getTime() / HOUR_MS) * HOUR_MS; t < s.to.getTime(); t += HOUR_MS) hours.push(new Date(t));
  return hours;
}

/**
 * The rows of the hours that `sure` spans (whole hours) and of those that `partial` spans
 * touch (partial hours, whose decisions may or may not fall within the range), each
 * marked with which it is.
 */
export async function readHourlyVectors(
  prisma: Prisma.TransactionClient,
  spans: { sure: Span[]; partial: Span[] },
): Promise<Array<{ partial: boolean; chunk: number; counts: Uint8Array }>> {
  const sure = hoursOf(spans.sure);
  const partial = hoursOf(spans.partial);
  if (sure.length + partial.length === 0) return [];
  return prisma.$queryRaw<Array<{ partial: boolean; chunk: number; counts: Uint8Array }>>`
    SELECT v.hour = ANY(${partial}::timestamptz[]) AS partial, v.chunk, v.counts
      FROM account_hourly_vectors v WHERE v.hour = ANY(${[...sure, ...partial]}::timestamptz[])`;
}

/** Adds read rows' entries to the sure or partial counts (arrays large enough for every row's chunk). */
export function addHourlyRows(rows: Array<{ partial: boolean; chunk: number; counts: Uint8Array }>, sure: OrdinalCounts, partial: OrdinalCounts): void {
  for (const r of rows) {
    const into = r.partial ? partial : sure;
    addEntries(r.counts, into.allowed, into.blocked, r.chunk * VECTOR_CHUNK, 1);
  }
}

/**
 * How many accounts had decisions of the admitted kinds in a span without a whole UTC day,
 * every route together: those with any in its whole hours' vectors, and those of its
 * partial hours' raw rows (`rawWhere`) not among them. The raw rows' accounts are looked up
 * one by one for their ordinals: a join hashed all 90,000 accounts for a few thousand.
 */
export async function countAccountsInHours(
  prisma: Prisma.TransactionClient,
  parts: { hourly: Span[]; raw: Span[] },
  admitted: { allowed: boolean; blocked: boolean },
  rawWhere: (span: Span) => Prisma.Sql,
): Promise<number> {
  const rows = await readHourlyVectors(prisma, { sure: parts.hourly, partial: [] });
  const size = Math.max(0, ...rows.map((r) => (r.chunk + 1) * VECTOR_CHUNK));
  const counts: OrdinalCounts = { allowed: new Float64Array(size), blocked: new Float64Array(size) };
  addHourlyRows(rows, counts, counts);
  const seen = new Uint8Array(size);
  let n = 0;
  for (let i = 0; i < size; i++) {
    if ((admitted.allowed ? counts.allowed[i]! : 0) + (admitted.blocked ? counts.blocked[i]! : 0) > 0) {
      seen[i] = 1;
      n++;
    }
  }
  if (parts.raw.length === 0) return n;
  const raw = await prisma.$queryRaw<{ ordinal: number }[]>`
    SELECT (SELECT ordinal FROM accounts WHERE id = d.account_id) AS ordinal
      FROM (SELECT DISTINCT account_id FROM (${Prisma.join(parts.raw.map((s) => Prisma.sql`SELECT account_id FROM access_decisions WHERE ${rawWhere(s)}`), ' UNION ALL ')}) x) d`;
  for (const { ordinal } of raw) if (seen[ordinal] !== 1) n++;
  return n;
}
