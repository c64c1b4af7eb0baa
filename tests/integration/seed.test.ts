import { beforeAll, describe, expect, it } from 'vitest';

import { demoPolicyDate } from '@/lib/demo/generate';
import { databaseHasDecisions, seedDemoData } from '@/lib/demo/seed';

import { useTestDatabase } from '../helpers/test-database';

const ROWS = 30_000;
const NOW = new Date('2026-11-20T12:00:00Z');

describe('demo seed', () => {
  const db = useTestDatabase();
  let batchId: number;

  beforeAll(async () => {
    expect(await databaseHasDecisions(db())).toBe(false);
    const result = await seedDemoData(db(), { rows: ROWS, now: NOW });
    expect(result.status).toBe('complete');
    batchId = result.batchId;
  });

  it('stores every row once, and the rollups and accounts agree with the raw rows', async () => {
    const q = async (sql: string) => Number((await db().pool.query(sql)).rows[0].n);
    expect(await q('SELECT count(*) AS n FROM access_decisions')).toBe(ROWS);
    expect(await q('SELECT sum(count) AS n FROM decision_counts_hourly')).toBe(ROWS);
    expect(await q('SELECT sum(count) AS n FROM decision_counts_daily')).toBe(ROWS);
    expect(await q('SELECT count(*) AS n FROM accounts')).toBe(await q('SELECT count(DISTINCT account_id) AS n FROM access_decisions'));
    const mismatched = await db().pool.query(`
      SELECT h.* FROM (SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AS bucket, caller_region, provider, channel, decision, count(*) AS n
                         FROM access_decisions GROUP BY 1, 2, 3, 4, 5) r
      FULL JOIN (SELECT bucket AT TIME ZONE 'UTC' AS bucket, caller_region, provider, channel, decision, sum(count) AS n
                   FROM decision_counts_hourly GROUP BY 1, 2, 3, 4, 5) h USING (bucket, caller_region, provider, channel, decision)
      WHERE r.n IS DISTINCT FROM h.n`);
    expect(mismatched.rowCount).toBe(0);
    const batch = await db().prisma.ingestBatch.findUniqueOrThrow({ where: { id: batchId } });
    expect(batch).toMatchObject({ status: 'complete', source: 'seed', rows: ROWS, accepted: ROWS, rejected: 0, duplicates: 0 });
  });

  it('spans the 90 days before now with a weekly rhythm', async () => {
    const { rows } = await db().pool.query(`SELECT min(occurred_at) AS lo, max(occurred_at) AS hi FROM access_decisions`);
    expect(rows[0].hi.getTime()).toBeLessThanOrEqual(NOW.getTime());
    expect(rows[0].lo.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 91 * 86_400_000);
    const weekday = await db().pool.query(`
      SELECT avg(n) FILTER (WHERE dow IN (0, 6)) AS weekend, avg(n) FILTER (WHERE dow NOT IN (0, 6)) AS weekday
        FROM (SELECT extract(dow FROM bucket) AS dow, sum(count) AS n FROM decision_counts_daily
               WHERE bucket > $1::date AND bucket < $2::date GROUP BY bucket) d`,
    [new Date(NOW.getTime() - 85 * 86_400_000), new Date(NOW.getTime() - 2 * 86_400_000)]);
    expect(Number(weekday.rows[0].weekend)).toBeLessThan(Number(weekday.rows[0].weekday) * 0.75);
  });

  it('tells the July 2024 story: OpenAI direct blocks CN from the policy date, Azure China keeps serving', async () => {
    const policyDate = demoPolicyDate(NOW);
    const share = async (provider: string, channel: string, after: boolean) => {
      const { rows } = await db().pool.query(
        `SELECT count(*) FILTER (WHERE decision = 'blocked')::float / nullif(count(*), 0) AS rate, count(*) AS n
           FROM access_decisions WHERE provider = $1 AND channel = $2 AND caller_region = 'CN'
            AND (occurred_at >= $3) = $4`,
        [provider, channel, policyDate, after],
      );
      expect(Number(rows[0].n)).toBeGreaterThan(20);
      return Number(rows[0].rate);
    };
    expect(await share('openai', 'direct', false)).toBeLessThan(0.1);
    expect(await share('openai', 'direct', true)).toBe(1);
    expect(await share('azure-openai', 'azure-china-21vianet', true)).toBeLessThan(0.1);

    const both = await db().pool.query(`
      SELECT account_id FROM access_decisions WHERE caller_region = 'CN'
       GROUP BY account_id
      HAVING bool_or(provider = 'openai' AND channel = 'direct') AND bool_or(channel = 'azure-china-21vianet')`);
    expect(both.rowCount).toBeGreaterThan(3);

    // From the policy date on, OpenAI serves none of the July 2024 regions; before it, all
    // but the sanctioned ones, and the change is a superseding version.
    const policies = await db().prisma.regionPolicy.findMany({ where: { provider: 'openai' } });
    const inForce = (at: Date) => policies.filter((p) => p.effectiveFrom <= at && (p.effectiveTo === null || at < p.effectiveTo));
    const after = inForce(policyDate);
    expect(after.map((p) => p.region).sort()).toEqual(['CN', 'HK', 'IR', 'KP', 'MO', 'RU']);
    expect(after.every((p) => p.status === 'unsupported')).toBe(true);
    const before = inForce(new Date(policyDate.getTime() - 1));
    expect(before.filter((p) => p.status === 'supported').map((p) => p.region).sort()).toEqual(['CN', 'HK', 'MO', 'RU']);
    expect(after.filter((p) => p.supersedesId !== null).map((p) => p.region).sort()).toEqual(['CN', 'HK', 'MO', 'RU']);
  });

  it('spreads over regions, providers, channels, reasons and models', async () => {
    const distinct = async (column: string) =>
      Number((await db().pool.query(`SELECT count(DISTINCT ${column}) AS n FROM access_decisions`)).rows[0].n);
    expect(await distinct('caller_region')).toBeGreaterThanOrEqual(20);
    expect(await distinct('provider')).toBeGreaterThanOrEqual(5);
    expect(await distinct('channel')).toBeGreaterThanOrEqual(6);
    expect(await distinct('reason')).toBeGreaterThanOrEqual(4);
    expect(await distinct('model')).toBeGreaterThanOrEqual(8);
  });
});
