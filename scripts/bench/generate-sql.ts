import type pg from 'pg';

import { createDatabase, type Database } from '@/lib/db/client';
import { migrate } from '@/lib/db/migrate';
import { fillRegionRoutesFromRunning } from '@/lib/rollups/account-region-routes';
import { fillRunningFromDecisions } from '@/lib/rollups/account-running-monthly';
import { fillAccountSpansFromDecisions } from '@/lib/rollups/account-spans';
import { backfillDerivedTables } from '@/lib/rollups/backfill';
import { fillDecisionCountsFromDecisions } from '@/lib/rollups/decision-counts';

import { adminQuery, databaseUrl, dropDatabase, uniqueDatabaseName } from '../../tests/helpers/postgres';

/**
 * Fills access_decisions and every rollup with SQL: 12 regions x 4 providers x 4 channels
 * over 90 days. Rows are stored in time order, as batches of logs arrive (a table filled
 * by ingestion is clustered by time; random order would make every raw range read touch
 * a page per row).
 */
export async function generateDecisions(db: Database, rows: number, accounts: number): Promise<void> {
  // One connection: the settings below hold for the session.
  const client = await db.pool.connect();
  try {
    await fill(client, rows, accounts);
  } finally {
    client.release();
  }
}

async function fill(client: pg.PoolClient, rows: number, accounts: number): Promise<void> {
  const q = (sql: string) => client.query(sql);
  await q(`SET maintenance_work_mem = '1GB'`);
  await q(`SET work_mem = '1GB'`);
  await q(`ALTER TABLE access_decisions SET UNLOGGED`);
  for (const index of ['access_decisions_identity', 'access_decisions_account_time', 'access_decisions_time']) await q(`DROP INDEX ${index}`);
  await q(`INSERT INTO access_decisions (occurred_at, request_id, account_id, account_name, caller_region, provider, channel,
             decision, reason, model, batch_id, batch_line)
           SELECT * FROM (
           SELECT now() - (random() * interval '90 days') AS occurred_at,
                  'bench-' || g,
                  'acct-' || a,
                  'Account ' || a,
                  (ARRAY['US','CN','GB','DE','JP','IN','HK','FR','RU','BR','SG','KR'])[1 + (a % 12)],
                  p.provider, p.channel,
                  CASE WHEN random() < 0.25 THEN 'blocked'::"Decision" ELSE 'allowed'::"Decision" END,
                  (ARRAY[NULL,'unsupported_region','kyc_missing','sanctions'])[1 + (g % 4)],
                  (ARRAY['gpt-4o','gpt-4o-mini','claude-3-5-sonnet','gemini-1.5-pro'])[1 + (g % 4)],
                  0, g::int
             FROM generate_series(1, ${rows}) g
             -- A tenth of the traffic comes from ten busy accounts (resellers, say): the drill-down's
             -- busiest account then has ~100,000 decisions, as real ones do.
             CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 = 0 THEN (g / 10) % 10 ELSE (g::bigint * 7919) % ${accounts} END AS a) acc
             -- Each account keeps to one route but every third, which splits its calls between
             -- two (another provider and channel; an account's rows share g's residue modulo
             -- the account count, so g / accounts alternates between them where g does not):
             -- channel divergence's candidates are then a third of the pairs, as on the
             -- demo's data (39%), not ten.
             CROSS JOIN LATERAL (SELECT CASE WHEN a % 3 = 0 AND (g / ${accounts}) % 2 = 1 THEN (g + 6) % 16 ELSE g % 16 END AS r) route
             CROSS JOIN LATERAL (SELECT (ARRAY['openai','azure-openai','anthropic','google-gemini'])[1 + (route.r % 4)] AS provider,
                                        (ARRAY['direct','azure-global','azure-china-21vianet','reseller-acme'])[1 + ((route.r / 4) % 4)] AS channel) p
           ) generated ORDER BY occurred_at`);
  await q(`ALTER TABLE access_decisions SET LOGGED`);
  await q(`CREATE UNIQUE INDEX access_decisions_identity ON access_decisions (provider, request_id)`);
  await q(`CREATE INDEX access_decisions_account_time ON access_decisions (account_id, occurred_at DESC)`);
  await q(`CREATE INDEX access_decisions_time ON access_decisions (occurred_at DESC, id DESC)`);
  await fillDecisionCountsFromDecisions(client);
  await fillAccountSpansFromDecisions(client);
  await fillRunningFromDecisions(client);
  await fillRegionRoutesFromRunning(client);
  await backfillDerivedTables(client);
  await q(`VACUUM ANALYZE`);
}


export interface GeneratedDatabase {
  rows: number;
  /**
   * Keep the database under this name after the run, and reuse it in the next run when it
   * holds the same number of rows generated less than KEEP_HOURS ago (generated times end
   * at the generation's "now": older data would leave the presets' latest hours empty).
   */
  keep?: string;
  connections?: number;
}

const KEEP_HOURS = 6;
/** Raised whenever generateDecisions makes different data: a kept database of another version is regenerated. */
const GENERATOR_VERSION = 2;
const marker = (rows: number, at: Date) => `gatewatch bench v${GENERATOR_VERSION}: ${rows} rows generated ${at.toISOString()}`;

/** Whether the kept database exists and still answers for `rows`. */
async function reusable(name: string, rows: number): Promise<boolean> {
  const [found] = await adminQuery<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [name]);
  const match = /^gatewatch bench v(\d+): (\d+) rows generated (\S+)$/.exec(found?.comment ?? '');
  return !!match && Number(match[1]) === GENERATOR_VERSION && Number(match[2]) === rows
    && Date.now() - Date.parse(match[3]!) < KEEP_HOURS * 3_600_000;
}

/**
 * A database holding `rows` generated decisions (migrated, every rollup filled) for the
 * length of `run`: a scratch one dropped afterwards whatever happens, or the kept one.
 */
export async function withGeneratedDatabase<T>(
  prefix: string,
  options: GeneratedDatabase,
  run: (db: Database, url: string) => Promise<T>,
): Promise<T> {
  const { rows, keep } = options;
  if (keep !== undefined && !/^[a-z][a-z0-9_]{0,40}$/.test(keep)) throw new Error(`--keep must be a database name of lower-case letters, digits and _ (got "${keep}")`);
  const name = keep ?? uniqueDatabaseName(prefix);
  const reuse = keep !== undefined && (await reusable(keep, rows));
  if (!reuse) {
    await dropDatabase(name);
    await adminQuery(`CREATE DATABASE "${name}"`);
  }
  const url = databaseUrl(name);
  const db = createDatabase(url, options.connections ?? 2);
  try {
    // A kept database takes any migration added since it was made.
    await migrate(db.pool);
    if (reuse) {
      console.error(`Reusing ${name} (${rows.toLocaleString('en')} decisions)`);
    } else {
      const started = Date.now();
      console.error(`Generating ${rows.toLocaleString('en')} decisions…`);
      await generateDecisions(db, rows, Math.max(100, Math.min(100_000, Math.round(rows / 100))));
      console.error(`Generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (keep) await adminQuery(`COMMENT ON DATABASE "${name}" IS '${marker(rows, new Date())}'`);
    }
    return await run(db, url);
  } finally {
    await db.pool.end();
    if (!keep) await dropDatabase(name);
  }
}
