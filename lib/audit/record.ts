import type pg from 'pg';

import type { Principal } from '@/lib/auth/principal';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

import { type ChainFields, jsonDetails, lockChainHead, lockChainHeadOnClient, sealAfter } from './chain';

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
  'policy.close',
  'policy.supersede',
  'policy.import',
  'evidence.export',
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

/**
 * Appends an entry inside the transaction open on a plain pg connection: ingestion's, so
 * that an upload's entry commits with its batch.
 */
export async function recordAuditOnConnection(client: pg.PoolClient, entry: AuditEntry): Promise<void> {
  const e = sealAfter(entryFields(entry), await lockChainHeadOnClient(client));
  await client.query(
    `INSERT INTO audit_events (seq, at, actor_type, actor_id, actor_label, action, target, details, ip, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [e.seq.toString(), e.at, e.actorType, e.actorId, e.actorLabel, e.action, e.target, JSON.stringify(e.details), e.ip, e.prevHash, e.hash],
  );
}

async function appendEntry(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  const e = sealAfter(entryFields(entry), await lockChainHead(tx));
  await tx.auditEvent.create({ data: { ...e, details: e.details as Prisma.InputJsonValue } });
}

/** What an entry stores, short of its place on the chain. */
function entryFields(entry: AuditEntry): Omit<ChainFields, 'seq' | 'prevHash'> {
  const { actor } = entry;
  const actorFields =
    actor.kind === 'user'
      ? { actorType: 'user' as const, actorId: actor.user.id, actorLabel: actor.user.email }
      : actor.kind === 'userRef'
        ? { actorType: 'user' as const, actorId: actor.id, actorLabel: actor.email }
        : actor.kind === 'token'
        ? { actorType: 'token' as const, actorId: actor.token.id, actorLabel: `token:${actor.token.name}` }
        : { actorType: 'system' as const, actorId: null, actorLabel: actor.label };
  return {
    ...actorFields,
    actorLabel: actorFields.actorLabel.slice(0, 320),
    // Set here rather than by the database, so that the hash covers the stored value.
    at: new Date(),
    action: entry.action,
    target: entry.target?.slice(0, 512) ?? null,
    details: jsonDetails(entry.details),
    ip: entry.ip?.slice(0, 64) ?? null,
  };
}
