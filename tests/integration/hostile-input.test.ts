import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiToken } from '@/lib/auth/api-tokens';
import { seedDemoData } from '@/lib/demo/seed';

import { startAppServer, type AppServer } from '../helpers/app-server';
import { useTestDatabase } from '../helpers/test-database';

// Hostile uploads and URLs through the HTTP API: each is answered with a status and a
// message, the server stays up and within its memory, and the decisions and every table
// derived from them hold exactly what they held before. The batch history and the audit
// trail do change: they record each refused attempt, which is what they are for.
const BOOKKEEPING = new Set(['ingest_batches', 'batch_rejections', 'audit_events', 'api_tokens', 'sessions', '_prisma_migrations', 'sign_in_failures']);
const HEADER = 'occurred_at,request_id,account_id,caller_region,provider,channel,decision';

describe('hostile input', () => {
  const db = useTestDatabase();
  let app: AppServer;
  let token: string;
  let before: Record<string, string>;

  /** Row count and an md5 of every row, per table (bookkeeping tables left out). */
  async function snapshot(): Promise<Record<string, string>> {
    const { rows } = await db().pool.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const out: Record<string, string> = {};
    for (const { t } of rows.filter((r) => !BOOKKEEPING.has(r.t))) {
      const r = await db().pool.query(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS v FROM "${t}" x`);
      out[t] = r.rows[0].v;
    }
    return out;
  }

  beforeAll(async () => {
    await seedDemoData(db(), { rows: 5_000 });
    token = (await createApiToken(db().prisma, { name: 'hostile', role: 'analyst' })).secret;
    // A stalled upload is stopped after 2 s here (30 by default).
    app = await startAppServer(db().url, { env: { GW_UPLOAD_IDLE_SECONDS: '2' } });
    before = await snapshot();
  }, 180_000);
  afterAll(async () => app?.stop());

  const upload = async (body: BodyInit, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/api/v1/batches`, {
      method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', ...headers },
      // Streamed bodies need half duplex in Node's fetch.
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as { error?: string; batch?: { accepted: number; rejected: number }; errors?: Array<{ message: string }> } };
  };

  /** A body of `total` bytes made of `piece` repeated, streamed. */
  const repeated = (prefix: string, piece: Buffer, total: number) => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(Buffer.from(prefix)); },
      pull(c) {
        if (sent >= total) { c.close(); return; }
        c.enqueue(piece);
        sent += piece.length;
      },
    });
  };

  it('refuses a 10,000-column header, naming the missing columns', async () => {
    const r = await upload(`${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')}\n1,2\n`);
    expect(r.status).toBe(422);
    expect(r.json.error).toMatch(/occurred_at/);
  });

  it('refuses a 100 MB line without a newline', async () => {
    const r = await upload(repeated('', Buffer.alloc(1024 * 1024, 'a'), 100 * 1024 * 1024));
    expect([413, 415, 422]).toContain(r.status);
    expect(r.json.error).toBeTruthy();
  }, 120_000);

  it('refuses a gzip bomb before inflating it all', async () => {
    // A valid header, then 10,000 members of 1 MiB of blank lines (not rows, so parsing them
    // costs nothing): ~10 MB that inflate to 10 GiB. (All zeros is refused sooner, as binary.)
    const member = gzipSync(Buffer.alloc(1024 * 1024, '\n'), { level: 9 });
    const first = gzipSync(`${HEADER}\n`);
    const body = repeated('', member, member.length * 10_000);
    const r = await upload(new Blob([first, await new Response(body).blob()]).stream(), { 'content-type': 'application/gzip' });
    expect(r.status).toBe(413);
    expect(r.json.error).toMatch(/decompression bomb/);
  }, 120_000);

  it('rejects rows with invalid UTF-8 or NUL bytes, row by row, storing none of them', async () => {
    const bad = Buffer.concat([Buffer.from(`${HEADER}\n2026-01-01T00:00:00Z,r-\xff`, 'latin1'), Buffer.from([0xc3, 0x28]),
      Buffer.from(',acct,CN,openai,direct,blocked\n2026-01-01T00:00:00Z,r-nul\0,acct\0,CN,openai,direct,allowed\n')]);
    const r = await upload(bad);
    expect(r.status).toBe(201);
    expect(r.json.batch).toMatchObject({ accepted: 0, rejected: 2 });
    expect(r.json.errors!.every((e) => e.message.length > 0)).toBe(true);
  });

  it('rejects NDJSON rows made of __proto__ and constructor keys, without polluting anything', async () => {
    const lines = ['{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": true}}}', '{"__proto__": null, "decision": "allowed"}'];
    const r = await upload(lines.join('\n'), { 'content-type': 'application/x-ndjson', 'x-filename': 'p.ndjson' });
    expect(r.status).toBe(201);
    expect(r.json.batch).toMatchObject({ accepted: 0, rejected: 3 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a deeply nested NDJSON row and a CSV header of deeply nested quotes', async () => {
    const deep = `{"occurred_at": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const r = await upload(`${deep}\n`, { 'content-type': 'application/x-ndjson', 'x-filename': 'deep.ndjson' });
    expect(r.status).toBe(201);
    expect(r.json.batch).toMatchObject({ accepted: 0, rejected: 1 });
    const quoted = await upload(`${'"'.repeat(200_001)}\n1,2\n`);
    expect([415, 422]).toContain(quoted.status);
    expect(quoted.json.error).toBeTruthy();
  });

  it('answers a multipart body of 1,000 parts without a file, and a Content-Length over the limit', async () => {
    const form = new FormData();
    for (let i = 0; i < 1000; i++) form.append(`field${i}`, 'x');
    const res = await fetch(`${app.url}/api/v1/batches`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/no "file" field/);
    const big = await fetch(`${app.url}/api/v1/batches`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': String(10 * 1024 ** 3) }, body: 'x',
    }).catch((e: unknown) => e);
    // Node's fetch refuses to send a Content-Length that lies; a raw client would get 413.
    if (!(big instanceof Error)) expect((big as Response).status).toBe(413);
  });

  /** A raw HTTP/1.1 request, for what fetch refuses to send; resolves with the status line, or null if the server closed. */
  const raw = (head: string, body: string) => new Promise<string | null>((resolve) => {
    const url = new URL(app.url);
    const socket = connect(Number(url.port), url.hostname, () => socket.write(`${head}\r\n\r\n${body}`));
    let answer = '';
    socket.on('data', (d) => { answer += d.toString(); });
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on('close', () => resolve(answer ? answer.split('\r\n')[0]! : null));
  });

  it('answers a Content-Length that lies, either way', async () => {
    const auth = `Authorization: Bearer ${token}\r\nContent-Type: text/csv\r\nConnection: close`;
    // Claims 10 GiB: refused from the header alone.
    expect(await raw(`POST /api/v1/batches HTTP/1.1\r\nHost: x\r\n${auth}\r\nContent-Length: ${10 * 1024 ** 3}`, 'occurred_at\n')).toMatch(/^HTTP\/1\.1 413/);
    // Claims 11 bytes and sends a whole file: the 11 are the body (a header without its
    // columns, 422), and Node's parser may answer the bytes after them first (400).
    expect(await raw(`POST /api/v1/batches HTTP/1.1\r\nHost: x\r\n${auth}\r\nContent-Length: 11`, `${HEADER}\n2026-01-01T00:00:00Z,r,a,CN,openai,direct,allowed\n`))
      .toMatch(/^HTTP\/1\.1 4(00|22)/);
  });

  it('stops a slow-drip body, storing nothing', async () => {
    const head = `POST /api/v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked`;
    const started = Date.now();
    // One chunk of the header, then silence.
    const status = await raw(head, `${(HEADER.length + 1).toString(16)}\r\n${HEADER}\n\r\n`);
    expect(status).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await db().prisma.ingestBatch.findFirst({ orderBy: { id: 'desc' }, select: { status: true, failureReason: true } }))
      .toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/sent nothing for 2 s/) });
  });

  it('answers hostile URL parameters with 400 and a message', async () => {
    const get = (q: string) => fetch(`${app.url}/api/v1/${q}`, { headers: { authorization: `Bearer ${token}` } });
    for (const q of [
      "summary?region=' OR 1=1 --", 'summary?from=999999-01-01', 'summary?tz=../../etc/passwd',
      'accounts?pageSize=1e9', 'breakdown?by=region;DROP TABLE accounts', 'decisions?limit=-1',
    ]) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error, q).toBeTruthy();
    }
    const many = await get(`summary?${Array.from({ length: 10_000 }, () => 'region=US').join('&')}`);
    expect([200, 400, 414, 431]).toContain(many.status);
  });

  it('stays up, within its memory, with the decisions and derived tables unchanged', async () => {
    const res = await fetch(`${app.url}/api/v1/summary?range=90d`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const status = readFileSync(`/proc/${app.process.pid}/status`, 'utf8');
    const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
    expect(peakKiB / 1024).toBeLessThan(1024);
    expect(await snapshot()).toEqual(before);
  });
});
