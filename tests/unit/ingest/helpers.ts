import { Readable } from 'node:stream';
import { FIELD_NAMES } from '../../../lib/ingest/fields';
import {
  openDecisionFile,
  type DecisionFile,
  type DecisionFileHints,
  type RecordOutcome,
} from '../../../lib/ingest/read-decisions';

export const HEADER = FIELD_NAMES.join(',');

/** A valid CSV data line in FIELD_NAMES order, with some fields overridden. */
export function csvLine(overrides: Partial<Record<(typeof FIELD_NAMES)[number], string>> = {}): string {
  const base: Record<string, string> = {
    occurred_at: '2024-07-09T08:15:02Z',
    request_id: 'req-1',
    account_id: 'acct-1',
    account_name: 'Acme',
    caller_region: 'US',
    serving_region: 'eastus',
    provider: 'openai',
    channel: 'direct',
    decision: 'allowed',
    reason: '',
    policy_version: 'v1',
    model: 'gpt-4o',
    ...overrides,
  };
  return FIELD_NAMES.map((f) => base[f]).join(',');
}

/** Splits bytes into chunks of `size` (1 exercises every chunk boundary). */
export function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

export function toReadable(content: string | Buffer, chunkSize = 64 * 1024): Readable {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return Readable.from(chunked(bytes, Math.max(1, chunkSize)));
}

export interface ReadResult {
  file: DecisionFile;
  outcomes: RecordOutcome[];
  batchSizes: number[];
}

export async function readAll(
  content: string | Buffer,
  hints: DecisionFileHints = { filename: 'decisions.csv' },
  chunkSize?: number,
): Promise<ReadResult> {
  const file = await openDecisionFile(toReadable(content, chunkSize), hints);
  const outcomes: RecordOutcome[] = [];
  const batchSizes: number[] = [];
  for await (const batch of file.batches()) {
    batchSizes.push(batch.length);
    outcomes.push(...batch);
  }
  return { file, outcomes, batchSizes };
}

/** Reads and returns the rejection (or throws if the file was not refused). */
export async function refusal(
  content: string | Buffer,
  hints: DecisionFileHints = {},
): Promise<{ code: string; message: string; missingColumns: readonly string[] }> {
  try {
    await readAll(content, hints);
  } catch (error) {
    const e = error as { name: string; code: string; message: string; missingColumns: readonly string[] };
    if (e.name !== 'FileRefusedError') throw error;
    return { code: e.code, message: e.message, missingColumns: e.missingColumns };
  }
  throw new Error('expected the file to be refused');
}

export function errorsOf(outcomes: RecordOutcome[]): { line: number; error: string }[] {
  return outcomes.flatMap((o) => (o.ok ? [] : [{ line: o.line, error: o.error }]));
}
