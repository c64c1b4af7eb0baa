import type { Prisma } from '@/lib/generated/prisma/client';
import { addEntries, type Cell, VECTOR_CHUNK } from '@/lib/ingest/running-vectors';

import { monthDays } from './range';

/**
 * Every account's decisions in a range, indexed by ordinal (accounts.ordinal), from the
 * running vectors (lib/ingest/running-vectors.ts): `allowed` and `blocked` on the range's
 * whole UTC days; `edgeAllowed` and `edgeBlocked` on the partial days at its edges, whose
 * decisions may or may not fall within it.
 */
export interface VectorTotals {
  allowed: Float64Array;
  blocked: Float64Array;
  edgeAllowed: Float64Array;
  edgeBlocked: Float64Array;
}

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
  // Per day read, cell and chunk, the month's latest row on or before the day.
  const rows = reads.length && cells.length
    ? await prisma.$queryRaw<VectorRow[]>`
        SELECT DISTINCT ON (q.read, c.cell, v.chunk) q.read::int AS read, c.cell::int AS cell, v.chunk, v.counts
          FROM unnest(${reads.map((r) => r.month)}::date[], ${reads.map((r) => dayOf(r.month, r.day))}::date[],
                      ${reads.map((_, i) => i)}::int[]) q(first, last, read)
         CROSS JOIN unnest(${cells.map((c) => c.cell.callerRegion)}::text[], ${cells.map((c) => c.cell.provider)}::text[],
                           ${cells.map((c) => c.cell.channel)}::text[], ${cells.map((_, i) => i)}::int[]) c(caller_region, provider, channel, cell)
          JOIN account_running_vectors v
            ON (v.caller_region, v.provider, v.channel) = (c.caller_region, c.provider, c.channel) AND v.day >= q.first AND v.day <= q.last
         ORDER BY q.read, c.cell, v.chunk, v.day DESC`
    : [];
  const size = (Math.max(-1, ...rows.map((r) => r.chunk)) + 1) * VECTOR_CHUNK;
  const totals: VectorTotals = {
    allowed: new Float64Array(size),
    blocked: new Float64Array(size),
    edgeAllowed: new Float64Array(size),
    edgeBlocked: new Float64Array(size),
  };
  for (const r of rows) {
    const sign = cells[r.cell]!.sign;
    for (const t of terms) {
      if (t.read !== r.read) continue;
      const [allowed, blocked] = t.edge ? [totals.edgeAllowed, totals.edgeBlocked] : [totals.allowed, totals.blocked];
      addEntries(r.counts, allowed, blocked, r.chunk * VECTOR_CHUNK, sign * t.sign);
    }
  }
  return totals;
}
