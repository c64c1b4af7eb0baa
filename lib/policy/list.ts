import type { PrismaClient } from '@/lib/generated/prisma/client';

export type PolicySort = 'effectiveFrom' | 'provider' | 'region';

export async function listRegionPolicies(
  prisma: PrismaClient,
  options: { page: number; pageSize: number; column: PolicySort; desc: boolean },
) {
  const [rows, total] = await Promise.all([
    prisma.regionPolicy.findMany({
      orderBy: [{ [options.column]: options.desc ? 'desc' : 'asc' }, { id: 'asc' }],
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
    }),
    prisma.regionPolicy.count(),
  ]);
  return { rows, total };
}

const BY_KEY = [{ provider: 'asc' }, { channel: 'asc' }, { region: 'asc' }, { effectiveFrom: 'asc' }] as const;

/** Versions not ended yet (open, or ending in the future): what an admin can close or supersede. */
export async function openRegionPolicies(prisma: PrismaClient) {
  return prisma.regionPolicy.findMany({ where: { OR: [{ effectiveTo: null }, { effectiveTo: { gt: new Date() } }] }, orderBy: [...BY_KEY], take: 1000 });
}

/** Every version by key and start, or only those in force at `at`. */
export async function regionPolicyVersions(prisma: PrismaClient, options: { inForceAt?: Date } = {}) {
  const at = options.inForceAt;
  return prisma.regionPolicy.findMany({
    where: at ? { effectiveFrom: { lte: at }, OR: [{ effectiveTo: null }, { effectiveTo: { gt: at } }] } : {},
    orderBy: [...BY_KEY],
  });
}
