import { z } from 'zod';

import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import type { Role } from '@/lib/generated/prisma/enums';

import { hashPassword, PasswordSchema } from './password';
import { RoleSchema } from './roles';

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('Enter a valid email address.').max(320));

export const NewUserSchema = z.object({
  email: EmailSchema,
  name: z.string().trim().max(200).optional().transform((v) => (v ? v : undefined)),
  password: PasswordSchema,
  role: RoleSchema,
}).superRefine((user, ctx) => {
  // A password made of the email (or mostly of the part before its @) is the first guess made.
  const password = user.password.toLowerCase();
  const local = user.email.split('@')[0] ?? '';
  if (password.includes(user.email) || (local.length >= 3 && password.includes(local) && local.length * 2 >= password.length)) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'The password must not be made of the email address or its name part.' });
  }
});
export type NewUser = z.input<typeof NewUserSchema>;

export class UserExistsError extends Error {
  constructor(email: string) {
    super(`A user with the email ${email} already exists.`);
  }
}

export async function createUser(prisma: PrismaClient | Prisma.TransactionClient, input: NewUser) {
  const user = NewUserSchema.parse(input);
  const existing = await prisma.user.findUnique({ where: { email: user.email } });
  if (existing) throw new UserExistsError(user.email);
  return prisma.user.create({
    data: { email: user.email, name: user.name, role: user.role, passwordHash: await hashPassword(user.password) },
  });
}

export async function hasAnyUser(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.user.count()) > 0;
}

export class SetupClosedError extends Error {
  constructor() {
    super('Gatewatch already has users: sign in instead.');
  }
}

/**
 * Creates the first admin, only while no user exists. The advisory lock makes two
 * simultaneous setup requests create one admin, not two.
 */
export async function createFirstAdmin(prisma: PrismaClient, input: Omit<NewUser, 'role'>) {
  const user = NewUserSchema.parse({ ...input, role: 'admin' });
  const passwordHash = await hashPassword(user.password);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${0x73657475})`;
    if ((await tx.user.count()) > 0) throw new SetupClosedError();
    return tx.user.create({ data: { email: user.email, name: user.name, role: 'admin', passwordHash } });
  });
}

/** Changes a role and ends the user's sessions: a session never carries a role it was not signed in with. */
export async function setUserRole(prisma: Prisma.TransactionClient, userId: string, role: Role) {
  const user = await prisma.user.update({ where: { id: userId }, data: { role } });
  await prisma.session.deleteMany({ where: { userId } });
  return user;
}

export async function setUserDisabled(prisma: PrismaClient, userId: string, disabled: boolean) {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: userId }, data: { disabledAt: disabled ? new Date() : null } });
    if (disabled) await tx.session.deleteMany({ where: { userId } });
    return user;
  });
}

/** At least one enabled admin must remain, or nobody could manage users any more. */
export async function isLastActiveAdmin(prisma: PrismaClient, userId: string): Promise<boolean> {
  const admins = await prisma.user.findMany({ where: { role: 'admin', disabledAt: null }, select: { id: true } });
  return admins.length === 1 && admins[0]!.id === userId;
}

export type UserSort = 'email' | 'role' | 'createdAt';

export async function listUsers(
  prisma: PrismaClient,
  options: { page: number; pageSize: number; column: UserSort; desc: boolean },
) {
  const [rows, total] = await Promise.all([
    prisma.user.findMany({
      orderBy: [{ [options.column]: options.desc ? 'desc' : 'asc' }, { id: 'asc' }],
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
      select: { id: true, email: true, name: true, role: true, createdAt: true, disabledAt: true },
    }),
    prisma.user.count(),
  ]);
  return { rows, total };
}
