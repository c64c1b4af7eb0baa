import type { PrismaClient } from '@/lib/generated/prisma/client';
import { anyDecisionCounted, countedValues } from '@/lib/rollups/decision-counts';

/** Whether any decision was ever stored (to tell "no data at all" from "nothing matches"). */
export function hasAnyDecisions(prisma: PrismaClient): Promise<boolean> {
  return anyDecisionCounted(prisma);
}

export interface DimensionValues {
  region: string[];
  provider: string[];
  channel: string[];
}

/** The values seen so far, for the filter bar's choices (from the daily decision counts). */
export async function dimensionValues(prisma: PrismaClient): Promise<DimensionValues> {
  const rows = await countedValues(prisma);
  const result: DimensionValues = { region: [], provider: [], channel: [] };
  for (const r of rows) result[r.dim].push(r.value);
  return result;
}
