import { Readable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { openDecisionFile } from '@/lib/ingest/read-decisions';

describe('deeply nested NDJSON', () => {
  it('rejects the row with a message instead of failing the file', async () => {
    const deep = `{"occurred_at": ${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`;
    const file = await openDecisionFile(Readable.from([deep]), { filename: 'deep.ndjson' });
    const outcomes = [];
    for await (const batch of file.batches()) outcomes.push(...batch);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ ok: false, line: 1 });
  });
});
