import { Prisma } from '@/lib/generated/prisma/client';
import { BoundedMap } from '@/lib/bounded-map';
import { routeRawAggregates } from '@/lib/rollups/account-route-vectors';

// The exact values of the divergent pairs that could make a page (divergence-ranking.ts):
// F1, the pair's first block, and its allowed decisions after block, from raw rows bounded
// to one slot per route.
//
// A probe reads one route's rows of one decision inside one slot, a whole hour or day of
// the account route vectors or a raw span at the range's edge. A whole slot's rows of a
// route stay as they are while the slot's vector row for the route's chunk stays at its
// version: decisions are only ever added, and a batch that adds any to the slot rewrites
// that row. So a whole slot's answers are kept by route, span and that version, and a
// range ending now asks them again on every call (its whole hours and days change once an
// hour): ~200 probes, 9-13 ms of the 7-day ranking at 10M decisions. Raw spans move with
// the range and are read each time.

/** A slot of the ranking: a raw span, or a whole hour or day (ms). */
export interface Slot {
  from: number;
  to: number;
}

/** A divergent pair as the ranking knows it, and what this fills in. */
export interface ExactPair {
  /** The pair's route ordinals. */
  routes: Int32Array;
  /** The slots of F1 and of F2 (the first block on any other route). */
  f1Slot: number;
  f2Slot: number;
  allowedAfterBlock?: number;
  firstBlockAt?: number;
}

/** What the ranking worked out from the vectors, by route ordinal. */
export interface Known {
  slots: Slot[];
  /** A route's first block where its first slot with one is a raw span (read with the span's counts). */
  rawFirst: Map<number, number>;
  firstSlot: Int32Array;
  threshold: Int32Array;
  /** Allowed decisions in the slots after the threshold's, and in the threshold's own. */
  after: Float64Array;
  on: Float64Array;
  allowed: Float64Array;
  blocked: Float64Array;
  /** The version of the vector row that holds route `o`'s counts in slot `s`; null for a raw span. */
  versionOf: (s: number, o: number) => string | null;
}

/** The probes' kept answers (exported for tests to look at, and clear). */
export const probeAnswers = new BoundedMap<string, number>(20_000);

/**
 * One aggregate of each route's raw rows of one decision in a span of its own slot, kept
 * answers first: the others read in one statement and kept where the slot is whole.
 */
async function probe(
  tx: Prisma.TransactionClient,
  kind: 'firstBlock' | 'allowed',
  ordinals: number[],
  slotOf: (o: number) => number,
  spanOf: (o: number) => Slot,
  known: Known,
): Promise<Map<number, number>> {
  const answers = new Map<number, number>();
  const keyOf = new Map<number, string>();
  const unread: number[] = [];
  for (const o of ordinals) {
    const version = known.versionOf(slotOf(o), o);
    const span = spanOf(o);
    const key = version === null ? null : `${kind}|${o}|${span.from}|${span.to}|${version}`;
    const kept = key === null ? undefined : probeAnswers.get(key);
    if (kept !== undefined) answers.set(o, kept);
    else {
      unread.push(o);
      if (key !== null) keyOf.set(o, key);
    }
  }
  const [aggregate, decision] = kind === 'firstBlock' ? [Prisma.sql`min(d.occurred_at)`, `'blocked'`] : [Prisma.sql`count(*)`, `'allowed'`];
  for (const r of await routeRawAggregates(tx, unread, spanOf, aggregate, decision)) {
    // A first block is there: the probe's slot counts one for the route.
    if (r.value === null) continue;
    const value = r.value instanceof Date ? r.value.getTime() : Number(r.value);
    answers.set(r.ordinal, value);
    const key = keyOf.get(r.ordinal);
    if (key !== undefined) probeAnswers.set(key, value);
  }
  return answers;
}

/**
 * Each pair's F1 and allowed after block, from raw rows bounded to single slots: the first
 * block of each route whose first slot with one is F1's or F2's, then each route's allowed
 * decisions in its threshold's slot on one side of the threshold.
 */
export async function workOutExact(tx: Prisma.TransactionClient, pairs: ExactPair[], known: Known): Promise<void> {
  const { slots, rawFirst, firstSlot, threshold, after, on } = known;
  const probes = pairs.flatMap((p) => Array.from(p.routes).filter((o) => known.blocked[o]! > 0 && (firstSlot[o] === p.f1Slot || firstSlot[o] === p.f2Slot) && !rawFirst.has(o)));
  const firstBlock = new Map(rawFirst);
  const slotOfFirst = (o: number) => firstSlot[o]!;
  for (const [o, at] of await probe(tx, 'firstBlock', probes, slotOfFirst, (o) => slots[slotOfFirst(o)]!, known)) firstBlock.set(o, at);
  const thresholdAt = new Map<number, number>();
  for (const p of pairs) {
    const blocks = p.routes.filter((o) => firstBlock.has(o) && (firstSlot[o] === p.f1Slot || firstSlot[o] === p.f2Slot))
      .sort((a, b) => firstBlock.get(a)! - firstBlock.get(b)!);
    const r1 = blocks[0]!;
    const f1 = firstBlock.get(r1)!;
    const f2 = blocks.length > 1 ? firstBlock.get(blocks[1]!)! : null;
    p.firstBlockAt = f1;
    for (const o of p.routes) {
      const t = o === r1 ? f2 : f1;
      if (t !== null && known.allowed[o]! > 0) thresholdAt.set(o, t);
    }
  }
  // Allowed decisions in the threshold's slot from the threshold on (none to read where the
  // slot has none): read on the shorter side of the threshold. Before it, they are the
  // slot's (on) less those read: a busy account's first block is minutes into the day, and
  // the rest of its day is a thousand rows per route.
  const reads = [...thresholdAt.keys()].filter((o) => on[o]! > 0);
  const slotOfThreshold = (o: number) => threshold[o]!;
  const early = (o: number) => {
    const slot = slots[slotOfThreshold(o)]!;
    return thresholdAt.get(o)! - slot.from < slot.to - thresholdAt.get(o)!;
  };
  const span = (o: number): Slot => {
    const slot = slots[slotOfThreshold(o)]!;
    return early(o) ? { from: slot.from, to: thresholdAt.get(o)! } : { from: thresholdAt.get(o)!, to: slot.to };
  };
  const inSlot = new Map<number, number>();
  for (const [o, count] of await probe(tx, 'allowed', reads, slotOfThreshold, span, known)) {
    inSlot.set(o, early(o) ? on[o]! - count : count);
  }
  for (const p of pairs) {
    p.allowedAfterBlock = p.routes.reduce((n, o) => n + (thresholdAt.has(o) ? after[o]! + (inSlot.get(o) ?? 0) : 0), 0);
  }
}
