import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { verifyAuditChain } from '@/lib/audit/verify';
import { createDatabase } from '@/lib/db/client';
import { migrate, readMigrations } from '@/lib/db/migrate';

import { adminQuery, databaseUrl, dropDatabase } from '../helpers/postgres';
import { useTestDatabase } from '../helpers/test-database';

describe('migrate', () => {
  const db = useTestDatabase();

  it('records every migration as Prisma Migrate does and applies nothing twice', async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const { rows } = await db().pool.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, m] of migrations.entries()) {
      expect(rows[i]!.checksum).toBe(createHash('sha256').update(m.sql).digest('hex'));
      expect(rows[i]!.finished_at).toBeInstanceOf(Date);
    }
    expect(await migrate(db().pool)).toEqual([]);
    // Concurrent starts serialise on an advisory lock instead of racing.
    expect(await Promise.all([migrate(db().pool), migrate(db().pool)])).toEqual([[], []]);
  });

  it('applies a new migration, and refuses one edited after it was applied', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-migrations-'));
    for (const m of await readMigrations()) {
      await mkdir(path.join(dir, m.name));
      await writeFile(path.join(dir, m.name, 'migration.sql'), m.sql);
    }
    await mkdir(path.join(dir, '29990101000000_extra'));
    await writeFile(path.join(dir, '29990101000000_extra', 'migration.sql'), 'CREATE TABLE gw_extra (id int);');
    expect(await migrate(db().pool, dir)).toEqual(['29990101000000_extra']);
    await db().pool.query('SELECT id FROM gw_extra');

    await writeFile(path.join(dir, '29990101000000_extra', 'migration.sql'), 'CREATE TABLE gw_extra (id bigint);');
    await expect(migrate(db().pool, dir)).rejects.toThrow(/29990101000000_extra was edited after it was applied/);
  });

  it('rolls back a failing migration completely', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-migrations-'));
    for (const m of await readMigrations()) {
      await mkdir(path.join(dir, m.name));
      await writeFile(path.join(dir, m.name, 'migration.sql'), m.sql);
    }
    await mkdir(path.join(dir, '29990202000000_broken'));
    await writeFile(path.join(dir, '29990202000000_broken', 'migration.sql'), 'CREATE TABLE gw_half (id int); SELECT no_such_fn();');
    await expect(migrate(db().pool, dir)).rejects.toThrow(/29990202000000_broken failed/);
    const { rows } = await db().pool.query(`SELECT to_regclass('gw_half') AS t`);
    expect(rows[0].t).toBeNull();
  });

  it('puts audit entries written before the chain onto it, once, when its migration is applied', async () => {
    const name = `${db().name}_chain`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    const older = createDatabase(databaseUrl(name), 2);
    try {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-migrations-'));
      const all = await readMigrations();
      const chain = all.findIndex((m) => m.name.endsWith('_audit_chain'));
      expect(chain).toBeGreaterThan(0);
      for (const m of all.slice(0, chain)) {
        await mkdir(path.join(dir, m.name));
        await writeFile(path.join(dir, m.name, 'migration.sql'), m.sql);
      }
      await migrate(older.pool, dir);
      await older.pool.query(`INSERT INTO audit_events (actor_type, actor_label, action, details)
                              VALUES ('system', 'old', 'demo.seed', '{"rows": 5}'), ('system', 'old', 'export.csv', '{}')`);
      expect(await migrate(older.pool)).toEqual(all.slice(chain).map((m) => m.name));
      const rows = await older.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
      expect(rows.map((r) => r.seq)).toEqual([1n, 2n]);
      expect(await verifyAuditChain(older.prisma)).toMatchObject({ ok: true, count: 2n });
      // An entry slipped in later stays off the chain: later migrations do not seal it.
      await older.pool.query(`INSERT INTO audit_events (actor_type, actor_label, action) VALUES ('system', 'later', 'export.csv')`);
      await migrate(older.pool);
      expect(await verifyAuditChain(older.prisma)).toMatchObject({ ok: false, problem: { kind: 'unchained' } });
    } finally {
      await older.pool.end();
      await dropDatabase(name);
    }
  });
});
