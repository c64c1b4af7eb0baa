import type { Database } from '@/lib/db/client';
import { backfillPresence } from '@/lib/ingest/presence';

/** Fills access_decisions and every rollup with SQL: 12 regions x 4 providers x 4 channels over 90 days. */
export async function generateDecisions(db: Database, rows: number, accounts: number): Promise<void> {
  const q = (sql: string) => db.pool.query(sql);
  await q(`SET maintenance_work_mem = '1GB'`);
  await q(`ALTER TABLE access_decisions SET UNLOGGED`);
  for (const index of ['access_decisions_identity', 'access_decisions_account_time', 'access_decisions_time']) await q(`DROP INDEX ${index}`);
  await q(`INSERT INTO access_decisions (occurred_at, request_id, account_id, account_name, caller_region, provider, channel,
             decision, reason, model, batch_id, batch_line)
           SELECT now() - (random() * interval '90 days'),
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
             CROSS JOIN LATERAL (SELECT (g::bigint * 7919) % ${accounts} AS a) acc
             CROSS JOIN LATERAL (SELECT (ARRAY['openai','azure-openai','anthropic','google-gemini'])[1 + (g % 4)] AS provider,
                                        (ARRAY['direct','azure-global','azure-china-21vianet','reseller-acme'])[1 + ((g / 4) % 4)] AS channel) p`);
  await q(`ALTER TABLE access_decisions SET LOGGED`);
  await q(`CREATE UNIQUE INDEX access_decisions_identity ON access_decisions (provider, request_id)`);
  await q(`CREATE INDEX access_decisions_account_time ON access_decisions (account_id, occurred_at DESC)`);
  await q(`CREATE INDEX access_decisions_time ON access_decisions (occurred_at DESC, id DESC)`);
  await q(`SET TIME ZONE 'UTC'`);
  await q(`INSERT INTO decision_counts_hourly SELECT date_trunc('hour', occurred_at), caller_region, provider, channel, decision,
             coalesce(reason, ''), coalesce(model, ''), count(*) FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6, 7`);
  await q(`INSERT INTO decision_counts_daily SELECT (occurred_at AT TIME ZONE 'UTC')::date, caller_region, provider, channel, decision,
             coalesce(reason, ''), coalesce(model, ''), count(*) FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6, 7`);
  await q(`INSERT INTO account_counts_daily SELECT (occurred_at AT TIME ZONE 'UTC')::date, account_id, caller_region, provider, channel,
             decision, count(*) FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6`);
  await q(`INSERT INTO accounts (id, name, name_seen_at, first_seen, last_seen)
           SELECT account_id, max(account_name), max(occurred_at), min(occurred_at), max(occurred_at) FROM access_decisions GROUP BY 1`);
  const client = await db.pool.connect();
  try {
    await backfillPresence(client);
  } finally {
    client.release();
  }
  await q(`VACUUM ANALYZE`);
}

