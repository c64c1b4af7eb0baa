'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';

import { recordAudit } from '@/lib/audit/record';
import { clientIp, currentUser, secureCookies } from '@/lib/auth/request';
import { createSession, deleteSession, SESSION_COOKIE } from '@/lib/auth/sessions';
import { checkCredentials, SIGN_IN_MESSAGES } from '@/lib/auth/sign-in';
import { createFirstAdmin, SetupClosedError } from '@/lib/auth/users';
import { prisma } from '@/lib/db/client';
import { env } from '@/lib/env';

export interface FormState {
  error: string | null;
}

/** Only same-site relative paths: `next=//evil.example` must not become an open redirect. */
function safeNext(raw: FormDataEntryValue | null): string {
  const next = typeof raw === 'string' ? raw : '';
  return /^\/(?![/\\])/.test(next) ? next : '/overview';
}

/** A new session on every sign-in; the one the browser held before (if any) ends. */
async function startSession(userId: string): Promise<void> {
  const jar = await cookies();
  await deleteSession(prisma(), jar.get(SESSION_COOKIE)?.value);
  const { token, expiresAt } = await createSession(prisma(), userId, {
    hours: env().GW_SESSION_HOURS,
    userAgent: (await headers()).get('user-agent'),
  });
  jar.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await secureCookies(),
    path: '/',
    expires: expiresAt,
  });
}

const SignInSchema = z.object({ email: z.string().max(320), password: z.string().max(256) });

export async function signInAction(_: FormState, form: FormData): Promise<FormState> {
  const parsed = SignInSchema.safeParse({ email: form.get('email') ?? '', password: form.get('password') ?? '' });
  if (!parsed.success) return { error: SIGN_IN_MESSAGES.invalid };
  const result = await checkCredentials(prisma(), parsed.data.email, parsed.data.password);
  const ip = await clientIp();
  if (!result.ok) {
    await recordAudit(prisma(), {
      actor: { kind: 'anonymous', label: parsed.data.email.slice(0, 320) || '(no email)' },
      action: 'auth.sign_in_failed',
      details: { reason: result.reason },
      ip,
    });
    return { error: SIGN_IN_MESSAGES[result.reason] };
  }
  await startSession(result.userId);
  await recordAudit(prisma(), {
    actor: { kind: 'userRef', id: result.userId, email: result.email },
    action: 'auth.sign_in',
    target: `user:${result.userId}`,
    ip,
  });
  redirect(safeNext(form.get('next')));
}

export async function setupAction(_: FormState, form: FormData): Promise<FormState> {
  const password = String(form.get('password') ?? '');
  if (password !== String(form.get('confirm') ?? '')) return { error: 'The two passwords differ.' };
  try {
    const user = await createFirstAdmin(prisma(), {
      email: String(form.get('email') ?? ''),
      name: String(form.get('name') ?? ''),
      password,
    });
    await recordAudit(prisma(), {
      actor: { kind: 'userRef', id: user.id, email: user.email },
      action: 'auth.setup_admin',
      target: `user:${user.id}`,
      ip: await clientIp(),
    });
    await startSession(user.id);
  } catch (error) {
    if (error instanceof z.ZodError) return { error: error.issues.map((i) => i.message).join(' ') };
    if (error instanceof SetupClosedError) redirect('/sign-in');
    throw error;
  }
  redirect('/overview');
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  const user = await currentUser();
  await deleteSession(prisma(), jar.get(SESSION_COOKIE)?.value);
  jar.delete(SESSION_COOKIE);
  if (user) await recordAudit(prisma(), { actor: user, action: 'auth.sign_out', ip: await clientIp() });
  redirect('/sign-in');
}

export async function setThemeAction(theme: 'light' | 'dark'): Promise<void> {
  (await cookies()).set('gw_theme', theme === 'dark' ? 'dark' : 'light', {
    path: '/',
    sameSite: 'lax',
    maxAge: 365 * 86_400,
  });
}
