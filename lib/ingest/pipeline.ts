import { pipeline as pump } from 'node:stream/promises';
import { Readable } from 'node:stream';

import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import type { BatchFormat } from '@/lib/generated/prisma/enums';

import {
  markBatchDuplicate,
  markBatchFailed,
  openBatch,
  releaseBatchLock,
  type NewBatch,
} from './batch-record';
import { copyLine, storableOriginal, storableText } from './copy-text';
import {
  COPY_INTO_STAGE,
  countWouldBeDuplicates,
  createStage,
  mergeStage,
  recordConflicts,
  storeRejections,
} from './merge';
import type { RecordOutcome } from './read-decisions';

// The one ingestion pipeline behind every door (browser upload, HTTP API, command line,
// demo seed): outcomes stream into a COPY to a temporary staging table, then one
// set-based merge moves them into the store, all in one transaction with the batch record.

export interface IngestSource {
  outcomes: AsyncIterable<RecordOutcome[]>;
  /** What is known once the outcomes are exhausted. */
  summary(): {
    sha256: string | null;
    bytes: number;
    format: BatchFormat | null;
    compressed: boolean;
    unknownColumns: string[];
  };
}

export interface IngestProgress {
  phase: 'reading' | 'merging' | 'done';
  rows: number;
  bytes: number;
}

export interface BatchCounts {
  rows: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  conflicts: number;
}

export type IngestResult =
  | { status: 'complete'; batchId: number; counts: BatchCounts }
  | { status: 'failed'; batchId: number; reason: string; counts: BatchCounts | null; refused: unknown }
  | { status: 'duplicate'; batchId: number; duplicateOfId: number };

export interface IngestOptions {
  strict: boolean;
  onProgress?: (progress: IngestProgress) => void;
  /** Bytes consumed so far, for progress reports. */
  bytesRead?: () => number;
}

function stageLine(outcome: RecordOutcome): string {
  if (!outcome.ok) {
    return copyLine([outcome.line, null, null, null, null, null, null, null, null, null, null, null, null,
      storableText(outcome.error), storableOriginal(outcome.original)]);
  }
  const r = outcome.row;
  return copyLine([outcome.line, r.occurredAt, r.requestId, r.accountId, r.accountName, r.callerRegion,
    r.servingRegion, r.provider, r.channel, r.decision, r.reason, r.policyVersion, r.model, null, null]);
}

export async function ingest(
  pool: pg.Pool,
  batch: NewBatch,
  open: () => Promise<IngestSource>,
  options: IngestOptions,
): Promise<IngestResult> {
  const started = Date.now();
  const client = await pool.connect();
  const batchId = await openBatch(client, batch).catch((error) => {
    client.release();
    throw error;
  });
  let rows = 0;
  let rejected = 0;
  const report = (phase: IngestProgress['phase']) =>
    options.onProgress?.({ phase, rows, bytes: options.bytesRead?.() ?? 0 });
  let inTransaction = false;
  let broken = false;
  try {
    let source: IngestSource;
    try {
      source = await open();
    } catch (refused) {
      const reason = refused instanceof Error ? refused.message : String(refused);
      await markBatchFailed(client, batchId, reason);
      return { status: 'failed', batchId, reason, counts: null, refused };
    }

    await client.query('BEGIN');
    inTransaction = true;
    // Rollup buckets are UTC hours and days whatever the server's time zone.
    await client.query(`SET LOCAL TIME ZONE 'UTC'`);
    await client.query(`SET LOCAL work_mem = '256MB'`);
    await createStage(client);

    async function* stageText(): AsyncGenerator<string> {
      for await (const outcomes of source.outcomes) {
        let text = '';
        for (const outcome of outcomes) {
          text += stageLine(outcome);
          rows += 1;
          if (!outcome.ok) rejected += 1;
        }
        yield text;
        report('reading');
      }
    }
    await pump(Readable.from(stageText()), client.query(copyFrom(COPY_INTO_STAGE)));

    const summary = source.summary();
    report('merging');

    if (summary.sha256) {
      const earlier = await client.query<{ id: number }>(
        `SELECT id FROM ingest_batches WHERE sha256 = $1 AND status = 'complete' LIMIT 1`,
        [summary.sha256],
      );
      if (earlier.rows[0]) {
        await client.query('ROLLBACK');
        inTransaction = false;
        await markBatchDuplicate(client, batchId, earlier.rows[0].id, { ...summary, sha256: summary.sha256 });
        return { status: 'duplicate', batchId, duplicateOfId: earlier.rows[0].id };
      }
    }

    const valid = rows - rejected;
    let counts: BatchCounts;
    let failure: string | null = null;
    if (options.strict && rejected > 0) {
      const would = await countWouldBeDuplicates(client);
      counts = { rows, rejected, duplicates: would.duplicates, conflicts: would.conflicts,
        accepted: valid - would.duplicates };
      failure = `Strict mode: ${rejected} of ${rows} rows were rejected, so the whole batch was refused and nothing was stored.`;
    } else {
      const accepted = await mergeStage(client, batchId);
      const conflicts = accepted < valid ? await recordConflicts(client, batchId) : 0;
      counts = { rows, accepted, rejected, duplicates: valid - accepted, conflicts };
    }
    await storeRejections(client, batchId);
    try {
      await client.query(
        `UPDATE ingest_batches
            SET status = $2, failure_reason = $3, sha256 = $4, bytes = $5, format = $6, compressed = $7,
                unknown_columns = $8, rows = $9, accepted = $10, rejected = $11, duplicates = $12,
                conflicts = $13, finished_at = now(), duration_ms = $14
          WHERE id = $1`,
        [batchId, failure ? 'failed' : 'complete', failure, summary.sha256, summary.bytes, summary.format,
          summary.compressed, summary.unknownColumns, counts.rows, counts.accepted, counts.rejected,
          counts.duplicates, counts.conflicts, Date.now() - started],
      );
      await client.query('COMMIT');
      inTransaction = false;
    } catch (error) {
      // Two identical files raced: the unique index on complete batches' SHA-256 let one win.
      if ((error as { code?: string }).code !== '23505' || !summary.sha256) throw error;
      await client.query('ROLLBACK');
      inTransaction = false;
      const winner = await client.query<{ id: number }>(
        `SELECT id FROM ingest_batches WHERE sha256 = $1 AND status = 'complete' LIMIT 1`,
        [summary.sha256],
      );
      if (!winner.rows[0]) throw error;
      await markBatchDuplicate(client, batchId, winner.rows[0].id, { ...summary, sha256: summary.sha256 });
      return { status: 'duplicate', batchId, duplicateOfId: winner.rows[0].id };
    }
    rows = counts.rows;
    report('done');
    return failure
      ? { status: 'failed', batchId, reason: failure, counts, refused: null }
      : { status: 'complete', batchId, counts };
  } catch (error) {
    if (inTransaction) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
    const reason = error instanceof Error ? error.message : String(error);
    // The failure may have come from the connection itself: record it through the pool.
    await markBatchFailed(broken ? pool : client, batchId, reason).catch(() => markBatchFailed(pool, batchId, reason));
    throw error;
  } finally {
    if (!broken) await releaseBatchLock(client, batchId).catch(() => { broken = true; });
    // A connection in an unknown state is destroyed rather than returned to the pool.
    client.release(broken ? true : undefined);
  }
}
