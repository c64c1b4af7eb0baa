import { recordAudit } from '@/lib/audit/record';
import type { Database } from '@/lib/db/client';
import { ingest, type IngestProgress, type IngestResult } from '@/lib/ingest/pipeline';
import type { RecordOutcome } from '@/lib/ingest/read-decisions';

import { demoPolicies, generateDemoDecisions } from './generate';

export async function databaseHasDecisions(database: Database): Promise<boolean> {
  const { rows } = await database.pool.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM access_decisions) AS any',
  );
  return rows[0]!.any;
}

/**
 * Fills the database with demo decisions through the real ingestion pipeline (COPY to
 * staging, set-based merge, rollups), plus the region policies that tell the story.
 */
export async function seedDemoData(
  database: Database,
  options: { rows: number; now?: Date; seed?: number; onProgress?: (p: IngestProgress) => void },
): Promise<IngestResult> {
  const now = options.now ?? new Date();
  async function* outcomes(): AsyncGenerator<RecordOutcome[]> {
    let line = 1; // as if the rows came from a CSV file whose line 1 is the header
    for (const rows of generateDemoDecisions({ rows: options.rows, now, seed: options.seed })) {
      yield rows.map((row) => ({ line: ++line, ok: true as const, row }));
    }
  }
  // Policies first: the batch derives its violations from the catalogue in force.
  const policies = await seedDemoPolicies(database, now);
  const result = await ingest(
    database.pool,
    { fileName: `demo-seed-${options.rows}-rows`, source: 'seed', strict: false },
    async () => ({
      outcomes: outcomes(),
      summary: () => ({ sha256: null, bytes: 0, format: null, compressed: false, unknownColumns: [] }),
    }),
    { strict: false, onProgress: options.onProgress },
  );
  await recordAudit(database.prisma, {
    actor: { kind: 'system', label: 'gatewatch seed' },
    action: 'demo.seed',
    target: `batch:${result.batchId}`,
    details: { rows: options.rows, status: result.status, policies },
  });
  return result;
}

/** The demo's catalogue, when there is none yet; returns how many versions it added. */
async function seedDemoPolicies(database: Database, now: Date): Promise<number> {
  if ((await database.prisma.regionPolicy.count()) > 0) return 0;
  const ids: number[] = [];
  for (const { supersedes, ...policy } of demoPolicies(now)) {
    const created = await database.prisma.regionPolicy.create({ data: { ...policy, supersedesId: supersedes === null ? null : ids[supersedes]! } });
    ids.push(created.id);
  }
  return ids.length;
}
