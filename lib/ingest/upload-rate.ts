import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Principal } from '@/lib/auth/principal';
import { env } from '@/lib/env';

// Uploads per principal (a user, or an API token) are limited to GW_UPLOADS_PER_MINUTE
// batches started in any minute: one caller cannot fill the disk or hold the merge lock
// for everyone else. Counted from the batches table, so a restart or a second server
// process does not reset it. Checked before the batch is opened: a burst sent at the same
// instant can pass by the number of requests in flight; the next minute counts them all.

export class UploadRateError extends Error {
  constructor(readonly limit: number, readonly retryAfterSeconds: number) {
    super(`Too many uploads: at most ${limit} a minute per user or token (GW_UPLOADS_PER_MINUTE). Try again in ${retryAfterSeconds} s.`);
  }
}

const WINDOW_MS = 60_000;

export async function checkUploadRate(prisma: PrismaClient, principal: Principal, now = new Date()): Promise<void> {
  const limit = env().GW_UPLOADS_PER_MINUTE;
  const since = new Date(now.getTime() - WINDOW_MS);
  const owner = principal.kind === 'user' ? { uploadedById: principal.user.id } : { tokenId: principal.token.id };
  const recent = await prisma.ingestBatch.findMany({
    where: { ...owner, startedAt: { gt: since } },
    orderBy: { startedAt: 'asc' },
    select: { startedAt: true },
    take: limit,
  });
  if (recent.length < limit) return;
  const retry = Math.max(1, Math.ceil((recent[0]!.startedAt.getTime() + WINDOW_MS - now.getTime()) / 1000));
  throw new UploadRateError(limit, retry);
}
