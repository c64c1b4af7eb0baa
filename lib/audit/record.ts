import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

import type { Principal } from '@/lib/auth/principal';

// The audit trail of Gatewatch's own use. Every state-changing action and every export
// goes through here, so "who did what, when" has one answer.

export type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_out'
  | 'auth.setup_admin'
  | 'user.create'
  | 'user.role_change'
  | 'user.disable'
  | 'user.enable'
  | 'token.create'
  | 'token.revoke'
  | 'batch.ingest'
  | 'export.csv'
  | 'policy.create'
  | 'demo.seed';

export interface AuditEntry {
  actor:
    | Principal
    | { kind: 'userRef'; id: string; email: string }
    | { kind: 'system'; label: string }
    | { kind: 'anonymous'; label: string };
  action: AuditAction;
  target?: string;
  details?: Prisma.InputJsonValue;
  ip?: string | null;
}

export async function recordAudit(prisma: PrismaClient, entry: AuditEntry): Promise<void> {
  const { actor } = entry;
  const actorFields =
    actor.kind === 'user'
      ? { actorType: 'user' as const, actorId: actor.user.id, actorLabel: actor.user.email }
      : actor.kind === 'userRef'
        ? { actorType: 'user' as const, actorId: actor.id, actorLabel: actor.email }
        : actor.kind === 'token'
        ? { actorType: 'token' as const, actorId: actor.token.id, actorLabel: `token:${actor.token.name}` }
        : { actorType: 'system' as const, actorId: null, actorLabel: actor.label };
  await prisma.auditEvent.create({
    data: {
      ...actorFields,
      action: entry.action,
      target: entry.target?.slice(0, 512),
      details: entry.details ?? {},
      ip: entry.ip?.slice(0, 64) ?? null,
    },
  });
}
