import type pg from 'pg';

import type { Span } from '@/lib/analytics/range';
import { Prisma } from '@/lib/generated/prisma/client';
import { ACCOUNT_ROUTE_SPACE, type DecisionTally } from '@/lib/ingest/tally';

import { addEntries, base64, CHUNK_SHIFT, copyBinary, ENTRY_BYTES, PG_EPOCH_DAY, VECTOR_CHUNK } from './account-running-vectors';
import { byKey, type CachedRow, processCache, type VersionedRow } from './vector-row-cache';

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
/** Hours held before they are written: a week of a batch at most. */
const HOURS_PER_WRITE = 168;

/** An hour's entries for one chunk of ordinals, encoded. */
interface HourRow {
  hour: number;
  chunk: number;
  entries: Buffer;
}

/**
 * Sums one hour's counts at a time (an account may come once per route) in dense arrays
 * over every ordinal, reused from hour to hour: only the ordinals an hour touched are
 * sorted, encoded and zeroed again. An hour holds a few hundred of 90,000 accounts; arrays
 * per hour and chunk, or sorting every count, cost the batch several times more.
 */
class HourSums {
  private allowed = new Float64Array(VECTOR_CHUNK);
  private blocked = new Float64Array(VECTOR_CHUNK);
  private touched = new Int32Array(1024);
  private size = 0;

  add(ordinal: number, allowed: number, blocked: number): void {
    if (ordinal >= this.allowed.length) this.grow(ordinal + 1);
    if (this.allowed[ordinal] === 0 && this.blocked[ordinal] === 0) {
      if (this.size === this.touched.length) {
        const more = new Int32Array(this.size * 2);
        more.set(this.touched);
        this.touched = more;
      }
      this.touched[this.size++] = ordinal;
    }
    this.allowed[ordinal]! += allowed;
    this.blocked[ordinal]! += blocked;
  }

  /** The hour's rows, one per chunk touched, and the sums emptied for the next hour. */
  take(hour: number): HourRow[] {
    const touched = this.touched.subarray(0, this.size).sort();
    const rows: HourRow[] = [];
    for (let i = 0; i < touched.length; ) {
      const chunk = touched[i]! >>> CHUNK_SHIFT;
      let end = i;
      while (end < touched.length && touched[end]! >>> CHUNK_SHIFT === chunk) end++;
      const entries = Buffer.allocUnsafe((end - i) * ENTRY_BYTES);
      const view = new DataView(entries.buffer, entries.byteOffset, entries.length);
      let o = 0;
      for (; i < end; i++) {
        const ordinal = touched[i]!;
        const a = this.allowed[ordinal]!;
        const b = this.blocked[ordinal]!;
        this.allowed[ordinal] = 0;
        this.blocked[ordinal] = 0;
        if (a === 0 && b === 0) continue;
        view.setUint16(o, ordinal & (VECTOR_CHUNK - 1));
        view.setInt32(o + 2, checked(a));
        view.setInt32(o + 6, checked(b));
        o += ENTRY_BYTES;
      }
      if (o > 0) rows.push({ hour, chunk, entries: entries.subarray(0, o) });
    }
    this.size = 0;
    return rows;
  }

  private grow(size: number): void {
    const length = Math.ceil(size / VECTOR_CHUNK) * VECTOR_CHUNK * 2;
    for (const name of ['allowed', 'blocked'] as const) {
      const more = new Float64Array(length);
      more.set(this[name]);
      this[name] = more;
    }
  }
}

/** A count as an entry holds it: 32 bits, an error rather than a wrapped-around total beyond. */
function checked(count: number): number {
  if (count > 2 ** 31 - 1) throw new RangeError(`account_hourly_vectors: ${count} decisions of one account in an hour do not fit 32 bits`);
  return count;
}

/**
 * Adds accounts' hourly counts to the table. In hour order (as the tally and the queries
 * below give them) each hour is written once; an hour that comes back later is added to
 * what was written of it, as to any stored row.
 */
