import { z } from 'zod';

import type { Role } from '@/lib/generated/prisma/enums';

export const ROLES = ['viewer', 'analyst', 'admin'] as const satisfies readonly Role[];
export const RoleSchema = z.enum(ROLES);

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };

/** Roles are ordered: an admin may do everything an analyst may, and so on. */
export function hasRole(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'Sees dashboards and exports aggregates',
  analyst: 'Also uploads batches and exports raw decisions',
  admin: 'Also manages users, roles, tokens and policies',
};
