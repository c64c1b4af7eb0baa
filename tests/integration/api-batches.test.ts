import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiToken } from '@/lib/auth/api-tokens';

import { startAppServer, type AppServer } from '../helpers/app-server';
import { useTestDatabase } from '../helpers/test-database';

const HEADER = 'occurred_at,request_id,account_id,account_name,caller_region,provider,channel,decision,reason';

function csv(rows: string[], header = HEADER): string {
  return [header, ...rows].join('\n') + '\n';
}

describe('POST /api/v1/batches and friends', () => {
  const db = useTestDatabase();
  let app: AppServer;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => {
    app = await startAppServer(db().url, { env: { GW_MAX_UPLOAD_BYTES: String(64 * 1024) } });
    analyst = (await createApiToken(db().prisma, { name: 'analyst', role: 'analyst' })).secret;
    viewer = (await createApiToken(db().prisma, { name: 'viewer', role: 'viewer' })).secret;
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function post(body: BodyInit, headers: Record<string, string> = {}, query = '', token = analyst) {
    const res = await fetch(`${app.url}/api/v1/batches${query}`, {
      method: 'POST',
      body,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', ...headers },
    });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  it('needs a valid token with a role that may upload', async () => {
    const body = csv(['2024-07-09T08:15:02Z,a1,acct,,CN,openai,direct,blocked,']);
    const none = await fetch(`${app.url}/api/v1/batches`, { method: 'POST', body });
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatch(/Sign in or send an API token/);
    expect((await post(body, {}, '', 'gwt_wrong')).status).toBe(401);
    const asViewer = await post(body, {}, '', viewer);
    expect(asViewer.status).toBe(403);
    expect(asViewer.json.error).toBe('This needs the analyst role; you have viewer.');
    expect(await db().prisma.accessDecision.count()).toBe(0);
  });

  it('ingests a CSV: 201 with the batch report and the rejected rows, stored exactly once', async () => {
    const text = csv([
      '2024-07-09T08:15:02Z,r-1,acct-1,Acme,CN,openai,direct,blocked,unsupported_region',
      '2024-07-09 16:15:02.250+08:00,r-2,acct-1,Acme,cn,OpenAI,direct,deny,',
      '2024-07-09T08:15:04Z,r-3,acct-2,,ZZ,openai,direct,allowed,',
      '1720512902,r-4,acct-2,,US,azure-openai,azure-global,permit,',
      '2024-07-09T08:15:06Z,r-1,acct-1,Acme,CN,openai,direct,allowed,',
    ]);
    const { status, json } = await post(text, { 'X-Filename': 'first.csv' });
    expect(status).toBe(201);
    expect(json.batch).toMatchObject({
      status: 'complete', fileName: 'first.csv', rows: 5, accepted: 3, rejected: 1, duplicates: 1, conflicts: 1,
      unknownColumns: [], sha256: createHash('sha256').update(text).digest('hex'), format: 'csv', source: 'api', uploadedBy: 'token:analyst',
    });
    expect(json.errors).toEqual([{ line: 4, message: expect.stringMatching(/caller_region "ZZ"/) }]);
    const stored = await db().prisma.accessDecision.findMany({ orderBy: { requestId: 'asc' } });
    expect(stored.map((r) => [r.requestId, r.decision, r.callerRegion, r.provider, r.batchLine])).toEqual([
      ['r-1', 'blocked', 'CN', 'openai', 2],
      ['r-2', 'blocked', 'CN', 'openai', 3],
      ['r-4', 'allowed', 'US', 'azure-openai', 5],
    ]);
    expect(stored[1]!.occurredAt.toISOString()).toBe('2024-07-09T08:15:02.250Z');

    const one = await fetch(`${app.url}/api/v1/batches/${json.batch.id}`, { headers: { Authorization: `Bearer ${viewer}` } });
    expect((await one.json()).batch).toEqual(json.batch);
    const list = await fetch(`${app.url}/api/v1/batches`, { headers: { Authorization: `Bearer ${viewer}` } });
    expect((await list.json()).batches).toContainEqual(json.batch);

    // The same bytes again: 200 naming the earlier batch, nothing stored twice.
    const again = await post(text, { 'X-Filename': 'first-again.csv' });
    expect(again.status).toBe(200);
    expect(again.json.duplicateOf).toBe(String(json.batch.id));
    expect(await db().prisma.accessDecision.count()).toBe(3);
  });

  it('serves every rejected row as CSV with the original values, line and error, safe for spreadsheets', async () => {
    const text = csv([
      '2024-07-10T00:00:00Z,e-1,"=HYPERLINK(""http://x"")",,XX,openai,direct,allowed,,x',
      '2024-07-10T00:00:01Z,e-2,acct,"Name, with comma",US,openai,direct,maybe,,x',
      '2024-07-10T00:00:02Z,e-3,acct,,US,openai,direct,allowed,,x',
    ], `${HEADER},note`);
    const { json } = await post(text, { 'X-Filename': 'errs.csv' });
    expect(json.batch.rejected).toBe(2);
    const res = await fetch(`${app.url}/api/v1/batches/${json.batch.id}/errors.csv`, { headers: { Authorization: `Bearer ${analyst}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="batch-\d+-errs-rejected.csv"/);
    const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ line: '2', account_id: `'=HYPERLINK("http://x")`, caller_region: 'XX', note: 'x' });
    expect(records[0]!.error).toMatch(/caller_region "XX"/);
    expect(records[1]).toMatchObject({ line: '3', account_name: 'Name, with comma', decision: 'maybe' });
    const asViewer = await fetch(`${app.url}/api/v1/batches/${json.batch.id}/errors.csv`, { headers: { Authorization: `Bearer ${viewer}` } });
    expect(asViewer.status).toBe(403);
  });

  it('reads gzip (by Content-Encoding or magic bytes), NDJSON and multipart uploads', async () => {
    const gz = gzipSync(csv(['2024-07-11T00:00:00Z,g-1,acct,,DE,openai,direct,allowed,']));
    const byEncoding = await post(gz, { 'Content-Encoding': 'gzip', 'X-Filename': 'a.csv' });
    expect(byEncoding.status).toBe(201);
    expect(byEncoding.json.batch).toMatchObject({ accepted: 1, compressed: true, format: 'csv' });

    const gz2 = gzipSync(csv(['2024-07-11T00:00:01Z,g-2,acct,,DE,openai,direct,allowed,']));
    const byMagic = await post(gz2, { 'Content-Type': 'application/octet-stream', 'X-Filename': 'upload.bin' });
    expect(byMagic.status).toBe(201);
    expect(byMagic.json.batch).toMatchObject({ accepted: 1, compressed: true });

    const ndjson = [
      JSON.stringify({ timestamp: '2024-07-11T00:00:02Z', id: 'n-1', account: 'acct', country: 'fr', provider: 'openai', reseller: 'direct', outcome: 'ALLOW', extra: 1 }),
      '',
      '[1,2]',
      '{not json',
    ].join('\n');
    const nd = await post(ndjson, { 'Content-Type': 'application/x-ndjson' });
    expect(nd.status).toBe(201);
    expect(nd.json.batch).toMatchObject({ format: 'ndjson', rows: 3, accepted: 1, rejected: 2, unknownColumns: ['extra'] });
    expect(nd.json.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);

    const form = new FormData();
    form.append('file', new Blob([csv(['2024-07-11T00:00:03Z,m-1,acct,,JP,openai,direct,allowed,'])], { type: 'text/csv' }), 'form.csv');
    const res = await fetch(`${app.url}/api/v1/batches`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${analyst}` } });
    expect(res.status).toBe(201);
    expect((await res.json()).batch).toMatchObject({ fileName: 'form.csv', accepted: 1 });
  });

  it('refuses whole files with 400, 413, 415 or 422 and a message naming the problem, storing nothing', async () => {
    const before = await db().prisma.accessDecision.count();
    const empty = await post('', { 'X-Filename': 'empty.csv' });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatch(/empty/i);
    const binary = await post(Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 7, 8, 0, 0, 1, 2, 3, 4]), { 'Content-Type': 'application/octet-stream', 'X-Filename': 'x.bin' });
    expect(binary.status).toBe(415);
    const missing = await post('occurred_at,request_id,decision\n2024-07-09T00:00:00Z,x,allowed\n', { 'X-Filename': 'm.csv' });
    expect(missing.status).toBe(422);
    expect(missing.json.error).toContain('account_id, caller_region, provider, channel');
    const corrupt = gzipSync(csv(Array.from({ length: 200 }, (_, i) => `2024-07-12T00:00:00Z,c-${i},acct,,US,openai,direct,allowed,`)));
    const truncated = corrupt.subarray(0, corrupt.length - 20);
    const bad = await post(truncated, { 'Content-Encoding': 'gzip', 'X-Filename': 'c.csv.gz' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/gzip|decompress/i);
    const big = await post('x'.repeat(70 * 1024), { 'X-Filename': 'big.csv' });
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/larger than the limit of 65,536 bytes/);
    expect(await db().prisma.accessDecision.count()).toBe(before);
    const failed = await db().prisma.ingestBatch.findMany({ where: { fileName: { in: ['empty.csv', 'm.csv', 'c.csv.gz'] } } });
    expect(failed.map((b) => b.status)).toEqual(['failed', 'failed', 'failed']);
    expect(await db().prisma.accessDecision.count({ where: { batchId: { in: failed.map((b) => b.id) } } })).toBe(0);
  });

  it('strict mode refuses a batch with any rejected row, with the full report, and stores nothing', async () => {
    const text = csv([
      '2024-07-13T00:00:00Z,s-1,acct,,US,openai,direct,allowed,',
      '2024-07-13T00:00:01Z,s-2,acct,,US,openai,direct,sideways,',
    ]);
    const { status, json } = await post(text, { 'X-Filename': 'strict.csv' }, '?strict=1');
    expect(status).toBe(422);
    expect(json.error).toMatch(/Strict mode: 1 of 2 rows were rejected/);
    expect(json.batch).toMatchObject({ status: 'failed', rows: 2, rejected: 1, accepted: 1, duplicates: 0 });
    expect(json.errors).toEqual([{ line: 3, message: expect.stringMatching(/decision "sideways"/) }]);
    expect(await db().prisma.accessDecision.count({ where: { requestId: { in: ['s-1', 's-2'] } } })).toBe(0);
    // Without strict mode the same file is accepted (a failed batch does not block re-sending).
    const lenient = await post(text, { 'X-Filename': 'strict.csv' });
    expect(lenient.status).toBe(201);
    expect(lenient.json.batch).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('counts duplicates and conflicts across overlapping batches', async () => {
    const a = csv(['2024-07-14T00:00:00Z,o-1,acct,,US,openai,direct,allowed,', '2024-07-14T00:00:01Z,o-2,acct,,US,openai,direct,allowed,']);
    const b = csv(['2024-07-14T00:00:00Z,o-1,acct,,US,openai,direct,allowed,', '2024-07-14T00:00:01Z,o-2,acct,,US,openai,direct,blocked,', '2024-07-14T00:00:02Z,o-3,acct,,US,openai,direct,blocked,']);
    const [ra, rb] = [await post(a), await post(b)];
    expect(ra.json.batch).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(rb.json.batch).toMatchObject({ rows: 3, accepted: 1, duplicates: 2, conflicts: 1 });
    const conflicts = await db().prisma.batchConflict.findMany({ where: { batchId: rb.json.batch.id } });
    expect(conflicts).toEqual([expect.objectContaining({ line: 3, requestId: 'o-2', storedDecision: 'allowed', receivedDecision: 'blocked' })]);
  });

  it('completes two uploads sent at the same time', async () => {
    const make = (prefix: string) => csv(Array.from({ length: 300 }, (_, i) => `2024-07-15T00:00:${String(i % 60).padStart(2, '0')}Z,${prefix}-${i},acct-${i % 7},,US,openai,direct,${i % 3 ? 'allowed' : 'blocked'},`));
    const [x, y] = await Promise.all([post(make('px'), { 'X-Filename': 'x.csv' }), post(make('py'), { 'X-Filename': 'y.csv' })]);
    expect([x.status, y.status]).toEqual([201, 201]);
    expect(x.json.batch.accepted + y.json.batch.accepted).toBe(600);
    expect(await db().prisma.accessDecision.count({ where: { requestId: { startsWith: 'p' } } })).toBe(600);
  });
});
