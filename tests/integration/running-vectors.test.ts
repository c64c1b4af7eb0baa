import { beforeAll, describe, expect, it } from 'vitest';

import { listAccounts } from '@/lib/analytics/accounts';
import { parseFilters } from '@/lib/analytics/filters';
import { utcMonth } from '@/lib/analytics/range';
import { seededRandom } from '@/lib/demo/random';
import { hourlyVectorCache } from '@/lib/rollups/account-hourly-vectors';
import { MAX_HELD, runningVectorCache, VECTOR_CHUNK } from '@/lib/rollups/account-running-vectors';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, randomDecision } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

// The running vectors at a size the other tests do not reach: more accounts than one chunk
// of ordinals, a month with more held chunk-days than are held before writing, and a second
// batch reaching back before days the first one stored. Every stored row is decoded here,
// independently of the reader, and compared with totals computed from the rows.

const DAY = 86_400_000;
const REGIONS = ['CN', 'US', 'HK'];
const ACCOUNTS = 9_000;

function batch(seed: number, count: number, from: string, days: number, accounts: number): DecisionRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => randomDecision(random, REGIONS, {
    requestId: `v${seed}-${i}`,
    accountId: `acct-${String(Math.floor(random() * accounts)).padStart(5, '0')}`,
    at: Date.parse(from) + Math.floor(random() * days * DAY),
  }));
}

// January and ten days of February; then five thousand rows back in January (some of new accounts).
const FIRST = batch(1, 40_000, '2026-01-01T00:00:00Z', 41, ACCOUNTS);
const LATER = batch(2, 5_000, '2026-01-05T00:00:00Z', 11, ACCOUNTS + 500);

/** A cell's key as the table's columns hold it: region, provider, channel ('' for any). */
const cellKeys = (r: DecisionRow) => ['\t\t', `${r.callerRegion}\t\t`, `\t${r.provider}\t`, `\t\t${r.channel}`];

