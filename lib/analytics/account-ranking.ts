import { Prisma } from '@/lib/generated/prisma/client';
import type { VectorTotals } from '@/lib/rollups/account-running-vectors';

/** Sorts whose key is a function of an account's counts: the running vectors bound them. */
export const COUNT_SORTS = ['total', 'blocked', 'allowed', 'blockRate'] as const;
export type CountSort = (typeof COUNT_SORTS)[number];

/**
 * An account's key at its lowest and highest, from its decisions surely in range (al, bl)
 * and those of the uncertain edges (ae, be: partial days, or partial hours), written into lower[i] and upper[i] (no array per account: this runs
 * for every account).
 */
type Bounds = (al: number, bl: number, ae: number, be: number, lower: Float64Array, upper: Float64Array, i: number) => void;

const BOUNDS: Record<CountSort, Bounds> = {
  total: (al, bl, ae, be, lower, upper, i) => {
    lower[i] = al + bl;
    upper[i] = al + bl + ae + be;
  },
  blocked: (_al, bl, _ae, be, lower, upper, i) => {
    lower[i] = bl;
    upper[i] = bl + be;
  },
  allowed: (al, _bl, ae, _be, lower, upper, i) => {
    lower[i] = al;
    upper[i] = al + ae;
  },
  // Only taken for accounts with whole-day decisions, so the denominators are not zero.
  blockRate: (al, bl, ae, be, lower, upper, i) => {
    lower[i] = bl / (al + bl + ae);
    upper[i] = (bl + be) / (al + bl + be);
  },
};

/** Which accounts and decisions count. */
export interface RankingScope {
  /** The decision filter: kinds it leaves out count as zero. */
  allowed: boolean;
  blocked: boolean;
  /** Ordinals a search left in (only[n] = 1); all when null. */
  only: Uint8Array | null;
}

export interface RankingQuery extends RankingScope {
  column: CountSort;
  desc: boolean;
  /** How many accounts the page needs ranked: offset + limit. */
  k: number;
}

/**
 * Accounts that could rank among the first K, by ordinal, with their decisions surely in
 * range. Typed arrays: with tens of thousands of tied candidates, pushing them onto plain
 * arrays took ~13 ms of a request; callers make plain arrays of what goes to SQL.
 */
export interface Candidates {
  ordinals: Int32Array;
  allowed: Float64Array;
  blocked: Float64Array;
  /** Accounts with decisions surely in range (on whole days or hours), candidates or not. */
  sure: number;
  /**
   * Ties at the threshold key L: the candidates (indexes into ordinals) that can at best
   * equal L, and the accounts (ordinals) surely at exactly L. Those only rank by account
   * id: once K of the exact ones are known, a tied candidate with a greater id cannot
   * make the first K (see withoutTiedOut).
   */
  tied: { candidates: Int32Array; exact: Int32Array };
}

/**
 * The value at index n of `values` once sorted ascending (no NaN among them), found by
 * Hoare's selection in place (`values` is left reordered): sorting 90,000 keys to read one
 * took ~6 ms of the list's request, selecting takes under one.
 */
export function nthSmallest(values: Float64Array, n: number): number {
  if (n < 0 || n >= values.length) throw new RangeError(`no index ${n} among ${values.length} values`);
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    // [lo, j] holds values <= pivot, [i, hi] values >= pivot, and anything between equals it.
    if (n <= j) hi = j;
    else if (n >= i) lo = i;
    else return values[n]!;
  }
  return values[n]!;
}

/**
 * The accounts whose exact key could rank among the first K (as accountsSql's bounds CTE
 * chooses them): if K accounts surely in range hold a key of at least L even at their
 * lowest, no account whose highest stays below L ranks before them. Accounts seen in the
 * uncertain edges alone are always candidates, being perhaps not in range at all.
 */
export function rankingCandidates(totals: VectorTotals, q: RankingQuery): Candidates {
  const n = totals.allowed.length;
  const bounds = BOUNDS[q.column];
  // Zeros for a kind of decision the filter leaves out.
  const none = q.allowed && q.blocked ? null : zeros(n);
  const al = q.allowed ? totals.allowed : none!;
  const bl = q.blocked ? totals.blocked : none!;
  const ae = q.allowed ? totals.edgeAllowed : none!;
  const be = q.blocked ? totals.edgeBlocked : none!;
  // Read only where written (accounts surely in range), so stale values from a call before do not matter.
  const lower = scratch.float64(0, n);
  const upper = scratch.float64(1, n);
  // The worst keys of the accounts surely in range: the K-th best of them is L.
  const worst = scratch.float64(2, n);
  let sure = 0;
  for (let i = 0; i < n; i++) {
    if (q.only && q.only[i] !== 1) continue;
    if (al[i]! + bl[i]! === 0) continue;
    bounds(al[i]!, bl[i]!, ae[i]!, be[i]!, lower, upper, i);
    worst[sure++] = q.desc ? lower[i]! : upper[i]!;
  }
  const threshold = sure >= q.k ? nthSmallest(worst.subarray(0, sure), q.desc ? sure - q.k : q.k - 1) : null;
  const ordinals = scratch.int32(0, n);
  const allowed = scratch.float64(3, n);
  const blocked = scratch.float64(4, n);
  const tiedCandidates = scratch.int32(1, n);
  const tiedExact = scratch.int32(2, n);
  let m = 0;
  let tied = 0;
  let exact = 0;
  for (let i = 0; i < n; i++) {
    if (q.only && q.only[i] !== 1) continue;
    const surely = al[i]! + bl[i]! > 0;
    if (!surely && ae[i]! + be[i]! === 0) continue;
    if (surely && threshold !== null && (q.desc ? upper[i]! < threshold : lower[i]! > threshold)) continue;
    // Accounts seen in the uncertain edges alone have no bounds computed: never counted as tied.
    if (surely && threshold !== null && (q.desc ? upper[i] : lower[i]) === threshold) {
      tiedCandidates[tied++] = m;
      if (lower[i] === upper[i]) tiedExact[exact++] = i;
    }
    ordinals[m] = i;
    allowed[m] = al[i]!;
    blocked[m++] = bl[i]!;
  }
  // Copies of what was written: the scratch serves the next call, perhaps while these are in use.
  return {
    ordinals: ordinals.slice(0, m), allowed: allowed.slice(0, m), blocked: blocked.slice(0, m), sure,
    tied: { candidates: tiedCandidates.slice(0, tied), exact: tiedExact.slice(0, exact) },
  };
}

