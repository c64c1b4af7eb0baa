import { createHash } from 'node:crypto';

import type pg from 'pg';

import type { Prisma } from '@/lib/generated/prisma/client';
import type { ActorType } from '@/lib/generated/prisma/enums';

// The audit trail is a hash chain. Entry n stores seq = n, the hash of entry n - 1
// (GENESIS for the first), and the SHA-256 of its canonical serialisation, which covers
// every field and that previous hash. Rewriting an entry changes its hash; deleting or
// moving one breaks the next entry's link or leaves a gap in seq. What the chain cannot
// show by itself is a cut at its end: hence the head hash and count shown on the Audit
// page and in every evidence, to be kept elsewhere and given to `gw audit verify --head`.
//
// Appends are serialised by an advisory lock held to the end of the appending
// transaction, so two writers can never both extend the same head.

export const GENESIS = '0'.repeat(64);
const AUDIT_CHAIN_LOCK = 0x61756474; // 'audt'
/** Bumped if the serialisation ever changes; part of every hash. */
const CHAIN_VERSION = 1;

export interface ChainFields {
  seq: bigint;
  at: Date;
  actorType: ActorType;
  actorId: string | null;
  actorLabel: string;
  action: string;
  target: string | null;
  details: Prisma.JsonValue;
  ip: string | null;
  prevHash: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((k) => record[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function entryHash(e: ChainFields): string {
  const text = canonicalJson([CHAIN_VERSION, e.seq.toString(), e.at.toISOString(), e.actorType, e.actorId, e.actorLabel,
    e.action, e.target, e.details, e.ip, e.prevHash]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Details as they will read back from jsonb: plain JSON (dates as strings, undefined
 * dropped), so that the hash computed now is the hash computed at verification.
 */
export function jsonDetails(details: unknown): Prisma.JsonValue {
  return JSON.parse(JSON.stringify(details ?? {})) as Prisma.JsonValue;
}

export interface ChainHead {
  count: bigint;
  hash: string;
}

/** Takes the chain's lock (until the transaction ends) and returns its head. */
export async function lockChainHead(tx: Prisma.TransactionClient): Promise<ChainHead> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  return readChainHead(tx);
}

export async function readChainHead(prisma: Pick<Prisma.TransactionClient, '$queryRaw'>): Promise<ChainHead> {
  const rows = await prisma.$queryRaw<{ seq: bigint; hash: string }[]>`
    SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`;
  return rows[0] ? { count: rows[0].seq, hash: rows[0].hash } : { count: 0n, hash: GENESIS };
}

/** The same on a plain pg connection inside its transaction (ingestion's). */
export async function lockChainHeadOnClient(client: pg.PoolClient): Promise<ChainHead> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  const last = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1');
  return last.rows[0] ? { count: BigInt(last.rows[0].seq), hash: last.rows[0].hash } : { count: 0n, hash: GENESIS };
}

/** An entry's fields placed after `head`, with its hash. */
export function sealAfter(fields: Omit<ChainFields, 'seq' | 'prevHash'>, head: ChainHead): ChainFields & { hash: string } {
  const placed: ChainFields = { ...fields, seq: head.count + 1n, prevHash: head.hash };
  return { ...placed, hash: entryHash(placed) };
}

/**
 * Puts entries written before the chain existed (seq null) onto it, in id order, under
 * the chain's lock: run by the migrations runner. Their hashes attest them from then on,
 * not from when they were written.
 */
export async function sealUnchainedEntries(client: pg.PoolClient): Promise<number> {
  await client.query('BEGIN');
  try {
    let head = await lockChainHeadOnClient(client);
    const { rows } = await client.query<{
      id: string; at: Date; actor_type: ActorType; actor_id: string | null; actor_label: string; action: string;
      target: string | null; details: Prisma.JsonValue; ip: string | null;
    }>('SELECT id, at, actor_type, actor_id, actor_label, action, target, details, ip FROM audit_events WHERE seq IS NULL ORDER BY id');
    for (const e of rows) {
      const sealed = sealAfter({ at: e.at, actorType: e.actor_type, actorId: e.actor_id, actorLabel: e.actor_label,
        action: e.action, target: e.target, details: e.details, ip: e.ip }, head);
      await client.query('UPDATE audit_events SET seq = $2, prev_hash = $3, hash = $4 WHERE id = $1',
        [e.id, sealed.seq.toString(), sealed.prevHash, sealed.hash]);
      head = { count: sealed.seq, hash: sealed.hash };
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
