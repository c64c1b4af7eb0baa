import type { Principal } from '@/lib/auth/principal';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

import { type ChainFields, entryHash, jsonDetails, lockChainHead } from './chain';

// The audit trail of Gatewatch's own use. Every state-changing action and every export
// goes through here, so "who did what, when" has one answer; each entry is appended to
// the hash chain (chain.ts).

export const AUDIT_ACTIONS = [
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_out',
  'auth.setup_admin',
  'user.create',
  'user.role_change',
  'user.disable',
  'user.enable',
  'token.create',
  'token.revoke',
  'batch.ingest',
  'export.csv',
  'account.view',
  'decision.lookup',
  'policy.create',
  'demo.seed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

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

/**
 * Appends an entry. Given a transaction, the entry is part of it (it commits or rolls back
 * with what it records) and the chain's lock is held until it ends; given the client, it
 * is appended in a transaction of its own.
 */
export async function recordAudit(prisma: PrismaClient | Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  if ('$transaction' in prisma) {
    await prisma.$transaction((tx) => appendEntry(tx, entry));
    return;
  }
  await appendEntry(prisma, entry);
}

async function appendEntry(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  const { actor } = entry;
  const actorFields =
    actor.kind === 'user'
      ? { actorType: 'user' as const, actorId: actor.user.id, actorLabel: actor.user.email }
      : actor.kind === 'userRef'
        ? { actorType: 'user' as const, actorId: actor.id, actorLabel: actor.email }
        : actor.kind === 'token'
        ? { actorType: 'token' as const, actorId: actor.token.id, actorLabel: `token:${actor.token.name}` }
        : { actorType: 'system' as const, actorId: null, actorLabel: actor.label };
  const head = await lockChainHead(tx);
  const fields: ChainFields = {
    ...actorFields,
    actorLabel: actorFields.actorLabel.slice(0, 320),
    seq: head.count + 1n,
    // Set here rather than by the database, so that the hash covers the stored value.
    at: new Date(),
    action: entry.action,
    target: entry.target?.slice(0, 512) ?? null,
    details: jsonDetails(entry.details),
    ip: entry.ip?.slice(0, 64) ?? null,
    prevHash: head.hash,
  };
  await tx.auditEvent.create({ data: { ...fields, details: fields.details as Prisma.InputJsonValue, hash: entryHash(fields) } });
}
