// `npm run bench -- ingest [--rows N] [--createmany-rows M] [--in-process]`
//
// Times, in one run and on the same generated CSV:
//   (a) psql \copy into a table created LIKE access_decisions INCLUDING ALL (same indexes),
//   (b) Gatewatch ingesting the file through POST /api/v1/batches of the built app
//       (or, with --in-process, through lib/ingest/ingest-file.ts without HTTP),
//   (c) Prisma createMany in chunks of 1,000 on the first M rows.
// The database is checkpointed before (a) and (b), so that neither pays for writing out
// the other's dirty pages.
//
// During (b) it also samples the resident memory of the server's process tree (of this
// process with --in-process) every 100 ms: the requirement is that a 1 GiB upload raises
// it by no more than 300 MiB. The generated CSV takes ~149 bytes a row, so a 1 GiB upload
// takes `--rows 7300000`.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs, promisify } from 'node:util';

import { createApiToken } from '@/lib/auth/api-tokens';
import { createDatabase } from '@/lib/db/client';
import { migrate } from '@/lib/db/migrate';
import { generateDemoDecisions } from '@/lib/demo/generate';
import { ingestFile } from '@/lib/ingest/ingest-file';

import { startAppServer } from '../../tests/helpers/app-server';
import { adminQuery, dropStaleDatabases, ScratchDatabases } from '../../tests/helpers/postgres';

import { startBuildIfNeeded } from '../build-freshness';
import { writeDecisionsCsv } from './csv-file';
import { sampleRss } from './rss';

const run = promisify(execFile);
const log = (line: string) => console.error(`[bench] ${line}`);
/** Fixed, so that every run generates the same rows. */
const NOW = new Date('2026-11-20T12:00:00Z');
const CSV_COLUMNS = 'occurred_at, request_id, account_id, account_name, caller_region, serving_region, provider, channel, decision, reason, policy_version, model';
const PSQL = process.env.PSQL ?? '/usr/bin/psql';

interface Timing {
  rows: number;
  seconds: number;
}

interface Ingest extends Timing {
  /** Resident memory of the ingesting process(es) just before the upload, and at most during it, in bytes. */
  rss: { baseline: number; peak: number };
}

const perSecond = (t: Timing) => t.rows / t.seconds;

async function migratedDatabase(scratch: ScratchDatabases, label: string) {
  const { url } = await scratch.create(label);
  const database = createDatabase(url, 4);
  await migrate(database.pool);
  return { url, database };
}

async function timePsqlCopy(url: string, file: string, rows: number): Promise<Timing> {
  const database = createDatabase(url, 1);
  try {
    // The file has no batch columns; defaults stand in for them (a constant per row costs
    // COPY nothing measurable), everything else is access_decisions as it is.
    await database.pool.query(`CREATE TABLE decisions_copy (LIKE access_decisions INCLUDING ALL)`);
    await database.pool.query(`ALTER TABLE decisions_copy ALTER batch_id SET DEFAULT 0, ALTER batch_line SET DEFAULT 0`);
    await adminQuery('CHECKPOINT');
    const started = performance.now();
    await run(PSQL, [url, '-v', 'ON_ERROR_STOP=1', '-qc',
      `\\copy decisions_copy (${CSV_COLUMNS}) FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`]);
    const seconds = (performance.now() - started) / 1000;
    const stored = Number((await database.pool.query('SELECT count(*) AS n FROM decisions_copy')).rows[0].n);
    if (stored !== rows) throw new Error(`psql \\copy stored ${stored} rows, expected ${rows}`);
    return { rows, seconds };
  } finally {
    await database.pool.end();
  }
}

interface BatchAnswer {
  batch?: { id: string | number; status: string; rows: number; accepted: number; durationMs: number | null };
  error?: string;
}

