import { describe, expect, it } from 'vitest';

import { readEnv } from '@/lib/env';

describe('readEnv', () => {
  it('gives every setting its documented default', () => {
    const env = readEnv({});
    expect(env).toMatchObject({
      GW_DATA_DIR: './.data',
      GW_EMBEDDED_PG_PORT: 54329,
      PORT: 3000,
      GW_SEED: true,
      GW_SEED_ROWS: 1_000_000,
      GW_MAX_UPLOAD_BYTES: 2 * 1024 ** 3,
      GW_SESSION_HOURS: 12,
      GW_SECURE_COOKIES: 'auto',
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('reads flags and numbers, and treats empty values as unset', () => {
    const env = readEnv({ GW_SEED: '0', PORT: '8080', DATABASE_URL: '', GW_SEED_ROWS: '5000' });
    expect(env.GW_SEED).toBe(false);
    expect(env.PORT).toBe(8080);
    expect(env.GW_SEED_ROWS).toBe(5000);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => readEnv({ GW_SEED: 'maybe' })).toThrow(/GW_SEED/);
    expect(() => readEnv({ GW_ADMIN_EMAIL: 'not-an-email' })).toThrow(/GW_ADMIN_EMAIL/);
  });
});