export async function addHourlyVectors(client: pg.PoolClient, counts: Iterable<AccountHour> | AsyncIterable<AccountHour>): Promise<void> {
  const sums = new HourSums();
  let hour: number | null = null;
  let pending: HourRow[] = [];
  let pendingHours = 0;
  /** Ends the current hour; a promise only where rows are written (awaiting each of a million counts would cost more than the rest). */
  const endHour = (): Promise<void> | undefined => {
    if (hour === null) return;
    pending.push(...sums.take(hour));
    hour = null;
    if (++pendingHours < HOURS_PER_WRITE) return;
    const rows = pending;
    pending = [];
    pendingHours = 0;
    return writeHourRows(client, rows);
  };
  const step = (c: AccountHour): Promise<void> | undefined => {
    if (c.allowed === 0 && c.blocked === 0) return;
    const written = c.hour !== hour ? endHour() : undefined;
    hour = c.hour;
    sums.add(c.ordinal, c.allowed, c.blocked);
    return written;
  };
  if (Symbol.iterator in counts) {
    for (const c of counts) {
      const written = step(c);
      if (written) await written;
    }
  } else {
    for await (const c of counts) await step(c);
  }
  await endHour();
  await writeHourRows(client, pending);
}

const COLUMNS = 'hour, chunk, counts';

/**
 * Writes hour rows: those of new (hour, chunk) keys by COPY; where a row is stored, or
 * the same key comes twice, the entries are merged and the row replaced through a
 * temporary table.
 */
async function writeHourRows(client: pg.PoolClient, rows: HourRow[]): Promise<void> {
  if (rows.length === 0) return;
  const key = (r: { hour: number; chunk: number }) => r.hour * 2 ** 16 + r.chunk;
  const { rows: stored } = await client.query<{ hour: number; chunk: number; counts: Buffer }>(
    `SELECT (extract(epoch FROM v.hour) / 3600)::int AS hour, v.chunk, v.counts
       FROM unnest($1::timestamptz[], $2::int[]) k(hour, chunk) JOIN account_hourly_vectors v USING (hour, chunk)`,
    [rows.map((r) => new Date(r.hour * HOUR_MS).toISOString()), rows.map((r) => r.chunk)],
  );
  const byKey = new Map<number, { row: HourRow; stored: boolean }>();
  for (const r of stored) byKey.set(key(r), { row: { hour: r.hour, chunk: r.chunk, entries: r.counts }, stored: true });
  for (const r of rows) {
    const before = byKey.get(key(r));
    byKey.set(key(r), before ? { row: { ...r, entries: mergedEntries(before.row.entries, r.entries) }, stored: before.stored } : { row: r, stored: false });
  }
  const fresh: Buffer[] = [];
  const existing: Buffer[] = [];
  for (const { row, stored: isStored } of byKey.values()) (isStored ? existing : fresh).push(tuple(row.hour, row.chunk, row.entries));
  await copyBinary(client, `COPY account_hourly_vectors (${COLUMNS}) FROM STDIN (FORMAT binary)`, fresh);
  if (existing.length === 0) return;
  await client.query('CREATE TEMP TABLE IF NOT EXISTS gw_hourly_vectors_in (LIKE account_hourly_vectors) ON COMMIT DROP');
  await client.query('TRUNCATE gw_hourly_vectors_in');
  await copyBinary(client, `COPY gw_hourly_vectors_in (${COLUMNS}) FROM STDIN (FORMAT binary)`, existing);
  await client.query(`UPDATE account_hourly_vectors t SET counts = i.counts FROM gw_hourly_vectors_in i
                       WHERE (t.hour, t.chunk) = (i.hour, i.chunk)`);
}

