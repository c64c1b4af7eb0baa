import { z } from 'zod';

import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import type { Role } from '@/lib/generated/prisma/enums';

import type { Principal } from './principal';
import { hashSecret, newSecret } from './secrets';
import { TOUCH_MS } from './sessions';

const TOKEN_PREFIX = 'gwt_';

export const NewTokenSchema = z.object({
  name: z.string().trim().min(1, 'Give the token a name.').max(200),
  role: z.enum(['viewer', 'analyst', 'admin']),
  /** Days until it expires; none: it never does. */
  expiresInDays: z.coerce.number().int('Expiry must be a whole number of days.').min(1, 'Expiry must be at least 1 day.')
    .max(3650, 'Expiry must be at most 3,650 days.').optional(),
});

/** Creates a token and returns its secret, which is never stored and cannot be shown again. */
export async function createApiToken(
  prisma: PrismaClient,
  input: { name: string; role: Role; expiresInDays?: number | string; createdById?: string | null },
): Promise<{ id: string; secret: string; expiresAt: Date | null }> {
  const { name, role, expiresInDays } = NewTokenSchema.parse(input);
  const secret = newSecret(TOKEN_PREFIX);
  const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * 86_400_000);
  const token = await prisma.apiToken.create({
    data: { name, role, prefix: secret.slice(0, 12), tokenHash: hashSecret(secret), expiresAt, createdById: input.createdById ?? null },
  });
  return { id: token.id, secret, expiresAt };
}

export async function resolveApiToken(prisma: PrismaClient, secret: string, now = new Date()): Promise<Principal | null> {
  if (!secret.startsWith(TOKEN_PREFIX)) return null;
  const token = await prisma.apiToken.findUnique({ where: { tokenHash: hashSecret(secret) } });
  // Looked up at every request, so a revocation or expiry holds from the next one on.
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
  // Once a minute at most (TOUCH_MS, as sessions), and best effort: a failed timestamp
  // update must not fail the request.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_MS) {
    await prisma.apiToken.updateMany({ where: { id: token.id }, data: { lastUsedAt: now } }).catch(() => undefined);
  }
  return { kind: 'token', role: token.role, token: { id: token.id, name: token.name } };
}

export class UnknownTokenError extends Error {
  constructor(id: string) {
    super(`No API token has the id ${id}.`);
  }
}

/** Revokes a token (a token revoked already keeps its first revocation time). */
export async function revokeApiToken(prisma: PrismaClient | Prisma.TransactionClient, id: string): Promise<{ name: string }> {
  const token = await prisma.apiToken.findUnique({ where: { id } });
  if (!token) throw new UnknownTokenError(id);
  if (!token.revokedAt) await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  return { name: token.name };
}

export async function listApiTokens(prisma: PrismaClient) {
  return prisma.apiToken.findMany({
    orderBy: { createdAt: 'desc' },
    take: 200,
    select: { id: true, name: true, prefix: true, role: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true,
      createdBy: { select: { email: true } } },
  });
}
