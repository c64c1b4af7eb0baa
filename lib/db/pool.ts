import pg from 'pg';

import { env } from '@/lib/env';

// PostgreSQL `bigint` (int8) and `count(*)` arrive as strings by default; every count we
// read fits in a double long before it matters for a dashboard.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(connectionString: string, max = env().GW_DB_POOL_MAX): pg.Pool {
  return new pg.Pool({ connectionString, max, application_name: 'gatewatch' });
}
