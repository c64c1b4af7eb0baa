import { Prisma } from '@/lib/generated/prisma/client';

import type { DimensionFilter, Filters } from './filters';

// Filters as SQL over the rollup tables (decision_counts_hourly / _daily), whose columns
// share names with access_decisions. Values are always bound parameters.

const COLUMN: Record<'region' | 'provider' | 'channel' | 'decision', Prisma.Sql> = {
  region: Prisma.raw('caller_region'),
  provider: Prisma.raw('provider'),
  channel: Prisma.raw('channel'),
  decision: Prisma.raw('decision::text'),
};

function dimensionClause(column: Prisma.Sql, filter: DimensionFilter): Prisma.Sql[] {
  const clauses: Prisma.Sql[] = [];
  if (filter.include.length) clauses.push(Prisma.sql`${column} IN (${Prisma.join(filter.include)})`);
  if (filter.exclude.length) clauses.push(Prisma.sql`${column} NOT IN (${Prisma.join(filter.exclude)})`);
  return clauses;
}

/** WHERE clause for the hourly rollup: whole hours overlapping [from, to). */
export function hourlyWhere(filters: Filters): Prisma.Sql {
  const clauses = [
    Prisma.sql`bucket >= date_trunc('hour', ${filters.from}::timestamptz)`,
    Prisma.sql`bucket < ${filters.to}::timestamptz`,
    ...dimensionClause(COLUMN.region, filters.region),
    ...dimensionClause(COLUMN.provider, filters.provider),
    ...dimensionClause(COLUMN.channel, filters.channel),
    ...dimensionClause(COLUMN.decision, filters.decision),
  ];
  return Prisma.join(clauses, ' AND ');
}
