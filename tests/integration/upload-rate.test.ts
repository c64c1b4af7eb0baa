import { describe, expect, it } from 'vitest';

import { createApiToken } from '@/lib/auth/api-tokens';
import type { Principal } from '@/lib/auth/principal';
import { checkUploadRate, UploadRateError } from '@/lib/ingest/upload-rate';

import { useTestDatabase } from '../helpers/test-database';

// env() is read once per test file: the limit for this file is 3.
process.env.GW_UPLOADS_PER_MINUTE = '3';

describe('upload rate per principal', () => {
  const db = useTestDatabase();

  it('refuses the fourth upload of a minute for one token, names the wait, and leaves others alone', async () => {
    const a = await createApiToken(db().prisma, { name: 'busy', role: 'analyst' });
    const b = await createApiToken(db().prisma, { name: 'quiet', role: 'analyst' });
    const busy: Principal = { kind: 'token', role: 'analyst', token: { id: a.id, name: 'busy' } };
    const quiet: Principal = { kind: 'token', role: 'analyst', token: { id: b.id, name: 'quiet' } };
    const now = new Date();
    for (const secondsAgo of [50, 20, 5]) {
      await checkUploadRate(db().prisma, busy, now);
      await db().prisma.ingestBatch.create({ data: { fileName: 'f.csv', source: 'api', tokenId: a.id, startedAt: new Date(now.getTime() - secondsAgo * 1000) } });
    }
    const refused = await checkUploadRate(db().prisma, busy, now).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UploadRateError);
    // The oldest of the three started 50 s ago: the window frees a place in 10 s.
    expect((refused as UploadRateError).retryAfterSeconds).toBe(10);
    expect((refused as Error).message).toMatch(/at most 3 a minute/);
    await expect(checkUploadRate(db().prisma, quiet, now)).resolves.toBeUndefined();
    // A minute on, the busy token may upload again.
    await expect(checkUploadRate(db().prisma, busy, new Date(now.getTime() + 51_000))).resolves.toBeUndefined();
  });
});