/** Two chunks' entries (each in index order) as one, the counts of an index in both summed. */
function mergedEntries(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  const put = (index: number, allowed: number, blocked: number) => {
    out.writeUInt16BE(index, o);
    out.writeInt32BE(checked(allowed), o + 2);
    out.writeInt32BE(checked(blocked), o + 6);
    o += ENTRY_BYTES;
  };
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a.readUInt16BE(i) : Infinity;
    const y = j < b.length ? b.readUInt16BE(j) : Infinity;
    if (x === y) {
      put(x, a.readInt32BE(i + 2) + b.readInt32BE(j + 2), a.readInt32BE(i + 6) + b.readInt32BE(j + 6));
      i += ENTRY_BYTES;
      j += ENTRY_BYTES;
    } else if (x < y) {
      put(x, a.readInt32BE(i + 2), a.readInt32BE(i + 6));
      i += ENTRY_BYTES;
    } else {
      put(y, b.readInt32BE(j + 2), b.readInt32BE(j + 6));
      j += ENTRY_BYTES;
    }
  }
  return out.subarray(0, o);
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

/**
 * Adds the tally's hourly counts, given each account route's ordinal (routeOrdinals in
 * account-spans.ts): in key order, hour by hour.
 */
export function addHourlyVectorsFromTally(client: pg.PoolClient, tally: DecisionTally, ordinals: Int32Array): Promise<void> {
  const { keys, counts } = tally.accountHourly;
  const { route } = tally.accountRoutes;
  // Route text: region\tprovider\tchannel\tdecision.
  const blockedRoute = tally.combos.routeTexts.map((text) => text.endsWith('\tblocked'));
  return addHourlyVectors(client, (function* () {
    for (let i = 0; i < keys.length; i++) {
      const hour = Math.floor(keys[i]! / ACCOUNT_ROUTE_SPACE);
      const id = keys[i]! - hour * ACCOUNT_ROUTE_SPACE;
      const blocked = blockedRoute[route[id]!]!;
      yield { hour, ordinal: ordinals[id]!, allowed: blocked ? 0 : counts[i]!, blocked: blocked ? counts[i]! : 0 };
    }
  })());
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

/** The hours (as instants) that a span touches: its whole hours, or the hour of a partial one. */
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
): Promise<HourlyRow[]> {
  const sure = hoursOf(spans.sure);
  const partial = hoursOf(spans.partial);
  if (sure.length + partial.length === 0) return [];
  const held = heldRows([...sure, ...partial]);
  const rows = await prisma.$queryRaw<ReadHourRow[]>`
    SELECT ${hourRowColumns(partial)} FROM ${hourRowsFrom([...sure, ...partial], held)}`;
  return rows.map((r) => hourlyRow(r, held));
}

/** A row of account_hourly_vectors as the readers add it up. */
export interface HourlyRow {
  partial: boolean;
  chunk: number;
  counts: Uint8Array;
}

/** What identifies a row of account_hourly_vectors: its hour (ms since the epoch) and chunk. */
interface HourRowParts {
  hour: number;
  chunk: number;
}

interface ReadHourRow extends VersionedRow {
  partial: boolean;
  hour: number;
  chunk: number;
}

/** The hourly vector rows this process holds (exported for tests and benchmarks to look at, and clear). */
export const hourlyVectorCache = processCache<HourRowParts>('account_hourly_vectors', 16 * 2 ** 20);

const hourRowKey = (p: HourRowParts) => `${p.hour}|${p.chunk}`;

function heldRows(hours: Date[]): Map<string, CachedRow<HourRowParts>> {
  const wanted = new Set(hours.map((h) => h.getTime()));
  return byKey(hourlyVectorCache.held((p) => wanted.has(p.hour)));
}

/** The columns of a read of hours' rows: a row's counts only where its version is not held. */
const hourRowColumns = (partial: Date[]) => Prisma.sql`
  v.hour = ANY(${partial}::timestamptz[]) AS partial, (extract(epoch FROM v.hour) * 1000)::float8 AS hour, v.chunk,
  v.xmin::text AS version, CASE WHEN k.version IS NULL THEN ${base64('v.counts')} END AS counts`;

