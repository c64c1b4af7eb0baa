import { z } from 'zod';

import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Role } from '@/lib/generated/prisma/enums';

import type { Principal } from './principal';
import { hashSecret, newSecret } from './secrets';

const TOKEN_PREFIX = 'gwt_';

export const NewTokenSchema = z.object({
  name: z.string().trim().min(1, 'Give the token a name.').max(200),
  role: z.enum(['viewer', 'analyst', 'admin']),
});

/** Creates a token and returns its secret, which is never stored and cannot be shown again. */
export async function createApiToken(
  prisma: PrismaClient,
  input: { name: string; role: Role; createdById?: string | null },
): Promise<{ id: string; secret: string }> {
  const { name, role } = NewTokenSchema.parse(input);
  const secret = newSecret(TOKEN_PREFIX);
  const token = await prisma.apiToken.create({
    data: { name, role, prefix: secret.slice(0, 12), tokenHash: hashSecret(secret), createdById: input.createdById ?? null },
  });
  return { id: token.id, secret };
}

export async function resolveApiToken(prisma: PrismaClient, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(TOKEN_PREFIX)) return null;
  const token = await prisma.apiToken.findUnique({ where: { tokenHash: hashSecret(secret) } });
  if (!token || token.revokedAt) return null;
  // Best effort: a failed timestamp update must not fail the request.
  await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  return { kind: 'token', role: token.role, token: { id: token.id, name: token.name } };
}

export async function revokeApiToken(prisma: PrismaClient, id: string): Promise<void> {
  await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
}

export async function listApiTokens(prisma: PrismaClient) {
  return prisma.apiToken.findMany({
    orderBy: { createdAt: 'desc' },
    take: 200,
    select: { id: true, name: true, prefix: true, role: true, createdAt: true, lastUsedAt: true, revokedAt: true,
      createdBy: { select: { email: true } } },
  });
}
