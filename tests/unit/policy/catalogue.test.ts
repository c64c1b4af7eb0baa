import { describe, expect, it } from 'vitest';

import { parsePolicyCsv, parsePolicyVersion } from '@/lib/policy/catalogue';

// A policy version is read with the same rules as the log format and the URL filters:
// slugs lower-cased, regions as ingestion stores them, instants without offset in UTC.

const base = { provider: 'OpenAI', region: 'cn', status: 'unsupported', effectiveFrom: '2024-07-09' };

describe('parsePolicyVersion', () => {
  it('normalises the key and reads a date or a time without offset as UTC, whatever the server zone', () => {
    expect(parsePolicyVersion(base)).toMatchObject({ provider: 'openai', channel: null, region: 'CN', effectiveFrom: new Date('2024-07-09T00:00:00Z') });
    expect(parsePolicyVersion({ ...base, effectiveFrom: '2024-07-09T08:15' }).effectiveFrom).toEqual(new Date('2024-07-09T08:15:00Z'));
    expect(parsePolicyVersion({ ...base, effectiveFrom: '2024-07-09T16:15:00+08:00' }).effectiveFrom).toEqual(new Date('2024-07-09T08:15:00Z'));
  });

  it('refuses a region that only upper-cases into a code, and names bad dates', () => {
    // Turkish dotless ı upper-cases to I: "ın" must not pass as India.
    expect(() => parsePolicyVersion({ ...base, region: 'ın' })).toThrow(/ISO 3166/);
    expect(() => parsePolicyVersion({ ...base, effectiveFrom: 'next tuesday' })).toThrow(/effective from "next tuesday" is not an ISO 8601 date or time/);
    expect(() => parsePolicyVersion({ ...base, effectiveFrom: '1999-12-31' })).toThrow(/between 2000 and 2100/);
  });

  it('matches CSV headers as the log format does', () => {
    const [row] = parsePolicyCsv('Provider, Region ,STATUS,Effective-From\nopenai,HK,unsupported,2024-07-09\n');
    expect(row).toMatchObject({ line: 2, version: { provider: 'openai', region: 'HK', status: 'unsupported' } });
  });
});
