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

/** Versions not ended yet (open, or ending in the future): what an admin can close or supersede. */
export async function openRegionPolicies(prisma: PrismaClient) {
  return prisma.regionPolicy.findMany({
    where: { OR: [{ effectiveTo: null }, { effectiveTo: { gt: new Date() } }] },
    orderBy: [{ provider: 'asc' }, { channel: 'asc' }, { region: 'asc' }, { effectiveFrom: 'asc' }],
    take: 1000,
  });
}
