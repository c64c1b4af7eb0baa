import type pg from 'pg';

import { monthDays, utcMonth } from '@/lib/analytics/range';
import { binaryTuple, copyBinary } from '@/lib/db/copy-binary';
import { cursorBatches } from '@/lib/db/cursor';
import { dayText } from '@/lib/db/copy-format';
import { Prisma } from '@/lib/generated/prisma/client';

import { byKey, processCache, type VersionedRow } from './vector-row-cache';

// account_running_vectors: every account's running totals of
// allowed and blocked decisions from the first of a UTC month through a day, per "cell"
// (every route of the account, or those of one region, provider or channel) and chunk of
// account ordinals. The accounts list ranks 90,000 accounts over 30 days from a handful
// of these rows (a subtraction per account in Node) instead of aggregating a running row
// per account route and month in SQL (README, "The accounts list").
//
// A day without a row holds the totals of the month's latest earlier row (none when there
// is none): a batch writes the days it has decisions on, and adds its counts to the
// month's later rows. Rows are rewritten whole, under the merge lock.
//
// Costs: ~166 MB for 10M decisions by 90,000 accounts (a row per day a batch touched, cell
// and chunk, 10 bytes per account with any decisions that month); a batch rewrites its
// month's rows from its first day on (0.9 s for the 1M-row demo batch over 90 days).

/** Ordinals per row: an account's ordinal n is entry n % 8192 of chunk n / 8192. */
export const VECTOR_CHUNK = 8192;
export const CHUNK_SHIFT = 13;
/**
 * A row's counts: for each account of the chunk with any, in ordinal order, its index in
 * the chunk (2 bytes), its allowed and its blocked decisions (4 bytes each), big-endian.
 */
export const ENTRY_BYTES = 10;
// Numeric map keys: (day of month × CELL_SPACE + cell) × CHUNK_SPACE + chunk.
const CELL_SPACE = 2 ** 12;
const CHUNK_SPACE = 2 ** 16;
/** Dense daily counts held before they are written (64 KB each, and the indexes they touch). */
export const MAX_HELD = 512;

/** A cell: the routes of one region, provider or channel; '' in the others, and in all three for every route. */
export interface Cell {
  callerRegion: string;
  provider: string;
  channel: string;
}

/** An account's decisions on one UTC day (days since 1970-01-01) on one route. */
export interface AccountDay extends Cell {
  day: number;
  ordinal: number;
  allowed: number;
  blocked: number;
}

/** The cells a route's decisions count in. */
function cellsOfRoute(route: Cell): Cell[] {
  return [
    { callerRegion: '', provider: '', channel: '' },
    { callerRegion: route.callerRegion.trim(), provider: '', channel: '' },
    { callerRegion: '', provider: route.provider, channel: '' },
    { callerRegion: '', provider: '', channel: route.channel },
  ];
}

/** Adds a row's counts, times `sign`, to allowed[at + i] and blocked[at + i] for each entry i. */
export function addEntries(counts: Uint8Array, allowed: Float64Array, blocked: Float64Array, at: number, sign: number): void {
  if (counts.length % ENTRY_BYTES !== 0) throw new Error(`account_running_vectors: ${counts.length} bytes of counts are not whole entries`);
  const view = new DataView(counts.buffer, counts.byteOffset, counts.length);
  for (let o = 0; o < counts.length; o += ENTRY_BYTES) {
    const i = at + view.getUint16(o);
    allowed[i]! += sign * view.getInt32(o + 2);
    blocked[i]! += sign * view.getInt32(o + 6);
  }
}

/** A cell and chunk's counts of one day: allowed of the chunk's ordinals, then blocked; and the indexes with any. */
interface HeldDay {
  counts: Int32Array;
  touched: number[];
}

interface StoredRow {
  group: number;
  /** Days since the month's first day. */
  d: number;
  counts: Buffer;
}

/**
 * Adds accounts' daily counts to the running vectors. Counts may come in any order; in
 * day order (as the batch's tally and the cursors below give them) each month's rows are
 * written about once.
 */
