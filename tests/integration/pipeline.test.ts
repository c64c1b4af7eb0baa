import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';

import { seededRandom } from '@/lib/demo/random';
import { recoverOrphanedBatches } from '@/lib/ingest/batch-record';
import { ingest, type IngestOptions, type IngestResult, type IngestSource } from '@/lib/ingest/pipeline';
import type { RecordOutcome } from '@/lib/ingest/read-decisions';
import type { DecisionRow } from '@/lib/ingest/validate';

import { useTestDatabase, type TestDatabase } from '../helpers/test-database';
import { dayAndHourRowsSql, decodedEntriesSql, hourRowsSql, quarterEntriesFromSql } from '../helpers/vector-entries';

// The ingestion pipeline against a real PostgreSQL, fed synthetic outcomes. Segments are
// made tiny (a few rows) so that small batches cross every boundary the pipeline has:
// COPY straight in, fallback merges after duplicates, staging while another batch holds
// the merge lock, spilling the Node tally.

const TINY: IngestOptions['tuning'] = { firstSegmentRows: 3, maxSegmentRows: 12 };

function decision(requestId: string, over: Partial<DecisionRow> = {}): DecisionRow {
  return {
    occurredAt: '2024-07-09T08:15:02.000Z',
    requestId,
    accountId: 'acct-1',
    accountName: 'Acme',
    callerRegion: 'US',
    servingRegion: 'eastus',
    provider: 'openai',
    channel: 'direct',
    decision: 'allowed',
    reason: undefined,
    policyVersion: 'v1',
    model: 'gpt-4o',
    ...over,
  };
}

type Item = DecisionRow | { error: string; original: Record<string, string> };

/** Outcomes in file order; line 1 is the CSV header, so rows start at line 2. */
function outcomes(items: Item[]): RecordOutcome[] {
  return items.map((item, i) =>
    'error' in item
      ? { line: i + 2, ok: false as const, error: item.error, original: item.original }
      : { line: i + 2, ok: true as const, row: item },
  );
}

interface SourceOptions {
  chunk?: number;
  sha256?: string | null;
  /** Throws this error instead of yielding chunk number `failAt` (0-based). */
  failAt?: number;
  failure?: Error;
  /** Called before each chunk is yielded. */
  beforeChunk?: (index: number) => Promise<void> | void;
}

function sourceOf(list: RecordOutcome[], options: SourceOptions = {}): () => Promise<IngestSource> {
  const chunk = options.chunk ?? 2;
  return async () => ({
    outcomes: (async function* () {
      for (let i = 0, index = 0; i < list.length; i += chunk, index++) {
        await options.beforeChunk?.(index);
        if (index === options.failAt) throw options.failure ?? new Error('the upload was cut off');
        yield list.slice(i, i + chunk);
      }
    })(),
    summary: () => ({ sha256: options.sha256 ?? null, bytes: 123, format: 'csv' as const, compressed: false, unknownColumns: [] }),
  });
}

async function run(
  db: TestDatabase,
  list: RecordOutcome[],
  options: SourceOptions & { strict?: boolean; tuning?: IngestOptions['tuning'] } = {},
): Promise<IngestResult> {
  return ingest(db.pool, { fileName: 'test.csv', source: 'api', strict: options.strict ?? false }, sourceOf(list, options), {
    strict: options.strict ?? false,
    tuning: options.tuning ?? TINY,
  });
}

function completed(result: IngestResult) {
  if (result.status !== 'complete') throw new Error(`expected a complete batch, got ${JSON.stringify(result)}`);
  return result;
}

async function count(db: TestDatabase, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.pool.query(sql, params)).rows[0].n);
}

