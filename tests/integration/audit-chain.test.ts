import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { batchAudit } from '@/lib/audit/batch-entry';
import { GENESIS, readChainHead } from '@/lib/audit/chain';
import { recordAudit } from '@/lib/audit/record';
import { verifyAuditChain } from '@/lib/audit/verify';
import { ingestFile } from '@/lib/ingest/ingest-file';

import { useTestDatabase } from '../helpers/test-database';

const SYSTEM = { kind: 'system', label: 'test' } as const;

describe('audit hash chain', () => {
  const db = useTestDatabase();

  const append = (n: number, offset = 0) =>
    Promise.all(Array.from({ length: n }, (_, i) => recordAudit(db().prisma, {
      actor: SYSTEM, action: 'export.csv', target: `export:${offset + i}`,
      details: { i: offset + i, nested: { b: [1, 'two', null], a: true }, when: new Date(0) },
    })));

  const tamper = (sql: string) => db().pool.query(sql);
  /** Puts back the chain as it was before the tampering (a copy taken once the chain is built). */
  const restore = () => db().pool.query(`DELETE FROM audit_events; INSERT INTO audit_events SELECT * FROM pristine`);

  it('appends entries linked by hash, and verifies an intact chain', async () => {
    expect(await verifyAuditChain(db().prisma)).toEqual({ ok: true, count: 0n, head: GENESIS });
    await recordAudit(db().prisma, { actor: SYSTEM, action: 'demo.seed', details: { rows: 1 } });
    await recordAudit(db().prisma, { actor: SYSTEM, action: 'export.csv', target: 'export:x', ip: '10.0.0.1' });
    const rows = await db().prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual([1n, 2n]);
    expect(rows[0]!.prevHash).toBe(GENESIS);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const verdict = await verifyAuditChain(db().prisma);
    expect(verdict).toEqual({ ok: true, count: 2n, head: rows[1]!.hash });
    expect(await readChainHead(db().prisma)).toEqual({ count: 2n, hash: rows[1]!.hash });
  });

  it('keeps one chain under 20 concurrent appends', async () => {
    await append(20, 100);
    const rows = await db().prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(22);
    expect((await verifyAuditChain(db().prisma)).ok).toBe(true);
  });

  it('rolls an entry back with the transaction it records', async () => {
    const before = await readChainHead(db().prisma);
    await expect(db().prisma.$transaction(async (tx) => {
      await recordAudit(tx, { actor: SYSTEM, action: 'token.revoke', target: 'token:none' });
      throw new Error('what it records failed');
    })).rejects.toThrow('what it records failed');
    expect(await readChainHead(db().prisma)).toEqual(before);
  });

  it('names a modified entry', async () => {
    await db().pool.query(`CREATE TABLE pristine AS SELECT * FROM audit_events`);
    await tamper(`UPDATE audit_events SET target = 'export:forged' WHERE seq = 5`);
    const v = await verifyAuditChain(db().prisma);
    expect(!v.ok && v.problem).toMatchObject({ kind: 'modified', seq: 5n });
    expect(!v.ok && v.problem.message).toContain('entry #5');
    expect(v.count).toBe(4n);
    await restore();
    // Details are hashed too, whatever the key order jsonb gives back.
    await tamper(`UPDATE audit_events SET details = jsonb_set(details, '{i}', '999') WHERE seq = 7`);
    expect(await verifyAuditChain(db().prisma)).toMatchObject({ ok: false, problem: { kind: 'modified', seq: 7n } });
    await restore();
    // A forger who also recomputes the entry's own hash still breaks the next entry's link.
    await tamper(`UPDATE audit_events SET hash = repeat('a', 64) WHERE seq = 8`);
    expect(await verifyAuditChain(db().prisma)).toMatchObject({ ok: false, problem: { seq: 8n } });
    await restore();
    expect((await verifyAuditChain(db().prisma)).ok).toBe(true);
  });

  it('names a deleted entry, a reordered one, and one written around the lock', async () => {
    await tamper(`DELETE FROM audit_events WHERE seq = 10`);
    const deleted = await verifyAuditChain(db().prisma);
    expect(!deleted.ok && deleted.problem).toMatchObject({ kind: 'missing', seq: 11n });
    expect(!deleted.ok && deleted.problem.message).toContain('Entry #10 is missing');
    await restore();

    // Two entries swap positions (seq), as a reordering would.
    await tamper(`UPDATE audit_events SET seq = -1 WHERE seq = 12; UPDATE audit_events SET seq = 12 WHERE seq = 13;
                  UPDATE audit_events SET seq = 13 WHERE seq = -1`);
    const swapped = await verifyAuditChain(db().prisma);
    expect(!swapped.ok && swapped.problem.seq).toBe(12n);
    expect(!swapped.ok && ['out_of_order', 'modified'].includes(swapped.problem.kind)).toBe(true);
    await restore();

    await tamper(`INSERT INTO audit_events (actor_type, actor_label, action) VALUES ('system', 'intruder', 'export.csv')`);
    expect(await verifyAuditChain(db().prisma)).toMatchObject({ ok: false, problem: { kind: 'unchained' } });
    await restore();

    // Cutting the end passes the chain's own checks; the head kept elsewhere catches it.
    const head = await readChainHead(db().prisma);
    await tamper(`DELETE FROM audit_events WHERE seq = ${head.count}`);
    expect((await verifyAuditChain(db().prisma)).ok).toBe(true);
    expect(await verifyAuditChain(db().prisma, { keptHead: head.hash })).toMatchObject({ ok: false, problem: { kind: 'head_not_found' } });
    await restore();
    expect(await verifyAuditChain(db().prisma, { keptHead: head.hash })).toMatchObject({ ok: true, count: head.count });
  });

  it("commits an upload's entry with its batch, and rolls both back together", async () => {
    const csv = `occurred_at,request_id,account_id,caller_region,provider,channel,decision
2026-01-02T03:04:05Z,audit-1,acct-a,CN,openai,direct,blocked\n`;
    const options = (audit: ReturnType<typeof batchAudit>) => ({
      batch: { fileName: 'a.csv', source: 'api' as const, strict: false }, strict: false, maxBytes: 1e9, beforeCommit: audit.beforeCommit,
    });
    const stored = await ingestFile(db().pool, Readable.from([csv]), { filename: 'a.csv' }, options(batchAudit(SYSTEM, { fileName: 'a.csv', strict: false })));
    expect(stored.status).toBe('complete');
    const entry = await db().prisma.auditEvent.findFirstOrThrow({ where: { target: `batch:${stored.batchId}` } });
    expect(entry.details).toMatchObject({ status: 'complete', accepted: 1 });
    expect((await verifyAuditChain(db().prisma)).ok).toBe(true);

    // The entry fails to be written: nothing of the batch stays either.
    const failing = batchAudit(SYSTEM, { fileName: 'b.csv', strict: false });
    const broken = { ...failing, beforeCommit: async (...args: Parameters<typeof failing.beforeCommit>) => {
      await failing.beforeCommit(...args);
      throw new Error('audit write failed');
    } };
    await expect(ingestFile(db().pool, Readable.from([csv.replace('audit-1', 'audit-2')]), { filename: 'b.csv' }, options(broken))).rejects.toThrow('audit write failed');
    expect(await db().prisma.accessDecision.count({ where: { requestId: 'audit-2' } })).toBe(0);
    expect(await db().prisma.auditEvent.count({ where: { details: { path: ['fileName'], equals: 'b.csv' } } })).toBe(0);
  });
});
