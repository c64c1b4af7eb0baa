import type { PrismaClient } from '@/lib/generated/prisma/client';

export type AuditSort = 'at' | 'action' | 'actorLabel';

export async function listAuditEvents(
  prisma: PrismaClient,
  options: { page: number; pageSize: number; column: AuditSort; desc: boolean },
) {
  const [rows, total] = await Promise.all([
    prisma.auditEvent.findMany({
      orderBy: [{ [options.column]: options.desc ? 'desc' : 'asc' }, { id: 'desc' }],
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
    }),
    prisma.auditEvent.count(),
  ]);
  return { rows, total };
}
