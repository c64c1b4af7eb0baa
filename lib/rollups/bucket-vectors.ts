import type pg from 'pg';

import { binaryTuple, copyBinary } from '@/lib/db/copy-binary';
import { cursorBatches } from '@/lib/db/cursor';
import { Prisma } from '@/lib/generated/prisma/client';
import { ACCOUNT_ROUTE_SPACE, type DecisionTally, type SortedCounts } from '@/lib/ingest/tally';

import { base64, CHUNK_SHIFT, ENTRY_BYTES, VECTOR_CHUNK } from './account-running-vectors';
import { byKey, type VectorRowCache, type VersionedRow } from './vector-row-cache';

// The writer of tables of bucket vectors: per time bucket (a UTC hour or day) and chunk of
// ordinals, the allowed and blocked decisions of each ordinal with any in the bucket, in
// the running vectors' entry encoding (index in the chunk, allowed, blocked). Not
// cumulative: a batch only adds to the rows of its own buckets (a new bucket is a plain
// COPY); counts may also be taken away (the violation vectors, after a policy change),
// and an entry or row left with none goes. account_hourly_vectors and the violation
// vectors (over account ordinals), the account route vectors (over account route
// ordinals, per hour and per day) and the quarter vectors (over region route ordinals × 4)
// are written through it; each table's own module says
// what its rows answer.

/** A table of bucket vectors: its name, and its bucket column, a UTC hour (timestamptz) or day (date). */
export interface BucketTable {
  name: string;
  unit: 'hour' | 'day';
}

/** An ordinal's decisions in one bucket (hours or days since 1970-01-01 UTC). */
export interface BucketCount {
  bucket: number;
  ordinal: number;
  allowed: number;
  blocked: number;
}

/** Buckets held before they are written: a week of hours, or as many days. */
const BUCKETS_PER_WRITE = 168;

/** A bucket's entries for one chunk of ordinals, encoded. */
interface BucketRow {
  bucket: number;
  chunk: number;
  entries: Buffer;
}

/**
 * Sums one bucket's counts at a time (an ordinal may come once per route) in dense arrays
 * over every ordinal, reused from bucket to bucket: only the ordinals a bucket touched are
 * sorted, encoded and zeroed again. An hour holds a few hundred of 90,000 accounts; arrays
 * per bucket and chunk, or sorting every count, cost the batch several times more.
 */
class BucketSums {
  private allowed = new Float64Array(VECTOR_CHUNK);
  private blocked = new Float64Array(VECTOR_CHUNK);
  private touched = new Int32Array(1024);
  private size = 0;

  constructor(private readonly table: BucketTable) {}

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

