import type { PrismaClient } from '@/lib/generated/prisma/client';

import { verifyPassword } from './password';
import { EmailSchema } from './users';

export type SignInResult =
  | { ok: true; userId: string; email: string }
  | { ok: false; reason: 'invalid' | 'disabled' | 'throttled' };

// Failed attempts per email over the last 15 minutes, stored (sign_in_failures) so that
// neither a restart nor a second process resets them.
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;

async function recentFailures(prisma: PrismaClient, email: string): Promise<number> {
  return prisma.signInFailure.count({ where: { email, at: { gt: new Date(Date.now() - WINDOW_MS) } } });
}

async function recordFailure(prisma: PrismaClient, email: string): Promise<void> {
  // Old rows go as new failures come in, so the table holds at most a window of them.
  await prisma.$transaction([
    prisma.signInFailure.deleteMany({ where: { at: { lte: new Date(Date.now() - WINDOW_MS) } } }),
    prisma.signInFailure.create({ data: { email } }),
  ]);
}

export async function checkCredentials(prisma: PrismaClient, emailInput: string, password: string): Promise<SignInResult> {
  const parsed = EmailSchema.safeParse(emailInput);
  const email = (parsed.success ? parsed.data : emailInput.trim().toLowerCase()).slice(0, 320);
  if ((await recentFailures(prisma, email)) >= MAX_FAILURES) return { ok: false, reason: 'throttled' };
  const user = parsed.success ? await prisma.user.findUnique({ where: { email } }) : null;
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid) {
    await recordFailure(prisma, email);
    return { ok: false, reason: 'invalid' };
  }
  if (user.disabledAt) return { ok: false, reason: 'disabled' };
  await prisma.signInFailure.deleteMany({ where: { email } });
  return { ok: true, userId: user.id, email: user.email };
}

export const SIGN_IN_MESSAGES: Record<Exclude<SignInResult, { ok: true }>['reason'], string> = {
  invalid: 'Wrong email or password.',
  disabled: 'This account has been disabled. Ask an administrator.',
  throttled: 'Too many failed attempts for this email. Wait 15 minutes and try again.',
};
