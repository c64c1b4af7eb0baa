import { createHash } from 'node:crypto';

import type pg from 'pg';

import type { NewBatch } from './batch-record';
import { type BeforeCommit, ingest, type IngestProgress, type IngestResult } from './pipeline';
import { openDecisionFile, type DecisionFileHints } from './read-decisions';

// A whole file through the pipeline: measures and hashes the bytes as they stream past,
// enforces the size limit, and hands the decoded outcomes to `ingest`. Every door
// (HTTP API, browser upload, command line) calls this.

export class UploadTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than the limit of ${maxBytes.toLocaleString('en')} bytes (GW_MAX_UPLOAD_BYTES).`);
  }
}

/**
 * Counts and hashes bytes as the parser pulls them. Its iterator's `return` does not
 * close the source, so whatever the parser leaves unread is drained into the hash.
 */
class MeasuredInput implements AsyncIterable<Uint8Array> {
  private readonly hash = createHash('sha256');
  private readonly source: AsyncIterator<Uint8Array | string>;
  bytes = 0;
  private finished = false;

  constructor(input: AsyncIterable<Uint8Array | string>, private readonly maxBytes: number) {
    this.source = input[Symbol.asyncIterator]();
  }

  private async next(): Promise<IteratorResult<Uint8Array>> {
    const result = await this.source.next();
    if (result.done) {
      this.finished = true;
      return { done: true, value: undefined };
    }
    const chunk = typeof result.value === 'string' ? Buffer.from(result.value) : result.value;
    this.bytes += chunk.byteLength;
    if (this.bytes > this.maxBytes) throw new UploadTooLargeError(this.maxBytes);
    this.hash.update(chunk);
    return { done: false, value: chunk };
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.next(), return: async () => ({ done: true, value: undefined }) };
  }

  async drain(): Promise<void> {
    while (!this.finished) await this.next();
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

export interface IngestFileOptions {
  batch: NewBatch;
  strict: boolean;
  maxBytes: number;
  onProgress?: (progress: IngestProgress) => void;
  beforeCommit?: BeforeCommit;
}

export async function ingestFile(
  pool: pg.Pool,
  input: AsyncIterable<Uint8Array | string>,
  hints: DecisionFileHints,
  options: IngestFileOptions,
): Promise<IngestResult> {
  const measured = new MeasuredInput(input, options.maxBytes);
  return ingest(
    pool,
    options.batch,
    async () => {
      const file = await openDecisionFile(measured, hints);
      let sha256: string | null = null;
      async function* outcomes() {
        yield* file.batches();
        await measured.drain();
        sha256 = measured.sha256();
      }
      return {
        outcomes: outcomes(),
        summary: () => ({
          sha256,
          bytes: measured.bytes,
          format: file.format,
          compressed: file.compressed,
          unknownColumns: file.unknownColumns,
        }),
      };
    },
    { strict: options.strict, onProgress: options.onProgress, bytesRead: () => measured.bytes, beforeCommit: options.beforeCommit },
  );
}
