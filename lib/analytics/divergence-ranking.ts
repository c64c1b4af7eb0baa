import { Prisma } from '@/lib/generated/prisma/client';
import type { BucketRowRead } from '@/lib/rollups/bucket-vectors';
import { readRouteBuckets, routeKeySql, routeMap } from '@/lib/rollups/account-route-vectors';
import { CHUNK_SHIFT, ENTRY_BYTES, VECTOR_CHUNK } from '@/lib/rollups/account-running-vectors';
import { RUNNING_DIMENSIONS } from '@/lib/rollups/account-running-monthly';

import { nthSmallest } from './account-ranking';
import { type ExactPair, type Known, type Slot, workOutExact } from './divergence-exact';
import { admitsValue, where } from './filter-sql';
import type { Filters } from './filters';
import type { DivergenceRow, DivergenceSort } from './divergence';
import { rangeParts, type Span } from './range';

// Channel divergence ranked in Node from the candidate routes' counts per time slot: the
// range cut into its partial first and last hours (raw rows), the whole hours of its
// partial days and its whole days (the account route vectors per hour and per day). A
// route's first block lies in the first slot with one; with F1 the pair's first block (on
// route R1) and F2 the first on any other route, each route's allowed decisions from its
// threshold on (F2 for R1, F1 for the others) are those of the slots after the
// threshold's slot, known here, and part of the slot's own: bounds. Raw rows are read only
// for the pairs that could make the page: each route's first block inside its first
// slot with one, and its allowed decisions from its threshold to that slot's end.

const NONE = 2 ** 31 - 1;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * A divergent pair's routes and what is known of it without raw rows (F2's slot is NONE
 * without a block on a second route); its exact values once worked out (allowed after
 * block from the start where its bounds meet).
 */
interface Pair extends ExactPair {
  accountId: string;
  callerRegion: string;
  allowed: number;
  blocked: number;
}

/** A row's entries decoded: ordinals, allowed and blocked, side by side. */
interface Decoded {
  ordinal: Int32Array;
  allowed: Int32Array;
  blocked: Int32Array;
}

// Decoded rows by the cached bytes they came from (vector-row-cache.ts hands a held row's
// same bytes to every read): the passes below then loop over typed arrays, and a row is
// decoded once while its version lasts.
const decodedRows = new WeakMap<Uint8Array, Decoded>();

function decoded(c: Uint8Array, chunk: number, keep = true): Decoded {
  let d = decodedRows.get(c);
  if (d) return d;
  const n = c.length / ENTRY_BYTES;
  d = { ordinal: new Int32Array(n), allowed: new Int32Array(n), blocked: new Int32Array(n) };
  const view = new DataView(c.buffer, c.byteOffset, c.length);
  const base = chunk * VECTOR_CHUNK;
  for (let e = 0, i = 0; e < n; e++, i += ENTRY_BYTES) {
    d.ordinal[e] = base + view.getUint16(i);
    d.allowed[e] = view.getInt32(i + 2);
    d.blocked[e] = view.getInt32(i + 6);
  }
  if (keep) decodedRows.set(c, d);
  return d;
}

/**
 * The whole days' counts per route: totals, the first day with a block (NONE without),
 * and each route's days with allowed decisions with their running totals, for the
 * allowed decisions after any day by binary search. Made once per set of day rows (by
 * version) and kept: a range ending now has the same whole days all day, and this is most
 * of the work at 90 days (2.3M day entries at 10M decisions).
 */
interface DaysSummary {
  allowed: Float64Array;
  blocked: Float64Array;
  firstDay: Int32Array;
  start: Int32Array;
  day: Int32Array;
  running: Float64Array;
  /**
   * Per route, the last day asked of it (-1 for none) and its allowed decisions through that
   * day and on it: a range ending now asks each route of the same day every time (its
   * pair's first block), and 60,000 binary searches cost ~8 ms a ranking at 90 days.
   */
  askedDay: Int32Array;
  through: Float64Array;
  onDay: Float64Array;
}

const summaries = new Map<string, DaysSummary>();
const SUMMARIES_KEPT = 4;

