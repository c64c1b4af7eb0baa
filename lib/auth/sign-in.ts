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

const windowStart = () => new Date(Date.now() - WINDOW_MS);

export async function checkCredentials(prisma: PrismaClient, emailInput: string, password: string): Promise<SignInResult> {
  const parsed = EmailSchema.safeParse(emailInput);
  const email = (parsed.success ? parsed.data : emailInput.trim().toLowerCase()).slice(0, 320);
  // The attempt is stored before it is judged, so that guesses sent at once see each other:
  // of any number of them, at most MAX_FAILURES get a password checked in a window.
  const attempt = await prisma.signInFailure.create({ data: { email }, select: { id: true } });
  const recent = await prisma.signInFailure.count({ where: { email, at: { gt: windowStart() } } });
  if (recent > MAX_FAILURES) {
    // deleteMany: a concurrent successful sign-in may have cleared the row already.
    await prisma.signInFailure.deleteMany({ where: { id: attempt.id } });
    return { ok: false, reason: 'throttled' };
  }
  const user = parsed.success ? await prisma.user.findUnique({ where: { email } }) : null;
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid) {
    // The failure stays; rows past the window go as new failures come in. Not in the
    // same statement or transaction: a cleanup that loses a race is retried by the next.
    await prisma.signInFailure.deleteMany({ where: { at: { lte: windowStart() } } }).catch(() => undefined);
    return { ok: false, reason: 'invalid' };
  }
  if (user.disabledAt) {
    await prisma.signInFailure.deleteMany({ where: { id: attempt.id } });
    return { ok: false, reason: 'disabled' };
  }
  await prisma.signInFailure.deleteMany({ where: { email } });
  return { ok: true, userId: user.id, email: user.email };
}

export const SIGN_IN_MESSAGES: Record<Exclude<SignInResult, { ok: true }>['reason'], string> = {
  invalid: 'Wrong email or password.',
  disabled: 'This account has been disabled. Ask an administrator.',
  throttled: 'Too many failed attempts for this email. Wait 15 minutes and try again.',
};