describe('the running vectors', () => {
  const db = useTestDatabase();
  let ordinalOf: Map<string, number>;

  beforeAll(async () => {
    for (const [i, rows] of [FIRST, LATER].entries()) {
      expect((await ingestRows(db().pool, `vectors-${i}.csv`, rows)).status).toBe('complete');
    }
    const { rows } = await db().pool.query<{ id: string; ordinal: number }>('SELECT id, ordinal FROM accounts');
    ordinalOf = new Map(rows.map((r) => [r.id, r.ordinal]));
  });

  it('hold, in every row, each account of its chunk with its cell\'s decisions from the first of the month through its day', async () => {
    expect(Math.max(...ordinalOf.values())).toBeGreaterThan(VECTOR_CHUNK);
    // Decisions per cell and day, per ordinal.
    const byCellDay = new Map<string, Map<number, [number, number]>>();
    for (const r of [...FIRST, ...LATER]) {
      const day = Math.floor(Date.parse(r.occurredAt) / DAY);
      const ordinal = ordinalOf.get(r.accountId)!;
      for (const cell of cellKeys(r)) {
        const key = `${cell}\t${day}`;
        const counts = byCellDay.get(key) ?? new Map<number, [number, number]>();
        const c = counts.get(ordinal) ?? [0, 0];
        c[r.decision === 'allowed' ? 0 : 1] += 1;
        counts.set(ordinal, c);
        byCellDay.set(key, counts);
      }
    }
    // January alone holds more chunk-days than are held before writing.
    const january = [...byCellDay].filter(([key]) => Number(key.split('\t')[3]) < Date.parse('2026-02-01') / DAY);
    const chunkDays = january.reduce((n, [, counts]) => n + new Set([...counts.keys()].map((o) => Math.floor(o / VECTOR_CHUNK))).size, 0);
    expect(chunkDays).toBeGreaterThan(MAX_HELD);

    // Expected rows: each (cell, day, chunk) with decisions, holding the month's running totals.
    const expected = new Map<string, string>();
    for (const key of byCellDay.keys()) {
      const [r, p, ch, dayText] = key.split('\t') as [string, string, string, string];
      const day = Number(dayText);
      const running = new Map<number, [number, number]>();
      for (let d = utcMonth(day).first; d <= day; d++) {
        for (const [ordinal, [a, b]] of byCellDay.get(`${r}\t${p}\t${ch}\t${d}`) ?? []) {
          const c = running.get(ordinal) ?? [0, 0];
          running.set(ordinal, [c[0] + a, c[1] + b]);
        }
      }
      for (const chunk of new Set([...byCellDay.get(key)!.keys()].map((o) => Math.floor(o / VECTOR_CHUNK)))) {
        const entries = [...running].filter(([o]) => Math.floor(o / VECTOR_CHUNK) === chunk).sort(([x], [y]) => x - y)
          .map(([o, [a, b]]) => `${o % VECTOR_CHUNK}:${a}:${b}`);
        expected.set(`${r}\t${p}\t${ch}\t${day}\t${chunk}`, entries.join(' '));
      }
    }

    const { rows } = await db().pool.query<{ day: number; caller_region: string; provider: string; channel: string; chunk: number; counts: Buffer }>(
      `SELECT day - DATE '1970-01-01' AS day, caller_region, provider, channel, chunk, counts FROM account_running_vectors`);
    const stored = new Map<string, string>();
    for (const row of rows) {
      expect(row.counts.length % 10).toBe(0);
      const entries: string[] = [];
      for (let o = 0; o < row.counts.length; o += 10) {
        entries.push(`${row.counts.readUInt16BE(o)}:${row.counts.readInt32BE(o + 2)}:${row.counts.readInt32BE(o + 6)}`);
      }
      stored.set(`${row.caller_region}\t${row.provider}\t${row.channel}\t${row.day}\t${row.chunk}`, entries.join(' '));
    }
    expect(stored.size).toBe(expected.size);
    for (const [key, entries] of expected) expect({ key, entries: stored.get(key) }).toEqual({ key, entries });
  });

  it('list the accounts of later chunks with their exact counts', async () => {
    const filters = parseFilters(new URLSearchParams('from=2026-01-03T06:00:00Z&to=2026-02-09T18:00:00Z&region=CN,HK'));
    const totals = new Map<string, { allowed: number; blocked: number }>();
    for (const r of [...FIRST, ...LATER]) {
      const t = Date.parse(r.occurredAt);
      if (t < filters.from.getTime() || t >= filters.to.getTime() || r.callerRegion === 'US') continue;
      const c = totals.get(r.accountId) ?? { allowed: 0, blocked: 0 };
      c[r.decision] += 1;
      totals.set(r.accountId, c);
    }
    const ids = [...totals.keys()].sort();
    const got = await listAccounts(db().prisma, filters, { column: 'id', desc: true, page: 1, pageSize: 40 });
    expect(got.total).toBe(ids.length);
    expect(got.rows.map((r) => ({ id: r.id, allowed: r.allowed, blocked: r.blocked })))
      .toEqual(ids.slice(-40).reverse().map((id) => ({ id, ...totals.get(id)! })));
    expect(Math.max(...got.rows.map((r) => ordinalOf.get(r.id)!))).toBeGreaterThan(VECTOR_CHUNK);
  });

  // Last: it ingests a third batch. Read twice, the second read takes its rows from the
  // process's cache; after a batch rewrites some of those rows, the list is exact again
  // (a stale row would keep the old counts) and the rewritten rows are read anew.
  it('read cached rows only at the version stored, before and after a batch rewrites them', async () => {
    const filters = parseFilters(new URLSearchParams('from=2026-01-03T06:00:00Z&to=2026-02-09T18:00:00Z'));
    const expected = (rows: DecisionRow[]) => {
      const totals = new Map<string, number>();
      for (const r of rows) {
        const t = Date.parse(r.occurredAt);
        if (t >= filters.from.getTime() && t < filters.to.getTime()) totals.set(r.accountId, (totals.get(r.accountId) ?? 0) + 1);
      }
      return { total: totals.size, top: [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 30) };
    };
    const list = async () => {
      const got = await listAccounts(db().prisma, filters, { column: 'total', desc: true, page: 1, pageSize: 30 });
      return { total: got.total, top: got.rows.map((r) => [r.id, r.allowed + r.blocked] as [string, number]) };
    };
    const stats = () => ({ running: runningVectorCache.stats(), hourly: hourlyVectorCache.stats() });

    const before = expected([...FIRST, ...LATER]);
    expect(await list()).toEqual(before);
    const s0 = stats();
    expect(await list()).toEqual(before);
    const s1 = stats();
    expect(s1.running.hits).toBeGreaterThan(s0.running.hits);
    expect(s1.running.misses).toBe(s0.running.misses);
    expect(s1.hourly.hits).toBeGreaterThan(s0.hourly.hits);
    expect(s1.hourly.misses).toBe(s0.hourly.misses);

    // On the range's first (partial) day and in its middle: rewrites running and hourly rows it reads.
    const third = [...batch(3, 2_000, '2026-01-03T00:00:00Z', 1, 300), ...batch(4, 2_000, '2026-01-20T00:00:00Z', 2, 300)];
    expect((await ingestRows(db().pool, 'vectors-2.csv', third)).status).toBe('complete');
    const after = expected([...FIRST, ...LATER, ...third]);
    expect(after).not.toEqual(before);
    expect(await list()).toEqual(after);
    const s2 = stats();
    expect(s2.running.misses).toBeGreaterThan(s1.running.misses);
    expect(s2.hourly.misses).toBeGreaterThan(s1.hourly.misses);
  });
});