function daysSummary(days: BucketRowRead[], firstDay: number): DaysSummary {
  const key = `${firstDay}|${days.map((r) => `${r.bucket}:${r.chunk}:${r.version}`).sort().join(',')}`;
  const kept = summaries.get(key);
  if (kept) {
    summaries.delete(key);
    summaries.set(key, kept);
    return kept;
  }
  // Not kept decoded: the summary is what is kept (28 MB more at 90 days otherwise).
  const rows = [...days].sort((a, b) => a.bucket - b.bucket).map((r) => ({ d: r.bucket - firstDay, ...decoded(r.counts, r.chunk, false) }));
  let size = 1;
  for (const r of rows) for (const o of r.ordinal) if (o >= size) size = o + 1;
  const s: DaysSummary = {
    allowed: new Float64Array(size), blocked: new Float64Array(size), firstDay: new Int32Array(size).fill(NONE),
    start: new Int32Array(size + 1), day: new Int32Array(0), running: new Float64Array(0),
    askedDay: new Int32Array(size).fill(-1), through: new Float64Array(size), onDay: new Float64Array(size),
  };
  for (const r of rows) for (let e = 0; e < r.ordinal.length; e++) if (r.allowed[e]! > 0) s.start[r.ordinal[e]! + 1]!++;
  for (let o = 0; o < size; o++) s.start[o + 1]! += s.start[o]!;
  s.day = new Int32Array(s.start[size]!);
  s.running = new Float64Array(s.start[size]!);
  const fill = s.start.slice(0, size);
  for (const { d, ordinal, allowed, blocked } of rows) {
    for (let e = 0; e < ordinal.length; e++) {
      const o = ordinal[e]!;
      const a = allowed[e]!;
      s.allowed[o]! += a;
      s.blocked[o]! += blocked[e]!;
      if (blocked[e]! > 0 && d < s.firstDay[o]!) s.firstDay[o] = d;
      if (a > 0) {
        s.day[fill[o]!] = d;
        s.running[fill[o]!++] = s.allowed[o]!;
      }
    }
  }
  summaries.set(key, s);
  for (const old of summaries.keys()) {
    if (summaries.size <= SUMMARIES_KEPT) break;
    summaries.delete(old);
  }
  return s;
}

/** Route o's allowed decisions through day d (relative) and on it, into the summary's through and onDay. */
function askDay(s: DaysSummary, o: number, d: number): void {
  if (s.askedDay[o] === d) return;
  const first = s.start[o]!;
  // The index after the route's last day with allowed decisions at or before d.
  let lo = first;
  let hi = s.start[o + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.day[mid]! <= d) lo = mid + 1;
    else hi = mid;
  }
  const through = lo > first ? s.running[lo - 1]! : 0;
  const before = lo > first && s.day[lo - 1] === d ? (lo - 1 > first ? s.running[lo - 2]! : 0) : through;
  s.askedDay[o] = d;
  s.through[o] = through;
  s.onDay[o] = through - before;
}

/**
 * Per-route arrays a ranking fills, taken from a pool and given back when it is done
 * (requests overlap at their awaits, so each holds its own set). Fresh arrays for 60,000
 * routes on every request added megabytes of array buffers, and the full collections
 * their external memory brings on showed as the slowest requests.
 */
class Scratch {
  admitted = new Uint8Array(0);
  allowed = new Float64Array(0);
  blocked = new Float64Array(0);
  firstSlot = new Int32Array(0);
  threshold = new Int32Array(0);
  after = new Float64Array(0);
  on = new Float64Array(0);

  private pairArrays = {
    start: new Int32Array(1), grouped: new Int32Array(0), pairAllowed: new Float64Array(0), pairBlocked: new Float64Array(0),
    lo: new Float64Array(0), hi: new Float64Array(0), f1: new Int32Array(0), f2: new Int32Array(0), divergent: new Int32Array(0),
  };

  /** The arrays by pair for `pairs` pairs of `routes` routes; `start` emptied, the others filled as used. */
  pairs(pairs: number, routes: number) {
    const a = this.pairArrays;
    if (pairs + 1 > a.start.length || routes > a.grouped.length) {
      const [p, r] = [Math.ceil(pairs * 1.25) + 1, Math.ceil(routes * 1.25)];
      this.pairArrays = {
        start: new Int32Array(p), grouped: new Int32Array(r), pairAllowed: new Float64Array(p), pairBlocked: new Float64Array(p),
        lo: new Float64Array(p), hi: new Float64Array(p), f1: new Int32Array(p), f2: new Int32Array(p), divergent: new Int32Array(p),
      };
    }
    this.pairArrays.start.fill(0);
    return this.pairArrays;
  }

