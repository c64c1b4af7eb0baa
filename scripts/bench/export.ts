// `npm run bench -- export --rows N`: psql's `\copy (select ...) to stdout csv` against
// Gatewatch's decisions export (HTTP, streamed) of the same N rows, in one run; reports rows/s
// of both, the ratio, and the server's peak resident memory during the export.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createWriteStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';

import { createApiToken } from '@/lib/auth/api-tokens';
import { describeProblem, verifyEvidencePack } from '@/lib/evidence/verify-pack';

import { startAppServer } from '../../tests/helpers/app-server';

import { startBuildIfNeeded } from '../build-freshness';
import { type GeneratedDatabase, withGeneratedDatabase } from './generate-sql';
import { treeRss } from './rss';

async function psqlCopy(url: string, sql: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('psql', [url, '-X', '-q', '-c', `\\copy (${sql}) to stdout csv header`], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.resume();
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))));
  });
  return performance.now() - started;
}

/** One export through HTTP; returns its time, bytes and the row count from its manifest. */
async function exportOnce(url: string, token: string, range: string, expectedRows: number, sample: () => void) {
  const headers = { Authorization: `Bearer ${token}` };
  const sampler = setInterval(sample, 50);
  const started = performance.now();
  // A plain Node HTTP client that only counts bytes, like psql writing to a pipe: this
  // process shares the two cores with the server and PostgreSQL.
  const { status, bytes, exportId } = await new Promise<{ status: number; bytes: number; exportId: string }>((resolve, reject) => {
    http.get(`${url}/api/v1/export/decisions.csv?${range}`, { headers }, (res) => {
      let n = 0;
      res.on('data', (chunk: Buffer) => (n += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: n, exportId: String(res.headers['x-export-id']) }));
      res.on('error', reject);
    }).on('error', reject);
  });
  const appMs = performance.now() - started;
  clearInterval(sampler);
  if (status !== 200) throw new Error(`export answered ${status}`);
  let manifest: { rows?: number } | undefined;
  for (let i = 0; i < 50 && !manifest; i += 1) {
    const m = await fetch(`${url}/api/v1/export/manifests/${exportId}`, { headers });
    if (m.ok) manifest = (await m.json()).manifest;
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (manifest?.rows !== expectedRows) throw new Error(`the export held ${manifest?.rows} rows, expected ${expectedRows}`);
  return { appMs, bytes, rows: manifest.rows };
}

export async function runExportBench(args: GeneratedDatabase): Promise<void> {
  await withGeneratedDatabase('gw_bench_x', args, async (db, url) => {
    let app: Awaited<ReturnType<typeof startAppServer>> | undefined;
    try {
      const token = (await createApiToken(db.prisma, { name: 'bench', role: 'analyst' })).secret;
      await startBuildIfNeeded((line) => console.error(line), 'stderr').done;
      app = await startAppServer(url);
      const range = `from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`;

      // The same rows, columns and order as the app's export.
      const psqlOnce = () => psqlCopy(url, `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at,
        request_id, account_id, account_name, caller_region, serving_region, provider, channel, decision, reason, policy_version, model,
        batch_id, batch_line FROM access_decisions ORDER BY occurred_at DESC, id DESC`);
      await psqlOnce(); // warm the cache, so neither side pays for cold reads

      const server = app;
      const baseline = treeRss(server.process.pid!);
      let peak = baseline;
      const appOnce = () =>
        exportOnce(server.url, token, range, args.rows, () => (peak = Math.max(peak, treeRss(server.process.pid!))));
      // Alternate the two, twice, and keep each side's best run: timings here are noisy.
      const psqlRuns = [await psqlOnce()];
      const appRuns = [await appOnce()];
      psqlRuns.push(await psqlOnce());
      appRuns.push(await appOnce());
      const psqlMs = Math.min(...psqlRuns);
      const { appMs, bytes, rows } = appRuns.reduce((a, b) => (a.appMs <= b.appMs ? a : b));

      const exportPeak = peak;
      // The evidence pack of the same rows: every CSV, the summary and the manifest in one zip.
      peak = treeRss(server.process.pid!);
      const packBaseline = peak;
      const packFile = path.join(os.tmpdir(), `gw-bench-evidence-${process.pid}.zip`);
      const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.process.pid!))), 50);
      const packStarted = performance.now();
      const pack = await fetch(`${server.url}/api/v1/evidence?${range}`, { headers: { Authorization: `Bearer ${token}` } });
      if (pack.status !== 200 || !pack.body) throw new Error(`evidence pack answered ${pack.status}`);
      await pipeline(Readable.fromWeb(pack.body as NodeWebStream<Uint8Array>), createWriteStream(packFile));
      const packMs = performance.now() - packStarted;
      clearInterval(sampler);
      const packPeak = peak;
      const verified = await verifyEvidencePack(packFile);
      const packBytes = statSync(packFile).size;
      await rm(packFile, { force: true });
      if (!verified.ok) throw new Error(`the evidence pack does not verify: ${verified.problems.map(describeProblem).join('; ')}`);

      const psqlRate = args.rows / (psqlMs / 1000);
      const appRate = args.rows / (appMs / 1000);
      console.log(`\n| path | seconds | rows/s |\n| --- | --- | --- |`);
      console.log(`| psql \\copy (select …) to stdout csv | ${(psqlMs / 1000).toFixed(2)} | ${Math.round(psqlRate).toLocaleString('en')} |`);
      console.log(`| Gatewatch /api/v1/export/decisions.csv | ${(appMs / 1000).toFixed(2)} | ${Math.round(appRate).toLocaleString('en')} |`);
      console.log(`\n${(bytes / 1024 ** 2).toFixed(0)} MiB, ${rows} rows (manifest); server RSS ${(baseline / 1024 ** 2).toFixed(0)} MiB before, peak ${(exportPeak / 1024 ** 2).toFixed(0)} MiB during the export`);
      console.log(`Evidence pack of the same ${args.rows} decisions: ${(packMs / 1000).toFixed(1)} s, ${(packBytes / 1024 ** 2).toFixed(0)} MiB zip, ` +
        `${verified.files} files verified; server RSS ${(packBaseline / 1024 ** 2).toFixed(0)} MiB before, peak ${(packPeak / 1024 ** 2).toFixed(0)} MiB`);
      console.log(JSON.stringify({
        rows: args.rows,
        psql_rows_per_s: Math.round(psqlRate),
        app_rows_per_s: Math.round(appRate),
        app_vs_psql: Number((appRate / psqlRate).toFixed(2)),
        peak_rss_mib: Math.round(exportPeak / 1024 ** 2),
        evidence_pack_s: Number((packMs / 1000).toFixed(1)),
        evidence_pack_vs_psql_export: Number((packMs / psqlMs).toFixed(2)),
        evidence_pack_peak_rss_mib: Math.round(packPeak / 1024 ** 2),
      }));
    } finally {
      await app?.stop();
    }
  });
}
