import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

import type { Bucket, Filters } from './filters';
import { accountCounts, accountRawSelect, accountZoneCounts } from './sources';

export interface AccountInfo {
  id: string;
  name: string | null;
  firstSeen: string;
  lastSeen: string;
}

export async function getAccount(prisma: PrismaClient, id: string): Promise<AccountInfo | null> {
  const a = await prisma.account.findUnique({ where: { id } });
  return a ? { id: a.id, name: a.name, firstSeen: a.firstSeen.toISOString(), lastSeen: a.lastSeen.toISOString() } : null;
}

export interface ChannelPoint {
  bucket: string;
  provider: string;
  channel: string;
  allowed: number;
  blocked: number;
}

/**
 * The account's decisions per bucket and (provider, channel), all channels on the same
 * buckets so that a block on one and an allow on another at the same time line up.
 */
export async function accountTimeline(prisma: PrismaClient, id: string, filters: Filters, bucket: Bucket): Promise<ChannelPoint[]> {
  const unit = Prisma.raw(`'${bucket}'`); // from a closed enum
  // Daily account counts answer day and week buckets (in another zone than UTC, with the
  // hours its local midnight splits off moved across); hour buckets read the account's raw
  // rows through the (account_id, occurred_at) index.
  const source = bucket === 'hour'
    ? accountRawSelect(filters, filters, id)
    : filters.tz === 'UTC' ? accountCounts(filters, id) : accountZoneCounts(filters, id, filters.tz);
  const rows = await prisma.$queryRaw<{ bucket: Date; provider: string; channel: string; allowed: number | null; blocked: number | null }[]>`
    SELECT date_trunc(${unit}, ts AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket, provider, channel,
           sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked
      FROM (${source}) s GROUP BY 1, 2, 3
    -- Rows moved across a local midnight can leave a bucket's counts at zero.
    HAVING sum(n) FILTER (WHERE decision = 'allowed') <> 0 OR sum(n) FILTER (WHERE decision = 'blocked') <> 0
     ORDER BY 1, 2, 3`;
  return rows.map((r) => ({
    bucket: r.bucket.toISOString(), provider: r.provider, channel: r.channel,
    allowed: Number(r.allowed ?? 0), blocked: Number(r.blocked ?? 0),
  }));
}

export interface AccountBreakdownRow {
  region: string;
  provider: string;
  channel: string;
  allowed: number;
  blocked: number;
  total: number;
}

/** The account's counts by region x provider x channel in the range. */
export async function accountBreakdown(prisma: PrismaClient, id: string, filters: Filters): Promise<AccountBreakdownRow[]> {
  const rows = await prisma.$queryRaw<{ region: string; provider: string; channel: string; allowed: number | null; blocked: number | null }[]>`
    SELECT trim(caller_region) AS region, provider, channel,
           sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked
      FROM (${accountCounts(filters, id)}) s GROUP BY 1, 2, 3 ORDER BY sum(n) DESC, 1, 2, 3`;
  return rows.map((r) => {
    const allowed = Number(r.allowed ?? 0);
    const blocked = Number(r.blocked ?? 0);
    return { region: r.region, provider: r.provider, channel: r.channel, allowed, blocked, total: allowed + blocked };
  });
}
