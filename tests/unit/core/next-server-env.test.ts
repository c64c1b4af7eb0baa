import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { nextServerEnv, SERVER_OLD_SPACE_MIB } from '../../../scripts/next-server-env';

/** The V8 heap limit, in MiB, of a node started with `env`. */
function heapLimitMib(env: Record<string, string | undefined>): number {
  const out = execFileSync(process.execPath, ['-e', 'console.log(require("v8").getHeapStatistics().heap_size_limit)'], {
    env: { PATH: process.env.PATH, ...env, NODE_ENV: 'test' as const },
    encoding: 'utf8',
  });
  return Number(out.trim()) / 1024 ** 2;
}

describe('nextServerEnv', () => {
  it('bounds the old space through NODE_OPTIONS, which a spawned node obeys', () => {
    const env = nextServerEnv({});
    expect(env.NODE_OPTIONS).toBe(`--max-old-space-size=${SERVER_OLD_SPACE_MIB}`);
    // The limit is the old space plus the young generation's few tens of MiB.
    const limit = heapLimitMib(env);
    expect(limit).toBeGreaterThanOrEqual(SERVER_OLD_SPACE_MIB);
    expect(limit).toBeLessThan(SERVER_OLD_SPACE_MIB + 128);
    // The limit follows the setting (not the machine's memory, which might give the same).
    expect(heapLimitMib({ NODE_OPTIONS: '--max-old-space-size=1536' }) - limit).toBeCloseTo(512, -1);
  });

  it("keeps the caller's other node options, and their own heap limit if they set one", () => {
    expect(nextServerEnv({ NODE_OPTIONS: '--enable-source-maps' }).NODE_OPTIONS)
      .toBe(`--enable-source-maps --max-old-space-size=${SERVER_OLD_SPACE_MIB}`);
    const own = nextServerEnv({ NODE_OPTIONS: '--max-old-space-size=3000' });
    expect(own.NODE_OPTIONS).toBe('--max-old-space-size=3000');
    expect(heapLimitMib(own)).toBeGreaterThanOrEqual(3000);
    // Node takes the flag with underscores too.
    expect(nextServerEnv({ NODE_OPTIONS: '--max_old_space_size=2500' }).NODE_OPTIONS).toBe('--max_old_space_size=2500');
  });

  it("sets glibc's mmap threshold unless the caller chose one", () => {
    expect(nextServerEnv({}).MALLOC_MMAP_THRESHOLD_).toBe('1048576');
    expect(nextServerEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_).toBe('65536');
    expect(nextServerEnv({ DATABASE_URL: 'postgresql://x/y' }).DATABASE_URL).toBe('postgresql://x/y');
  });
});
