import http from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiToken } from '@/lib/auth/api-tokens';

import { startAppServer, type AppServer } from '../helpers/app-server';
import { useTestDatabase } from '../helpers/test-database';

const HEADER = 'occurred_at,request_id,account_id,caller_region,provider,channel,decision\n';
const rows = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `2024-07-20T00:00:00Z,${prefix}-${i},acct-${i % 11},US,openai,direct,allowed\n`).join('');

/** Starts a chunked upload, sends the first part, and leaves the request open. */
function openUpload(app: AppServer, token: string, fileName: string) {
  const url = new URL(`${app.url}/api/v1/batches`);
  const req = http.request({
    host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', 'X-Filename': fileName, 'Transfer-Encoding': 'chunked' },
  });
  req.on('error', () => undefined); // the server may vanish mid-request: that is the point
  req.write(HEADER + rows('part', 2000));
  return req;
}

async function waitFor<T>(probe: () => Promise<T | null | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('interrupted batches', () => {
  const db = useTestDatabase();
  let app: AppServer;
  let token: string;

  beforeAll(async () => {
    app = await startAppServer(db().url);
    token = (await createApiToken(db().prisma, { name: 'uploader', role: 'analyst' })).secret;
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function send(fileName: string) {
    const res = await fetch(`${app.url}/api/v1/batches`, {
      method: 'POST',
      body: HEADER + rows('part', 2000) + rows('rest', 1000),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', 'X-Filename': fileName },
    });
    return { status: res.status, json: (await res.json()) as { batch: { status: string; accepted: number } } };
  }

  it('a client that disconnects mid-upload leaves nothing stored and a failed batch; re-sending succeeds', async () => {
    const req = openUpload(app, token, 'aborted.csv');
    const batch = await waitFor(() => db().prisma.ingestBatch.findFirst({ where: { fileName: 'aborted.csv' } }), 'the batch to start');
    req.destroy();
    const failed = await waitFor(async () => {
      const b = await db().prisma.ingestBatch.findUnique({ where: { id: batch.id } });
      return b?.status === 'failed' ? b : null;
    }, 'the batch to fail');
    expect(failed.failureReason).toBeTruthy();
    expect(await db().prisma.accessDecision.count()).toBe(0);
    const again = await send('aborted.csv');
    expect(again.status).toBe(201);
    expect(again.json.batch).toMatchObject({ status: 'complete', accepted: 3000 });
    await db().prisma.accessDecision.deleteMany();
  });

  it('a server killed mid-batch stores nothing; after restart the batch shows failed and re-sending succeeds', async () => {
    await db().prisma.ingestBatch.deleteMany();
    const req = openUpload(app, token, 'killed.csv');
    const batch = await waitFor(() => db().prisma.ingestBatch.findFirst({ where: { fileName: 'killed.csv' } }), 'the batch to start');
    // Wait until rows are streaming into PostgreSQL, then kill -9: no chance to clean up.
    await waitFor(async () => {
      const { rows: active } = await db().pool.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY gw_stage%' OR query LIKE 'COPY access_decisions%'`);
      return active.length > 0 ? true : null;
    }, 'COPY to run');
    await app.stop('SIGKILL');
    req.destroy();

    const stuck = await db().prisma.ingestBatch.findUniqueOrThrow({ where: { id: batch.id } });
    expect(stuck.status).toBe('processing');
    expect(await db().prisma.accessDecision.count()).toBe(0);

    app = await startAppServer(db().url);
    const recovered = await waitFor(async () => {
      const b = await db().prisma.ingestBatch.findUnique({ where: { id: batch.id } });
      return b?.status === 'failed' ? b : null;
    }, 'recovery to mark the batch failed');
    expect(recovered.failureReason).toMatch(/interrupted/);
    expect(await db().prisma.accessDecision.count()).toBe(0);

    const again = await send('killed.csv');
    expect(again.status).toBe(201);
    expect(again.json.batch).toMatchObject({ status: 'complete', accepted: 3000 });
  });

  it('a server started on stored decisions runs the pages\' queries before it answers anyone', async () => {
    expect(await db().prisma.accessDecision.count()).toBeGreaterThan(0);
    await app.stop();
    app = await startAppServer(db().url);
    // startAppServer returns once the server has answered: the warm-up was done by then.
    expect(app.output()).toMatch(/\[gatewatch\] warmed up in \d+ ms: [1-9]\d* queries\n/);
    expect(app.output()).not.toMatch(/warm-up: .* failed|budget spent/);
    await app.stop();
    app = await startAppServer(db().url, { env: { GW_WARM_UP_SECONDS: '0' } });
    expect(app.output()).not.toMatch(/warmed up/);
  });
});