/** Rows of the rollups and accounts that disagree with the raw rows (must be none). */
async function disagreements(db: TestDatabase): Promise<{
  hourly: number; daily: number; accounts: number; presence: number; running: number; vectors: number; hourlyVectors: number; routeVectors: number; routes: number; quarterVectors: number;
}> {
  const rollup = (table: string, bucket: string) =>
    count(db, `
      SELECT count(*) AS n FROM (
        SELECT ${bucket} AS b, caller_region, provider, channel, decision, coalesce(reason, '') AS r,
               coalesce(model, '') AS m, count(*) AS c
          FROM access_decisions GROUP BY 1, 2, 3, 4, 5, 6, 7
      ) raw
      FULL JOIN (SELECT bucket AS b, caller_region, provider, channel, decision, reason AS r, model AS m, count AS c
                   FROM ${table}) t USING (b, caller_region, provider, channel, decision, r, m)
      WHERE raw.c IS DISTINCT FROM t.c`);
  return {
    hourly: await rollup('decision_counts_hourly', `date_trunc('hour', occurred_at, 'UTC')`),
    daily: await rollup('decision_counts_daily', `(occurred_at AT TIME ZONE 'UTC')::date`),
    accounts: await count(db, `
      WITH raw AS (
        SELECT account_id AS id, min(occurred_at) AS f, max(occurred_at) AS l,
               max(occurred_at) FILTER (WHERE account_name IS NOT NULL) AS nat,
               (array_agg(account_name ORDER BY occurred_at DESC) FILTER (WHERE account_name IS NOT NULL))[1] AS name
          FROM access_decisions GROUP BY 1
      )
      SELECT count(*) AS n FROM raw FULL JOIN accounts a USING (id)
       WHERE raw.f IS DISTINCT FROM a.first_seen OR raw.l IS DISTINCT FROM a.last_seen
          OR raw.nat IS DISTINCT FROM a.name_seen_at OR raw.name IS DISTINCT FROM a.name`),
    // Every (day, cell, account) of the raw rows has its bit set, and no other bit is set.
    presence: await count(db, `
      WITH raw AS (
        SELECT DISTINCT (d.occurred_at AT TIME ZONE 'UTC')::date AS bucket, c.r, c.p, c.ch, c.dec, a.ordinal
          FROM access_decisions d JOIN accounts a ON a.id = d.account_id
         CROSS JOIN LATERAL (VALUES ('', '', '', ''), (d.caller_region, '', '', ''), ('', d.provider, '', ''),
           ('', '', d.channel, ''), ('', '', '', d.decision::text), (d.caller_region, '', '', d.decision::text),
           ('', d.provider, '', d.decision::text), ('', '', d.channel, d.decision::text)) c(r, p, ch, dec)
      )
      SELECT (SELECT count(*) FROM raw LEFT JOIN account_presence_daily t
                ON (t.bucket, t.caller_region, t.provider, t.channel, t.decision, t.chunk) = (raw.bucket, raw.r, raw.p, raw.ch, raw.dec, raw.ordinal / 8192)
               WHERE t.bits IS NULL OR get_bit(t.bits, raw.ordinal % 8192) = 0)
           + abs((SELECT count(*) FROM raw) - (SELECT coalesce(sum(bit_count(bits)), 0) FROM account_presence_daily)) AS n`),
    // Every day of every running row holds the raw count of decisions up to that day of its month.
    running: await count(db, `
      WITH days AS (
        SELECT t.month, t.account_id, t.caller_region, t.provider, t.channel, d, t.allowed[d] AS a, t.blocked[d] AS b,
               cardinality(t.allowed) = extract(day FROM t.month + interval '1 month' - interval '1 day')
                 AND cardinality(t.blocked) = cardinality(t.allowed) AS sized
          FROM account_running_monthly t CROSS JOIN LATERAL generate_series(1, cardinality(t.allowed)) d
      ), raw AS (
        SELECT r.month, r.account_id, r.caller_region, r.provider, r.channel, d.d,
               count(*) FILTER (WHERE x.decision = 'allowed' AND extract(day FROM x.occurred_at AT TIME ZONE 'UTC') <= d.d) AS a,
               count(*) FILTER (WHERE x.decision = 'blocked' AND extract(day FROM x.occurred_at AT TIME ZONE 'UTC') <= d.d) AS b
          FROM (SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date AS month, account_id, caller_region, provider, channel
                  FROM access_decisions) r
         CROSS JOIN LATERAL generate_series(1, extract(day FROM r.month + interval '1 month' - interval '1 day')::int) d(d)
          JOIN access_decisions x ON x.account_id = r.account_id AND x.caller_region = r.caller_region AND x.provider = r.provider
           AND x.channel = r.channel AND date_trunc('month', x.occurred_at AT TIME ZONE 'UTC')::date = r.month
         GROUP BY 1, 2, 3, 4, 5, 6
      )
      SELECT count(*) AS n FROM raw FULL JOIN days USING (month, account_id, caller_region, provider, channel, d)
       WHERE raw.a IS DISTINCT FROM days.a OR raw.b IS DISTINCT FROM days.b OR NOT coalesce(days.sized, false)`),
    // Every running vector row holds, for each account of its chunk with decisions in its
    // cell from the first of the month through its day, the raw count of those, and no other
    // entry; and every day an account had decisions on has its cells' rows.
    vectors: await count(db, `
      WITH days AS (
        SELECT (d.occurred_at AT TIME ZONE 'UTC')::date AS day, a.ordinal, c.r, c.p, c.ch,
               count(*) FILTER (WHERE d.decision = 'allowed') AS a, count(*) FILTER (WHERE d.decision = 'blocked') AS b
          FROM access_decisions d JOIN accounts a ON a.id = d.account_id
         CROSS JOIN LATERAL (VALUES ('', '', ''), (trim(d.caller_region), '', ''), ('', d.provider, ''), ('', '', d.channel)) c(r, p, ch)
         GROUP BY 1, 2, 3, 4, 5
      ), running AS (
        SELECT day, ordinal, r, p, ch, sum(a) OVER w AS ra, sum(b) OVER w AS rb FROM days
        WINDOW w AS (PARTITION BY ordinal, r, p, ch, date_trunc('month', day) ORDER BY day)
      ), stored AS (
        SELECT v.day, v.caller_region AS r, v.provider AS p, v.channel AS ch,
               v.chunk * 8192 + get_byte(v.counts, e * 10) * 256 + get_byte(v.counts, e * 10 + 1) AS ordinal,
               ('x' || encode(substring(v.counts FROM e * 10 + 3 FOR 4), 'hex'))::bit(32)::int AS a,
               ('x' || encode(substring(v.counts FROM e * 10 + 7 FOR 4), 'hex'))::bit(32)::int AS b
          FROM account_running_vectors v CROSS JOIN LATERAL generate_series(0, length(v.counts) / 10 - 1) e
      ), expected AS (
        SELECT v.day, v.caller_region AS r, v.provider AS p, v.channel AS ch, x.ordinal, x.ra AS a, x.rb AS b
          FROM account_running_vectors v CROSS JOIN LATERAL (
            SELECT DISTINCT ON (ordinal) ordinal, ra, rb FROM running
             WHERE (r, p, ch) = (v.caller_region, v.provider, v.channel) AND ordinal / 8192 = v.chunk
               AND day <= v.day AND day >= date_trunc('month', v.day)
             ORDER BY ordinal, day DESC) x
      )
      SELECT (SELECT count(*) FROM stored FULL JOIN expected e USING (day, r, p, ch, ordinal)
               WHERE stored.a IS DISTINCT FROM e.a OR stored.b IS DISTINCT FROM e.b)
           + (SELECT count(*) FROM account_running_vectors WHERE length(counts) % 10 <> 0)
           + (SELECT count(*) FROM (SELECT DISTINCT day, r, p, ch, ordinal / 8192 AS chunk FROM days) x
               WHERE NOT EXISTS (SELECT 1 FROM account_running_vectors v
                                  WHERE (v.day, v.caller_region, v.provider, v.channel, v.chunk) = (x.day, x.r, x.p, x.ch, x.chunk))) AS n`),
    // Every hourly vector row holds, for each account of its chunk with decisions in its
    // hour, the raw counts of those, and no other entry, in index order.
    hourlyVectors: await count(db, `
      WITH raw AS (
        SELECT date_trunc('hour', d.occurred_at, 'UTC') AS hour, a.ordinal,
               count(*) FILTER (WHERE d.decision = 'allowed') AS a, count(*) FILTER (WHERE d.decision = 'blocked') AS b
          FROM access_decisions d JOIN accounts a ON a.id = d.account_id GROUP BY 1, 2
      ), stored AS (
        SELECT v.hour, v.chunk * 8192 + get_byte(v.counts, e * 10) * 256 + get_byte(v.counts, e * 10 + 1) AS ordinal,
               ('x' || encode(substring(v.counts FROM e * 10 + 3 FOR 4), 'hex'))::bit(32)::int AS a,
               ('x' || encode(substring(v.counts FROM e * 10 + 7 FOR 4), 'hex'))::bit(32)::int AS b,
               e AS entry
          FROM account_hourly_vectors v CROSS JOIN LATERAL generate_series(0, length(v.counts) / 10 - 1) e
      )
      SELECT (SELECT count(*) FROM stored FULL JOIN raw USING (hour, ordinal)
               WHERE stored.a IS DISTINCT FROM raw.a OR stored.b IS DISTINCT FROM raw.b)
           + (SELECT count(*) FROM account_hourly_vectors WHERE length(counts) % 10 <> 0 OR length(counts) = 0)
           + (SELECT count(*) FROM (SELECT hour, ordinal, lag(ordinal) OVER (PARTITION BY hour, ordinal / 8192 ORDER BY entry) AS before
                                      FROM stored) x WHERE x.before >= x.ordinal) AS n`),
    // Every route of a pair with two routes or more has one ordinal, and no other route
    // has one; each ordinal's day and hour vector entries hold the raw counts of its
    // decisions there, and there is no other entry.
    routeVectors: await count(db, `
      WITH multi AS (
        SELECT DISTINCT d.account_id, d.caller_region, d.provider, d.channel FROM access_decisions d
         WHERE (SELECT count(DISTINCT (x.provider, x.channel)) FROM access_decisions x
                 WHERE (x.account_id, x.caller_region) = (d.account_id, d.caller_region)) > 1
      ), raw AS (
        SELECT u.unit, date_trunc(u.unit, d.occurred_at, 'UTC') AS bucket, r.ordinal,
               count(*) FILTER (WHERE d.decision = 'allowed') AS a, count(*) FILTER (WHERE d.decision = 'blocked') AS b
          FROM access_decisions d JOIN account_routes r USING (account_id, caller_region, provider, channel)
         CROSS JOIN (VALUES ('day'), ('hour')) u(unit) GROUP BY 1, 2, 3
      ), rows AS (${dayAndHourRowsSql('account_route_daily_vectors', 'account_route_hourly_vectors')}
      ), stored AS (${decodedEntriesSql('rows')}
      )
      SELECT (SELECT count(*) FROM multi m FULL JOIN account_routes r USING (account_id, caller_region, provider, channel)
               WHERE m.account_id IS NULL OR r.ordinal IS NULL)
           + (SELECT count(*) FROM stored FULL JOIN raw USING (unit, bucket, ordinal)
               WHERE stored.a IS DISTINCT FROM raw.a OR stored.b IS DISTINCT FROM raw.b)
           + (SELECT count(*) FROM rows WHERE length(counts) % 10 <> 0 OR length(counts) = 0) AS n`),
    // Every region route of the raw rows has one ordinal, and no other; each hour's row holds
    // for every route and quarter of the hour the raw counts of its decisions there, and no
    // other entry.
    quarterVectors: await count(db, `
      WITH raw AS (${quarterEntriesFromSql('access_decisions')}
      ), rows AS (${hourRowsSql('region_route_quarter_vectors')}
      ), stored AS (${decodedEntriesSql('rows')}
      )
      SELECT (SELECT count(*) FROM (SELECT DISTINCT caller_region, provider, channel FROM access_decisions) d
               FULL JOIN region_routes r USING (caller_region, provider, channel) WHERE d.provider IS NULL OR r.ordinal IS NULL)
           + (SELECT count(*) FROM stored FULL JOIN raw USING (unit, bucket, ordinal)
               WHERE stored.a IS DISTINCT FROM raw.a OR stored.b IS DISTINCT FROM raw.b)
           + (SELECT count(*) FROM rows WHERE length(counts) % 10 <> 0 OR length(counts) = 0) AS n`),
    // Every account and region pair lists exactly the routes of its raw rows, in order.
    routes: await count(db, `
      SELECT count(*) AS n FROM (
        SELECT account_id, caller_region, array_agg(DISTINCT provider || '/' || channel ORDER BY provider || '/' || channel) AS routes
          FROM access_decisions GROUP BY 1, 2) raw
      FULL JOIN account_region_routes t USING (account_id, caller_region)
     WHERE raw.routes IS DISTINCT FROM t.routes`),
  };
}

