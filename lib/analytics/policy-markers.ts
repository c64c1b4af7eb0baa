import type { PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters } from './filters';

export interface PolicyMarker {
  at: string;
  provider: string;
  channel: string | null;
  region: string;
  status: 'allowed' | 'blocked';
  note: string | null;
}

/** Region policies that took effect (or ended) inside the range, for chart markers. */
export async function policyMarkers(prisma: PrismaClient, filters: Filters): Promise<PolicyMarker[]> {
  const policies = await prisma.regionPolicy.findMany({
    where: {
      OR: [
        { effectiveFrom: { gte: filters.from, lt: filters.to } },
        { effectiveTo: { gte: filters.from, lt: filters.to } },
      ],
      ...(filters.region.include.length ? { region: { in: filters.region.include } } : {}),
      ...(filters.provider.include.length ? { provider: { in: filters.provider.include } } : {}),
    },
    orderBy: { effectiveFrom: 'asc' },
  });
  return policies.map((p) => ({
    at: (p.effectiveFrom >= filters.from ? p.effectiveFrom : p.effectiveTo!).toISOString(),
    provider: p.provider,
    channel: p.channel,
    region: p.region,
    status: p.status,
    note: p.note,
  }));
}
