import type pg from 'pg';

import { ingest } from '@/lib/ingest/pipeline';
import type { RecordOutcome } from '@/lib/ingest/read-decisions';
import type { DecisionRow } from '@/lib/ingest/validate';

/** Ingests valid rows as one batch through the real pipeline (lines numbered as a CSV's). */
export async function ingestRows(pool: pg.Pool, fileName: string, rows: DecisionRow[]): Promise<Awaited<ReturnType<typeof ingest>>> {
  return ingest(pool, { fileName, source: 'cli', strict: false }, async () => ({
    outcomes: (async function* () {
      yield rows.map((row, i): RecordOutcome => ({ line: i + 2, ok: true, row }));
    })(),
    summary: () => ({ sha256: null, bytes: 0, format: 'csv' as const, compressed: false, unknownColumns: [] }),
  }), { strict: false });
}
