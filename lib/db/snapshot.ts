import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

/**
 * Runs a read of several statements in one REPEATABLE READ snapshot, so that a batch
 * committed between two of them is seen by all or none: counted for some days or hours
 * and not others, an answer would be wrong. The transaction holds one connection, so
 * nothing in `read` may wait for another. Its timeout is a minute: Prisma's default of
 * 5 s would cut short a slow read (a cold process over 90 days at 10M rows builds its
 * caches first) rather than let it finish.
 */
export function inSnapshot<T>(prisma: PrismaClient, read: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(read, { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 10_000, timeout: 60_000 });
}