export async function addRunningVectors(client: pg.PoolClient, counts: Iterable<AccountDay> | AsyncIterable<AccountDay>): Promise<void> {
  const cells: Cell[] = [];
  const cellIds = new Map<string, number>();
  const routeCells = new Map<string, number[]>();
  const cellsOf = (c: AccountDay): number[] => {
    const routeKey = `${c.callerRegion}\t${c.provider}\t${c.channel}`;
    let ids = routeCells.get(routeKey);
    if (!ids) {
      ids = cellsOfRoute(c).map((cell) => {
        const key = `${cell.callerRegion}\t${cell.provider}\t${cell.channel}`;
        let id = cellIds.get(key);
        if (id === undefined) {
          id = cells.push(cell) - 1;
          if (id >= CELL_SPACE) throw new Error('Too many regions, providers and channels in one batch');
          cellIds.set(key, id);
        }
        return id;
      });
      routeCells.set(routeKey, ids);
    }
    return ids;
  };
  let month: { first: number; next: number } | null = null;
  // Per day of the month, cell and chunk: the day's counts, allowed for the chunk's ordinals, then blocked.
  const held = new Map<number, HeldDay>();
  /** Adds one count; a promise only where counts are written, as awaiting each of ~300k counts per million rows cost more than the rest. */
  const add = (c: AccountDay): Promise<void> | undefined => {
    if (c.allowed === 0 && c.blocked === 0) return;
    if (month === null || c.day < month.first || c.day >= month.next || held.size >= MAX_HELD) {
      const done = month;
      if (month === null || c.day < month.first || c.day >= month.next) month = utcMonth(c.day);
      if (done) return writeHeld(client, done, cells, held).then(() => add(c));
    }
    const chunk = c.ordinal >>> CHUNK_SHIFT;
    const at = c.ordinal & (VECTOR_CHUNK - 1);
    for (const cell of cellsOf(c)) {
      const key = ((c.day - month.first) * CELL_SPACE + cell) * CHUNK_SPACE + chunk;
      let day = held.get(key);
      if (!day) held.set(key, (day = { counts: new Int32Array(2 * VECTOR_CHUNK), touched: [] }));
      if (day.counts[at] === 0 && day.counts[VECTOR_CHUNK + at] === 0) day.touched.push(at);
      day.counts[at]! += c.allowed;
      day.counts[VECTOR_CHUNK + at]! += c.blocked;
    }
  };
  if (Symbol.iterator in counts) {
    for (const c of counts) {
      const written = add(c);
      if (written) await written;
    }
  } else {
    for await (const c of counts) await add(c);
  }
  if (month) await writeHeld(client, month, cells, held);
}

/**
 * Writes the held daily counts of one month into its rows and empties `held`. Stored rows
 * are read, and new ones made and COPYed, GROUPS_PER_READ cells and chunks at a time, so
 * that a batch reaching back before many stored days does not hold them all at once.
 */
