import type { PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters } from './filters';
import { hourlyWhere } from './rollup-sql';

export interface Totals {
  decisions: number;
  allowed: number;
  blocked: number;
  /** blocked / decisions, or null when there are none. */
  blockRate: number | null;
}

export interface SeriesPoint {
  bucket: string;
  allowed: number;
  blocked: number;
}

function totals(allowed: number, blocked: number): Totals {
  const decisions = allowed + blocked;
  return { decisions, allowed, blocked, blockRate: decisions ? blocked / decisions : null };
}

export async function overviewTotals(prisma: PrismaClient, filters: Filters): Promise<Totals> {
  const rows = await prisma.$queryRaw<{ allowed: bigint | number | null; blocked: bigint | number | null }[]>`
    SELECT sum(count) FILTER (WHERE decision = 'allowed') AS allowed,
           sum(count) FILTER (WHERE decision = 'blocked') AS blocked
      FROM decision_counts_hourly WHERE ${hourlyWhere(filters)}`;
  return totals(Number(rows[0]?.allowed ?? 0), Number(rows[0]?.blocked ?? 0));
}

/** Allowed and blocked per UTC day of the range. */
export async function dailySeries(prisma: PrismaClient, filters: Filters): Promise<SeriesPoint[]> {
  const rows = await prisma.$queryRaw<{ bucket: Date; allowed: bigint | number; blocked: bigint | number }[]>`
    SELECT date_trunc('day', bucket AT TIME ZONE 'UTC') AS bucket,
           coalesce(sum(count) FILTER (WHERE decision = 'allowed'), 0) AS allowed,
           coalesce(sum(count) FILTER (WHERE decision = 'blocked'), 0) AS blocked
      FROM decision_counts_hourly WHERE ${hourlyWhere(filters)}
     GROUP BY 1 ORDER BY 1`;
  return rows.map((r) => ({
    bucket: r.bucket.toISOString().slice(0, 10),
    allowed: Number(r.allowed),
    blocked: Number(r.blocked),
  }));
}

export async function hasAnyDecisions(prisma: PrismaClient): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM decision_counts_hourly) AS any`;
  return Boolean(rows[0]?.any);
}

export interface DimensionValues {
  region: string[];
  provider: string[];
  channel: string[];
}

/** The values seen so far, for the filter bar's choices. */
export async function dimensionValues(prisma: PrismaClient): Promise<DimensionValues> {
  const rows = await prisma.$queryRaw<{ dim: string; value: string }[]>`
    SELECT DISTINCT 'region' AS dim, caller_region AS value FROM decision_counts_daily
    UNION SELECT DISTINCT 'provider', provider FROM decision_counts_daily
    UNION SELECT DISTINCT 'channel', channel FROM decision_counts_daily
    ORDER BY 1, 2`;
  const result: DimensionValues = { region: [], provider: [], channel: [] };
  for (const r of rows) result[r.dim as keyof DimensionValues].push(r.value.trim());
  return result;
}
