import { describe, expect, it } from 'vitest';

import { FilterError, filtersToSearchParams, parseFilters } from '@/lib/analytics/filters';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('parseFilters', () => {
  it('defaults to the last 30 days and no dimension filters', () => {
    const f = parseFilters(new URLSearchParams(), NOW);
    expect(f.range).toBe('30d');
    expect(f.to).toEqual(NOW);
    expect(f.from).toEqual(new Date('2026-10-26T12:00:00Z'));
    expect(f.region).toEqual({ include: [], exclude: [] });
  });

  it('reads presets, repeated and comma-separated values, and exclusions', () => {
    const f = parseFilters(
      new URLSearchParams('range=7d&region=cn,hk&region=RU&not_channel=direct&decision=BLOCKED&provider=openai'),
      NOW,
    );
    expect(f.range).toBe('7d');
    expect(f.from).toEqual(new Date('2026-11-18T12:00:00Z'));
    expect(f.region.include).toEqual(['CN', 'HK', 'RU']);
    expect(f.channel).toEqual({ include: [], exclude: ['direct'] });
    expect(f.decision.include).toEqual(['blocked']);
    expect(f.provider.include).toEqual(['openai']);
  });

  it('accepts a record as Next.js passes searchParams', () => {
    const f = parseFilters({ region: ['CN', 'HK'], channel: 'azure-china-21vianet' }, NOW);
    expect(f.region.include).toEqual(['CN', 'HK']);
    expect(f.channel.include).toEqual(['azure-china-21vianet']);
  });

  it('reads custom ranges in ISO 8601; a time without offset is UTC', () => {
    const f = parseFilters(new URLSearchParams('from=2024-07-01&to=2024-07-09T16:15:02+08:00'), NOW);
    expect(f.range).toBeNull();
    expect(f.from).toEqual(new Date('2024-07-01T00:00:00Z'));
    expect(f.to).toEqual(new Date('2024-07-09T08:15:02Z'));
    expect(parseFilters(new URLSearchParams('from=2024-07-01T10:00&to=2024-07-02T00:00:00'), NOW).from).toEqual(
      new Date('2024-07-01T10:00:00Z'),
    );
  });

  it('names what is wrong', () => {
    expect(() => parseFilters(new URLSearchParams('range=3w'), NOW)).toThrow(FilterError);
    expect(() => parseFilters(new URLSearchParams('range=3w'), NOW)).toThrow(/range "3w" is not one of 24h, 7d, 30d, 90d/);
    expect(() => parseFilters(new URLSearchParams('from=yesterday'), NOW)).toThrow(/from "yesterday" is not an ISO 8601/);
    expect(() => parseFilters(new URLSearchParams('from=2024-07-02&to=2024-07-01'), NOW)).toThrow(/from must be before to/);
    expect(() => parseFilters(new URLSearchParams('region=CHN'), NOW)).toThrow(/region "CHN" is not a two-letter/);
    expect(() => parseFilters(new URLSearchParams('provider=Open AI'), NOW)).toThrow(/provider "Open AI"/);
    expect(() => parseFilters(new URLSearchParams('decision=maybe'), NOW)).toThrow(/decision "maybe"/);
  });

  it('round-trips through the URL form', () => {
    const params = new URLSearchParams('range=7d&region=CN,HK&not_provider=anthropic&decision=blocked');
    const f = parseFilters(params, NOW);
    expect(parseFilters(filtersToSearchParams(f), NOW)).toEqual(f);
    const custom = parseFilters(new URLSearchParams('from=2024-07-01T00:00:00Z&to=2024-07-10T00:00:00Z'), NOW);
    expect(parseFilters(filtersToSearchParams(custom), NOW)).toEqual(custom);
  });
});
