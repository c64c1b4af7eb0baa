import { afterAll, beforeAll, inject } from 'vitest';

import { createDatabase, type Database } from '@/lib/db/client';

import { adminQuery, databaseUrl, dropDatabase, uniqueDatabaseName } from './postgres';

export interface TestDatabase extends Database {
  url: string;
  name: string;
}

async function cloneTemplate(name: string, template: string): Promise<void> {
  // Two files cloning at the same instant can see "source database is being accessed by
  // other users" (55006); it clears within milliseconds.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

/** A fresh, migrated database for this test file, dropped when the file is done. */
export function useTestDatabase(): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    const name = uniqueDatabaseName('gw_t');
    await cloneTemplate(name, inject('templateDatabase'));
    const url = databaseUrl(name);
    current = { ...createDatabase(url, 5), url, name };
  });
  afterAll(async () => {
    if (!current) return;
    await current.pool.end();
    await dropDatabase(current.name);
  });
  return () => {
    if (!current) throw new Error('useTestDatabase: the database is created in beforeAll');
    return current;
  };
}
