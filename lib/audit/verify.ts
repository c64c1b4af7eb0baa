import type { AuditEvent, PrismaClient } from '@/lib/generated/prisma/client';

import { type ChainFields, entryHash, GENESIS } from './chain';

export type ChainProblem =
  | { kind: 'modified'; seq: bigint; id: bigint; message: string }
  | { kind: 'missing'; seq: bigint; id: bigint; message: string }
  | { kind: 'out_of_order'; seq: bigint; id: bigint; message: string }
  | { kind: 'unchained'; seq: null; id: bigint; message: string }
  | { kind: 'head_not_found'; seq: null; id: null; message: string };

export type ChainVerdict =
  | { ok: true; count: bigint; head: string }
  | { ok: false; count: bigint; head: string; problem: ChainProblem };

const PAGE = 5_000;

/**
 * Walks the whole chain in seq order, recomputing every hash and link, and names the
 * first entry that breaks it. With `keptHead` (a head hash recorded earlier), also checks
 * that the chain still contains it: a chain cut after that entry passes every other check.
 */
export async function verifyAuditChain(prisma: PrismaClient, options: { keptHead?: string } = {}): Promise<ChainVerdict> {
  const unchained = await prisma.auditEvent.findFirst({ where: { seq: null }, orderBy: { id: 'asc' }, select: { id: true } });
  let expected = 1n;
  let prevHash = GENESIS;
  let sawKeptHead = options.keptHead === undefined || options.keptHead === GENESIS;
  let after: bigint | null = null;
  const fail = (problem: ChainProblem): ChainVerdict => ({ ok: false, count: expected - 1n, head: prevHash, problem });
  for (;;) {
    const rows: AuditEvent[] = await prisma.auditEvent.findMany({
      where: after === null ? { seq: { not: null } } : { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: PAGE,
    });
    for (const row of rows) {
      const seq = row.seq!;
      const where = `entry #${seq} (id ${row.id}, ${row.action} at ${row.at.toISOString()})`;
      if (seq !== expected) {
        return fail({ kind: 'missing', seq, id: row.id, message: `${seq - expected === 1n ? `Entry #${expected} is` : `Entries #${expected} to #${seq - 1n} are`} missing before ${where}: deleted.` });
      }
      if (row.prevHash !== prevHash) {
        return fail({ kind: 'out_of_order', seq, id: row.id, message: `${where} does not follow entry #${seq - 1n}: its previous hash differs (entries reordered, or the one before replaced).` });
      }
      const fields: ChainFields = { ...row, seq, prevHash: row.prevHash };
      if (entryHash(fields) !== row.hash) {
        return fail({ kind: 'modified', seq, id: row.id, message: `${where} was modified: its hash does not match its contents.` });
      }
      if (row.hash === options.keptHead) sawKeptHead = true;
      prevHash = row.hash;
      expected += 1n;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.seq;
  }
  if (unchained) {
    return fail({ kind: 'unchained', seq: null, id: unchained.id, message: `Entry id ${unchained.id} is not on the chain: it was written around the chain's lock.` });
  }
  if (!sawKeptHead) {
    return fail({ kind: 'head_not_found', seq: null, id: null, message: `The kept head ${options.keptHead} is not on the chain: entries after it were deleted, or the chain was rewritten.` });
  }
  return { ok: true, count: expected - 1n, head: prevHash };
}