async function writeHeld(client: pg.PoolClient, month: { first: number; next: number }, cells: Cell[], held: Map<number, HeldDay>): Promise<void> {
  if (held.size === 0) return;
  // Per cell and chunk, the days it has counts on.
  const daysOf = new Map<number, number[]>();
  for (const key of held.keys()) {
    const group = key % (CELL_SPACE * CHUNK_SPACE);
    const days = daysOf.get(group) ?? [];
    days.push((key - group) / (CELL_SPACE * CHUNK_SPACE));
    daysOf.set(group, days);
  }
  for (const days of daysOf.values()) days.sort((a, b) => a - b);
  const groups = [...daysOf.keys()].sort((a, b) => a - b);
  let replaced = false;
  for (let start = 0; start < groups.length; start += GROUPS_PER_READ) {
    const slice = groups.slice(start, start + GROUPS_PER_READ);
    const stored = await storedRows(client, month, slice.map((group) => ({
      id: group, cell: cells[Math.floor(group / CHUNK_SPACE)]!, chunk: group % CHUNK_SPACE, from: daysOf.get(group)![0]!,
    })));
    const fresh: Buffer[] = [];
    const existing: Buffer[] = [];
    for (const group of slice) {
      for (const row of groupRows(month, cells[Math.floor(group / CHUNK_SPACE)]!, group, daysOf.get(group)!, stored.get(group) ?? [], held)) {
        (row.stored ? existing : fresh).push(row.tuple);
      }
    }
    // Days without a row yet (a batch of new days: all of them) go straight in; stored
    // days are replaced through a temporary table.
    await copyBinary(client, `COPY account_running_vectors (${COLUMNS}) FROM STDIN (FORMAT binary)`, fresh);
    if (existing.length) {
      if (!replaced) {
        await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_vectors_in (LIKE account_running_vectors) ON COMMIT DROP`);
        await client.query('TRUNCATE gw_vectors_in');
        replaced = true;
      }
      await copyBinary(client, `COPY gw_vectors_in (${COLUMNS}) FROM STDIN (FORMAT binary)`, existing);
    }
  }
  held.clear();
  if (!replaced) return;
  await client.query(`
    UPDATE account_running_vectors t SET counts = i.counts FROM gw_vectors_in i
     WHERE (t.day, t.caller_region, t.provider, t.channel, t.chunk) = (i.day, i.caller_region, i.provider, i.channel, i.chunk)`);
}

const COLUMNS = 'day, caller_region, provider, channel, chunk, counts';

/** Cells and chunks whose stored rows are read at once: at most 31 rows of up to ~80 KB each. */
const GROUPS_PER_READ = 16;

/**
 * The stored rows a change reaches, per group: those from its first changed day to the
 * month's end, and the latest earlier one, which the new days start from.
 */
async function storedRows(
  client: pg.PoolClient,
  month: { first: number; next: number },
  groups: Array<{ id: number; cell: Cell; chunk: number; from: number }>,
): Promise<Map<number, StoredRow[]>> {
  const { rows } = await client.query<StoredRow>(
    `WITH g AS (
       SELECT * FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::int[], $8::date[]) g(id, caller_region, provider, channel, chunk, from_day)
     )
     SELECT g.id AS "group", v.day - $1::date AS d, v.counts FROM g
       JOIN account_running_vectors v USING (caller_region, provider, channel, chunk)
      WHERE v.day >= g.from_day AND v.day < $2::date
     UNION ALL
     SELECT g.id, v.day - $1::date, v.counts FROM g
      CROSS JOIN LATERAL (SELECT day, counts FROM account_running_vectors v
                           WHERE (v.caller_region, v.provider, v.channel, v.chunk) = (g.caller_region, g.provider, g.channel, g.chunk)
                             AND v.day >= $1::date AND v.day < g.from_day ORDER BY day DESC LIMIT 1) v
     ORDER BY 1, 2`,
    [dayText(month.first), dayText(month.next), groups.map((g) => g.id), groups.map((g) => g.cell.callerRegion),
      groups.map((g) => g.cell.provider), groups.map((g) => g.cell.channel), groups.map((g) => g.chunk),
      groups.map((g) => dayText(month.first + g.from))],
  );
  const byGroup = new Map<number, StoredRow[]>();
  for (const r of rows) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  return byGroup;
}

/**
 * One cell and chunk's new rows, as binary COPY tuples: its changed days, and its stored
 * days after the first of them (`stored`: the day has a row to replace).
 */
function* groupRows(
  month: { first: number; next: number },
  cell: Cell,
  group: number,
  changed: number[],
  stored: StoredRow[],
  held: Map<number, HeldDay>,
): Generator<{ tuple: Buffer; stored: boolean }> {
  const chunk = group % CHUNK_SPACE;
  const days = [...new Set([...stored.map((r) => r.d).filter((d) => d >= changed[0]!), ...changed])].sort((a, b) => a - b);
  const heldOf = (d: number) => held.get(d * CELL_SPACE * CHUNK_SPACE + group)!;
  // Only the indexes that any of these rows holds are visited: a chunk is often far from full.
  const isActive = new Uint8Array(VECTOR_CHUNK);
  const active: number[] = [];
  const activate = (i: number) => {
    if (isActive[i] === 0) {
      isActive[i] = 1;
      active.push(i);
    }
  };
  for (const d of changed) for (const i of heldOf(d).touched) activate(i);
  for (const r of stored) for (let o = 0; o < r.counts.length; o += ENTRY_BYTES) activate(r.counts.readUInt16BE(o));
  active.sort((a, b) => a - b);
  const added = new Float64Array(2 * VECTOR_CHUNK);
  const base = new Float64Array(2 * VECTOR_CHUNK);
  let baseRow: StoredRow | undefined;
  let next = 0;
  for (const d of days) {
    while (next < changed.length && changed[next]! <= d) {
      const { counts, touched } = heldOf(changed[next]!);
      for (const i of touched) {
        added[i]! += counts[i]!;
        added[VECTOR_CHUNK + i]! += counts[VECTOR_CHUNK + i]!;
      }
      next++;
    }
    // The totals stored for this day: its own row, or the latest earlier one.
    const before = stored.findLast((r) => r.d <= d);
    if (before !== baseRow) {
      if (baseRow) addEntries(baseRow.counts, base.subarray(0, VECTOR_CHUNK), base.subarray(VECTOR_CHUNK), 0, -1);
      if (before) addEntries(before.counts, base.subarray(0, VECTOR_CHUNK), base.subarray(VECTOR_CHUNK), 0, 1);
      baseRow = before;
    }
    const out = Buffer.allocUnsafe(active.length * ENTRY_BYTES);
    let o = 0;
    for (const i of active) {
      const a = added[i]! + base[i]!;
      const b = added[VECTOR_CHUNK + i]! + base[VECTOR_CHUNK + i]!;
      if (a === 0 && b === 0) continue;
      out.writeUInt16BE(i, o);
      // writeInt32BE throws on a total beyond 32 bits rather than wrapping around.
      out.writeInt32BE(a, o + 2);
      out.writeInt32BE(b, o + 6);
      o += ENTRY_BYTES;
    }
    yield { tuple: tuple(month.first + d, cell, chunk, out.subarray(0, o)), stored: stored.some((r) => r.d === d) };
  }
}

/** A row of account_running_vectors as a binary COPY tuple (day, caller_region, provider, channel, chunk, counts). */
const tuple = (day: number, cell: Cell, chunk: number, counts: Buffer) => binaryTuple([
  { date: day }, { text: cell.callerRegion }, { text: cell.provider }, { text: cell.channel }, { int4: chunk }, { bytes: counts },
]);

/**
 * The daily counts a query returns (columns day, days since 1970-01-01; ordinal;
 * caller_region; provider; channel; allowed; blocked; in day order), through a cursor.
 * Runs inside the caller's transaction.
 */
async function* queryCounts(client: pg.PoolClient, query: string): AsyncGenerator<AccountDay> {
  type Row = { day: number; ordinal: number; caller_region: string; provider: string; channel: string; allowed: string; blocked: string };
  for await (const rows of cursorBatches<Row>(client, 'gw_vector_counts', query)) {
    for (const r of rows) {
      yield {
        day: r.day, ordinal: r.ordinal, callerRegion: r.caller_region, provider: r.provider, channel: r.channel,
        allowed: Number(r.allowed), blocked: Number(r.blocked),
      };
    }
  }
}

/** The daily counts of a relation with per-account daily counts' columns (bucket, account_id, caller_region, provider, channel, decision, count). */
export function vectorCountsSql(source: string): string {
  return `SELECT x.bucket - DATE '1970-01-01' AS day, a.ordinal, x.caller_region, x.provider, x.channel,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'allowed'), 0) AS allowed,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'blocked'), 0) AS blocked
            FROM ${source} x JOIN accounts a ON a.id = x.account_id
           GROUP BY 1, 2, 3, 4, 5 ORDER BY 1`;
}

/** Adds the daily counts a query returns (see vectorCountsSql) to the running vectors. */
export async function addRunningVectorsFromQuery(client: pg.PoolClient, query: string): Promise<void> {
  await addRunningVectors(client, queryCounts(client, query));
}

/** Every row from the stored decisions (into an empty table: see backfill.ts). */
export function fillRunningVectorsFromDecisions(client: pg.PoolClient): Promise<void> {
  return addRunningVectorsFromQuery(client, vectorCountsSql(`(
    SELECT (occurred_at AT TIME ZONE 'UTC')::date AS bucket, account_id, caller_region, provider, channel, decision, count(*) AS count
      FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6)`));
}

// Reads.

/**
 * Every account's decisions in a range, indexed by ordinal (accounts.ordinal), from the
 * running vectors: `allowed` and `blocked` on the range's
 * whole UTC days; `edgeAllowed` and `edgeBlocked` on the partial days at its edges, whose
 * decisions may or may not fall within it.
 */
export interface VectorTotals {
  allowed: Float64Array;
  blocked: Float64Array;
  edgeAllowed: Float64Array;
  edgeBlocked: Float64Array;
}

/**
 * A bytea column as base64 text, for reads of many vector rows through Prisma. Prisma
 * hands bytea over as hex text parsed into a Buffer, re-encoded as base64 and decoded
 * again, and a row of 80 KB makes a 160 KB hex string, which V8 allocates among large
 * objects (past 128 KB), each one bringing the next full collection nearer: the accounts
 * list's read spent ~12 ms converting and ~10 ms collecting per request. As base64 the
 * text is 108 KB, allocated young and decoded once (Buffer.from ignores the newlines
 * PostgreSQL puts every 76 characters).
 */
export const base64 = (column: string) => Prisma.raw(`encode(${column}, 'base64')`);

interface VectorRow {
  read: number;
  cell: number;
  chunk: number;
  counts: Uint8Array;
}

/** Day `d` (1-based) of a month given as YYYY-MM-01. */
function dayOf(month: string, d: number): string {
  const date = new Date(`${month}T00:00:00Z`);
  date.setUTCDate(d);
  return date.toISOString().slice(0, 10);
}

/** Cells whose vectors are added (sign 1) or taken away (-1) to make a filter's counts. */
export interface SignedCell {
  cell: Cell;
  sign: 1 | -1;
}

/** What identifies a row of account_running_vectors. */
interface RunningRowParts extends Cell {
  day: string;
  chunk: number;
}

const cellKey = (c: Cell) => JSON.stringify([c.callerRegion, c.provider, c.channel]);
const rowKey = (p: RunningRowParts) => JSON.stringify([p.day, p.callerRegion, p.provider, p.channel, p.chunk]);
/** The running vector rows this process holds (exported for tests and benchmarks to look at, and clear). */
export const runningVectorCache = processCache<RunningRowParts>('account_running_vectors', 32 * 2 ** 20);

async function readLatestRows(prisma: Prisma.TransactionClient, reads: Array<{ month: string; day: number }>, cells: Cell[]): Promise<VectorRow[]> {
  const lasts = reads.map((r) => dayOf(r.month, r.day));
  const [lo, hi] = [reads.map((r) => r.month).sort()[0]!, [...lasts].sort().at(-1)!];
  const wanted = new Set(cells.map(cellKey));
  const held = byKey(runningVectorCache.held((p) => wanted.has(cellKey(p)) && p.day >= lo && p.day <= hi));
  const known = [...held.values()].map((k) => ({ ...k.parts, version: k.version }));
  const rows = await prisma.$queryRaw<Array<{ read: number; cell: number; chunk: number; day: string; caller_region: string; provider: string; channel: string } & VersionedRow>>`
    SELECT l.read, l.cell, l.chunk, l.day, l.caller_region, l.provider, l.channel, l.version,
           CASE WHEN k.version IS NULL THEN ${base64('l.counts')} END AS counts FROM (
      SELECT DISTINCT ON (q.read, c.cell, v.chunk) q.read::int AS read, c.cell::int AS cell, v.chunk,
             to_char(v.day, 'YYYY-MM-DD') AS day, v.caller_region, v.provider, v.channel, v.xmin::text AS version, v.counts
        FROM unnest(${reads.map((r) => r.month)}::date[], ${lasts}::date[], ${reads.map((_, i) => i)}::int[]) q(first, last, read)
       CROSS JOIN unnest(${cells.map((c) => c.callerRegion)}::text[], ${cells.map((c) => c.provider)}::text[],
                         ${cells.map((c) => c.channel)}::text[], ${cells.map((_, i) => i)}::int[]) c(caller_region, provider, channel, cell)
        JOIN account_running_vectors v
          ON (v.caller_region, v.provider, v.channel) = (c.caller_region, c.provider, c.channel) AND v.day >= q.first AND v.day <= q.last
       ORDER BY q.read, c.cell, v.chunk, v.day DESC) l
      LEFT JOIN unnest(${known.map((k) => k.day)}::text[], ${known.map((k) => k.callerRegion)}::text[], ${known.map((k) => k.provider)}::text[],
                       ${known.map((k) => k.channel)}::text[], ${known.map((k) => k.chunk)}::int[], ${known.map((k) => k.version)}::text[]) k(day, caller_region, provider, channel, chunk, version)
        ON (k.day, k.caller_region, k.provider, k.channel, k.chunk, k.version) = (l.day, l.caller_region, l.provider, l.channel, l.chunk, l.version)`;
  return rows.map((r) => {
    const parts = { day: r.day, callerRegion: r.caller_region, provider: r.provider, channel: r.channel, chunk: r.chunk };
    return { read: r.read, cell: r.cell, chunk: r.chunk, counts: runningVectorCache.counts(rowKey(parts), parts, r, held) };
  });
}

export async function vectorTotals(prisma: Prisma.TransactionClient, from: Date, to: Date, cells: SignedCell[]): Promise<VectorTotals> {
  // A span of days in a month is the running totals through its last day minus those
  // through the day before its first (day 0: zeros, not read). Per month, the touched
  // days' span less the whole days' span gives the edge days.
  const reads: Array<{ month: string; day: number }> = [];
  const readOf = (month: string, day: number): number | null => {
    if (day === 0) return null;
    const i = reads.findIndex((r) => r.month === month && r.day === day);
    return i >= 0 ? i : reads.push({ month, day }) - 1;
  };
  const terms: Array<{ read: number | null; sign: 1 | -1; edge: boolean }> = [];
  for (const m of monthDays(from, to)) {
    const [wlo, whi] = m.whole;
    const [tlo, thi] = m.touched;
    terms.push({ read: readOf(m.month, thi), sign: 1, edge: true }, { read: readOf(m.month, tlo - 1), sign: -1, edge: true });
    if (whi >= wlo) {
      for (const edge of [false, true]) {
        terms.push({ read: readOf(m.month, whi), sign: edge ? -1 : 1, edge }, { read: readOf(m.month, wlo - 1), sign: edge ? 1 : -1, edge });
      }
    }
  }
  // Per day read, cell and chunk, the month's latest row on or before the day; the counts
  // only of rows whose version this process does not hold (vector-row-cache.ts).
  const rows = reads.length && cells.length ? await readLatestRows(prisma, reads, cells.map((c) => c.cell)) : [];
  const size = (Math.max(-1, ...rows.map((r) => r.chunk)) + 1) * VECTOR_CHUNK;
  const totals: VectorTotals = {
    allowed: new Float64Array(size),
    blocked: new Float64Array(size),
    edgeAllowed: new Float64Array(size),
    edgeBlocked: new Float64Array(size),
  };
  // Each read's net coefficient for the whole days and for the edge days: in a month of
  // whole days alone the edge terms cancel, and each row is then added once, not thrice.
  const coefficients = reads.map((_, read) => ({
    whole: terms.reduce((n, t) => n + (t.read === read && !t.edge ? t.sign : 0), 0),
    edge: terms.reduce((n, t) => n + (t.read === read && t.edge ? t.sign : 0), 0),
  }));
  for (const r of rows) {
    const sign = cells[r.cell]!.sign;
    const { whole, edge } = coefficients[r.read]!;
    if (whole !== 0) addEntries(r.counts, totals.allowed, totals.blocked, r.chunk * VECTOR_CHUNK, sign * whole);
    if (edge !== 0) addEntries(r.counts, totals.edgeAllowed, totals.edgeBlocked, r.chunk * VECTOR_CHUNK, sign * edge);
  }
  return totals;
}