const AGREE = { hourly: 0, daily: 0, accounts: 0, presence: 0, running: 0, vectors: 0, hourlyVectors: 0, routeVectors: 0, routes: 0, quarterVectors: 0 };

/** Everything a batch can leave behind, to show that a refused or failed one left nothing. */
async function snapshot(db: TestDatabase) {
  const { rows } = await db.pool.query(`
    SELECT (SELECT count(*) FROM access_decisions) AS decisions,
           (SELECT coalesce(sum(count), 0) FROM decision_counts_hourly) AS hourly,
           (SELECT coalesce(sum(count), 0) FROM decision_counts_daily) AS daily,
           (SELECT coalesce(sum(allowed[cardinality(allowed)] + blocked[cardinality(blocked)]), 0) FROM account_running_monthly) AS running,
           (SELECT coalesce(sum(length(counts)), 0) FROM account_hourly_vectors) AS hourly_vectors,
           (SELECT count(*) FROM account_routes) AS route_ordinals,
           (SELECT (SELECT coalesce(sum(length(counts)), 0) FROM account_route_daily_vectors)
                 + (SELECT coalesce(sum(length(counts)), 0) FROM account_route_hourly_vectors)) AS route_vectors,
           (SELECT coalesce(sum(length(counts)), 0) FROM region_route_quarter_vectors) AS quarter_vectors,
           (SELECT string_agg(id || name || first_seen || last_seen, ',' ORDER BY id) FROM accounts) AS accounts,
           (SELECT string_agg(account_id || caller_region || array_to_string(routes, '+'), ',' ORDER BY account_id, caller_region)
              FROM account_region_routes) AS routes,
           (SELECT count(*) FROM batch_conflicts) AS conflicts`);
  return rows[0];
}

