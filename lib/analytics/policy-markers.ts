import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters } from './filters';

export interface PolicyMarker {
  at: string;
  provider: string;
  channel: string | null;
  region: string;
  status: 'allowed' | 'blocked';
  note: string | null;
}

/**
 * Region policies that took effect (or ended) inside the range, for chart markers, with
 * the filter bar applied: a policy for every channel of its provider (channel null) shows
 * under any channel filter, since it governs the channels kept too.
 */
export async function policyMarkers(prisma: PrismaClient, filters: Filters): Promise<PolicyMarker[]> {
  const { region, provider, channel } = filters;
  const where: Prisma.RegionPolicyWhereInput[] = [
    { OR: [{ effectiveFrom: { gte: filters.from, lt: filters.to } }, { effectiveTo: { gte: filters.from, lt: filters.to } }] },
  ];
  if (region.include.length) where.push({ region: { in: region.include } });
  if (region.exclude.length) where.push({ region: { notIn: region.exclude } });
  if (provider.include.length) where.push({ provider: { in: provider.include } });
  if (provider.exclude.length) where.push({ provider: { notIn: provider.exclude } });
  if (channel.include.length) where.push({ OR: [{ channel: null }, { channel: { in: channel.include } }] });
  if (channel.exclude.length) where.push({ OR: [{ channel: null }, { channel: { notIn: channel.exclude } }] });
  const policies = await prisma.regionPolicy.findMany({ where: { AND: where }, orderBy: { effectiveFrom: 'asc' } });
  return policies.map((p) => ({
    at: (p.effectiveFrom >= filters.from ? p.effectiveFrom : p.effectiveTo!).toISOString(),
    provider: p.provider,
    channel: p.channel,
    region: p.region,
    status: p.status,
    note: p.note,
  }));
}