function hourRowsFrom(hours: Date[], held: Map<string, CachedRow<HourRowParts>>): Prisma.Sql {
  const known = [...held.values()];
  return Prisma.sql`account_hourly_vectors v
    LEFT JOIN unnest(${known.map((k) => new Date(k.parts.hour))}::timestamptz[], ${known.map((k) => k.parts.chunk)}::int[],
                     ${known.map((k) => k.version)}::text[]) k(hour, chunk, version)
      ON (k.hour, k.chunk, k.version) = (v.hour, v.chunk, v.xmin::text)
   WHERE v.hour = ANY(${hours}::timestamptz[])`;
}

function hourlyRow(r: ReadHourRow, held: Map<string, CachedRow<HourRowParts>>): HourlyRow {
  const parts = { hour: r.hour, chunk: r.chunk };
  return { partial: r.partial, chunk: r.chunk, counts: hourlyVectorCache.counts(hourRowKey(parts), parts, r, held) };
}

/** Adds read rows' entries to the sure or partial counts (arrays large enough for every row's chunk). */
export function addHourlyRows(rows: HourlyRow[], sure: OrdinalCounts, partial: OrdinalCounts): void {
  for (const r of rows) {
    const into = r.partial ? partial : sure;
    addEntries(r.counts, into.allowed, into.blocked, r.chunk * VECTOR_CHUNK, 1);
  }
}

/**
 * How many accounts had decisions of the admitted kinds in a span without a whole UTC day,
 * every route together: those with any in its whole hours' vectors, and those of its
 * partial hours' raw rows (`rawWhere`) not among them. One statement, so one snapshot: a
 * batch committed between two reads would be counted in the partial hours only. The raw
 * rows' accounts are looked up one by one for their ordinals: a join hashed all 90,000
 * accounts for a few thousand.
 */
export async function countAccountsInHours(
  prisma: Prisma.TransactionClient,
  parts: { hourly: Span[]; raw: Span[] },
  admitted: { allowed: boolean; blocked: boolean },
  rawWhere: (span: Span) => Prisma.Sql,
): Promise<number> {
  const hours = hoursOf(parts.hourly);
  const raw = parts.raw.length
    ? Prisma.sql`SELECT NULL::boolean, NULL::float8, NULL::int, NULL::text, NULL::text, (SELECT ordinal FROM accounts WHERE id = d.account_id)
        FROM (SELECT DISTINCT account_id FROM (${Prisma.join(parts.raw.map((s) => Prisma.sql`SELECT account_id FROM access_decisions WHERE ${rawWhere(s)}`), ' UNION ALL ')}) x) d`
    : Prisma.sql`SELECT NULL::boolean, NULL::float8, NULL::int, NULL::text, NULL::text, NULL::int WHERE false`;
  const held = heldRows(hours);
  const rows = await prisma.$queryRaw<Array<ReadHourRow & { ordinal: number | null }>>`
    SELECT ${hourRowColumns([])}, NULL::int AS ordinal FROM ${hourRowsFrom(hours, held)}
    UNION ALL ${raw}`;
  const vectors = rows.flatMap((r) => (r.ordinal === null ? [hourlyRow(r, held)] : []));
  const size = Math.max(0, ...vectors.map((r) => (r.chunk + 1) * VECTOR_CHUNK));
  const counts: OrdinalCounts = { allowed: new Float64Array(size), blocked: new Float64Array(size) };
  addHourlyRows(vectors, counts, counts);
  const seen = new Uint8Array(size);
  let n = 0;
  for (let i = 0; i < size; i++) {
    if ((admitted.allowed ? counts.allowed[i]! : 0) + (admitted.blocked ? counts.blocked[i]! : 0) > 0) {
      seen[i] = 1;
      n++;
    }
  }
  for (const { ordinal } of rows) if (ordinal !== null && seen[ordinal] !== 1) n++;
  return n;
}
