import type { PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters } from './filters';
import { countActiveAccounts } from './active-accounts';
import { storedExtent, type StoredExtent, widenedTo } from './data-extent';
import { firstDecisionHourSql } from '@/lib/rollups/decision-counts';

import { previousSpan } from './range';
import { decisionCounts } from './sources';

export interface Headline {
  decisions: number;
  allowed: number;
  blocked: number;
  /** blocked / decisions, or null when there are none. */
  blockRate: number | null;
  accounts: number;
  regions: number;
}

export interface Summary {
  current: Headline;
  /** The period of equal length just before. */
  previous: Headline;
  previousFrom: Date;
  /**
   * The share of each period after the first stored decision (1: all of it). A previous
   * period that data covers less of than the current one makes its changes meaningless.
   */
  coverage: { current: number; previous: number };
}

/** The share of [from, to) at or after `first` (0 when there is no data). */
export function coverageOf(span: { from: Date; to: Date }, first: Date | null): number {
  if (!first) return 0;
  const length = span.to.getTime() - span.from.getTime();
  return Math.min(1, Math.max(0, (span.to.getTime() - Math.max(span.from.getTime(), first.getTime())) / length));
}

export async function firstDecisionHour(prisma: PrismaClient): Promise<Date | null> {
  const [row] = await prisma.$queryRaw<{ first: Date | null }[]>(firstDecisionHourSql);
  return row?.first ?? null;
}

async function headline(prisma: PrismaClient, period: Filters, extent: StoredExtent): Promise<Headline> {
  const filters = widenedTo(period, extent);
  const [counts, accounts] = await Promise.all([
    prisma.$queryRaw<{ allowed: number | null; blocked: number | null; regions: number }[]>`
      SELECT sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked,
             count(DISTINCT caller_region)::int AS regions
        FROM (${decisionCounts(filters)}) s`,
    countActiveAccounts(prisma, filters, extent),
  ]);
  const allowed = Number(counts[0]?.allowed ?? 0);
  const blocked = Number(counts[0]?.blocked ?? 0);
  const decisions = allowed + blocked;
  return {
    decisions,
    allowed,
    blocked,
    blockRate: decisions ? blocked / decisions : null,
    accounts,
    regions: decisions ? (counts[0]?.regions ?? 0) : 0,
  };
}

export async function summary(prisma: PrismaClient, filters: Filters): Promise<Summary> {
  const before = previousSpan(filters);
  // Outside a snapshot, like the headlines' statements: a decision dated after the range's
  // end that commits between this read and theirs would be counted (and the two periods
  // could already disagree by a batch committed between them).
  const [extent, first] = await Promise.all([storedExtent(prisma), firstDecisionHour(prisma)]);
  const [current, previous] = await Promise.all([
    headline(prisma, filters, extent),
    headline(prisma, { ...filters, ...before }, extent),
  ]);
  return {
    current, previous, previousFrom: before.from,
    coverage: { current: coverageOf(filters, first), previous: coverageOf(before, first) },
  };
}
