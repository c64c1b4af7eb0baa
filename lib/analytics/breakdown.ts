import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters, GroupBy } from './filters';
import { decisionCounts } from './sources';

export interface BreakdownRow {
  key: string;
  /** The second grouping's value, when grouped by two. */
  key2?: string;
  allowed: number;
  blocked: number;
  total: number;
  blockRate: number | null;
}

const COLUMN: Record<GroupBy, string> = {
  region: 'caller_region',
  provider: 'provider',
  channel: 'channel',
  reason: 'reason',
  model: 'model',
};

/** Shown for decisions without a reason or model. */
export const NONE = '(none)';

export type BreakdownSort = 'key' | 'allowed' | 'blocked' | 'total' | 'blockRate';

/** Allowed, blocked, total and block rate grouped by one or two dimensions; every group, no limit. */
export async function breakdown(
  prisma: PrismaClient,
  filters: Filters,
  by: GroupBy,
  by2?: GroupBy,
): Promise<BreakdownRow[]> {
  const keys = [by, ...(by2 && by2 !== by ? [by2] : [])].map((g) => Prisma.raw(`trim(${COLUMN[g]})`));
  const rows = await prisma.$queryRaw<{ key: string; key2: string | null; allowed: number | null; blocked: number | null }[]>`
    SELECT ${keys[0]} AS key, ${keys[1] ?? Prisma.sql`NULL`} AS key2,
           sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked
      FROM (${decisionCounts(filters)}) s
     GROUP BY 1, 2 ORDER BY sum(n) DESC, 1, 2`;
  return rows.map((r) => {
    const allowed = Number(r.allowed ?? 0);
    const blocked = Number(r.blocked ?? 0);
    const total = allowed + blocked;
    return {
      key: r.key || NONE,
      ...(r.key2 !== null ? { key2: r.key2 || NONE } : {}),
      allowed,
      blocked,
      total,
      blockRate: total ? blocked / total : null,
    };
  });
}

export function sortBreakdown(rows: BreakdownRow[], sort: BreakdownSort, desc: boolean): BreakdownRow[] {
  const value = (r: BreakdownRow) => (sort === 'key' ? `${r.key}\u0000${r.key2 ?? ''}` : (r[sort] ?? -1));
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
    return desc ? -order : order;
  });
}