async function batchRow(db: TestDatabase, id: number) {
  const { rows } = await db.pool.query(`SELECT * FROM ingest_batches WHERE id = $1`, [id]);
  return rows[0];
}

/** Rows over a shared key space, so batches overlap; times, names and decisions vary. */
function overlappingRows(seed: number, n: number, keySpace: number, prefix: string): DecisionRow[] {
  const next = seededRandom(seed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: n }, () => {
    const at = Date.UTC(2025, 2, 1) + Math.floor(next() * 4 * 86_400_000);
    const micros = next() < 0.2 ? String(Math.floor(next() * 1000)).padStart(3, '0') : '';
    const iso = new Date(at).toISOString();
    return decision(`${prefix}-${Math.floor(next() * keySpace)}`, {
      occurredAt: micros ? `${iso.slice(0, 23)}${micros}Z` : iso,
      accountId: `${prefix}-acct-${Math.floor(next() * 7)}`,
      accountName: next() < 0.3 ? undefined : `Name ${Math.floor(next() * 1e6)}`,
      callerRegion: pick(['US', 'CN', 'DE', 'IR']),
      provider: pick(['openai', 'anthropic']),
      channel: pick(['direct', 'reseller-acme']),
      decision: next() < 0.5 ? 'allowed' : 'blocked',
      reason: pick([undefined, 'sanctions', 'tab\there', 'back\\slash']),
      model: pick([undefined, 'gpt-4o', 'claude']),
    });
  });
}

/** What the spec says a sequence of batches must store and count, computed independently. */
class Reference {
  readonly stored = new Map<string, DecisionRow>();

  apply(rows: DecisionRow[]) {
    let accepted = 0;
    let conflicts = 0;
    for (const row of rows) {
      const key = `${row.provider}\u0000${row.requestId}`;
      const first = this.stored.get(key);
      if (first === undefined) {
        this.stored.set(key, row);
        accepted++;
      } else if (first.decision !== row.decision) {
        conflicts++;
      }
    }
    return { rows: rows.length, accepted, rejected: 0, duplicates: rows.length - accepted, conflicts };
  }
}