  /** The arrays for `size` routes, emptied. */
  reset(size: number): this {
    if (size > this.allowed.length) {
      const n = Math.ceil(size * 1.25);
      this.admitted = new Uint8Array(n);
      this.allowed = new Float64Array(n);
      this.blocked = new Float64Array(n);
      this.firstSlot = new Int32Array(n);
      this.threshold = new Int32Array(n);
      this.after = new Float64Array(n);
      this.on = new Float64Array(n);
    }
    // Whole, so that nothing of an earlier ranking is left beyond `size` either.
    this.admitted.fill(0);
    this.allowed.fill(0);
    this.blocked.fill(0);
    this.firstSlot.fill(NONE);
    this.threshold.fill(NONE);
    this.after.fill(0);
    this.on.fill(0);
    return this;
  }
}

const scratchPool: Scratch[] = [];

interface RawCount {
  span: number;
  /** The route's key, as routeKey makes it (routeKeySql). */
  key: string;
  allowed: number;
  blocked: number;
  first_block: Date | null;
}

export async function rankDivergence(
  tx: Prisma.TransactionClient,
  filters: Filters,
  options: { column: DivergenceSort; desc: boolean; page: number; pageSize: number },
): Promise<{ rows: DivergenceRow[]; total: number }> {
  const scratch = scratchPool.pop() ?? new Scratch();
  try {
    return await rank(tx, filters, options, scratch);
  } finally {
    scratchPool.push(scratch);
  }
}

