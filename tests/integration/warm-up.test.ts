import { beforeAll, describe, expect, it } from 'vitest';

import { listAccounts } from '@/lib/analytics/accounts';
import { parseFilters, RANGE_PRESETS } from '@/lib/analytics/filters';
import { warmUp } from '@/lib/analytics/warm-up';
import { seededRandom } from '@/lib/demo/random';
import { hourlyVectorCache } from '@/lib/rollups/account-hourly-vectors';
import { runningVectorCache } from '@/lib/rollups/account-running-vectors';

import { ingestRows, randomDecision } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

const HOUR = 3_600_000;
// Mid-hour, as a preset's edges are when a user opens a page.
const NOW = new Date(Date.UTC(2026, 10, 20, 14, 37, 11));
const RANGES = Object.keys(RANGE_PRESETS);

describe('warming up a server', () => {
  const db = useTestDatabase();

  it('does nothing on an empty database', async () => {
    const report = await warmUp(db().prisma, { now: NOW, budgetMs: 10_000 });
    expect(report).toMatchObject({ ran: 0, failed: [], skipped: [] });
  });

  describe('with decisions', () => {
    beforeAll(async () => {
      const random = seededRandom(11);
      // 100 days up to an hour past NOW: every preset has both edges inside stored data.
      const rows = Array.from({ length: 6_000 }, (_, i) => randomDecision(random, ['CN', 'HK', 'US'], {
        requestId: `w-${i}`,
        accountId: `acct-${Math.floor(random() * 400)}`,
        at: NOW.getTime() + HOUR - Math.floor(random() * 100 * 24 * HOUR),
      }));
      expect((await ingestRows(db().pool, 'warm.csv', rows)).status).toBe('complete');
    });

    it("runs every page's queries for every preset, and leaves the caches holding what the first page asks for", async () => {
      runningVectorCache.clear();
      hourlyVectorCache.clear();
      const report = await warmUp(db().prisma, { now: NOW, budgetMs: 60_000 });
      expect(report.failed).toEqual([]);
      expect(report.skipped).toEqual([]);
      expect(report.ran).toBe(RANGES.length * 14);

      // The 24-hour list a minute later (same hours): served from what the warm-up read.
      const before = { running: runningVectorCache.stats(), hourly: hourlyVectorCache.stats() };
      expect(before.running.rows).toBeGreaterThan(0);
      expect(before.hourly.rows).toBeGreaterThan(0);
      const filters = parseFilters({ range: '24h' }, new Date(NOW.getTime() + 60_000));
      await listAccounts(db().prisma, filters, { column: 'total', desc: true, page: 1, pageSize: 50 });
      const after = { running: runningVectorCache.stats(), hourly: hourlyVectorCache.stats() };
      expect(after.running.misses).toBe(before.running.misses);
      expect(after.hourly.misses).toBe(before.hourly.misses);
      expect(after.running.hits + after.hourly.hits).toBeGreaterThan(before.running.hits + before.hourly.hits);
    });

    it('stops at its budget and says which ranges it did not warm', async () => {
      const report = await warmUp(db().prisma, { now: NOW, budgetMs: 0 });
      expect(report.ran).toBe(0);
      expect(report.skipped.toSorted()).toEqual(RANGES.toSorted());
    });

    it('reports a query that fails and runs the rest', async () => {
      await db().pool.query('ALTER TABLE region_policies RENAME TO region_policies_away');
      try {
        const report = await warmUp(db().prisma, { now: NOW, budgetMs: 60_000 });
        const markers = report.failed.filter((f) => f.query === 'policy markers');
        expect(markers.map((f) => f.range).toSorted()).toEqual(RANGES.toSorted());
        expect(markers[0]!.message).toMatch(/region_policies/);
        expect(report.ran + report.failed.length).toBe(RANGES.length * 14);
        expect(report.ran).toBeGreaterThan(RANGES.length * 7);
      } finally {
        await db().pool.query('ALTER TABLE region_policies_away RENAME TO region_policies');
      }
    });
  });
});
