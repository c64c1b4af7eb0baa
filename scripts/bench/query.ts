// `npm run bench -- query --rows N`: the dashboard's queries against N generated decisions
// (default 10,000,000, made with SQL), 20 runs each, median and p95, and the speed-up over
// the same answer computed naively from raw rows (its median of 3 runs). Last line: one JSON object.
import { performance } from 'node:perf_hooks';

import { accountBreakdown, accountTimeline } from '@/lib/analytics/account';
import { listAccounts } from '@/lib/analytics/accounts';
import { breakdown } from '@/lib/analytics/breakdown';
import { decisionsPage } from '@/lib/analytics/decisions';
import { parseFilters, type Filters } from '@/lib/analytics/filters';
import { previousSpan } from '@/lib/analytics/range';
import { summary } from '@/lib/analytics/summary';
import { timeSeries } from '@/lib/analytics/time-series';
import { divergence } from '@/lib/analytics/divergence';
import { violationAccounts } from '@/lib/analytics/violation-accounts';
import { violationSummary } from '@/lib/analytics/violations';
import { addPolicy, supersedePolicy } from '@/lib/policy/catalogue';
import { contradictsPolicy, policyInForceJoins } from '@/lib/policy/in-force';
import type { Database } from '@/lib/db/client';

import { type GeneratedDatabase, withGeneratedDatabase } from './generate-sql';

const RUNS = 20;
/** The naive side takes seconds a run at 10M rows, and only its median is reported. */
const NAIVE_RUNS = 3;

async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<{ median: number; p95: number }> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, p95: samples[Math.ceil(runs * 0.95) - 1]! };
}

function naiveWhere(f: Filters): string {
  return `occurred_at >= '${f.from.toISOString()}' AND occurred_at < '${f.to.toISOString()}'`;
}

export async function runQueryBench(args: GeneratedDatabase): Promise<void> {
  await withGeneratedDatabase('gw_bench_q', { ...args, connections: 4 }, async (db) => {
    const policyChange = await addBenchPolicies(db);
    await runQueries(db, args.rows, policyChange);
  });
}

/**
 * The demo's catalogue on the generated data: OpenAI serves CN, HK and RU until 55 days
 * ago and not from then on; Azure OpenAI serves CN only through 21Vianet. Returns the
 * milliseconds the last change took (its violations rebuilt over every stored decision),
 * or undefined when a kept database has its catalogue already.
 */
export async function addBenchPolicies(db: Database): Promise<number | undefined> {
  if ((await db.pool.query('SELECT EXISTS (SELECT 1 FROM region_policies) AS found')).rows[0].found) return undefined;
  const actor = { kind: 'system', label: 'bench' } as const;
  const start = new Date(Date.now() - 100 * 86_400_000);
  const change = new Date(Date.now() - 55 * 86_400_000);
  for (const region of ['CN', 'HK', 'RU']) {
    const v = await addPolicy(db.pool, actor, { provider: 'openai', region, status: 'supported', effectiveFrom: start });
    await supersedePolicy(db.pool, actor, v.id, { at: change, status: 'unsupported' });
  }
  await addPolicy(db.pool, actor, { provider: 'azure-openai', region: 'CN', status: 'unsupported', effectiveFrom: start });
  const t = performance.now();
  await addPolicy(db.pool, actor, { provider: 'azure-openai', channel: 'azure-china-21vianet', region: 'CN', status: 'supported', effectiveFrom: start });
  const ms = performance.now() - t;
  // As autovacuum would after these writes (the generation's ANALYZE ran before them, and
  // this machine's PostgreSQL runs with autovacuum off).
  await db.pool.query('ANALYZE decision_violations, account_violations_monthly, violation_counts_hourly, account_violation_daily_vectors, account_violation_hourly_vectors');
  return ms;
}

