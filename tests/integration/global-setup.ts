import type { TestProject } from 'vitest/node';

import { createDatabase } from '@/lib/db/client';
import { migrate } from '@/lib/db/migrate';

import { adminQuery, databaseUrl, dropDatabase, dropStaleDatabases, uniqueDatabaseName } from '../helpers/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

// One migrated template per run; every test file clones it (CREATE DATABASE ... TEMPLATE),
// which takes milliseconds instead of re-running migrations.
export default async function setup(project: TestProject) {
  await dropStaleDatabases('gw_tpl');
  await dropStaleDatabases('gw_t');
  const name = uniqueDatabaseName('gw_tpl');
  await adminQuery(`CREATE DATABASE "${name}"`);
  const db = createDatabase(databaseUrl(name), 2);
  try {
    await migrate(db.pool);
  } finally {
    await db.pool.end();
  }
  project.provide('templateDatabase', name);
  return async () => {
    await dropDatabase(name);
  };
}
