import { beforeAll, describe, expect, it } from 'vitest';

import { parseFilters } from '@/lib/analytics/filters';
import { policyMarkers } from '@/lib/analytics/policy-markers';

import { useTestDatabase } from '../helpers/test-database';

// Chart markers follow the filter bar: includes, exclusions, and channel filters, where a
// policy for all of a provider's channels (channel null) governs whatever channel is kept.

const POLICIES = [
  { provider: 'openai', channel: null, region: 'CN', status: 'unsupported', effectiveFrom: new Date('2024-07-09T00:00:00Z') },
  { provider: 'azure-openai', channel: 'azure-china-21vianet', region: 'CN', status: 'supported', effectiveFrom: new Date('2024-07-01T00:00:00Z') },
  { provider: 'azure-openai', channel: 'azure-global', region: 'HK', status: 'unsupported', effectiveFrom: new Date('2024-06-20T00:00:00Z'), effectiveTo: new Date('2024-07-15T00:00:00Z') },
  { provider: 'anthropic', channel: null, region: 'RU', status: 'unsupported', effectiveFrom: new Date('2023-01-01T00:00:00Z') },
  // A supersession: one marker at the change (the new status), not an end and a start.
  { provider: 'mistral', channel: null, region: 'IR', status: 'supported', effectiveFrom: new Date('2024-06-01T00:00:00Z'), effectiveTo: new Date('2024-07-20T00:00:00Z') },
  { provider: 'mistral', channel: null, region: 'IR', status: 'unsupported', effectiveFrom: new Date('2024-07-20T00:00:00Z') },
] as const;

const CHINA_21V = 'azure-openai/azure-china-21vianet/CN@2024-07-01:supported';
const OPENAI_CN = 'openai/*/CN@2024-07-09:unsupported';
const HK_ENDS = 'azure-openai/azure-global/HK@2024-07-15:ended';
const MISTRAL_IR = 'mistral/*/IR@2024-07-20:unsupported';
const RANGE = 'from=2024-07-01T00:00:00Z&to=2024-08-01T00:00:00Z';

describe('policy markers', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    for (const p of POLICIES) await db().prisma.regionPolicy.create({ data: p });
  });

  const markers = async (query: string) =>
    (await policyMarkers(db().prisma, parseFilters(new URLSearchParams(`${RANGE}&${query}`)))).map((m) => `${m.provider}/${m.channel ?? '*'}/${m.region}@${m.at.slice(0, 10)}:${m.status}`);

  it.each([
    ['', [CHINA_21V, OPENAI_CN, HK_ENDS, MISTRAL_IR]],
    ['region=CN', [CHINA_21V, OPENAI_CN]],
    ['not_region=CN', [HK_ENDS, MISTRAL_IR]],
    ['provider=azure-openai', [CHINA_21V, HK_ENDS]],
    ['not_provider=azure-openai', [OPENAI_CN, MISTRAL_IR]],
    ['channel=azure-global', [OPENAI_CN, HK_ENDS, MISTRAL_IR]],
    ['not_channel=azure-global', [CHINA_21V, OPENAI_CN, MISTRAL_IR]],
    ['region=CN&not_channel=azure-china-21vianet', [OPENAI_CN]],
  ])('with "%s"', async (query, expected) => {
    expect((await markers(query)).sort()).toEqual([...expected].sort());
  });
});
