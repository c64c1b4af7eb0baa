import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseFilters } from '@/lib/analytics/filters';
import { readChainHead } from '@/lib/audit/chain';
import { startEvidencePack } from '@/lib/evidence/pack';
import { verifyEvidencePack } from '@/lib/evidence/verify-pack';
import { addPolicy } from '@/lib/policy/catalogue';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows } from '../helpers/decision-rows';
import { gw } from '../helpers/gw-cli';
import { useTestDatabase } from '../helpers/test-database';
import { readZipEntries, saveStream, tempDir, writeRawZip } from '../unit/evidence/helpers';

// An evidence pack for a filtered range: every file listed in its manifest with the right
// hash, the decisions it claims, the batches they came from, the audit head at the time,
// an audit entry once it has streamed, and a modified file caught by `gw evidence verify`.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ANALYST = { kind: 'token', role: 'analyst', token: { id: '00000000-0000-4000-8000-000000000001', name: 'evidence-test' } } as const;

describe('evidence pack', () => {
  const db = useTestDatabase();
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const rows: DecisionRow[] = Array.from({ length: 600 }, (_, i) => ({
    occurredAt: new Date(Date.parse('2024-07-08T00:00:00Z') + i * 600_000).toISOString(),
    requestId: `ev-${i}`, accountId: `acct-${i % 7}`, accountName: i % 50 === 0 ? '=HYPERLINK("http://evil")' : `Account ${i % 7}`,
    callerRegion: i % 3 === 0 ? 'CN' : 'US', provider: i % 2 ? 'openai' : 'azure-openai', channel: i % 2 ? 'direct' : 'azure-china-21vianet',
    decision: i % 4 === 0 ? 'blocked' : 'allowed',
  }));

  beforeAll(async () => {
    tmp = await tempDir();
    await addPolicy(db().pool, { kind: 'system', label: 'test' }, { provider: 'openai', region: 'CN', status: 'unsupported', effectiveFrom: '2024-07-09' });
    await ingestRows(db().pool, 'part-1.csv', rows.slice(0, 300));
    await ingestRows(db().pool, 'part-2.csv', rows.slice(300));
  });
  afterAll(async () => tmp.cleanup());

  it('holds every file with its hash in the manifest, the filtered decisions, and the audit head', async () => {
    const filters = parseFilters(new URLSearchParams('from=2024-07-08T00:00:00Z&to=2024-07-11T00:00:00Z&region=CN'));
    const head = await readChainHead(db().prisma);
    const pack = await startEvidencePack(db(), ANALYST, filters);
    const file = path.join(tmp.dir, pack.fileName);
    await saveStream(pack.stream, file);
    const manifest = await pack.manifest;

    const entries = await readZipEntries(file);
    expect([...entries.keys()].sort()).toEqual([...manifest.files.map((f) => f.name), 'manifest.json'].sort());
    for (const f of manifest.files) {
      expect(sha256(entries.get(f.name)!), f.name).toBe(f.sha256);
      expect(entries.get(f.name)!.length, f.name).toBe(f.bytes);
    }
    const stored = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    expect(stored).toMatchObject({ generatedBy: 'token:evidence-test', auditHead: { count: Number(head.count), hash: head.hash },
      filters: { from: '2024-07-08T00:00:00.000Z', to: '2024-07-11T00:00:00.000Z' } });
    expect(stored.filters.query).toContain('region=CN');

    const expected = rows.filter((r) => r.callerRegion === 'CN' && r.occurredAt < '2024-07-11');
    const decisions = entries.get('decisions.csv')!.toString('utf8').trim().split('\r\n');
    expect(decisions.length - 1).toBe(expected.length);
    expect(decisions.slice(1).every((line) => line.includes(',CN,'))).toBe(true);
    // Formula-looking names are neutralised, as in every export.
    expect(entries.get('decisions.csv')!.toString('utf8')).toContain("'=HYPERLINK");
    const violations = entries.get('violations.csv')!.toString('utf8').trim().split('\r\n');
    const naive = expected.filter((r) => r.provider === 'openai' && r.decision === 'allowed' && r.occurredAt >= '2024-07-09');
    expect(violations.length - 1).toBe(naive.length);
    const batches = entries.get('batches.csv')!.toString('utf8');
    expect(batches).toContain('part-1.csv');
    expect(batches).toContain('part-2.csv');
    expect(entries.get('policies.csv')!.toString('utf8')).toContain('openai,*,CN,unsupported');
    const html = entries.get('summary.html')!.toString('utf8');
    expect(html).toContain('<svg');
    expect(html).toContain(head.hash);
    expect(html).not.toContain('<script');

    await expect(verifyEvidencePack(file)).resolves.toMatchObject({ ok: true, files: manifest.files.length });
    // The pack is in the audit trail, with its files' hashes.
    await expect.poll(async () => db().prisma.auditEvent.count({ where: { action: 'evidence.export' } })).toBe(1);
    const entry = await db().prisma.auditEvent.findFirstOrThrow({ where: { action: 'evidence.export' } });
    expect(entry.details).toMatchObject({ complete: true, files: manifest.files });

    // A reviewer who changes one file is caught, by name, and the command exits 1.
    const tampered = path.join(tmp.dir, 'tampered.zip');
    await writeRawZip(tampered, [...entries].map(([name, content]) => ({
      name, content: name === 'decisions.csv' ? Buffer.from(content.toString('utf8').replace(',blocked,', ',allowed,')) : content,
    })));
    const result = await gw(['evidence', 'verify', tampered], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/decisions\.csv was modified/);
    const ok = await gw(['evidence', 'verify', file], {});
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Evidence pack intact: \d+ files/);
    await writeFile(path.join(tmp.dir, 'not-a.zip'), 'hello');
    expect((await gw(['evidence', 'verify', path.join(tmp.dir, 'not-a.zip')], {})).code).toBe(1);
  });
});
