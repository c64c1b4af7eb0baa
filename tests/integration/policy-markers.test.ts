import { beforeAll, describe, expect, it } from 'vitest';

import { parseFilters } from '@/lib/analytics/filters';
import { policyMarkers } from '@/lib/analytics/policy-markers';

import { useTestDatabase } from '../helpers/test-database';

// Chart markers follow the filter bar: includes, exclusions, and channel filters, where a
// policy for all of a provider's channels (channel null) governs whatever channel is kept.

const POLICIES = [
  { provider: 'openai', channel: null, region: 'CN', status: 'blocked', effectiveFrom: new Date('2024-07-09T00:00:00Z') },
  { provider: 'azure-openai', channel: 'azure-china-21vianet', region: 'CN', status: 'allowed', effectiveFrom: new Date('2024-07-01T00:00:00Z') },
  { provider: 'azure-openai', channel: 'azure-global', region: 'HK', status: 'blocked', effectiveFrom: new Date('2024-06-20T00:00:00Z'), effectiveTo: new Date('2024-07-15T00:00:00Z') },
  { provider: 'anthropic', channel: null, region: 'RU', status: 'blocked', effectiveFrom: new Date('2023-01-01T00:00:00Z') },
] as const;

const RANGE = 'from=2024-07-01T00:00:00Z&to=2024-08-01T00:00:00Z';

describe('policy markers', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    for (const p of POLICIES) await db().prisma.regionPolicy.create({ data: p });
  });

  const markers = async (query: string) =>
    (await policyMarkers(db().prisma, parseFilters(new URLSearchParams(`${RANGE}&${query}`)))).map((m) => `${m.provider}/${m.channel ?? '*'}/${m.region}@${m.at.slice(0, 10)}`);

  it.each([
    ['', ['azure-openai/azure-china-21vianet/CN@2024-07-01', 'openai/*/CN@2024-07-09', 'azure-openai/azure-global/HK@2024-07-15']],
    ['region=CN', ['azure-openai/azure-china-21vianet/CN@2024-07-01', 'openai/*/CN@2024-07-09']],
    ['not_region=CN', ['azure-openai/azure-global/HK@2024-07-15']],
    ['provider=azure-openai', ['azure-openai/azure-china-21vianet/CN@2024-07-01', 'azure-openai/azure-global/HK@2024-07-15']],
    ['not_provider=azure-openai', ['openai/*/CN@2024-07-09']],
    ['channel=azure-global', ['openai/*/CN@2024-07-09', 'azure-openai/azure-global/HK@2024-07-15']],
    ['not_channel=azure-global', ['azure-openai/azure-china-21vianet/CN@2024-07-01', 'openai/*/CN@2024-07-09']],
    ['region=CN&not_channel=azure-china-21vianet', ['openai/*/CN@2024-07-09']],
  ])('with "%s"', async (query, expected) => {
    expect((await markers(query)).sort()).toEqual([...expected].sort());
  });
});
