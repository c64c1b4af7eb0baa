import { env } from '@/lib/env';

import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';

/**
 * The database to use: DATABASE_URL when set; otherwise the embedded PostgreSQL in
 * GW_DATA_DIR, started if no other Gatewatch process has started it already.
 */
export async function resolveDatabaseUrl(log: (line: string) => void): Promise<EmbeddedDatabase> {
  const { DATABASE_URL, GW_DATA_DIR, GW_EMBEDDED_PG_PORT } = env();
  if (DATABASE_URL) return { url: DATABASE_URL, stop: async () => undefined };
  return startEmbeddedDatabase({ dataDir: GW_DATA_DIR, port: GW_EMBEDDED_PG_PORT, log });
}
