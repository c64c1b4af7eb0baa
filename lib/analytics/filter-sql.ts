import { Prisma } from '@/lib/generated/prisma/client';

import { type Dimension, type DimensionFilter, DIMENSIONS, type Filters } from './filters';

// The filters as SQL conditions. Raw decisions and every derived table that keeps a
// dimension as a column share its column name, so one clause serves all of them.

const DIMENSION_COLUMN: Record<Dimension, string> = {
  region: 'caller_region',
  provider: 'provider',
  channel: 'channel',
  decision: 'decision::text',
};

function dimensionClauses(filters: Filters, dimensions: readonly Dimension[]): Prisma.Sql[] {
  const clauses: Prisma.Sql[] = [];
  const add = (column: string, f: DimensionFilter) => {
    if (f.include.length) clauses.push(Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join(f.include)})`);
    if (f.exclude.length) clauses.push(Prisma.sql`${Prisma.raw(column)} NOT IN (${Prisma.join(f.exclude)})`);
  };
  for (const name of dimensions) add(DIMENSION_COLUMN[name], filters[name]);
  return clauses;
}

/**
 * Time (and other) conditions joined with the filters' dimension conditions (those of
 * `dimensions`, for a table that keeps only some as columns).
 */
export function where(time: Prisma.Sql[], filters: Filters, dimensions: readonly Dimension[] = DIMENSIONS): Prisma.Sql {
  const clauses = [...time, ...dimensionClauses(filters, dimensions)];
  return clauses.length ? Prisma.join(clauses, ' AND ') : Prisma.sql`true`;
}

/** Whether a dimension's filter lets a value through. */
export function admitsValue(f: DimensionFilter, value: string): boolean {
  return (f.include.length === 0 || f.include.includes(value)) && !f.exclude.includes(value);
}

/** Whether the decision filter lets decisions of this kind through. */
export const admits = (filters: Filters, decision: 'allowed' | 'blocked'): boolean => admitsValue(filters.decision, decision);

/** The UTC date of an instant, for the daily tables' bucket column. */
export const day = (d: Date) => d.toISOString().slice(0, 10);

/** Raw decisions in a span with the filters (and `extra` conditions). */
export function rawSpanWhere(s: { from: Date; to: Date }, filters: Filters, extra: Prisma.Sql[] = []): Prisma.Sql {
  return where([Prisma.sql`occurred_at >= ${s.from}`, Prisma.sql`occurred_at < ${s.to}`, ...extra], filters);
}
