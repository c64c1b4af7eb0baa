import { createHash } from 'node:crypto';

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiToken } from '@/lib/auth/api-tokens';
import { seedDemoData } from '@/lib/demo/seed';
import type { DecisionRow } from '@/lib/ingest/validate';

import { startAppServer, type AppServer } from '../helpers/app-server';
import { ingestRows } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

const SEEDED = 200_000;
const NOW = new Date();

const SPECIAL: DecisionRow[] = [
  ['=HYPERLINK("http://evil")', 'formula'],
  ['+1+2', 'plus'],
  ['-2+3', 'minus'],
  ['@SUM(A1)', 'at'],
  ['\tTabbed', 'tab'],
  ['Ünïcødé 北京 "quoted", with comma\nand newline', 'unicode'],
].map(([name, id], i) => ({
  occurredAt: new Date(NOW.getTime() - 3_600_000 - i * 1000).toISOString(),
  requestId: `special-${id}`, accountId: `special-${id}`, accountName: name, callerRegion: 'CN',
  servingRegion: undefined, provider: 'openai', channel: 'direct', decision: 'blocked', reason: 'unsupported_region',
  policyVersion: undefined, model: undefined,
}));

describe('CSV exports', () => {
  const db = useTestDatabase();
  let app: AppServer;
  let analyst: string;
  let viewer: string;
  let admin: string;

  beforeAll(async () => {
    await seedDemoData(db(), { rows: SEEDED, now: NOW });
    await ingestRows(db().pool, 'special.csv', SPECIAL);
    app = await startAppServer(db().url);
    analyst = (await createApiToken(db().prisma, { name: 'analyst', role: 'analyst' })).secret;
    viewer = (await createApiToken(db().prisma, { name: 'viewer', role: 'viewer' })).secret;
    admin = (await createApiToken(db().prisma, { name: 'admin', role: 'admin' })).secret;
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
  });

  const get = (path: string, token = analyst) => fetch(`${app.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const strictParse = (text: string) => parse(text, { columns: true, relax_quotes: false, relax_column_count: false, bom: true }) as Record<string, string>[];

  async function manifest(id: string, token = analyst) {
    for (let i = 0; i < 50; i += 1) {
      const res = await get(`/api/v1/export/manifests/${id}`, token);
      if (res.status === 200) return (await res.json()).manifest;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no manifest');
  }

  it('streams every decision of the range, complete and strictly valid CSV, with a verifiable manifest', async () => {
    const everything = `from=2020-01-01T00:00:00Z&to=${new Date(NOW.getTime() + 86_400_000).toISOString()}`;
    const res = await get(`/api/v1/export/decisions.csv?${everything}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="gatewatch-decisions-\d{8}-\d{6}_to_\d{8}-\d{6}-exported-\d{8}-\d{6}Z\.csv"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    const records = strictParse(bytes.toString('utf8'));
    expect(records.length).toBe(SEEDED + SPECIAL.length);
    expect(Object.keys(records[0]!)).toEqual(['occurred_at', 'request_id', 'account_id', 'account_name', 'caller_region', 'serving_region',
      'provider', 'channel', 'decision', 'reason', 'policy_version', 'model', 'batch_id', 'batch_line']);
    expect(new Set(records.map((r) => r.request_id)).size).toBe(records.length);
    const times = records.map((r) => Date.parse(r.occurred_at!));
    expect(times.every((t, i) => i === 0 || t <= times[i - 1]!)).toBe(true);
    expect(bytes.toString('utf8').split('\r\n')).toHaveLength(records.length + 2); // CRLF record ends, no LF-only line
    expect(records[0]!.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    // Content matches the database row for row.
    const sample = records[12345]!;
    const stored = await db().prisma.accessDecision.findUniqueOrThrow({ where: { provider_requestId: { provider: sample.provider!, requestId: sample.request_id! } } });
    expect(sample).toMatchObject({ account_id: stored.accountId, caller_region: stored.callerRegion, channel: stored.channel, decision: stored.decision });

    const m = await manifest(res.headers.get('x-export-id')!);
    expect(m).toMatchObject({ complete: true, view: 'decisions', rows: records.length, bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex') });
    const audit = await db().prisma.auditEvent.findFirstOrThrow({ where: { action: 'export.csv', target: `export:${m.exportId}` } });
    expect(audit.actorLabel).toBe('token:analyst');
  });

  it('neutralises formulas and round-trips unicode, quotes and newlines', async () => {
    const res = await get('/api/v1/export/decisions.csv?range=24h&region=CN&provider=openai&decision=blocked');
    const records = strictParse(await res.text()).filter((r) => r.request_id!.startsWith('special-'));
    const byId = Object.fromEntries(records.map((r) => [r.request_id, r.account_name]));
    expect(byId).toEqual({
      'special-formula': `'=HYPERLINK("http://evil")`,
      'special-plus': `'+1+2`,
      'special-minus': `'-2+3`,
      'special-at': `'@SUM(A1)`,
      'special-tab': `'\tTabbed`,
      'special-unicode': 'Ünïcødé 北京 "quoted", with comma\nand newline',
    });
  });

  it('adds a BOM on request and a local-time column when a time zone is chosen', async () => {
    const res = await get('/api/v1/export/decisions.csv?range=24h&tz=Asia/Shanghai&bom=1&region=CN&provider=openai');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = strictParse(bytes.toString('utf8'));
    const first = records[0]!;
    expect(Object.keys(first).slice(0, 2)).toEqual(['occurred_at', 'occurred_at_asia_shanghai']);
    expect(first.occurred_at_asia_shanghai).toMatch(/\+08:00$/);
    expect(Date.parse(first.occurred_at_asia_shanghai!)).toBe(Date.parse(first.occurred_at!.replace(/(\.\d{3})\d{3}Z/, '$1Z')));
  });

  it('exports aggregates with the same totals as the API, and lets viewers export only aggregates', async () => {
    const query = 'range=30d&not_region=US&by=region&by2=channel';
    const api = await (await get(`/api/v1/breakdown?${query}`, viewer)).json();
    const exported = strictParse(await (await get(`/api/v1/export/breakdown.csv?${query}`, viewer)).text());
    expect(exported.map((r) => [r.region, r.channel, Number(r.allowed), Number(r.blocked), Number(r.total)]))
      .toEqual(api.rows.map((r: any) => [r.key, r.key2, r.allowed, r.blocked, r.total]));

    const series = await (await get('/api/v1/timeseries?range=7d&bucket=day&tz=Europe/London', viewer)).json();
    const seriesCsv = strictParse(await (await get('/api/v1/export/timeseries.csv?range=7d&bucket=day&tz=Europe/London', viewer)).text());
    expect(seriesCsv.map((r) => [r.bucket_start, Number(r.total)])).toEqual(series.rows.map((r: any) => [r.bucket, r.total]));
    const summary = await (await get('/api/v1/summary?range=7d', viewer)).json();
    expect(seriesCsv.reduce((s, r) => s + Number(r.total), 0)).toBe(summary.current.decisions);

    const accounts = strictParse(await (await get('/api/v1/export/accounts.csv?range=30d&sort=-blocked', viewer)).text());
    const apiAccounts = await (await get('/api/v1/accounts?range=30d&sort=-blocked&pageSize=500', viewer)).json();
    expect(accounts.length).toBe(apiAccounts.total);
    expect(accounts.slice(0, 500).map((r) => [r.account_id, Number(r.blocked)])).toEqual(apiAccounts.rows.map((r: any) => [r.id, r.blocked]));

    expect((await get('/api/v1/export/decisions.csv?range=24h', viewer)).status).toBe(403);
    expect((await get('/api/v1/export/batches.csv', viewer)).status).toBe(403);
    expect((await get('/api/v1/export/audit.csv', viewer)).status).toBe(403);
    expect((await get('/api/v1/export/nope.csv')).status).toBe(404);
    expect((await get('/api/v1/export/breakdown.csv?by=colour', viewer)).status).toBe(400);
  });

  it('checks the role and the query of every analytics endpoint', async () => {
    for (const path of ['summary', 'timeseries', 'breakdown?by=region', 'accounts', 'decisions']) {
      expect((await fetch(`${app.url}/api/v1/${path}`)).status).toBe(401);
      expect((await get(`/api/v1/${path}`, 'gw_not-a-token')).status).toBe(401);
    }
    expect((await get('/api/v1/decisions?range=24h', viewer)).status).toBe(403);
    expect((await get('/api/v1/decisions?range=24h&limit=2')).status).toBe(200);
    const bad = async (path: string, message: RegExp) => {
      const res = await get(path, viewer);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(message);
    };
    await bad('/api/v1/breakdown?by=colour', /^by "colour" is not valid/);
    await bad('/api/v1/breakdown', /^by is required/);
    await bad('/api/v1/accounts?sort=-colour', /^sort "-colour" is not valid/);
    await bad('/api/v1/accounts?page=100000000000000000', /^page "100000000000000000" is not valid/);
    await bad('/api/v1/timeseries?bucket=month', /^bucket "month" is not valid/);
    await bad('/api/v1/summary?from=yesterday', /from/);
  });

  it('exports the batch history and the audit trail', async () => {
    const batches = strictParse(await (await get('/api/v1/export/batches.csv')).text());
    expect(batches.map((b) => b.file_name)).toEqual(['special.csv', `demo-seed-${SEEDED}-rows`]);
    expect(batches[1]).toMatchObject({ status: 'complete', rows: String(SEEDED), accepted: String(SEEDED) });
    // The audit trail is for admins, with each entry's place on the hash chain.
    expect((await get('/api/v1/export/audit.csv')).status).toBe(403);
    const audit = strictParse(await (await get('/api/v1/export/audit.csv?sort=at', admin)).text());
    expect(audit.some((e) => e.action === 'export.csv' && e.actor === 'token:analyst')).toBe(true);
    const chain = await db().prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    // The chain read after the export also holds the export's own entry.
    expect(audit.map((e) => [e.seq, e.prev_hash, e.hash])).toEqual(chain.slice(0, audit.length).map((e) => [String(e.seq), e.prevHash, e.hash]));
    const filtered = strictParse(await (await get('/api/v1/export/audit.csv?action=export.csv&actor=analyst', admin)).text());
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((e) => e.action === 'export.csv' && e.actor!.includes('analyst'))).toBe(true);
    expect((await get('/api/v1/export/audit.csv?from=yesterday', admin)).status).toBe(400);
  });

  it('stops the query when the client goes away', async () => {
    const controller = new AbortController();
    const res = await fetch(`${app.url}/api/v1/export/decisions.csv?range=90d`, { headers: { Authorization: `Bearer ${analyst}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const id = res.headers.get('x-export-id')!;
    controller.abort();
    const deadline = Date.now() + 10_000;
    let recorded = null;
    while (Date.now() < deadline && !recorded) {
      recorded = await db().prisma.auditEvent.findFirst({ where: { target: `export:${id}` } });
      if (!recorded) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recorded?.details).toMatchObject({ complete: false });
    const running = async () => (await db().pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND query LIKE '%FROM access_decisions%' AND pid <> pg_backend_pid()`)).rows[0].n;
    for (let i = 0; i < 30 && (await running()) > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await running()).toBe(0);
  });
});