describe('ingestion pipeline', () => {
  const db = useTestDatabase();
  beforeAll(() => {
    // The helper drops the database (WITH FORCE) right after pool.end(), which resolves
    // before idle connections have closed; their "terminating connection" error must not
    // become an uncaught one.
    db().pool.on('error', () => undefined);
  });

  it('counts every row once: rows = accepted + rejected + duplicates, and stores rejections with their values', async () => {
    const list = outcomes([
      decision('c1-a'),
      { error: 'caller_region "ZZ" is not a country code', original: { request_id: 'c1-x', caller_region: 'ZZ' } },
      decision('c1-b', { decision: 'blocked', reason: 'sanctions' }),
      decision('c1-a', { decision: 'blocked' }), // duplicate in the batch, with another decision
      decision('c1-c'),
      { error: 'occurred_at is missing', original: { request_id: 'c1-y', 'odd "key"': 'tab\there, nul\u0000, \ud800' } },
      decision('c1-b', { decision: 'blocked', reason: 'sanctions' }), // duplicate, same decision
    ]);
    const result = completed(await run(db(), list));
    expect(result.counts).toEqual({ rows: 7, accepted: 3, rejected: 2, duplicates: 2, conflicts: 1 });
    const c = result.counts;
    expect(c.accepted + c.rejected + c.duplicates).toBe(c.rows);

    expect(await batchRow(db(), result.batchId)).toMatchObject({
      status: 'complete', rows: 7, accepted: 3, rejected: 2, duplicates: 2, conflicts: 1, format: 'csv', bytes: 123,
    });
    const rejections = await db().pool.query(
      `SELECT line, error, original FROM batch_rejections WHERE batch_id = $1 ORDER BY line`, [result.batchId]);
    expect(rejections.rows).toEqual([
      { line: 3, error: 'caller_region "ZZ" is not a country code', original: { request_id: 'c1-x', caller_region: 'ZZ' } },
      // NUL and a lone surrogate cannot be stored in jsonb: they become U+FFFD, the rest is kept.
      { line: 7, error: 'occurred_at is missing', original: { request_id: 'c1-y', 'odd "key"': 'tab\there, nul\uFFFD, \uFFFD' } },
    ]);
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('keeps the first occurrence of a key in line order, and records later ones with another decision as conflicts', async () => {
    // Long enough that the occurrences fall in different segments, and in the same one.
    const items: Item[] = [];
    for (let i = 0; i < 40; i++) items.push(decision(`c2-${i}`, { accountId: 'c2-acct', occurredAt: `2024-07-10T0${i % 10}:00:00.000Z` }));
    items.push(decision('c2-3', { decision: 'blocked', accountId: 'c2-acct', accountName: 'Later name', occurredAt: '2030-01-01T00:00:00.000Z' }));
    items.push(decision('c2-39', { accountId: 'c2-acct' })); // right after its first occurrence, same decision
    items.splice(5, 0, decision('c2-4', { decision: 'blocked', accountId: 'c2-acct' })); // same segment as line of c2-4
    const result = completed(await run(db(), outcomes(items)));
    expect(result.counts).toEqual({ rows: 43, accepted: 40, rejected: 0, duplicates: 3, conflicts: 2 });

    const stored = await db().pool.query(
      `SELECT request_id, decision, batch_line FROM access_decisions WHERE request_id IN ('c2-3', 'c2-4', 'c2-39') ORDER BY 1`);
    expect(stored.rows).toEqual([
      { request_id: 'c2-3', decision: 'allowed', batch_line: 5 },
      { request_id: 'c2-39', decision: 'allowed', batch_line: 42 },
      { request_id: 'c2-4', decision: 'allowed', batch_line: 6 },
    ]);
    const conflicts = await db().pool.query(
      `SELECT line, provider, request_id, stored_decision, received_decision FROM batch_conflicts
        WHERE batch_id = $1 ORDER BY line`, [result.batchId]);
    expect(conflicts.rows).toEqual([
      { line: 7, provider: 'openai', request_id: 'c2-4', stored_decision: 'allowed', received_decision: 'blocked' },
      { line: 43, provider: 'openai', request_id: 'c2-3', stored_decision: 'allowed', received_decision: 'blocked' },
    ]);
    // The duplicate's far-future time and new name were not stored, so the account ignores them.
    const account = await db().pool.query(`SELECT name, last_seen FROM accounts WHERE id = 'c2-acct'`);
    expect(account.rows[0]).toEqual({ name: 'Acme', last_seen: new Date('2024-07-10T09:00:00Z') });
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('counts rows already stored by earlier batches as duplicates, and their changed decisions as conflicts', async () => {
    const first = completed(await run(db(), outcomes([decision('c3-a'), decision('c3-b'), decision('c3-c', { provider: 'anthropic' })])));
    expect(first.counts.accepted).toBe(3);
    const second = completed(await run(db(), outcomes([
      decision('c3-new-1'),
      decision('c3-a', { decision: 'blocked', occurredAt: '2001-01-01T00:00:00.000Z' }),
      decision('c3-b'),
      decision('c3-c', { provider: 'openai' }), // another provider: another decision altogether
      decision('c3-new-2'),
    ])));
    expect(second.counts).toEqual({ rows: 5, accepted: 3, rejected: 0, duplicates: 2, conflicts: 1 });
    const conflicts = await db().pool.query(
      `SELECT line, request_id, stored_decision, received_decision FROM batch_conflicts WHERE batch_id = $1`, [second.batchId]);
    expect(conflicts.rows).toEqual([{ line: 3, request_id: 'c3-a', stored_decision: 'allowed', received_decision: 'blocked' }]);
    expect(await count(db(), `SELECT count(*) AS n FROM access_decisions WHERE batch_id = $1`, [second.batchId])).toBe(3);
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('refuses a whole batch in strict mode: nothing stored, full counts, rejections kept', async () => {
    completed(await run(db(), outcomes([decision('c4-stored')])));
    const before = await snapshot(db());
    const items: Item[] = [];
    for (let i = 0; i < 20; i++) items.push(decision(`c4-${i}`, { accountId: 'c4-acct', occurredAt: '2026-01-01T00:00:00.000Z' }));
    items.push(decision('c4-stored', { decision: 'blocked' })); // duplicate of a stored row, conflicting
    items.push(decision('c4-2')); // duplicate in the batch (before the rejection)
    items.push({ error: 'decision "maybe" is not allowed or blocked', original: { request_id: 'c4-bad', decision: 'maybe' } });
    items.push(decision('c4-5', { decision: 'blocked' })); // duplicate in the batch (after it), conflicting
    items.push(decision('c4-stored')); // duplicate of a stored row (after it)
    items.push(decision('c4-30'));
    items.push(decision('c4-30', { decision: 'blocked' })); // duplicate among the rows after it, conflicting
    const result = await run(db(), outcomes(items), { strict: true });
    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.reason).toMatch(/^Strict mode: 1 of 27 rows were rejected/);
    expect(result.counts).toEqual({ rows: 27, accepted: 21, rejected: 1, duplicates: 5, conflicts: 3 });
    const c = result.counts!;
    expect(c.accepted + c.rejected + c.duplicates).toBe(c.rows);
    expect(await snapshot(db())).toEqual(before);
    expect(await count(db(), `SELECT count(*) AS n FROM access_decisions WHERE batch_id = $1`, [result.batchId])).toBe(0);
    expect(await batchRow(db(), result.batchId)).toMatchObject({
      status: 'failed', strict: true, rows: 27, accepted: 21, rejected: 1, duplicates: 5, conflicts: 3,
    });
    const rejections = await db().pool.query(`SELECT line, original FROM batch_rejections WHERE batch_id = $1`, [result.batchId]);
    expect(rejections.rows).toEqual([{ line: 24, original: { request_id: 'c4-bad', decision: 'maybe' } }]);

    // Without rejections, strict mode stores the batch as usual.
    const clean = completed(await run(db(), outcomes([decision('c4-ok-1'), decision('c4-ok-2')]), { strict: true }));
    expect(clean.counts).toEqual({ rows: 2, accepted: 2, rejected: 0, duplicates: 0, conflicts: 0 });
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('leaves nothing of a batch whose input fails mid-stream, records why, and takes it again when re-sent', async () => {
    const before = await snapshot(db());
    const items: Item[] = [];
    for (let i = 0; i < 30; i++) items.push(decision(`c5-${i}`, { accountId: 'c5-acct', occurredAt: '2027-05-05T05:05:05.000Z' }));
    items.splice(10, 0, decision('c5-3', { decision: 'blocked' })); // a fallback merge before the failure
    items.splice(20, 0, { error: 'request_id is missing', original: { request_id: '' } });
    const list = outcomes(items);
    for (const failAt of [1, 12]) {
      const failure = new Error(`the client went away (${failAt})`);
      await expect(run(db(), list, { failAt, failure })).rejects.toBe(failure);
      const { rows } = await db().pool.query(
        `SELECT id, status, failure_reason FROM ingest_batches ORDER BY id DESC LIMIT 1`);
      expect(rows[0]).toMatchObject({ status: 'failed', failure_reason: failure.message });
      expect(await snapshot(db())).toEqual(before);
      expect(await count(db(), `SELECT count(*) AS n FROM access_decisions WHERE batch_id = $1`, [rows[0].id])).toBe(0);
      expect(await count(db(), `SELECT count(*) AS n FROM batch_rejections WHERE batch_id = $1`, [rows[0].id])).toBe(0);
    }
    // The connections went back to the pool in a usable state, and the re-sent batch is whole.
    const again = completed(await run(db(), list));
    expect(again.counts).toEqual({ rows: 32, accepted: 30, rejected: 1, duplicates: 1, conflicts: 1 });
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('fails the batch, leaving nothing, on a database error that is not a duplicate, and while staging', async () => {
    const before = await snapshot(db());
    // Validation keeps such values out; should one slip through, the batch fails whole.
    const tooLong = outcomes([decision('c11-a'), decision('c11-b'), decision('c11-c', { accountName: 'x'.repeat(300) })]);
    await expect(run(db(), tooLong)).rejects.toThrow(/too long/);
    const holder = new pg.Client({ connectionString: db().url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [0x6d657267]);
      await expect(run(db(), outcomes([decision('c11-d'), decision('c11-e'), decision('c11-f'), decision('c11-g')]), { failAt: 1 }))
        .rejects.toThrow('the upload was cut off');
    } finally {
      await holder.end();
    }
    expect(await snapshot(db())).toEqual(before);
    const { rows } = await db().pool.query(`SELECT status, failure_reason FROM ingest_batches ORDER BY id DESC LIMIT 2`);
    expect(rows).toEqual([
      { status: 'failed', failure_reason: 'the upload was cut off' },
      { status: 'failed', failure_reason: expect.stringMatching(/too long/) },
    ]);
  });

  it('answers a file whose bytes were already ingested with the earlier batch', async () => {
    const sha256 = 'ab'.repeat(32);
    const list = outcomes([decision('c6-a'), decision('c6-b')]);
    const first = completed(await run(db(), list, { sha256 }));
    const before = await snapshot(db());
    const second = await run(db(), list, { sha256 });
    expect(second).toEqual({ status: 'duplicate', batchId: expect.any(Number), duplicateOfId: first.batchId });
    expect(await batchRow(db(), second.batchId)).toMatchObject({ status: 'duplicate', duplicate_of_id: first.batchId, sha256 });
    expect(await snapshot(db())).toEqual(before);
    // A failed batch with the same bytes does not count: re-sending it is safe.
    expect((await run(db(), outcomes([decision('c6-c')]), { sha256: 'cd'.repeat(32), failAt: 0 }).catch(() => 'failed'))).toBe('failed');
    expect(completed(await run(db(), outcomes([decision('c6-c')]), { sha256: 'cd'.repeat(32) })).counts.accepted).toBe(1);
  });

  it('agrees with an independent model after several overlapping batches, and rollups and accounts match the raw rows', async () => {
    const reference = new Reference();
    const ordinalsDrawn = () => count(db(), `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM accounts_ordinal_seq`);
    const drawnBefore = await ordinalsDrawn();
    for (const [seed, n, tuning] of [
      [1, 300, TINY],
      [2, 400, { firstSegmentRows: 50, maxSegmentRows: 400 }],
      [3, 250, { ...TINY, spillGroups: 7, spillAccounts: 3 }], // the Node tally spills to the database
      [4, 350, { firstSegmentRows: 1000, maxSegmentRows: 1000 }],
    ] as const) {
      const rows = overlappingRows(seed, n, 600, 'c7');
      const result = completed(await run(db(), outcomes(rows), { tuning, chunk: 7 }));
      expect(result.counts).toEqual(reference.apply(rows));
      expect(await count(db(), `SELECT count(*) AS n FROM batch_conflicts WHERE batch_id = $1`, [result.batchId]))
        .toBe(result.counts.conflicts);
      expect(await disagreements(db())).toEqual(AGREE);
    }
    // Accounts seen again take no new ordinal: the presence bitmaps stay dense.
    expect(await ordinalsDrawn() - drawnBefore).toBe(await count(db(), `SELECT count(*) AS n FROM accounts WHERE id LIKE 'c7-%'`));
    const { rows } = await db().pool.query(
      `SELECT provider, request_id, decision, occurred_at, account_name FROM access_decisions WHERE request_id LIKE 'c7-%'`);
    expect(rows.length).toBe(reference.stored.size);
    for (const row of rows) {
      const expected = reference.stored.get(`${row.provider}\u0000${row.request_id}`)!;
      expect({ decision: row.decision, at: row.occurred_at.toISOString().slice(0, 23), name: row.account_name ?? undefined })
        .toEqual({ decision: expected.decision, at: expected.occurredAt.slice(0, 23), name: expected.accountName });
    }
  });

  it('counts a pair that reaches a second route in a later batch from all its stored rows, and later batches from their own', async () => {
    const at = (day: number, hour: number) => `2025-03-0${day}T0${hour}:10:00.000Z`;
    const row = (id: string, day: number, hour: number, over: Partial<DecisionRow> = {}) =>
      decision(`c20-${id}`, { accountId: 'c20-acct', callerRegion: 'CN', occurredAt: at(day, hour), ...over });
    const ordinals = () => count(db(), `SELECT count(*) AS n FROM account_routes WHERE account_id = 'c20-acct'`);
    // One route over two batches: no candidate for divergence, no ordinal.
    completed(await run(db(), outcomes([row('1', 1, 1), row('2', 1, 1, { decision: 'blocked' }), row('3', 2, 3)])));
    completed(await run(db(), outcomes([row('4', 3, 2)])));
    expect(await ordinals()).toBe(0);
    // A second route: both get ordinals, the first counted from the earlier batches' rows.
    completed(await run(db(), outcomes([row('5', 3, 2, { channel: 'azure-china-21vianet' }), row('6', 4, 1)])));
    expect(await ordinals()).toBe(2);
    expect(await disagreements(db())).toEqual(AGREE);
    // Later batches add their own rows to routes that have ordinals, and a third route joins.
    completed(await run(db(), outcomes([row('7', 4, 1), row('8', 4, 1, { decision: 'blocked', provider: 'azure-openai' }), row('9', 5, 5, { channel: 'azure-china-21vianet' })])));
    expect(await ordinals()).toBe(3);
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('buckets times at calendar edges as PostgreSQL does, and adds to rollup buckets that already have rows', async () => {
    const times = [
      '2000-01-01T00:00:00.000Z', '2000-02-29T12:30:00.000Z', '2024-02-29T23:59:59.999999Z', '2024-03-01T00:00:00.000Z',
      '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00.000001Z', '2099-12-31T23:59:59.000Z', '2100-01-01T00:00:00.000Z',
      '2024-07-09T08:15:02.000Z', // the hour most other tests use: its bucket already has rows
    ];
    const rows = times.map((occurredAt, i) => decision(`c10-${i}`, { occurredAt, accountId: 'c10-acct', accountName: `n${i}` }));
    // No duplicates: everything goes straight in and is tallied in Node.
    const first = completed(await run(db(), outcomes(rows), { tuning: { firstSegmentRows: 1000 } }));
    expect(first.counts.accepted).toBe(times.length);
    const second = completed(await run(db(), outcomes(rows.map((r, i) => ({ ...r, requestId: `c10-again-${i}`, decision: 'blocked' as const })))));
    expect(second.counts.accepted).toBe(times.length);
    expect(await disagreements(db())).toEqual(AGREE);
    const account = await db().pool.query(`SELECT name, first_seen, last_seen FROM accounts WHERE id = 'c10-acct'`);
    expect(account.rows[0]).toEqual({ name: 'n7', first_seen: new Date('2000-01-01T00:00:00Z'), last_seen: new Date('2100-01-01T00:00:00Z') });
  });

  it('stages rows while another batch holds the merge lock, and merges them once it is free', async () => {
    const holder = new pg.Client({ connectionString: db().url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [0x6d657267]);
      let readWhileLocked = 0;
      const items = Array.from({ length: 30 }, (_, i) => decision(`c8-${i % 25}`, { decision: i >= 25 ? 'blocked' : 'allowed' }));
      const result = await run(db(), outcomes(items), {
        beforeChunk: async (index) => {
          if (index === 5) readWhileLocked = index;
          if (index === 8) await holder.query('SELECT pg_advisory_unlock($1)', [0x6d657267]);
        },
      });
      expect(readWhileLocked).toBe(5);
      expect(completed(result).counts).toEqual({ rows: 30, accepted: 25, rejected: 0, duplicates: 5, conflicts: 5 });

      // Still held when the input ends: the batch waits for it.
      await holder.query('SELECT pg_advisory_lock($1)', [0x6d657267]);
      const waiting = run(db(), outcomes([decision('c8-late-1'), decision('c8-late-2'), decision('c8-1')]));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await count(db(), `SELECT count(*) AS n FROM access_decisions WHERE request_id LIKE 'c8-late-%'`)).toBe(0);
      await holder.query('SELECT pg_advisory_unlock($1)', [0x6d657267]);
      expect(completed(await waiting).counts).toEqual({ rows: 3, accepted: 2, rejected: 0, duplicates: 1, conflicts: 0 });
    } finally {
      await holder.end();
    }
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('completes two overlapping batches ingested at once, with exact totals', async () => {
    const a = overlappingRows(11, 3000, 4000, 'c9');
    const b = overlappingRows(12, 3000, 4000, 'c9');
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const [ra, rb] = await Promise.all([
      run(db(), outcomes(a), { chunk: 50, beforeChunk: slow, tuning: { firstSegmentRows: 200, maxSegmentRows: 800 } }),
      run(db(), outcomes(b), { chunk: 50, beforeChunk: slow, tuning: { firstSegmentRows: 200, maxSegmentRows: 800 } }),
    ]);
    const ca = completed(ra).counts;
    const cb = completed(rb).counts;
    const union = new Reference();
    union.apply(a);
    union.apply(b);
    expect(ca.accepted + cb.accepted).toBe(union.stored.size);
    expect(ca.accepted + ca.duplicates).toBe(3000);
    expect(cb.accepted + cb.duplicates).toBe(3000);
    expect(await count(db(), `SELECT count(*) AS n FROM access_decisions WHERE request_id LIKE 'c9-%'`)).toBe(union.stored.size);
    for (const r of [ra, rb]) {
      expect(await count(db(), `SELECT count(*) AS n FROM batch_conflicts WHERE batch_id = $1`, [r.batchId]))
        .toBe(completed(r).counts.conflicts);
    }
    expect(await disagreements(db())).toEqual(AGREE);
  });

  it('takes empty batches and batches of rejected rows only', async () => {
    expect(completed(await run(db(), [])).counts).toEqual({ rows: 0, accepted: 0, rejected: 0, duplicates: 0, conflicts: 0 });
    const rejected = completed(await run(db(), outcomes([
      { error: 'bad', original: { a: '1' } }, { error: 'bad', original: { a: '2' } }, { error: 'bad', original: { a: '3' } },
    ])));
    expect(rejected.counts).toEqual({ rows: 3, accepted: 0, rejected: 3, duplicates: 0, conflicts: 0 });
  });

  it('records a file refused before any row as failed, with the refusal', async () => {
    const refusal = new Error('The file is empty (0 bytes).');
    const result = await ingest(db().pool, { fileName: 'empty.csv', source: 'api', strict: false },
      async () => { throw refusal; }, { strict: false });
    expect(result).toMatchObject({ status: 'failed', reason: refusal.message, counts: null, refused: refusal });
    expect(await batchRow(db(), result.batchId)).toMatchObject({ status: 'failed', failure_reason: refusal.message });
  });

  it('removes its spool files, and those of a process that was killed', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const orphan = path.join(tmpdir(), `gatewatch-ingest-${gone}-test`);
    mkdirSync(orphan, { recursive: true });
    const ours = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`gatewatch-ingest-${process.pid}-`));
    const before = ours().length;
    completed(await run(db(), outcomes([decision('c12-a'), decision('c12-b'), { error: 'bad', original: { a: '1' } }])));
    expect(existsSync(orphan)).toBe(false);
    expect(ours().length).toBe(before);
  });

  it('marks processing batches whose lock nobody holds as failed, and leaves held ones alone', async () => {
    const insert = async () =>
      (await db().pool.query<{ id: number }>(`INSERT INTO ingest_batches (file_name, source) VALUES ('x.csv', 'api') RETURNING id`)).rows[0]!.id;
    const orphan = await insert();
    const held = await insert();
    const owner = new pg.Client({ connectionString: db().url });
    await owner.connect();
    try {
      await owner.query('SELECT pg_advisory_lock($1, $2)', [0x6777, held]);
      const recovered = await recoverOrphanedBatches(db().pool);
      expect(recovered).toContain(orphan);
      expect(recovered).not.toContain(held);
      expect(await batchRow(db(), orphan)).toMatchObject({ status: 'failed', failure_reason: expect.stringMatching(/interrupted/) });
      expect(await batchRow(db(), held)).toMatchObject({ status: 'processing' });
    } finally {
      await owner.end();
    }
    expect(await recoverOrphanedBatches(db().pool)).toEqual([held]);
  });
});
