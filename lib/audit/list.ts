import { z } from 'zod';

import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

import { AUDIT_ACTIONS } from './record';

export type AuditSort = 'at' | 'action' | 'actorLabel';

/** The Audit page's filters, from its URL (and the audit export's). */
export const AuditFilterSchema = z.object({
  actor: z.string().trim().max(320, 'actor: at most 320 characters').optional().transform((v) => v || undefined),
  action: z.enum(AUDIT_ACTIONS, { error: 'action: not an audit action' }).optional().or(z.literal('').transform(() => undefined)),
  from: z.iso.date('from: a date as YYYY-MM-DD').optional().or(z.literal('').transform(() => undefined)),
  to: z.iso.date('to: a date as YYYY-MM-DD').optional().or(z.literal('').transform(() => undefined)),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export class AuditFilterError extends Error {}

export function parseAuditFilter(params: Record<string, string | string[] | undefined> | URLSearchParams): AuditFilter {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) ?? undefined : typeof params[k] === 'string' ? params[k] : undefined);
  const parsed = AuditFilterSchema.safeParse({ actor: get('actor'), action: get('action'), from: get('from'), to: get('to') });
  if (!parsed.success) throw new AuditFilterError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** Dates are whole UTC days; `to` is inclusive. */
function auditWhere(f: AuditFilter): Prisma.AuditEventWhereInput {
  const at: Prisma.DateTimeFilter = {};
  if (f.from) at.gte = new Date(`${f.from}T00:00:00Z`);
  if (f.to) at.lt = new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000);
  return {
    ...(f.actor ? { actorLabel: { contains: f.actor, mode: 'insensitive' } } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.from || f.to ? { at } : {}),
  };
}

/** The same conditions as SQL, for the streamed CSV export. */
export function auditWhereSql(f: AuditFilter): Prisma.Sql {
  const clauses: Prisma.Sql[] = [Prisma.sql`true`];
  if (f.actor) clauses.push(Prisma.sql`actor_label ILIKE ${`%${f.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (f.action) clauses.push(Prisma.sql`action = ${f.action}`);
  if (f.from) clauses.push(Prisma.sql`at >= ${new Date(`${f.from}T00:00:00Z`)}`);
  if (f.to) clauses.push(Prisma.sql`at < ${new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000)}`);
  return Prisma.join(clauses, ' AND ');
}

export async function listAuditEvents(
  prisma: PrismaClient,
  options: { page: number; pageSize: number; column: AuditSort; desc: boolean; filter: AuditFilter },
) {
  const where = auditWhere(options.filter);
  const [rows, total] = await Promise.all([
    prisma.auditEvent.findMany({
      where,
      orderBy: [{ [options.column]: options.desc ? 'desc' : 'asc' }, { id: 'desc' }],
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
    }),
    prisma.auditEvent.count({ where }),
  ]);
  return { rows, total };
}