  /** The bucket's rows, one per chunk touched, and the sums emptied for the next bucket. */
  take(bucket: number): BucketRow[] {
    const touched = this.touched.subarray(0, this.size).sort();
    const rows: BucketRow[] = [];
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
        view.setInt32(o + 2, checked(this.table, a));
        view.setInt32(o + 6, checked(this.table, b));
        o += ENTRY_BYTES;
      }
      if (o > 0) rows.push({ bucket, chunk, entries: entries.subarray(0, o) });
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
function checked(table: BucketTable, count: number): number {
  if (Math.abs(count) > 2 ** 31 - 1) throw new RangeError(`${table.name}: ${count} decisions of one ordinal in a ${table.unit} do not fit 32 bits`);
  return count;
}

/**
 * A row's entries, once checked that no count is below zero. Counts are taken away (violation-counts.ts,
 * after a policy change) only where they were added, so a negative one is a bug, and
 * stored it would corrupt every read of the row.
 */
function storable(table: BucketTable, row: BucketRow): Buffer {
  for (let o = 0; o < row.entries.length; o += ENTRY_BYTES) {
    if (row.entries.readInt32BE(o + 2) < 0 || row.entries.readInt32BE(o + 6) < 0) {
      throw new RangeError(`${table.name}: more decisions taken away than were added, ${bucketValue(table, row.bucket)} chunk ${row.chunk}; `
        + `the table disagrees with its source: empty it and run the migrations, which fill it again (lib/rollups/backfill.ts)`);
    }
  }
  return row.entries;
}

/**
 * Adds ordinals' counts per bucket to a table. In bucket order (as the tally and the
 * queries give them) each bucket is written once; a bucket that comes back later is added
 * to what was written of it, as to any stored row.
 */
export async function addBucketVectors(client: pg.PoolClient, table: BucketTable, counts: Iterable<BucketCount> | AsyncIterable<BucketCount>): Promise<void> {
  const sums = new BucketSums(table);
  let bucket: number | null = null;
  let pending: BucketRow[] = [];
  let pendingBuckets = 0;
  /** Ends the current bucket; a promise only where rows are written (awaiting each of a million counts would cost more than the rest). */
  const endBucket = (): Promise<void> | undefined => {
    if (bucket === null) return;
    pending.push(...sums.take(bucket));
    bucket = null;
    if (++pendingBuckets < BUCKETS_PER_WRITE) return;
    const rows = pending;
    pending = [];
    pendingBuckets = 0;
    return writeBucketRows(client, table, rows);
  };
  const step = (c: BucketCount): Promise<void> | undefined => {
    if (c.allowed === 0 && c.blocked === 0) return;
    const written = c.bucket !== bucket ? endBucket() : undefined;
    bucket = c.bucket;
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
  await endBucket();
  await writeBucketRows(client, table, pending);
}

/**
 * A tally's per-account-route counts (tally.accountDaily or accountHourly: bucket ×
 * ACCOUNT_ROUTE_SPACE + account route id) as bucket counts, in key order, given each
 * account route's ordinal in the table (-1 for none, as routeOrdinals gives it: left out).
 */
export function* tallyBucketCounts(tally: DecisionTally, counts: SortedCounts, ordinals: Int32Array): Generator<BucketCount> {
  // Route text: region\tprovider\tchannel\tdecision.
  const blockedRoute = tally.combos.routeTexts.map((text) => text.endsWith('\tblocked'));
  const { route } = tally.accountRoutes;
  for (let i = 0; i < counts.keys.length; i++) {
    const bucket = Math.floor(counts.keys[i]! / ACCOUNT_ROUTE_SPACE);
    const id = counts.keys[i]! - bucket * ACCOUNT_ROUTE_SPACE;
    const ordinal = ordinals[id]!;
    if (ordinal < 0) continue;
    const blocked = blockedRoute[route[id]!]!;
    yield { bucket, ordinal, allowed: blocked ? 0 : counts.counts[i]!, blocked: blocked ? counts.counts[i]! : 0 };
  }
}

/** A timestamptz column at whole UTC hours as hours since 1970-01-01, in SQL. */
export const hourNumberSql = (column: string) => `(extract(epoch FROM ${column}) / 3600)::int`;

/** The bucket column as a number of units since 1970-01-01 UTC, in SQL. */
export const bucketNumberSql = (table: BucketTable, column: string) =>
  table.unit === 'hour' ? hourNumberSql(column) : `(${column} - DATE '1970-01-01')`;

/** The bucket column's SQL type. */
const bucketType = (table: BucketTable) => (table.unit === 'hour' ? 'timestamptz' : 'date');

/** A bucket number as the bucket column's literal value. */
export const bucketValue = (table: BucketTable, bucket: number) =>
  table.unit === 'hour' ? new Date(bucket * 3_600_000).toISOString() : new Date(bucket * 86_400_000).toISOString().slice(0, 10);

/**
 * Writes bucket rows: those of new (bucket, chunk) keys by COPY; where a row is stored, or
 * the same key comes twice, the entries are merged and the row replaced through a
 * temporary table.
 */
async function writeBucketRows(client: pg.PoolClient, table: BucketTable, rows: BucketRow[]): Promise<void> {
  if (rows.length === 0) return;
  const { name, unit } = table;
  const key = (r: { bucket: number; chunk: number }) => r.bucket * 2 ** 16 + r.chunk;
  const { rows: stored } = await client.query<{ bucket: number; chunk: number; counts: Buffer }>(
    `SELECT ${bucketNumberSql(table, `v.${unit}`)} AS bucket, v.chunk, v.counts
       FROM unnest($1::${bucketType(table)}[], $2::int[]) k(${unit}, chunk) JOIN ${name} v USING (${unit}, chunk)`,
    [rows.map((r) => bucketValue(table, r.bucket)), rows.map((r) => r.chunk)],
  );
  const byKey = new Map<number, { row: BucketRow; stored: boolean }>();
  for (const r of stored) byKey.set(key(r), { row: { bucket: r.bucket, chunk: r.chunk, entries: r.counts }, stored: true });
  for (const r of rows) {
    const before = byKey.get(key(r));
    byKey.set(key(r), before ? { row: { ...r, entries: mergedEntries(table, before.row.entries, r.entries) }, stored: before.stored } : { row: r, stored: false });
  }
  const fresh: Buffer[] = [];
  const existing: Buffer[] = [];
  const emptied: BucketRow[] = [];
  for (const { row, stored: isStored } of byKey.values()) {
    if (row.entries.length === 0) {
      if (isStored) emptied.push(row);
    } else {
      (isStored ? existing : fresh).push(tuple(table, row.bucket, row.chunk, storable(table, row)));
    }
  }
  const columns = `${unit}, chunk, counts`;
  await copyBinary(client, `COPY ${name} (${columns}) FROM STDIN (FORMAT binary)`, fresh);
  if (emptied.length) {
    await client.query(`DELETE FROM ${name} v USING unnest($1::${bucketType(table)}[], $2::int[]) k(${unit}, chunk)
      WHERE (v.${unit}, v.chunk) = (k.${unit}, k.chunk)`, [emptied.map((r) => bucketValue(table, r.bucket)), emptied.map((r) => r.chunk)]);
  }
  if (existing.length === 0) return;
  const temp = `gw_${name}_in`;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${temp} (LIKE ${name}) ON COMMIT DROP`);
  await client.query(`TRUNCATE ${temp}`);
  await copyBinary(client, `COPY ${temp} (${columns}) FROM STDIN (FORMAT binary)`, existing);
  await client.query(`UPDATE ${name} t SET counts = i.counts FROM ${temp} i WHERE (t.${unit}, t.chunk) = (i.${unit}, i.chunk)`);
}

/** Two chunks' entries (each in index order) as one, the counts of an index in both summed. */
function mergedEntries(table: BucketTable, a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  const put = (index: number, allowed: number, blocked: number) => {
    // Counts taken away (violation-counts.ts, after a policy change) leave no empty entry.
    if (allowed === 0 && blocked === 0) return;
    out.writeUInt16BE(index, o);
    out.writeInt32BE(checked(table, allowed), o + 2);
    out.writeInt32BE(checked(table, blocked), o + 6);
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

/** A row as a binary COPY tuple (bucket, chunk, counts). */
const tuple = (table: BucketTable, bucket: number, chunk: number, counts: Buffer) =>
  binaryTuple([table.unit === 'hour' ? { hour: bucket } : { date: bucket }, { int4: chunk }, { bytes: counts }]);

/**
 * The counts a query returns (columns bucket, ordinal, allowed, blocked; in bucket order),
 * read through a cursor. Runs inside the caller's transaction.
 */
export async function* queryBucketCounts(client: pg.PoolClient, query: string, params: unknown[] = []): AsyncGenerator<BucketCount> {
  for await (const rows of cursorBatches<BucketCount>(client, 'gw_bucket_counts', query, params)) yield* rows;
}

// Reads.

/** What identifies a row of a bucket table: its bucket number and chunk. */
export interface BucketRowParts {
  bucket: number;
  chunk: number;
}

/** A read row: its bucket number, chunk, version (xmin) and entries. */
export interface BucketRowRead extends BucketRowParts {
  version: string;
  counts: Uint8Array;
}

const bucketRowKey = (p: BucketRowParts) => `${p.bucket}|${p.chunk}`;

/**
 * Values without commas (bucket literals, numbers, xmin texts) as one text parameter that
 * SQL splits (`string_to_array(...)::type[]`): thousands of them (90 days of hours) cost
 * ~20 ms more sent as array parameters than the statement takes to run.
 */
export const textList = (values: Array<string | number>): Prisma.Sql => Prisma.sql`string_to_array(${values.join(',')}, ',')`;

/**
 * A read of a table's rows of the buckets given (numbers since 1970-01-01 UTC), their
 * entries only where this process does not hold the row at its current version
 * (vector-row-cache.ts): the SELECT list and FROM clause, for a statement of the caller's
 * own when it reads other things in the same snapshot, and how to take a returned row.
 */
export function bucketRowsRead(table: BucketTable, cache: VectorRowCache<BucketRowParts>, buckets: number[]) {
  const wanted = new Set(buckets);
  const held = byKey(cache.held((p) => wanted.has(p.bucket)));
  const known = [...held.values()];
  const type = Prisma.raw(bucketType(table));
  const column = Prisma.raw(`v.${table.unit}`);
  return {
    columns: Prisma.sql`${Prisma.raw(bucketNumberSql(table, `v.${table.unit}`))} AS bucket, v.chunk, v.xmin::text AS version,
           CASE WHEN k.version IS NULL THEN ${base64('v.counts')} END AS counts`,
    from: Prisma.sql`${Prisma.raw(table.name)} v
      LEFT JOIN unnest(${textList(known.map((k) => bucketValue(table, k.parts.bucket)))}::${type}[], ${textList(known.map((k) => k.parts.chunk))}::int[],
                       ${textList(known.map((k) => k.version))}::text[]) k(bucket, chunk, version)
        ON (k.bucket, k.chunk, k.version) = (${column}, v.chunk, v.xmin::text)
     WHERE ${column} = ANY(${textList(buckets.map((b) => bucketValue(table, b)))}::${type}[])`,
    row: (r: BucketRowParts & VersionedRow): BucketRowRead => {
      const parts = { bucket: r.bucket, chunk: r.chunk };
      return { ...parts, version: r.version, counts: cache.counts(bucketRowKey(parts), parts, r, held) };
    },
    /** The rows the read named as held, by key. */
    held,
  };
}

/**
 * The rows of the buckets given, in a statement of their own (see bucketRowsRead). Rows
 * held at their current version come back as one count rather than a row each (90 days of
 * hours are 2,160 rows, nearly all held). Where that count shows a held row gone (emptied,
 * and deleted, since), the rows are read again one by one.
 */
export async function readBucketRows(
  prisma: Prisma.TransactionClient,
  table: BucketTable,
  cache: VectorRowCache<BucketRowParts>,
  buckets: number[],
): Promise<BucketRowRead[]> {
  if (buckets.length === 0) return [];
  const rowByRow = async (read: ReturnType<typeof bucketRowsRead>) =>
    (await prisma.$queryRaw<Array<BucketRowParts & VersionedRow>>`SELECT ${read.columns} FROM ${read.from}`).map(read.row);
  const read = bucketRowsRead(table, cache, buckets);
  if (read.held.size === 0) return rowByRow(read);
  const rows = await prisma.$queryRaw<Array<BucketRowParts & VersionedRow & { current: number | null }>>`
    WITH v AS MATERIALIZED (SELECT ${read.columns} FROM ${read.from})
    SELECT bucket, chunk, version, counts, NULL::int AS current FROM v WHERE counts IS NOT NULL
    UNION ALL SELECT NULL, NULL, NULL, NULL, count(*)::int FROM v WHERE counts IS NULL`;
  const sent = rows.filter((r) => r.current === null).map(read.row);
  const current = rows.find((r) => r.current !== null)?.current ?? 0;
  // A held row is current, sent at another version, or gone.
  const replaced = new Set(sent.map(bucketRowKey).filter((key) => read.held.has(key)));
  if (current + replaced.size !== read.held.size) return rowByRow(bucketRowsRead(table, cache, buckets));
  for (const [key, known] of read.held) {
    if (replaced.has(key)) continue;
    const { bucket, chunk } = known.parts;
    sent.push({ bucket, chunk, version: known.version, counts: cache.counts(key, known.parts, { version: known.version, counts: null }, read.held) });
  }
  return sent;
}
