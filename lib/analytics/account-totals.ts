import type { Prisma } from '@/lib/generated/prisma/client';
import { addHourlyRows, readHourlyVectors } from '@/lib/rollups/account-hourly-vectors';
import { type SignedCell, VECTOR_CHUNK, vectorTotals, type VectorTotals } from '@/lib/rollups/account-running-vectors';

import { dayParts, rangeParts, type Span } from './range';

// Every account's decisions in a range, by ordinal, from the vectors: the running vectors
// for whole UTC days and, for every route together, the hourly vectors for the whole hours
// of the edge days. What they cannot place exactly (the partial edge days, or only the
// partial edge hours) comes as bounds, with the raw spans that settle it.

export interface AccountTotals extends VectorTotals {
  /** The spans whose raw rows turn the edge counts into exact ones: partial hours, or partial days. */
  countSpans: Span[];
}

const isAllRoutes = (cells: SignedCell[]) =>
  cells.length === 1 && cells[0]!.sign === 1 && Object.values(cells[0]!.cell).every((v) => v === '');

/** Float64Arrays grown to `size` entries (the tail zero). */
function grown(a: Float64Array, size: number): Float64Array {
  if (a.length >= size) return a;
  const out = new Float64Array(size);
  out.set(a);
  return out;
}

/**
 * The totals of [from, to) for the cells' routes, or null where the vectors cannot say:
 * a range without a whole UTC day under a filter on region, provider or channel (the
 * hourly vectors keep every route together only).
 */
export async function accountTotals(prisma: Prisma.TransactionClient, from: Date, to: Date, cells: SignedCell[]): Promise<AccountTotals | null> {
  if (!isAllRoutes(cells)) {
    const days = dayParts(from, to);
    if (days.daily.length === 0) return null;
    return { ...(await vectorTotals(prisma, from, to, cells)), countSpans: days.raw };
  }
  const parts = rangeParts(from, to);
  const days = parts.daily[0];
  // Whole days alone: the running vectors read no edge days then.
  const daily = days ? await vectorTotals(prisma, days.from, days.to, cells) : null;
  const rows = await readHourlyVectors(prisma, { sure: parts.hourly, partial: parts.raw });
  const size = Math.max(daily?.allowed.length ?? 0, ...rows.map((r) => (r.chunk + 1) * VECTOR_CHUNK));
  // A span of whole days leaves the running vectors' edge arrays zero: they take the partial hours.
  const empty = new Float64Array(0);
  const totals: AccountTotals = {
    allowed: grown(daily?.allowed ?? empty, size),
    blocked: grown(daily?.blocked ?? empty, size),
    edgeAllowed: grown(daily?.edgeAllowed ?? empty, size),
    edgeBlocked: grown(daily?.edgeBlocked ?? empty, size),
    countSpans: parts.raw,
  };
  addHourlyRows(rows, totals, { allowed: totals.edgeAllowed, blocked: totals.edgeBlocked });
  return totals;
}