async function timeHttpIngest(url: string, file: string, rows: number): Promise<Ingest> {
  const database = createDatabase(url, 2);
  let token: string;
  try {
    token = (await createApiToken(database.prisma, { name: 'bench', role: 'analyst' })).secret;
  } finally {
    await database.pool.end();
  }
  const headers = { Authorization: `Bearer ${token}` };
  const server = await startAppServer(url, {
    // Also loads the route's module, so that the timed request does not pay for it.
    ready: async (baseUrl) => (await fetch(`${baseUrl}/api/v1/batches`, { headers })).status === 200,
    nodeArgs: (process.env.GW_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    logFile: process.env.GW_BENCH_SERVER_LOG,
  });
  try {
    // A file of only the header goes through the whole POST path (batch record,
    // transaction, rollups) and stores nothing: what it loads and allocates once is then
    // part of the baseline rather than of the upload's growth.
    const warmUp = await fetch(`${server.url}/api/v1/batches`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/csv', 'X-Filename': 'warm-up.csv' },
      body: `${CSV_COLUMNS.replace(/ /g, '')}\n`,
    });
    if (!warmUp.ok) throw new Error(`the warm-up upload answered ${warmUp.status}: ${(await warmUp.text()).slice(0, 2000)}`);
    await adminQuery('CHECKPOINT');
    const memory = sampleRss(server.process.pid!);
    const started = performance.now();
    const answer = await fetch(`${server.url}/api/v1/batches`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'text/csv', 'X-Filename': 'bench.csv' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    const body = (await answer.json()) as BatchAnswer;
    const seconds = (performance.now() - started) / 1000;
    const rss = { baseline: memory.baseline, peak: memory.stop() };
    if (answer.status !== 201 || body.batch?.status !== 'complete' || body.batch.accepted !== rows) {
      throw new Error(`POST /api/v1/batches answered ${answer.status}: ${JSON.stringify(body).slice(0, 2000)}`);
    }
    log(`  the batch record says ${((body.batch.durationMs ?? 0) / 1000).toFixed(2)} s from opening the batch to its commit`);
    return { rows, seconds, rss };
  } finally {
    await server.stop();
  }
}

async function timeInProcessIngest(url: string, file: string, rows: number): Promise<Ingest> {
  const database = createDatabase(url, 4);
  try {
    await adminQuery('CHECKPOINT');
    const memory = sampleRss(process.pid);
    const started = performance.now();
    const result = await ingestFile(database.pool, createReadStream(file), { filename: 'bench.csv', contentType: 'text/csv' }, {
      batch: { fileName: 'bench.csv', source: 'cli', strict: false },
      strict: false,
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
    const seconds = (performance.now() - started) / 1000;
    const rss = { baseline: memory.baseline, peak: memory.stop() };
    if (result.status !== 'complete' || result.counts.accepted !== rows) {
      throw new Error(`ingestFile: ${JSON.stringify(result)}`);
    }
    return { rows, seconds, rss };
  } finally {
    await database.pool.end();
  }
}

async function timeCreateMany(url: string, rows: number): Promise<Timing> {
  const database = createDatabase(url, 2);
  try {
    const data = [];
    let line = 1;
    for (const chunk of generateDemoDecisions({ rows, now: NOW })) {
      for (const r of chunk) {
        data.push({
          occurredAt: new Date(r.occurredAt), requestId: r.requestId, accountId: r.accountId, accountName: r.accountName,
          callerRegion: r.callerRegion, servingRegion: r.servingRegion, provider: r.provider, channel: r.channel,
          decision: r.decision, reason: r.reason, policyVersion: r.policyVersion, model: r.model,
          batchId: 0, batchLine: ++line,
        });
      }
    }
    // Prisma plans a query shape on first use: one chunk first, outside the timing.
    await database.prisma.accessDecision.createMany({ data: data.slice(0, 1000) });
    await database.pool.query('TRUNCATE access_decisions');
    const started = performance.now();
    for (let i = 0; i < data.length; i += 1000) {
      await database.prisma.accessDecision.createMany({ data: data.slice(i, i + 1000) });
    }
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    await database.prisma.$disconnect();
    await database.pool.end();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '))
    .join('\n');
}

export async function benchIngest(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '1000000' },
      'createmany-rows': { type: 'string', default: '50000' },
      'in-process': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  const createManyRows = Math.min(rows, Number(values['createmany-rows']));
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(createManyRows) || createManyRows < 1) {
    throw new Error('--rows and --createmany-rows must be positive integers');
  }
  const inProcess = values['in-process'];
  if (!inProcess) await startBuildIfNeeded(log, 'stderr').done;

  await dropStaleDatabases('gw_bench');
  const scratch = new ScratchDatabases('gw_bench');
  const dir = await mkdtemp(path.join(tmpdir(), 'gatewatch-bench-'));
  const stopOnSignal = () => {
    void scratch.dropAll().finally(() => rm(dir, { recursive: true, force: true })).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const file = path.join(dir, 'bench.csv');
    log(`generating ${rows.toLocaleString('en')} rows…`);
    const bytes = await writeDecisionsCsv(file, rows, NOW);
    const version = (await adminQuery<{ v: string }>(`SELECT split_part(version(), ' ', 2) AS v`))[0]?.v ?? '?';

    const copyDb = await migratedDatabase(scratch, 'copy');
    const appDb = await migratedDatabase(scratch, 'app');
    await copyDb.database.pool.end();
    await appDb.database.pool.end();

    log('psql \\copy…');
    const copy = await timePsqlCopy(copyDb.url, file, rows);
    log(`  ${copy.seconds.toFixed(2)} s`);
    log(inProcess ? 'Gatewatch ingestFile (in process)…' : 'Gatewatch POST /api/v1/batches…');
    const app = inProcess ? await timeInProcessIngest(appDb.url, file, rows) : await timeHttpIngest(appDb.url, file, rows);
    log(`  ${app.seconds.toFixed(2)} s`);
    log(`Prisma createMany on ${createManyRows.toLocaleString('en')} rows…`);
    const createMany = await timeCreateMany(copyDb.url, createManyRows);
    log(`  ${createMany.seconds.toFixed(2)} s`);

    const fmt = (n: number) => Math.round(n).toLocaleString('en');
    const line = (name: string, t: Timing): [string, string, string, string] =>
      [name, t.seconds.toFixed(2), fmt(perSecond(t)), (perSecond(t) / perSecond(copy)).toFixed(2)];
    console.log(`\nIngest benchmark: ${rows.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(1)} MB CSV; ` +
      `PostgreSQL ${version}; ${availableParallelism()} CPUs\n`);
    console.log(table([
      ['path', 'seconds', 'rows/s', 'vs copy'],
      ['psql \\copy into a table LIKE access_decisions (same indexes)', ...line('', copy).slice(1)] as [string, string, string, string],
      line(inProcess ? 'Gatewatch ingestFile, in process (no HTTP)' : 'Gatewatch POST /api/v1/batches (streamed CSV body)', app),
      line(`Prisma createMany, chunks of 1,000 (${createManyRows.toLocaleString('en')} rows)`, createMany),
    ]));
    const mib = (n: number) => n / 1024 ** 2;
    const growth = app.rss.peak - app.rss.baseline;
    console.log(`\n${table([
      [inProcess ? 'resident memory of this process' : 'resident memory of the app server (process tree)', 'MiB'],
      [`before the upload of ${mib(bytes).toFixed(1)} MiB (${(bytes / rows).toFixed(1)} bytes a row)`, mib(app.rss.baseline).toFixed(1)],
      ['peak during the upload (sampled every 100 ms)', mib(app.rss.peak).toFixed(1)],
      ['growth (target for a 1 GiB upload: at most 300)', mib(growth).toFixed(1)],
    ])}`);
    const round = (n: number, digits: number) => Number(n.toFixed(digits));
    console.log(JSON.stringify({
      rows,
      copy_rows_per_s: Math.round(perSecond(copy)),
      app_rows_per_s: Math.round(perSecond(app)),
      createmany_rows_per_s: Math.round(perSecond(createMany)),
      app_vs_copy: round(perSecond(app) / perSecond(copy), 3),
      app_vs_createmany: round(perSecond(app) / perSecond(createMany), 2),
      upload_bytes: bytes,
      upload_mib: round(mib(bytes), 1),
      server_rss_baseline_mib: round(mib(app.rss.baseline), 1),
      server_rss_peak_mib: round(mib(app.rss.peak), 1),
      server_rss_growth_mib: round(mib(growth), 1),
    }));
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await scratch.dropAll();
    await rm(dir, { recursive: true, force: true });
  }
}