/**
 * Arrays of one per account that rankingCandidates fills and reads within one synchronous
 * call, kept from call to call: eight fresh ones a call (0.7 MB each at 90,000 accounts)
 * made most of its 3-10 ms spread, in garbage collection. Slots grow to the largest n seen.
 */
const scratch = (() => {
  const f64: Float64Array[] = [];
  const i32: Int32Array[] = [];
  return {
    float64(slot: number, n: number): Float64Array {
      if ((f64[slot]?.length ?? -1) < n) f64[slot] = new Float64Array(n);
      return f64[slot]!;
    },
    int32(slot: number, n: number): Int32Array {
      if ((i32[slot]?.length ?? -1) < n) i32[slot] = new Int32Array(n);
      return i32[slot]!;
    },
  };
})();

/** Zeros, never written: the largest asked for serves every n. */
let zeroBuffer = new Float64Array(0);
function zeros(n: number): Float64Array {
  if (zeroBuffer.length < n) zeroBuffer = new Float64Array(n);
  return zeroBuffer;
}

/**
 * The candidates without the tied ones that cannot rank among the first K: given the
 * ordinals of the tied candidates whose account id is at most the K-th smallest id of the
 * accounts surely at the threshold (K of those rank before any other), drops the rest.
 */
export function withoutTiedOut(c: Candidates, keptTied: ReadonlySet<number>): Candidates {
  // Typed marks and one pass: tens of thousands of tied candidates are usual here.
  const tied = new Uint8Array(c.ordinals.length);
  // Index loops: a for-of in code run once a request is never optimised, and allocates an
  // iterator result per element.
  for (let j = 0; j < c.tied.candidates.length; j++) tied[c.tied.candidates[j]!] = 1;
  const ordinals = new Int32Array(c.ordinals.length);
  const allowed = new Float64Array(c.ordinals.length);
  const blocked = new Float64Array(c.ordinals.length);
  let m = 0;
  for (let i = 0; i < c.ordinals.length; i++) {
    if (tied[i] === 1 && !keptTied.has(c.ordinals[i]!)) continue;
    ordinals[m] = c.ordinals[i]!;
    allowed[m] = c.allowed[i]!;
    blocked[m++] = c.blocked[i]!;
  }
  return {
    ...c, ordinals: ordinals.subarray(0, m), allowed: allowed.subarray(0, m), blocked: blocked.subarray(0, m),
    tied: { candidates: new Int32Array(0), exact: new Int32Array(0) },
  };
}

/** The accounts in range, or perhaps in range, whatever the sort. */
export interface RangeMembers {
  /** Accounts with decisions surely in range, as a bitmap over ordinals (bit n: byte n / 8, bit n % 8 from the least significant, as get_bit reads it). */
  sure: Uint8Array;
  /** Bits in `sure`, and how many are set. */
  size: number;
  sureCount: number;
  /** Accounts with decisions in the uncertain edges alone, which may or may not fall in the range. */
  edgeOnly: number[];
}

/**
 * SQL: the ordinal column's bit is set in a bitmap of `size` bits (ordinalBitmap). A bitmap
 * of 12 KB per 100k accounts, where as int[] the parameters alone took ~150 ms to send and
 * bind at 90k accounts. CASE, not AND: get_bit past the bitmap raises, and AND does not fix
 * an order of evaluation.
 */
export const inOrdinalBitmap = (bitmap: Uint8Array, size: number, column = 'ordinal') =>
  Prisma.sql`CASE WHEN ${Prisma.raw(column)} < ${size} THEN get_bit(${bitmap}::bytea, ${Prisma.raw(column)}) = 1 ELSE false END`;

/** Ordinals as a bitmap in get_bit's order (bit n: byte n / 8, bit n % 8 from the least significant). */
export function ordinalBitmap(ordinals: ArrayLike<number>, size: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil(size / 8));
  for (let i = 0; i < ordinals.length; i++) bits[ordinals[i]! >>> 3]! |= 1 << (ordinals[i]! & 7);
  return bits;
}

export function rangeMembers(totals: VectorTotals, q: RankingScope): RangeMembers {
  const n = totals.allowed.length;
  const sure = new Uint8Array(Math.ceil(n / 8));
  const edgeOnly: number[] = [];
  let sureCount = 0;
  for (let i = 0; i < n; i++) {
    if (q.only && q.only[i] !== 1) continue;
    const whole = (q.allowed ? totals.allowed[i]! : 0) + (q.blocked ? totals.blocked[i]! : 0);
    const edge = (q.allowed ? totals.edgeAllowed[i]! : 0) + (q.blocked ? totals.edgeBlocked[i]! : 0);
    if (whole > 0) {
      sure[i >>> 3]! |= 1 << (i & 7);
      sureCount++;
    }
    else if (edge > 0) edgeOnly.push(i);
  }
  return { sure, size: sure.length * 8, sureCount, edgeOnly };
}
