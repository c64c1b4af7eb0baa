import type pg from 'pg';

import type { BatchFormat, BatchSource } from '@/lib/generated/prisma/enums';

// The lifecycle of an ingest batch's record. While a batch is processing, the connection
// ingesting it holds a session advisory lock on its id; a `processing` batch whose lock
// nobody holds was orphaned by a crash and is marked failed (see recoverOrphanedBatches).

const LOCK_NAMESPACE = 0x6777; // 'gw'

export interface NewBatch {
  fileName: string;
  source: BatchSource;
  strict: boolean;
  uploadedById?: string | null;
  tokenId?: string | null;
}

/** Inserts the batch and takes its lock before the row becomes visible to others. */
export async function openBatch(client: pg.PoolClient, batch: NewBatch): Promise<number> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO ingest_batches (file_name, source, strict, uploaded_by_id, token_id)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [batch.fileName.slice(0, 512), batch.source, batch.strict, batch.uploadedById ?? null, batch.tokenId ?? null],
    );
    const id = rows[0]!.id;
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, id]);
    await client.query('COMMIT');
    return id;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

export async function releaseBatchLock(client: pg.PoolClient, id: number): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, id]);
}

export async function markBatchFailed(
  queryable: pg.Pool | pg.PoolClient,
  id: number,
  reason: string,
  extra: { sha256?: string | null; bytes?: number } = {},
): Promise<void> {
  await queryable.query(
    `UPDATE ingest_batches
        SET status = 'failed', failure_reason = $2, finished_at = now(),
            duration_ms = (extract(epoch FROM now() - started_at) * 1000)::int,
            sha256 = COALESCE($3, sha256), bytes = GREATEST(bytes, $4)
      WHERE id = $1 AND status = 'processing'`,
    [id, reason.slice(0, 2000), extra.sha256 ?? null, extra.bytes ?? 0],
  );
}

export async function markBatchDuplicate(
  queryable: pg.Pool | pg.PoolClient,
  id: number,
  duplicateOfId: number,
  details: { sha256: string; bytes: number; format: BatchFormat | null; compressed: boolean },
): Promise<void> {
  await queryable.query(
    `UPDATE ingest_batches
        SET status = 'duplicate', duplicate_of_id = $2, sha256 = $3, bytes = $4, format = $5,
            compressed = $6, finished_at = now(),
            duration_ms = (extract(epoch FROM now() - started_at) * 1000)::int
      WHERE id = $1`,
    [id, duplicateOfId, details.sha256, details.bytes, details.format, details.compressed],
  );
}

/** Marks batches left `processing` by a process that died; returns their ids. */
export async function recoverOrphanedBatches(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const recovered: number[] = [];
  try {
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM ingest_batches WHERE status = 'processing' ORDER BY id`,
    );
    for (const { id } of rows) {
      const lock = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS free', [
        LOCK_NAMESPACE,
        id,
      ]);
      if (!lock.rows[0]?.free) continue;
      try {
        await markBatchFailed(client, id, 'Ingestion was interrupted (the server stopped before the batch completed); nothing was stored. Re-send the file.');
        recovered.push(id);
      } finally {
        await releaseBatchLock(client, id);
      }
    }
    return recovered;
  } finally {
    client.release();
  }
}
