import type pg from 'pg';

import { CopyIn } from '@/lib/db/copy-in';
import { tryMergeLock, waitForMergeLock } from '@/lib/db/merge-lock';
import type { BatchFormat } from '@/lib/generated/prisma/enums';
import { absorbPartials, spillTally } from '@/lib/rollups/batch-partials';
import { decisionIdFloor, writeBatchViolations } from '@/lib/rollups/decision-violations';
import { writeRollups } from '@/lib/rollups/write-batch';

import {
  markBatchDuplicate,
  markBatchFailed,
  openBatch,
  releaseBatchLock,
  type NewBatch,
} from './batch-record';
import { decisionCopyLine, rejectionCopyLine } from './copy-text';
import {
  clearStage,
  COPY_INTO_DECISIONS,
  COPY_INTO_REJECTIONS,
  COPY_INTO_STAGE,
  countWouldBeDuplicates,
  createStage,
  mergeStage,
  recordConflicts,
} from './merge';
import type { RecordOutcome } from './read-decisions';
import { Spool } from './spool';
import { Combos, DecisionTally } from './tally';

// The one ingestion pipeline behind every door (browser upload, HTTP API, command line,
// demo seed), in one transaction with the batch record, so a batch is stored whole or
// not at all.
//
// Rows travel in segments. A segment normally goes straight into access_decisions by
// COPY, inside a savepoint, while Node tallies its rollup counts and account spans: the
// database then does no more work than a plain COPY into the indexed table, and does it
// while Node is still parsing. A duplicate (in the batch or already stored) makes that
// COPY fail on the identity index; the segment is then rolled back to its savepoint,
// replayed from a spool file into a staging table, and merged in SQL (INSERT ... ON
// CONFLICT DO NOTHING, first occurrence wins), which also counts its duplicates and
// conflicts. Only that segment pays for the slower path; the next one tries COPY again.
//
// Writes to access_decisions and the derived tables (lib/rollups/) need the merge lock
// (lib/db/merge-lock.ts). A batch that finds it taken stages its rows meanwhile and
// merges them once it gets the lock.
//
// Measured on 2 cores, PostgreSQL 15, 1,000,000 rows of CSV without duplicates: the
// former pipeline (stage everything, then one INSERT ... SELECT ... ON CONFLICT with the
// rollups as CTEs) took 30.7 s; this one takes 14-16.5 s through the HTTP API, against
// 11.6-12.3 s for `psql \copy` into an identical table (`npm run bench -- ingest`). The
// difference is mostly the rollups and account counts (~810k rows for a million
// decisions), written after the last row because they need all of them.

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
  /** Segment and memory sizes; tests make them small to cross every boundary with few rows. */
  tuning?: Partial<IngestTuning>;
  beforeCommit?: BeforeCommit;
}

/**
 * Runs in the batch's transaction just before it commits, for a batch that was read to
 * the end (stored, or refused whole in strict mode): its audit entry, so that the two
 * commit or roll back together.
 */
export type BeforeCommit = (client: pg.PoolClient, outcome: { batchId: number; status: 'complete' | 'failed'; counts: BatchCounts }) => Promise<void>;

export interface IngestTuning {
  /**
   * Rows of the first segment; each segment that goes in by COPY doubles the next, up to
   * the maximum. Small first segments keep a re-sent file's early duplicates cheap; large
   * later ones keep the number of savepoints (subtransactions) low, because past 64 of
   * them every concurrent snapshot has to consult pg_subtrans.
   */
  firstSegmentRows: number;
  maxSegmentRows: number;
  /**
   * What the Node tally may hold before it is spilled to the database: count groups
   * (hour × dimensions, day and hour × account × route; 16 bytes each) and accounts (~250 bytes
   * each). A segment ends early when its accounts alone reach the limit.
   */
  spillGroups: number;
  spillAccounts: number;
}

const DEFAULT_TUNING: IngestTuning = {
  firstSegmentRows: 100_000,
  // A segment's tally keys wait in arrays (4 × 8 bytes a row, room doubled as they grow)
  // until its end merges them into the tally: 800k rather than 1.6M halves them (the
  // tally's typed arrays on the 1 GiB bench's rows peaked at 88 MiB instead of 114, with
  // three arrays of keys; the fourth, hourly, was not measured apart), for
  // 12 segments instead of 8 on those 7.3M rows (21 at the 2 GiB limit), well below the
  // 64 savepoints past which subtransactions cost more (see above).
  maxSegmentRows: 800_000,
  // Per million rows, about a million day × account × route groups and as many hourly ones.
  spillGroups: 3_000_000,
  spillAccounts: 200_000,
};

const UNIQUE_VIOLATION = '23505';

