import pg from 'pg';

import { env } from '@/lib/env';

// PostgreSQL `bigint` (int8) and `count(*)` arrive as strings by default; every count we
// read fits in a double long before it matters for a dashboard.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

// Session settings for every connection (ingestion sets its own work_mem per transaction):
// - no parallel workers: the dashboard's queries take 5-20 ms of work, and starting workers
//   for them cost 10x that when a page's six queries run at once on a small machine
//   (breakdown at 10M rows under load: 99 ms with workers, 12 ms without);
// - 64 MB per sort or hash, so that the accounts list aggregates ~100,000 accounts in
//   memory instead of spilling to disk (the default 4 MB);
// - no JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, and
//   estimates count branches that never run (the active-accounts count's fallback scan):
//   at 30M rows it spent 665 ms compiling a statement that ran in 35.
const SESSION = '-c max_parallel_workers_per_gather=0 -c work_mem=64MB -c jit=off';

// How long an idle connection stays open. pg's default (10 s) closed them between a user's
// page views, and a new connection's first statements run cold (its backend's catalog caches
// are empty): the 24-hour headline at 10M rows took 120 ms after 11 s idle against ~30 warm.
// At most GW_DB_POOL_MAX (10) backends stay open.
const IDLE_MS = 15 * 60_000;

/**
 * The pool. pg lets an `options` parameter in the connection string replace the one given
 * here, so the session settings are appended to it rather than passed beside it.
 */
export function createPool(connectionString: string, max = env().GW_DB_POOL_MAX): pg.Pool {
  const url = new URL(connectionString);
  const own = url.searchParams.get('options');
  url.searchParams.set('options', own ? `${own} ${SESSION}` : SESSION);
  const pool = new pg.Pool({ connectionString: url.toString(), max, application_name: 'gatewatch', idleTimeoutMillis: IDLE_MS });
  // An idle connection that the server ends (a restart, an admin's pg_terminate_backend) is
  // reported here; unhandled, the 'error' event would end the process. The pool has already
  // dropped that connection and opens another when one is needed.
  pool.on('error', (error) => console.error('[gatewatch] an idle database connection was closed:', error.message));
  return pool;
}