/** The timed part, on a database that holds generated decisions. */
export async function runQueries(db: Database, rows: number, policyChangeMs?: number): Promise<void> {
  const now = new Date();
  const f30 = parseFilters(new URLSearchParams('range=30d'), now);
  const f90 = parseFilters(new URLSearchParams('range=90d'), now);
  const f7 = parseFilters(new URLSearchParams('range=7d'), now);
  const f24h = parseFilters(new URLSearchParams('range=24h'), now);
  const account = (await db.pool.query(`SELECT account_id FROM account_running_monthly GROUP BY 1
    ORDER BY sum(allowed[cardinality(allowed)] + blocked[cardinality(blocked)]) DESC LIMIT 1`)).rows[0].account_id as string;
  const p = db.prisma;

  const results: { name: string; median: number; p95: number; naive?: number }[] = [];
  // The naive side gives the same answers from raw rows, its statements run at once as ours are.
  const bench = async (label: string, fn: () => Promise<unknown>, naiveSql?: string[]) => {
    const r = await time(fn);
    let naive: number | undefined;
    if (naiveSql) naive = (await time(() => Promise.all(naiveSql.map((sql) => db.pool.query(sql))), NAIVE_RUNS)).median;
    results.push({ name: label, ...r, naive });
    console.error(`${label}: median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms${naive ? `, naive ${naive.toFixed(0)} ms` : ''}`);
  };

  await bench('overview (30 days)', () => Promise.all([
    summary(p, f30), timeSeries(p, f30, 'day'), breakdown(p, f30, 'region'), breakdown(p, f30, 'provider'),
    breakdown(p, f30, 'channel'), breakdown(p, f30, 'region', 'channel'),
  ]), [`SELECT caller_region, channel, decision, count(*), count(DISTINCT account_id) FROM access_decisions WHERE ${naiveWhere(f30)} GROUP BY 1, 2, 3`]);
  await bench('breakdown (90 days, region x channel)', () => breakdown(p, f90, 'region', 'channel'),
    [`SELECT caller_region, channel, decision, count(*) FROM access_decisions WHERE ${naiveWhere(f90)} GROUP BY 1, 2, 3`]);
  await bench('account drill-down (busiest account, 90 days)', () => Promise.all([
    accountTimeline(p, account, f90, 'day'), accountBreakdown(p, account, f90), decisionsPage(p, f90, { accountId: account, limit: 100 }),
  ]), [
    `SELECT date_trunc('day', occurred_at), provider, channel, decision, count(*) FROM access_decisions WHERE account_id = '${account}' AND ${naiveWhere(f90)} GROUP BY 1, 2, 3, 4`,
    `SELECT caller_region, provider, channel, decision, count(*) FROM access_decisions WHERE account_id = '${account}' AND ${naiveWhere(f90)} GROUP BY 1, 2, 3, 4`,
    `SELECT * FROM access_decisions WHERE account_id = '${account}' AND ${naiveWhere(f90)} ORDER BY occurred_at DESC, id DESC LIMIT 101`,
  ]);
  await bench('accounts list (30 days, sorted by blocked)', () => listAccounts(p, f30, { column: 'blocked', desc: true, page: 1, pageSize: 50 }),
    [`SELECT account_id, count(*) FILTER (WHERE decision = 'allowed') a, count(*) FILTER (WHERE decision = 'blocked') b,
             array_agg(DISTINCT caller_region), array_agg(DISTINCT channel), count(*) OVER ()
        FROM access_decisions WHERE ${naiveWhere(f30)} GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50`]);
  const first = await decisionsPage(p, f30, { limit: 100 });
  await bench('decisions page (30 days, page 2, region CN)', () => decisionsPage(p, { ...f30, region: { include: ['CN'], exclude: [] } }, { cursor: first.nextCursor, limit: 100 }));
  await bench('accounts list (7 days, region CN, page 3 by name)', () => listAccounts(p, { ...f7, region: { include: ['CN'], exclude: [] } }, { column: 'name', desc: false, page: 3, pageSize: 50 }),
    [`SELECT d.account_id, a.name, count(*) FILTER (WHERE decision = 'allowed'), count(*) FILTER (WHERE decision = 'blocked'),
             array_agg(DISTINCT caller_region), array_agg(DISTINCT channel), count(*) OVER ()
        FROM access_decisions d JOIN accounts a ON a.id = d.account_id
       WHERE ${naiveWhere(f7)} AND caller_region = 'CN' GROUP BY 1, 2 ORDER BY 2, 1 LIMIT 50 OFFSET 100`]);
  await bench('accounts list (24 hours, sorted by total)', () => listAccounts(p, f24h, { column: 'total', desc: true, page: 1, pageSize: 50 }),
    [`SELECT account_id, count(*) FILTER (WHERE decision = 'allowed'), count(*) FILTER (WHERE decision = 'blocked'),
             array_agg(DISTINCT caller_region), array_agg(DISTINCT channel), count(*) OVER ()
        FROM access_decisions WHERE ${naiveWhere(f24h)} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 50`]);
  await bench('accounts list (30 days, sorted by name)', () => listAccounts(p, f30, { column: 'name', desc: false, page: 1, pageSize: 50 }),
    [`SELECT d.account_id, a.name, count(*) FILTER (WHERE decision = 'allowed'), count(*) FILTER (WHERE decision = 'blocked'),
             array_agg(DISTINCT caller_region), array_agg(DISTINCT channel), count(*) OVER ()
        FROM access_decisions d JOIN accounts a ON a.id = d.account_id
       WHERE ${naiveWhere(f30)} GROUP BY 1, 2 ORDER BY coalesce(a.name, ''), 1 LIMIT 50`]);
  await bench('accounts list (30 days, all regions but US, sorted by total)',
    () => listAccounts(p, { ...f30, region: { include: [], exclude: ['US'] } }, { column: 'total', desc: true, page: 1, pageSize: 50 }),
    [`SELECT account_id, count(*) FILTER (WHERE decision = 'allowed'), count(*) FILTER (WHERE decision = 'blocked'),
             array_agg(DISTINCT caller_region), array_agg(DISTINCT channel), count(*) OVER ()
        FROM access_decisions WHERE ${naiveWhere(f30)} AND caller_region <> 'US' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 50`]);

  // Compliance intelligence: the derived violations against a range join of raw rows with
  // the catalogue at query time, and divergence against a GROUP BY of the window's raw rows.
  const inForce = (s: { from: Date; to: Date }) =>
    `FROM access_decisions d ${policyInForceJoins('d')} WHERE d.occurred_at >= '${s.from.toISOString()}' AND d.occurred_at < '${s.to.toISOString()}' AND ${contradictsPolicy('d')}`;
  const violationCounts = `SELECT count(*) FILTER (WHERE d.decision = 'allowed'), count(*) FILTER (WHERE d.decision = 'blocked'), count(DISTINCT d.account_id)`;
  await bench('violations (30 days, with previous period)', () => violationSummary(p, f30),
    [`${violationCounts} ${inForce(f30)}`, `${violationCounts} ${inForce(previousSpan(f30))}`]);
  await bench('violations by account (30 days)', () => violationAccounts(p, f30, { column: 'total', desc: true, page: 1, pageSize: 50 }),
    [`SELECT d.account_id, count(*), count(*) OVER () ${inForce(f30)} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50`]);
  await bench('divergence (7 days)', () => divergence(p, f7, { column: 'allowedAfterBlock', desc: true, page: 1, pageSize: 50 }),
    [`WITH r AS (SELECT account_id, caller_region, provider || '/' || channel AS route, decision, occurred_at FROM access_decisions WHERE ${naiveWhere(f7)}),
          fb AS (SELECT account_id, caller_region, route, min(occurred_at) AS first_block FROM r WHERE decision = 'blocked' GROUP BY 1, 2, 3)
     SELECT r.account_id, r.caller_region, count(*) FROM r
      WHERE r.decision = 'allowed' AND EXISTS (SELECT 1 FROM fb WHERE fb.account_id = r.account_id AND fb.caller_region = r.caller_region
                                                AND fb.route <> r.route AND fb.first_block <= r.occurred_at)
      GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 50`]);
  const violationCount = Number((await db.pool.query('SELECT count(*) AS n FROM decision_violations')).rows[0].n);

  console.log('\n| query | median ms | p95 ms | naive ms | speed-up |\n| --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(`| ${r.name} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.naive?.toFixed(0) ?? '–'} | ${r.naive ? `${(r.naive / r.median).toFixed(0)}x` : '–'} |`);
  }
  const speedups = results.filter((r) => r.naive).map((r) => r.naive! / r.median);
  console.log(JSON.stringify({
    rows,
    overview_p95_ms: Number(results[0]!.p95.toFixed(1)),
    breakdown_p95_ms: Number(results[1]!.p95.toFixed(1)),
    account_p95_ms: Number(results[2]!.p95.toFixed(1)),
    accounts_list_p95_ms: Number(results[3]!.p95.toFixed(1)),
    decisions_page_p95_ms: Number(results[4]!.p95.toFixed(1)),
    accounts_list_by_name_p95_ms: Number(results[5]!.p95.toFixed(1)),
    accounts_list_24h_p95_ms: Number(results[6]!.p95.toFixed(1)),
    accounts_list_30d_by_name_p95_ms: Number(results[7]!.p95.toFixed(1)),
    accounts_list_30d_not_us_p95_ms: Number(results[8]!.p95.toFixed(1)),
    violations_p95_ms: Number(results[9]!.p95.toFixed(1)),
    violations_by_account_p95_ms: Number(results[10]!.p95.toFixed(1)),
    divergence_p95_ms: Number(results[11]!.p95.toFixed(1)),
    violations_speedup_vs_naive: Number((results[9]!.naive! / results[9]!.median).toFixed(1)),
    divergence_speedup_vs_naive: Number((results[11]!.naive! / results[11]!.median).toFixed(1)),
    stored_violations: violationCount,
    ...(policyChangeMs === undefined ? {} : { policy_change_rebuild_ms: Math.round(policyChangeMs) }),
    overview_speedup_vs_naive: Number((results[0]!.naive! / results[0]!.median).toFixed(1)),
    min_speedup_vs_naive: Number(Math.min(...speedups).toFixed(1)),
  }));
}

