import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type pg from 'pg';

import { sealUnchainedEntries } from '@/lib/audit/chain';
import { backfillDerivedTables } from '@/lib/rollups/backfill';
import { fillViolationsFromDecisions } from '@/lib/rollups/decision-violations';

// Applies prisma/migrations/<name>/migration.sql in order and records each in
// `_prisma_migrations` exactly as Prisma Migrate does (checksum = SHA-256 of the file),
// so that `prisma migrate status` agrees on machines that have Prisma's native engine.
// We apply them ourselves because that engine cannot be downloaded offline.

const AUDIT_CHAIN_MIGRATION = '20261202210000_audit_chain';
const POLICY_CATALOGUE_MIGRATION = '20261203070000_policy_catalogue';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations');

const LOCK_KEY = 0x67617465; // 'gate': serialises concurrent starts against one database

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const recorded = new Map(rows.map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const seen = recorded.get(m.name);
      if (seen?.finished_at) {
        if (seen.checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was edited after it was applied: add a new migration instead.`);
        }
        continue;
      }
      if (seen) throw new Error(`Migration ${m.name} failed earlier and needs manual repair.`);
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`);
      }
      applied.push(m.name);
    }
    // Derived data a migration could only create empty: filled here, still under the lock.
    // Before the violations' fill below: that one fills the violation vectors too, which
    // the backfill, finding no violation yet, leaves alone.
    await backfillDerivedTables(client);
    // Entries from before the audit chain go onto it once, when its migration is applied:
    // any entry found off the chain later was written around it, and verification says so.
    if (applied.includes(AUDIT_CHAIN_MIGRATION)) await sealUnchainedEntries(client);
    // A table that may rightly stay empty cannot be backfilled "when empty": fill it once.
    if (applied.includes(POLICY_CATALOGUE_MIGRATION)) await fillViolationsFromDecisions(client);
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
