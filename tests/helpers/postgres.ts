import { randomBytes } from 'node:crypto';

import pg from 'pg';

// Tests and benchmarks run against a real PostgreSQL: GW_TEST_DATABASE_URL, or the local
// server's `postgres` database. Each test file, e2e run and benchmark gets databases of
// its own, named with their creation time so that leftovers of killed runs are dropped.
export const ADMIN_URL = process.env.GW_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database name carrying its creation time, so that leftovers of killed runs can be dropped. */
export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
}

export async function adminQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Drops databases with this prefix left by runs that were killed more than an hour ago. */
export async function dropStaleDatabases(prefix: string): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${prefix}\\_%`]);
  const hourAgo = Date.now() - 3_600_000;
  for (const { datname } of rows) {
    const created = Number(datname.slice(prefix.length + 1).split('_')[0]);
    if (Number.isFinite(created) && created < hourAgo) await dropDatabase(datname).catch(() => undefined);
  }
}

/** Databases made for one run (a benchmark's), dropped together however it ends. */
export class ScratchDatabases {
  private readonly names: string[] = [];

  constructor(private readonly prefix: string) {}

  /** Creates an empty database; dropAll drops it. */
  async create(label: string): Promise<{ name: string; url: string }> {
    const name = `${uniqueDatabaseName(this.prefix)}_${label}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    this.names.push(name);
    return { name, url: databaseUrl(name) };
  }

  async dropAll(): Promise<void> {
    for (const name of this.names.splice(0)) {
      await dropDatabase(name).catch((error: unknown) => console.error(`could not drop ${name}: ${(error as Error).message}`));
    }
  }
}
