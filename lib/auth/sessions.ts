import type { PrismaClient } from '@/lib/generated/prisma/client';

import type { Principal } from './principal';
import { hashSecret, newSecret } from './secrets';

export const SESSION_COOKIE = 'gw_session';

export async function createSession(
  prisma: PrismaClient,
  userId: string,
  options: { hours: number; userAgent?: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret('gws_');
  const expiresAt = new Date(Date.now() + options.hours * 3_600_000);
  await prisma.session.create({
    data: { tokenHash: hashSecret(token), userId, expiresAt, userAgent: options.userAgent?.slice(0, 512) },
  });
  return { token, expiresAt };
}

/** The user behind a session cookie, or null when it is unknown, expired or the user is disabled. */
export async function resolveSession(prisma: PrismaClient, token: string | undefined): Promise<Principal | null> {
  if (!token) return null;
  const session = await prisma.session.findUnique({
    where: { tokenHash: hashSecret(token) },
    include: { user: true },
  });
  if (!session || session.expiresAt <= new Date() || session.user.disabledAt) return null;
  const { user } = session;
  return { kind: 'user', role: user.role, user: { id: user.id, email: user.email, name: user.name, timeZone: user.timeZone } };
}

export async function deleteSession(prisma: PrismaClient, token: string | undefined): Promise<void> {
  if (!token) return;
  await prisma.session.deleteMany({ where: { tokenHash: hashSecret(token) } });
}

export async function deleteExpiredSessions(prisma: PrismaClient): Promise<number> {
  const { count } = await prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  return count;
}
