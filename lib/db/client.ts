import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';

import { env } from '@/lib/env';
import { PrismaClient } from '@/lib/generated/prisma/client';

import { createPool } from './pool';

export interface Database {
  prisma: PrismaClient;
  /** The pool Prisma's adapter is built on; raw COPY and merges take connections from it. */
  pool: pg.Pool;
}

export function createDatabase(connectionString: string, poolMax?: number): Database {
  const pool = createPool(connectionString, poolMax);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { prisma, pool };
}

// One pool per process. Kept on globalThis so that dev-mode module reloading does not
// leak a pool per edit.
const globalForDb = globalThis as unknown as { gatewatchDb?: Database };

export function db(): Database {
  if (!globalForDb.gatewatchDb) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: start Gatewatch with `npm start`.');
    globalForDb.gatewatchDb = createDatabase(url);
  }
  return globalForDb.gatewatchDb;
}

export const prisma = (): PrismaClient => db().prisma;
