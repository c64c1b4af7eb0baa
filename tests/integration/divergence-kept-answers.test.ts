import { describe, expect, it } from 'vitest';

import { divergence } from '@/lib/analytics/divergence';
import { probeAnswers } from '@/lib/analytics/divergence-exact';
import { parseFilters } from '@/lib/analytics/filters';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

// Channel divergence keeps the answers of its raw-row probes (a route's first block in a
// whole day or hour, its allowed decisions on one side of a threshold in it) by the version
// of the vector row that covers them. A batch that adds decisions to that day rewrites the
// row, so the next ranking must read the day again rather than answer from what it kept.

const DAY = '2026-03-10';
// In the form validated rows carry (milliseconds, Z).
const at = (time: string) => new Date(`${DAY}T${time}Z`).toISOString();

function decision(requestId: string, occurredAt: string, provider: string, channel: string, value: 'allowed' | 'blocked'): DecisionRow {
  return { occurredAt, requestId, accountId: 'acct-kept', callerRegion: 'CN', provider, channel, decision: value };
}

const blocked = (id: string, time: string) => decision(id, at(time), 'openai', 'direct', 'blocked');
const allowed = (id: string, time: string) => decision(id, at(time), 'azure-openai', 'azure-china-21vianet', 'allowed');

describe('divergence probes kept between rankings', () => {
  const db = useTestDatabase();
  // Whole days: the pair's first block and its threshold fall inside one day slot.
  const filters = parseFilters({ from: '2026-03-09', to: '2026-03-12' }, new Date('2026-03-20T00:00:00Z'));
  const rank = async () => (await divergence(db().prisma, filters, { column: 'allowedAfterBlock', desc: true, page: 1, pageSize: 50 })).rows
    .map((r) => ({ account: r.accountId, allowedAfterBlock: r.allowedAfterBlock, firstBlockAt: r.firstBlockAt }));

  it('answers again from the kept probes, and reads a day again once a batch adds to it', async () => {
    await ingestRows(db().pool, 'first.csv', [
      blocked('b-10', '10:00:00'),
      allowed('a-09', '09:00:00'), allowed('a-11', '11:00:00'), allowed('a-12', '12:00:00'),
      decision('a-next', new Date('2026-03-11T09:00:00Z').toISOString(), 'azure-openai', 'azure-china-21vianet', 'allowed'),
    ]);
    probeAnswers.clear();
    const first = await rank();
    // Allowed at 11:00 and 12:00 on the day of the block, and the next day.
    expect(first).toEqual([{ account: 'acct-kept', allowedAfterBlock: 3, firstBlockAt: at('10:00:00') }]);
    const afterFirst = probeAnswers.stats();
    expect(afterFirst.kept).toBeGreaterThan(0);

    expect(await rank()).toEqual(first);
    const afterSecond = probeAnswers.stats();
    expect(afterSecond.misses).toBe(afterFirst.misses);
    expect(afterSecond.hits).toBeGreaterThan(afterFirst.hits);

    // An earlier block on the same day, and an allowed decision between the two blocks: the
    // day's vector row is rewritten, so both probes read it again.
    await ingestRows(db().pool, 'second.csv', [blocked('b-0830', '08:30:00'), allowed('a-1030', '10:30:00')]);
    expect(await rank()).toEqual([{ account: 'acct-kept', allowedAfterBlock: 5, firstBlockAt: at('08:30:00') }]);
    expect(probeAnswers.stats().misses).toBeGreaterThan(afterSecond.misses);
  });
});
