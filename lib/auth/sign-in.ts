import type { PrismaClient } from '@/lib/generated/prisma/client';

import { verifyPassword } from './password';
import { EmailSchema } from './users';

export type SignInResult =
  | { ok: true; userId: string; email: string }
  | { ok: false; reason: 'invalid' | 'disabled' | 'throttled' };

// Failed attempts per email, in memory: enough to slow down guessing against one
// process; a deployment with several processes would move this to the database.
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;
const failures = new Map<string, number[]>();

function recentFailures(email: string): number[] {
  const now = Date.now();
  const list = (failures.get(email) ?? []).filter((t) => now - t < WINDOW_MS);
  failures.set(email, list);
  return list;
}

export async function checkCredentials(prisma: PrismaClient, emailInput: string, password: string): Promise<SignInResult> {
  const parsed = EmailSchema.safeParse(emailInput);
  const email = parsed.success ? parsed.data : emailInput.trim().toLowerCase();
  if (recentFailures(email).length >= MAX_FAILURES) return { ok: false, reason: 'throttled' };
  const user = parsed.success ? await prisma.user.findUnique({ where: { email } }) : null;
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid) {
    recentFailures(email).push(Date.now());
    return { ok: false, reason: 'invalid' };
  }
  if (user.disabledAt) return { ok: false, reason: 'disabled' };
  failures.delete(email);
  return { ok: true, userId: user.id, email: user.email };
}

export const SIGN_IN_MESSAGES: Record<Exclude<SignInResult, { ok: true }>['reason'], string> = {
  invalid: 'Wrong email or password.',
  disabled: 'This account has been disabled. Ask an administrator.',
  throttled: 'Too many failed attempts for this email. Wait 15 minutes and try again.',
};
