import type { Prisma } from '@/lib/generated/prisma/client';

import { dayParts, type Span } from './range';

// A range's edges cost raw rows only where rows can be. The presets end now, and no stored
// decision lies after now (short of clock skew), so the part of the last day (or, for a
// range without a whole day, the last hour) after the range's end holds nothing, and it can
// be counted whole from the rollups; a range that starts before the first stored decision
// likewise. The answer is the same, since the span added holds no decision under any filter.

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface StoredExtent {
  first: Date | null;
  last: Date | null;
}

/** The first and last stored decision instants (two probes of the time index). */
export async function storedExtent(prisma: Prisma.TransactionClient): Promise<StoredExtent> {
  const [row] = await prisma.$queryRaw<StoredExtent[]>`
    SELECT (SELECT occurred_at FROM access_decisions ORDER BY occurred_at ASC LIMIT 1) AS first,
           (SELECT occurred_at FROM access_decisions ORDER BY occurred_at DESC LIMIT 1) AS last`;
  return { first: row?.first ?? null, last: row?.last ?? null };
}

/**
 * The span widened to whole UTC days at the ends where the stored decisions stop inside it:
 * the end to the next midnight when none is at or after it, the start to its midnight when
 * none is before it. Callers that read several statements should read the extent in their
 * snapshot's transaction, so that a decision stored meanwhile cannot fall in what was added.
 *
 * A span without a whole UTC day (the last 24 hours) is widened to whole hours only: a day
 * added would turn the hours it reads into a whole day's running totals of every account
 * (accounts list 150 ms against 740, headline 130 against 200, at 10M rows), while an hour
 * added only spares the raw rows of its partial hour.
 */
export function widenedTo<S extends Span>(span: S, { first, last }: StoredExtent): S {
  if (!first || !last) return span;
  const unit = dayParts(span.from, span.to).daily.length === 0 ? HOUR : DAY;
  const from = span.from.getTime();
  const to = span.to.getTime();
  return {
    ...span,
    from: first.getTime() >= from ? new Date(Math.floor(from / unit) * unit) : span.from,
    to: last.getTime() < to ? new Date(Math.ceil(to / unit) * unit) : span.to,
  };
}
