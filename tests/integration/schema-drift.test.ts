import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { schemaToSql } from '../../scripts/schema-diff/schema-sql';
import { adminQuery, databaseUrl, dropDatabase, uniqueDatabaseName } from '../helpers/postgres';
import { useTestDatabase } from '../helpers/test-database';

// schema.prisma and prisma/migrations must describe the same database. We build one
// database from the schema (Prisma's own schema-to-SQL) and compare its catalog with the
// migrated one. Migrations may add only the objects Prisma cannot express, listed here.
const MIGRATION_ONLY_INDEXES = new Set(['ingest_batches_sha256_complete', 'region_policies_no_overlap', 'account_region_routes_multi']);
const MIGRATION_ONLY_CONSTRAINTS = new Set(['region_policies.region_policies_no_overlap', 'region_policies.region_policies_dates']);
// Planner statistics on expressions, which Prisma has no syntax for.
const MIGRATION_ONLY_STATISTICS = new Set(['account_region_routes_route_count']);

async function catalog(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{ key: string; def: string }>(`
      SELECT table_name || '.' || column_name AS key,
             concat_ws(' ', data_type, udt_name, character_maximum_length, numeric_precision, datetime_precision,
                       is_nullable, column_default) AS def
        FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
    const indexes = await client.query<{ key: string; def: string }>(`
      SELECT indexname AS key, indexdef AS def FROM pg_indexes
       WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`);
    const constraints = await client.query<{ key: string; def: string }>(`
      SELECT conrelid::regclass || '.' || conname AS key, pg_get_constraintdef(oid) AS def
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
         AND conrelid <> coalesce(to_regclass('public._prisma_migrations'), 0)`);
    const enums = await client.query<{ key: string; def: string }>(`
      SELECT t.typname AS key, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS def
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
    const statistics = await client.query<{ key: string; def: string }>(`
      SELECT stxname AS key, pg_get_statisticsobjdef(oid) AS def FROM pg_statistic_ext WHERE stxnamespace = 'public'::regnamespace`);
    const asMap = (rows: { key: string; def: string }[]) => Object.fromEntries(rows.map((r) => [r.key, r.def]));
    return {
      columns: asMap(columns.rows),
      indexes: asMap(indexes.rows),
      constraints: asMap(constraints.rows),
      enums: asMap(enums.rows),
      statistics: asMap(statistics.rows),
    };
  } finally {
    await client.end();
  }
}

describe('schema.prisma and migrations', () => {
  const migrated = useTestDatabase();
  const fromSchema = uniqueDatabaseName('gw_t');

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${fromSchema}"`);
  });
  afterAll(async () => {
    await dropDatabase(fromSchema);
  });

  it('describe the same tables, columns, indexes, constraints, enums and planner statistics', async () => {
    const sql = await schemaToSql(databaseUrl(fromSchema));
    expect(sql).toContain('CREATE TABLE "access_decisions"');
    const client = new pg.Client({ connectionString: databaseUrl(fromSchema) });
    await client.connect();
    await client.query(sql);
    await client.end();

    const expected = await catalog(databaseUrl(fromSchema));
    const actual = await catalog(migrated().url);
    for (const [name, value] of Object.entries(actual.indexes)) {
      if (MIGRATION_ONLY_INDEXES.has(name)) {
        expect(expected.indexes[name]).toBeUndefined();
        delete actual.indexes[name];
      } else {
        expect(value).toBeDefined();
      }
    }
    for (const name of MIGRATION_ONLY_CONSTRAINTS) {
      expect(actual.constraints[name]).toBeDefined();
      expect(expected.constraints[name]).toBeUndefined();
      delete actual.constraints[name];
    }
    for (const name of MIGRATION_ONLY_STATISTICS) {
      expect(actual.statistics[name]).toBeDefined();
      expect(expected.statistics[name]).toBeUndefined();
      delete actual.statistics[name];
    }
    expect(actual.statistics).toEqual(expected.statistics);
    expect(actual.enums).toEqual(expected.enums);
    expect(actual.columns).toEqual(expected.columns);
    expect(actual.constraints).toEqual(expected.constraints);
    expect(actual.indexes).toEqual(expected.indexes);
  });
});
