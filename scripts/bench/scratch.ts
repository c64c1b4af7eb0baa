// Scratch databases for benchmarks on the PostgreSQL at DATABASE_URL (or the local
// default), named with their creation time so that leftovers of killed runs are dropped.
import { randomBytes } from 'node:crypto';

import pg from 'pg';

export const ADMIN_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'gw_bench';

export function scratchUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
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

export class ScratchDatabases {
  private readonly names: string[] = [];

  /** Creates an empty database; it is dropped by dropAll. */
  async create(label: string): Promise<{ name: string; url: string }> {
    const name = `${PREFIX}_${Date.now()}_${label}_${randomBytes(2).toString('hex')}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    this.names.push(name);
    return { name, url: scratchUrl(name) };
  }

  async dropAll(): Promise<void> {
    for (const name of this.names.splice(0)) {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((error: unknown) => {
        console.error(`[bench] could not drop ${name}: ${(error as Error).message}`);
      });
    }
  }
}

/** Drops scratch databases of runs killed more than an hour ago. */
export async function dropStaleScratch(): Promise<void> {
  const rows = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${PREFIX}\\_%`]);
  const hourAgo = Date.now() - 3_600_000;
  for (const { datname } of rows) {
    const created = Number(datname.slice(PREFIX.length + 1).split('_')[0]);
    if (Number.isFinite(created) && created < hourAgo) {
      await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  }
}
