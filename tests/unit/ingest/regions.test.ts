import { describe, expect, it } from 'vitest';
import { CALLER_REGIONS, ISO_3166_ALPHA2, normaliseCallerRegion } from '../../../lib/ingest/regions';

describe('caller regions', () => {
  it('holds the 249 officially assigned ISO 3166-1 alpha-2 codes plus XK', () => {
    expect(ISO_3166_ALPHA2.size).toBe(249);
    expect(CALLER_REGIONS.size).toBe(250);
    expect(ISO_3166_ALPHA2.has('XK')).toBe(false);
    expect(CALLER_REGIONS.has('XK')).toBe(true);
    for (const code of CALLER_REGIONS) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it.each(['US', 'GB', 'DE', 'CN', 'SS', 'BQ', 'AX', 'XK', 'ZW', 'AD'])('accepts %s', (code) => {
    expect(normaliseCallerRegion(code)).toBe(code);
  });

  it.each([
    ['us', 'US'],
    ['gB', 'GB'],
    ['xk', 'XK'],
  ])('is case-insensitive: %s is stored as %s', (input, stored) => {
    expect(normaliseCallerRegion(input)).toBe(stored);
  });

  it.each(['UK', 'EU', 'EL', 'ZZ', 'AA', 'XX', 'QO', 'AN', 'YU', 'USA', 'U', '', '12', 'U S'])(
    'refuses %j (reserved, withdrawn, unassigned or not two letters)',
    (code) => {
      expect(normaliseCallerRegion(code)).toBeNull();
    },
  );

  it('refuses non-ASCII letters that upper-case to ASCII (dotless i)', () => {
    expect('ın'.toUpperCase()).toBe('IN');
    expect(normaliseCallerRegion('ın')).toBeNull();
  });
});
