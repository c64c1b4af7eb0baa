import type { PrismaClient } from '@/lib/generated/prisma/client';

/** Whether any decision was ever stored (to tell "no data at all" from "nothing matches"). */
export async function hasAnyDecisions(prisma: PrismaClient): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM decision_counts_daily) AS any`;
  return Boolean(rows[0]?.any);
}

export interface DimensionValues {
  region: string[];
  provider: string[];
  channel: string[];
}

/** The values seen so far, for the filter bar's choices (read from the small daily rollup). */
export async function dimensionValues(prisma: PrismaClient): Promise<DimensionValues> {
  const rows = await prisma.$queryRaw<{ dim: keyof DimensionValues; value: string }[]>`
    SELECT DISTINCT 'region' AS dim, trim(caller_region) AS value FROM decision_counts_daily
    UNION SELECT DISTINCT 'provider', provider FROM decision_counts_daily
    UNION SELECT DISTINCT 'channel', channel FROM decision_counts_daily
    ORDER BY 1, 2`;
  const result: DimensionValues = { region: [], provider: [], channel: [] };
  for (const r of rows) result[r.dim].push(r.value);
  return result;
}
