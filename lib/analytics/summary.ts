import type { PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters } from './filters';
import { countActiveAccounts } from './active-accounts';
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
}

async function headline(prisma: PrismaClient, filters: Filters): Promise<Headline> {
  const [counts, accounts] = await Promise.all([
    prisma.$queryRaw<{ allowed: number | null; blocked: number | null; regions: number }[]>`
      SELECT sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked,
             count(DISTINCT caller_region)::int AS regions
        FROM (${decisionCounts(filters)}) s`,
    countActiveAccounts(prisma, filters),
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
  const length = filters.to.getTime() - filters.from.getTime();
  const previousFrom = new Date(filters.from.getTime() - length);
  const [current, previous] = await Promise.all([
    headline(prisma, filters),
    headline(prisma, { ...filters, from: previousFrom, to: filters.from }),
  ]);
  return { current, previous, previousFrom };
}