interface Segment {
  /** `direct`: COPY into access_decisions under a savepoint; `staged`: COPY into gw_stage. */
  mode: 'direct' | 'staged';
  copy: CopyIn;
  rows: number;
}

/** The rows of one batch on their way in: segments, counts, tallies, spools. */
class BatchLoad {
  rows = 0;
  rejected = 0;
  accepted = 0;
  conflicts = 0;
  /** Rows in gw_stage not merged yet. */
  staged = 0;
  lockHeld = false;
  /** The highest decision id stored when this batch took the merge lock. */
  idFloor: string | null = null;
  /** Strict mode after a rejection: rows are only staged, to be counted, never stored. */
  refusing = false;
  readonly tally = new DecisionTally(new Combos());
  /** Whether the tally has been spilled to the database (the rollups are then summed there). */
  spilled = false;
  private segment: Segment | null = null;
  private segmentLimit: number;
  private readonly spool = new Spool('segment.copy');
  private readonly rejections = new Spool('rejections.copy');

  constructor(
    private readonly client: pg.PoolClient,
    private readonly batchId: number,
    private readonly strict: boolean,
    private readonly tuning: IngestTuning,
  ) {
    this.segmentLimit = tuning.firstSegmentRows;
  }

  async add(outcomes: RecordOutcome[]): Promise<void> {
    const segment = this.segment ?? (await this.startSegment());
    // Only rows going straight in are tallied here; a staged merge tallies in SQL.
    const tally = segment.mode === 'direct' ? this.tally : null;
    let text = '';
    let rejectedText = '';
    for (const outcome of outcomes) {
      this.rows += 1;
      if (!outcome.ok) {
        this.rejected += 1;
        rejectedText += rejectionCopyLine(this.batchId, outcome.line, outcome.error, outcome.original);
        continue;
      }
      text += decisionCopyLine(outcome.row, this.batchId, outcome.line);
      tally?.add(outcome.row);
      segment.rows += 1;
    }
    if (rejectedText !== '') await this.rejections.append(Buffer.from(rejectedText));
    if (text !== '') await this.write(segment, Buffer.from(text));
    if (
      segment.rows >= this.segmentLimit ||
      (tally !== null && tally.isLarge({ groups: Infinity, accounts: this.tuning.spillAccounts }))
    ) {
      await this.endSegment();
    }
  }

  private async startSegment(): Promise<Segment> {
    if (this.strict && this.rejected > 0) this.refusing = true;
    if (!this.refusing && !this.lockHeld && (await tryMergeLock(this.client))) await this.lockTaken();
    if (this.refusing || !this.lockHeld) {
      this.segment = { mode: 'staged', copy: new CopyIn(this.client, COPY_INTO_STAGE), rows: 0 };
      return this.segment;
    }
    // Rows staged while another batch held the lock go first: line order decides which
    // occurrence of a key wins.
    await this.mergeStaged();
    await this.client.query('SAVEPOINT gw_segment');
    this.spool.reset();
    this.tally.begin();
    this.segment = { mode: 'direct', copy: new CopyIn(this.client, COPY_INTO_DECISIONS), rows: 0 };
    return this.segment;
  }

  private async write(segment: Segment, text: Buffer): Promise<void> {
    if (segment.mode === 'staged') {
      await segment.copy.write(text);
      return;
    }
    await this.spool.append(text);
    try {
      await segment.copy.write(text);
    } catch (error) {
      await this.divert(segment, error);
    }
  }

  async lockTaken(): Promise<void> {
    this.lockHeld = true;
    this.idFloor = await decisionIdFloor(this.client);
  }

  /** The direct COPY of a segment failed: a duplicate turns it into a staged segment. */
  private async divert(segment: Segment, error: unknown): Promise<void> {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await this.client.query('ROLLBACK TO SAVEPOINT gw_segment; RELEASE SAVEPOINT gw_segment');
    this.tally.rollback();
    segment.mode = 'staged';
    segment.copy = new CopyIn(this.client, COPY_INTO_STAGE);
    const spooled = this.spool.read();
    if (spooled) await segment.copy.writeAll(spooled);
    this.segmentLimit = this.tuning.firstSegmentRows;
  }

  async endSegment(): Promise<void> {
    const segment = this.segment;
    if (!segment) return;
    this.segment = null;
    if (segment.mode === 'direct') {
      const ending = segment.copy.end();
      // Sorting the segment's tally takes Node ~0.1 s per 100k rows; done while the
      // database works through what is still buffered, it costs the ingest nothing.
      const commitTally = this.tally.prepareCommit();
      let stored: number | null = null;
      try {
        stored = await ending;
      } catch (error) {
        await this.divert(segment, error);
      }
      if (stored !== null) {
        await this.client.query('RELEASE SAVEPOINT gw_segment');
        this.accepted += stored;
        commitTally();
        this.segmentLimit = Math.min(this.segmentLimit * 2, this.tuning.maxSegmentRows);
        await this.spillIfLarge();
        return;
      }
    }
    this.staged += await segment.copy.end();
    if (this.lockHeld && !this.refusing) await this.mergeStaged();
  }

