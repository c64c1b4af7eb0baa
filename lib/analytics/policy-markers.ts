import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import type { PolicyStatus } from '@/lib/policy/in-force';

import type { Filters } from './filters';

export interface PolicyMarker {
  at: string;
  provider: string;
  channel: string | null;
  region: string;
  /** The status from `at` on; `ended` when a version closed with none after it. */
  status: PolicyStatus | 'ended';
  note: string | null;
}

/**
 * Changes of the policy catalogue inside the range, for chart markers, with the filter bar
 * applied: a version starting is a marker with its status; a version ending is one only
 * when no version of its key starts at that instant (a superseded version's end is its
 * successor's start). A version for every channel of its provider (channel null) shows
 * under any channel filter, since it governs the channels kept too.
 */
export async function policyMarkers(prisma: PrismaClient, filters: Filters): Promise<PolicyMarker[]> {
  const { region, provider, channel } = filters;
  const where: Prisma.RegionPolicyWhereInput[] = [];
  if (region.include.length) where.push({ region: { in: region.include } });
  if (region.exclude.length) where.push({ region: { notIn: region.exclude } });
  if (provider.include.length) where.push({ provider: { in: provider.include } });
  if (provider.exclude.length) where.push({ provider: { notIn: provider.exclude } });
  if (channel.include.length) where.push({ OR: [{ channel: null }, { channel: { in: channel.include } }] });
  if (channel.exclude.length) where.push({ OR: [{ channel: null }, { channel: { notIn: channel.exclude } }] });
  const inRange = { gte: filters.from, lt: filters.to };
  const policies = await prisma.regionPolicy.findMany({
    where: { AND: [...where, { OR: [{ effectiveFrom: inRange }, { effectiveTo: inRange }] }] },
    orderBy: [{ effectiveFrom: 'asc' }, { id: 'asc' }],
  });
  const keyAt = (p: { provider: string; channel: string | null; region: string }, at: Date) =>
    `${p.provider}|${p.channel ?? ''}|${p.region}|${at.toISOString()}`;
  const starts = new Set(policies.map((p) => keyAt(p, p.effectiveFrom)));
  const markers: PolicyMarker[] = [];
  for (const p of policies) {
    const base = { provider: p.provider, channel: p.channel, region: p.region, note: p.note };
    if (p.effectiveFrom >= filters.from) markers.push({ ...base, at: p.effectiveFrom.toISOString(), status: p.status });
    if (p.effectiveTo && p.effectiveTo >= filters.from && p.effectiveTo < filters.to && !starts.has(keyAt(p, p.effectiveTo))) {
      markers.push({ ...base, at: p.effectiveTo.toISOString(), status: 'ended' });
    }
  }
  return markers.sort((a, b) => a.at.localeCompare(b.at));
}
