'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';

import { recordAudit } from '@/lib/audit/record';
import { createApiToken, revokeApiToken } from '@/lib/auth/api-tokens';
import { clientIp, requireAction } from '@/lib/auth/request';
import { RoleSchema } from '@/lib/auth/roles';
import { createUser, isLastActiveAdmin, setUserDisabled, setUserRole, UserExistsError } from '@/lib/auth/users';
import { prisma } from '@/lib/db/client';

export interface ActionState {
  error: string | null;
  message: string | null;
}

function messageOf(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((i) => i.message).join(' ');
  if (error instanceof UserExistsError) return error.message;
  throw error;
}

export async function createUserAction(_: ActionState, form: FormData): Promise<ActionState> {
  const admin = await requireAction('createUserAction');
  try {
    const ip = await clientIp();
    const role = RoleSchema.parse(form.get('role'));
    const user = await prisma().$transaction(async (tx) => {
      const created = await createUser(tx, {
        email: String(form.get('email') ?? ''),
        name: String(form.get('name') ?? ''),
        password: String(form.get('password') ?? ''),
        role,
      });
      await recordAudit(tx, { actor: admin, action: 'user.create', target: `user:${created.email}`, details: { role: created.role }, ip });
      return created;
    }, { timeout: 15_000 });
    revalidatePath('/settings');
    return { error: null, message: `Created ${user.email} (${user.role}).` };
  } catch (error) {
    return { error: messageOf(error), message: null };
  }
}

const IdSchema = z.string().uuid();

export async function changeRoleAction(form: FormData): Promise<void> {
  const admin = await requireAction('changeRoleAction');
  const userId = IdSchema.parse(form.get('userId'));
  const role = RoleSchema.parse(form.get('role'));
  if (role !== 'admin' && (await isLastActiveAdmin(prisma(), userId))) return; // the UI explains this
  const ip = await clientIp();
  await prisma().$transaction(async (tx) => {
    const user = await setUserRole(tx, userId, role);
    await recordAudit(tx, { actor: admin, action: 'user.role_change', target: `user:${user.email}`, details: { role }, ip });
  });
  revalidatePath('/settings');
}

export async function setDisabledAction(form: FormData): Promise<void> {
  const admin = await requireAction('setDisabledAction');
  const userId = IdSchema.parse(form.get('userId'));
  const disable = form.get('disable') === '1';
  if (disable && (userId === admin.user.id || (await isLastActiveAdmin(prisma(), userId)))) return;
  const user = await setUserDisabled(prisma(), userId, disable);
  await recordAudit(prisma(), { actor: admin, action: disable ? 'user.disable' : 'user.enable',
    target: `user:${user.email}`, ip: await clientIp() });
  revalidatePath('/settings');
}

export interface TokenState extends ActionState {
  secret: string | null;
}

export async function createTokenAction(_: TokenState, form: FormData): Promise<TokenState> {
  const admin = await requireAction('createTokenAction');
  try {
    const role = RoleSchema.parse(form.get('role'));
    const expiry = String(form.get('expiresInDays') ?? '').trim();
    const { id, secret, expiresAt } = await createApiToken(prisma(), {
      name: String(form.get('name') ?? ''),
      role,
      expiresInDays: expiry === '' ? undefined : expiry,
      createdById: admin.user.id,
    });
    await recordAudit(prisma(), { actor: admin, action: 'token.create', target: `token:${id}`,
      details: { name: String(form.get('name')), role, expiresAt: expiresAt?.toISOString() ?? null }, ip: await clientIp() });
    revalidatePath('/settings');
    return { error: null, message: 'Copy the token now: it is shown only once.', secret };
  } catch (error) {
    return { error: messageOf(error), message: null, secret: null };
  }
}

export async function revokeTokenAction(form: FormData): Promise<void> {
  const admin = await requireAction('revokeTokenAction');
  const id = IdSchema.parse(form.get('tokenId'));
  const ip = await clientIp();
  await prisma().$transaction(async (tx) => {
    const { name } = await revokeApiToken(tx, id);
    await recordAudit(tx, { actor: admin, action: 'token.revoke', target: `token:${id}`, details: { name }, ip });
  });
  revalidatePath('/settings');
}