async function rank(
  tx: Prisma.TransactionClient,
  filters: Filters,
  options: { column: DivergenceSort; desc: boolean; page: number; pageSize: number },
  scratch: Scratch,
): Promise<{ rows: DivergenceRow[]; total: number }> {
  const parts = rangeParts(filters.from, filters.to);
  // Slots in time order, and where each row's bucket goes.
  const slots: Slot[] = [];
  const dayStarts: number[] = [];
  const hourStarts: number[] = [];
  for (const s of parts.raw) slots.push({ from: s.from.getTime(), to: s.to.getTime() });
  for (const s of parts.hourly) for (let t = s.from.getTime(); t < s.to.getTime(); t += HOUR_MS) hourStarts.push(t);
  for (const s of parts.daily) for (let t = s.from.getTime(); t < s.to.getTime(); t += DAY_MS) dayStarts.push(t);
  for (const t of hourStarts) slots.push({ from: t, to: t + HOUR_MS });
  for (const t of dayStarts) slots.push({ from: t, to: t + DAY_MS });
  slots.sort((a, b) => a.from - b.from);
  const slotAt = new Map(slots.map((s, i) => [s.from, i]));

  const rawWhere = (s: { from: Date; to: Date }) =>
    where([Prisma.sql`d.occurred_at >= ${s.from}`, Prisma.sql`d.occurred_at < ${s.to}`], filters, RUNNING_DIMENSIONS);
  const vectors = await readRouteBuckets(tx, dayStarts.map((t) => t / DAY_MS), hourStarts.map((t) => t / HOUR_MS));
  const raw = parts.raw.length ? await tx.$queryRaw<RawCount[]>(rawRouteCountsSql(parts.raw, rawWhere)) : [];
  // Read last: every route the counts name has its ordinal here (ordinals only grow).
  const map = await routeMap(tx);

  const { admitted, allowed, blocked, firstSlot, threshold, after, on } = scratch.reset(map.size);
  const comboAdmitted = map.combos.map((c) => admitsValue(filters.region, c.callerRegion) && admitsValue(filters.provider, c.provider)
    && admitsValue(filters.channel, c.channel) ? 1 : 0);
  for (let o = 1; o < map.size; o++) {
    const c = map.comboOf[o];
    if (c !== undefined) admitted[o] = comboAdmitted[c]!;
  }
  // The raw spans' counts by ordinal (routes outside the candidates have none).
  const rawSlot = parts.raw.map((s) => slotAt.get(s.from.getTime())!);
  const rawRows: Array<{ ordinal: number; slot: number; allowed: number; blocked: number; first_block: Date | null }> = [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!;
    const ordinal = map.ordinalOf.get(r.key);
    if (ordinal !== undefined && admitted[ordinal] === 1) {
      rawRows.push({ ordinal, slot: rawSlot[r.span]!, allowed: r.allowed, blocked: r.blocked, first_block: r.first_block });
    }
  }
  const rows = vectors.hours.map((r) => ({ ...decoded(r.counts, r.chunk), slot: slotAt.get(r.bucket * HOUR_MS)! }));
  // The whole days are consecutive slots, from daySlot on.
  const firstDay = dayStarts.length ? dayStarts[0]! / DAY_MS : 0;
  const daySlot = dayStarts.length ? slotAt.get(dayStarts[0]!)! : 0;
  const dayCount = dayStarts.length;
  const days = daysSummary(vectors.days, firstDay);

  // Pass 1: each route's decisions, and the first slot with a block: the days' from their
  // summary, the hours' (plain loops over typed arrays, no callback per entry) and the raw spans'.
  for (let o = 1; o < Math.min(map.size, days.allowed.length); o++) {
    if (admitted[o] !== 1) continue;
    allowed[o] = days.allowed[o]!;
    blocked[o] = days.blocked[o]!;
    if (days.firstDay[o] !== NONE) firstSlot[o] = daySlot + days.firstDay[o]!;
  }
  for (const { ordinal: ords, allowed: as, blocked: bs, slot } of rows) {
    for (let e = 0; e < ords.length; e++) {
      const o = ords[e]!;
      if (admitted[o] !== 1) continue;
      allowed[o]! += as[e]!;
      const b = bs[e]!;
      blocked[o]! += b;
      if (b > 0 && slot < firstSlot[o]!) firstSlot[o] = slot;
    }
  }
  const rawFirst = new Map<number, number>();
  for (let i = 0; i < rawRows.length; i++) {
    const r = rawRows[i]!;
    allowed[r.ordinal]! += r.allowed;
    blocked[r.ordinal]! += r.blocked;
    if (r.blocked > 0 && r.slot < firstSlot[r.ordinal]!) firstSlot[r.ordinal] = r.slot;
  }
  for (let i = 0; i < rawRows.length; i++) {
    const r = rawRows[i]!;
    if (r.first_block && r.slot === firstSlot[r.ordinal]) rawFirst.set(r.ordinal, r.first_block.getTime());
  }

  // Pairs: their routes with decisions in range, grouped by counting (60,000 routes), and
  // what is known of each divergent one in arrays by pair: 30,000 objects a request, held
  // across the awaits below, were promoted and collected as old ones.
  const pairCount = map.pairIds.size;
  const { start, grouped, pairAllowed, pairBlocked, lo, hi, f1, f2, divergent } = scratch.pairs(pairCount, map.size);
  for (let o = 1; o < map.size; o++) if (admitted[o] === 1 && allowed[o]! + blocked[o]! > 0) start[map.pairOf[o]! + 1]!++;
  for (let p = 0; p < pairCount; p++) start[p + 1]! += start[p]!;
  const fill = start.slice(0, pairCount);
  for (let o = 1; o < map.size; o++) if (admitted[o] === 1 && allowed[o]! + blocked[o]! > 0) grouped[fill[map.pairOf[o]!]!++] = o;
  let n = 0;
  for (let p = 0; p < pairCount; p++) {
    let nb = 0;
    let na = 0;
    let nab = 0;
    let f1Slot = NONE;
    let f2Slot = NONE;
    for (let j = start[p]!; j < start[p + 1]!; j++) {
      const o = grouped[j]!;
      const isA = allowed[o]! > 0;
      const isB = blocked[o]! > 0;
      if (isB) nb++;
      if (isA) na++;
      if (isA && isB) nab++;
      const f = firstSlot[o]!;
      if (f < f1Slot) {
        f2Slot = f1Slot;
        f1Slot = f;
      } else if (f < f2Slot) f2Slot = f;
    }
    if (nb === 0 || na === 0 || (nb === 1 && na === 1 && nab === 1)) continue;
    divergent[n++] = p;
    f1[p] = f1Slot;
    f2[p] = f2Slot;
    pairAllowed[p] = 0;
    pairBlocked[p] = 0;
    for (let j = start[p]!; j < start[p + 1]!; j++) {
      const o = grouped[j]!;
      // Each route's threshold slot (NONE: R1 without a block elsewhere, which counts
      // nothing). R1 is the route of the first block; when two share its slot, F2 is in
      // that slot too.
      threshold[o] = firstSlot[o] === f1Slot && f2Slot !== f1Slot ? f2Slot : f1Slot;
      pairAllowed[p]! += allowed[o]!;
      pairBlocked[p]! += blocked[o]!;
    }
  }

  // Pass 2: each route's allowed decisions after its threshold's slot, and in it.
  if (dayCount > 0) {
    for (let i = 0; i < n; i++) {
      const p = divergent[i]!;
      for (let j = start[p]!; j < start[p + 1]!; j++) {
        const o = grouped[j]!;
        const t = threshold[o]! - daySlot;
        if (threshold[o] === NONE || t >= dayCount || o >= days.allowed.length) continue;
        if (t < 0) {
          after[o]! += days.allowed[o]!;
          continue;
        }
        askDay(days, o, t);
        after[o]! += days.allowed[o]! - days.through[o]!;
        on[o]! += days.onDay[o]!;
      }
    }
  }
  for (const { ordinal: ords, allowed: as, slot } of rows) {
    for (let e = 0; e < ords.length; e++) {
      const o = ords[e]!;
      const t = threshold[o];
      if (t === undefined || t === NONE || slot < t) continue;
      if (slot > t) after[o]! += as[e]!;
      else on[o]! += as[e]!;
    }
  }
  for (let i = 0; i < rawRows.length; i++) {
    const r = rawRows[i]!;
    const t = threshold[r.ordinal]!;
    if (t === NONE || r.slot < t) continue;
    if (r.slot > t) after[r.ordinal]! += r.allowed;
    else on[r.ordinal]! += r.allowed;
  }
  for (let i = 0; i < n; i++) {
    const p = divergent[i]!;
    lo[p] = 0;
    hi[p] = 0;
    for (let j = start[p]!; j < start[p + 1]!; j++) {
      const o = grouped[j]!;
      lo[p]! += after[o]!;
      hi[p]! += after[o]! + on[o]!;
    }
  }
  const pairAt = (p: number): Pair => {
    const routes = grouped.slice(start[p]!, start[p + 1]!);
    return {
      routes, accountId: map.accountId[routes[0]!]!, callerRegion: map.callerRegion[routes[0]!]!,
      allowed: pairAllowed[p]!, blocked: pairBlocked[p]!, f1Slot: f1[p]!, f2Slot: f2[p]!,
      // Bounds that meet are the value: no threshold slot has allowed decisions to place.
      ...(lo[p] === hi[p] ? { allowedAfterBlock: lo[p]! } : {}),
    };
  };

  const { column, desc, page, pageSize } = options;
  const k = page * pageSize;
  const sign = desc ? -1 : 1;
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const tie = (a: Pair, b: Pair) => sign * (text(a.accountId, b.accountId) || text(a.callerRegion, b.callerRegion));
  // The pairs whose exact values are worked out, then ranked: any that could rank in the
  // first k. By a known key, the bar is the k-th best key: those at it or better.
  const ids = divergent.subarray(0, n);
  const select = (best: Float64Array | Int32Array, worst: Float64Array | Int32Array, exactKeys = false): Pair[] => {
    if (n < k) return Array.from(ids, pairAt);
    // Selected, not sorted: one key of 30,000 is wanted. The keys by a plain loop:
    // Float64Array.from with a mapping function took ~5 ms for 30,000 of them.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = best[ids[i]!]!;
    const bar = nthSmallest(keys, desc ? n - k : k - 1);
    let chosen: number[] = [];
    // Index loops over the 30,000 pairs: a for-of here, run once a request and so never
    // optimised, allocated an iterator result per pair (~1.2 MB a ranking).
    for (let i = 0; i < n; i++) if (sign * (worst[ids[i]!]! - bar) <= 0) chosen.push(ids[i]!);
    if (exactKeys) {
      // Ties at the bar go by account and region: once k pairs are known to be exactly at it,
      // a pair that can at best reach it ranks within the first k only before the k-th of
      // them (thousands of pairs at 0, sorted ascending, each needing raw rows otherwise).
      const atBar = chosen.filter((p) => lo[p] === hi[p] && lo[p] === bar).map(pairAt).sort(tie);
      if (atBar.length >= k) {
        const kth = atBar[k - 1]!;
        chosen = chosen.filter((p) => worst[p] !== bar || tie(pairAt(p), kth) <= 0);
      }
    }
    return chosen.map(pairAt);
  };
  let exact: Pair[];
  if (column === 'allowedAfterBlock') exact = desc ? select(lo, hi, true) : select(hi, lo, true);
  else if (column === 'firstBlockAt') exact = select(f1, f1);
  else if (column === 'accountId') exact = Array.from(ids, pairAt).sort(tie).slice(k - pageSize, k);
  else {
    const key = column === 'allowed' ? pairAllowed : pairBlocked;
    exact = select(key, key).sort((a, b) => sign * (a[column] - b[column]) || tie(a, b)).slice(k - pageSize, k);
  }
  const slotVersions = new Map<string, string>();
  for (const r of vectors.hours) slotVersions.set(`${slotAt.get(r.bucket * HOUR_MS)}|${r.chunk}`, r.version);
  for (const r of vectors.days) slotVersions.set(`${slotAt.get(r.bucket * DAY_MS)}|${r.chunk}`, r.version);
  const known: Known = {
    slots, rawFirst, firstSlot, threshold, after, on, allowed, blocked,
    versionOf: (s, o) => slotVersions.get(`${s}|${o >>> CHUNK_SHIFT}`) ?? null,
  };
  // Ranked by allowed after block, only the pairs whose bounds differ need raw rows to be
  // ranked (thousands of pairs at 0 when sorted ascending: 285 ms at 7 days on 10M rows);
  // the first block of the page's other pairs is read once the page is known.
  await workOutExact(tx, column === 'allowedAfterBlock' ? exact.filter((p) => p.allowedAfterBlock === undefined) : exact, known);
  const value = (p: Pair) => column === 'allowedAfterBlock' ? p.allowedAfterBlock! : column === 'firstBlockAt' ? p.firstBlockAt! : column === 'accountId' ? 0 : p[column];
  const ranked = column === 'allowedAfterBlock' || column === 'firstBlockAt'
    ? exact.sort((a, b) => sign * (value(a) - value(b)) || tie(a, b)).slice(k - pageSize, k)
    : exact;
  await workOutExact(tx, ranked.filter((p) => p.firstBlockAt === undefined), known);
  const names = ranked.length
    ? new Map((await tx.$queryRaw<Array<{ id: string; name: string | null }>>`SELECT id, name FROM accounts WHERE id = ANY(${ranked.map((p) => p.accountId)})`).map((a) => [a.id, a.name]))
    : new Map<string, string | null>();
  const routeCounts = (p: Pair, counts: Float64Array) => Array.from(p.routes).filter((o) => counts[o]! > 0)
    .map((o) => ({ route: `${map.provider[o]}/${map.channel[o]}`, count: counts[o]! }))
    .sort((a, b) => b.count - a.count || text(a.route, b.route));
  return {
    total: n,
    rows: ranked.map((p) => ({
      accountId: p.accountId, accountName: names.get(p.accountId) ?? null, callerRegion: p.callerRegion,
      allowedAfterBlock: p.allowedAfterBlock!, allowed: p.allowed, blocked: p.blocked, firstBlockAt: new Date(p.firstBlockAt!).toISOString(),
      blockedRoutes: routeCounts(p, blocked), allowedRoutes: routeCounts(p, allowed),
    })),
  };
}

/**
 * Every route's decisions in raw spans (the range's partial first and last hours), per
 * span and route key, with its first block in the span. Every route, not only the
 * candidates, which the ranking picks out by key (the route map's ordinalOf): an hour
 * holds a few thousand decisions, and a semi-join to the candidates hashed all 60,000 of
 * them (20 ms at 10M decisions).
 */
function rawRouteCountsSql(spans: Span[], where: (s: Span) => Prisma.Sql): Prisma.Sql {
  return Prisma.join(spans.map((s, i) => Prisma.sql`
    SELECT ${i}::int AS span, ${Prisma.raw(routeKeySql('d'))} AS key,
           count(*) FILTER (WHERE d.decision = 'allowed')::int AS allowed, count(*) FILTER (WHERE d.decision = 'blocked')::int AS blocked,
           min(d.occurred_at) FILTER (WHERE d.decision = 'blocked') AS first_block
      FROM access_decisions d
     WHERE ${where(s)}
     GROUP BY d.account_id, d.caller_region, d.provider, d.channel`), ' UNION ALL ');
}