  /** Keeps the Node tally's memory bounded (between segments only: a spill empties it). */
  private async spillIfLarge(): Promise<void> {
    if (this.tally.isLarge({ groups: this.tuning.spillGroups, accounts: this.tuning.spillAccounts })) {
      await spillTally(this.client, this.tally);
      this.spilled = true;
    }
  }

  /** Merges gw_stage under the merge lock (which the caller holds). */
  async mergeStaged(): Promise<void> {
    if (this.staged === 0) return;
    const accepted = await mergeStage(this.client);
    // Once spilled, everything is summed in the database; until then, in Node.
    if (!this.spilled) {
      await absorbPartials(this.client, this.tally);
      await this.spillIfLarge();
    }
    if (accepted < this.staged) this.conflicts += await recordConflicts(this.client, this.batchId);
    this.accepted += accepted;
    this.staged = 0;
    await clearStage(this.client);
  }

  async storeRejections(): Promise<void> {
    const spooled = this.rejections.read();
    if (!spooled) return;
    const copy = new CopyIn(this.client, COPY_INTO_REJECTIONS);
    try {
      await copy.writeAll(spooled);
      await copy.end();
    } catch (error) {
      await copy.abort();
      throw error;
    }
  }

  /** Leaves the connection out of COPY mode after a failure, so that it can roll back. */
  async abandon(): Promise<void> {
    await this.segment?.copy.abort();
    this.segment = null;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.spool.dispose(), this.rejections.dispose()]);
  }
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
  const load = new BatchLoad(client, batchId, options.strict, { ...DEFAULT_TUNING, ...options.tuning });
  const report = (phase: IngestProgress['phase']) =>
    options.onProgress?.({ phase, rows: load.rows, bytes: options.bytesRead?.() ?? 0 });
  let inTransaction = false;
  let broken = false;
  let released = false;
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

    for await (const outcomes of source.outcomes) {
      await load.add(outcomes);
      report('reading');
    }
    await load.endSegment();

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

    const valid = load.rows - load.rejected;
    let counts: BatchCounts;
    let failure: string | null = null;
    if (options.strict && load.rejected > 0) {
      const would = load.staged > 0 ? await countWouldBeDuplicates(client) : { duplicates: 0, conflicts: 0 };
      const accepted = load.accepted + load.staged - would.duplicates;
      counts = { rows: load.rows, accepted, rejected: load.rejected, duplicates: valid - accepted,
        conflicts: load.conflicts + would.conflicts };
      failure = `Strict mode: ${load.rejected} of ${load.rows} rows were rejected, so the whole batch was refused and nothing was stored.`;
      // Nothing of the batch may stay but its report: start over with an empty transaction.
      await client.query('ROLLBACK');
      inTransaction = false;
      await client.query('BEGIN');
      inTransaction = true;
    } else {
      if (load.staged > 0 && !load.lockHeld) {
        await waitForMergeLock(client);
        await load.lockTaken();
      }
      await load.mergeStaged();
      await writeRollups(client, load.tally, load.spilled, load.idFloor === null ? null : { id: batchId, idFloor: load.idFloor });
      if (load.idFloor !== null) await writeBatchViolations(client, batchId, load.idFloor);
      counts = { rows: load.rows, accepted: load.accepted, rejected: load.rejected,
        duplicates: valid - load.accepted, conflicts: load.conflicts };
    }
    await load.storeRejections();
    await options.beforeCommit?.(client, { batchId, status: failure ? 'failed' : 'complete', counts });
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
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION || !summary.sha256) throw error;
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
    report('done');
    return failure
      ? { status: 'failed', batchId, reason: failure, counts, refused: null }
      : { status: 'complete', batchId, counts };
  } catch (error) {
    await load.abandon().catch(() => {
      broken = true;
    });
    if (inTransaction && !broken) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
    // A connection in an unknown state is destroyed first (ending its transaction and
    // locks), and the failure is recorded through another one.
    if (broken) {
      client.release(true);
      released = true;
    }
    const reason = error instanceof Error ? error.message : String(error);
    await markBatchFailed(released ? pool : client, batchId, reason).catch(() => markBatchFailed(pool, batchId, reason));
    throw error;
  } finally {
    await load.dispose();
    if (!released) {
      await releaseBatchLock(client, batchId).catch(() => {
        broken = true;
      });
      client.release(broken ? true : undefined);
    }
  }
}
