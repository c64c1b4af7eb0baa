/*
 * The one door into this layer: bytes of an uploaded file in, validated rows out, in
 * file order and in batches, each non-blank record yielding exactly one outcome.
 * Files that cannot be read at all are refused up front (FileRefusedError) when that can
 * be known from the start; corrupt gzip found later is thrown from the batch iterator.
 */
import type { Readable } from 'node:stream';
import {
  contentKind,
  declaredFormat,
  gzipDeclared,
  looksBinary,
  type FileFormat,
  type FileHints,
} from './detect-format';
import { FileRefusedError } from './errors';
import { FIELD_NAMES, mapHeader, type HeaderMapping } from './fields';
import { openTextSource, type ByteInput, type TextSource } from './decode';
import { CsvTokenizer, MAX_RECORD_CHARS, type CsvRecord } from './parse-csv';
import { NdjsonKeyMap, NdjsonSplitter, type NdjsonLine } from './parse-ndjson';
import { validateRecord, type DecisionRow } from './validate';

export type { FileHints as DecisionFileHints } from './detect-format';

export type RecordOutcome =
  | { line: number; ok: true; row: DecisionRow }
  | {
      line: number;
      ok: false;
      error: string;
      /**
       * The record as written, for the rejected-rows download: CSV values keyed by header
       * name (repeated names get " (2)", " (3)"; fields beyond the header get "(extra N)"),
       * NDJSON values keyed by key (non-strings as JSON text, null as ""). A record that
       * could not be split into values has its text under RAW_RECORD_KEY.
       */
      original: Record<string, string>;
    };

export interface DecisionFile {
  format: FileFormat;
  compressed: boolean;
  /** Ignored columns / keys, each once; complete once iteration ends (NDJSON finds keys as it goes). */
  unknownColumns: string[];
  /** Outcomes in file order, in arrays of up to BATCH_SIZE; may be iterated once. */
  batches(): AsyncIterable<RecordOutcome[]>;
  /** Raw (compressed) bytes consumed so far, for progress bars. */
  bytesRead(): number;
  /** Stops reading and releases the input, for a caller that gives up without finishing `batches()`. */
  close(): Promise<void>;
}

/** Key of `original` holding the text of a record that could not be split into values. */
export const RAW_RECORD_KEY = '(raw record)';

/** Outcomes per batch: large enough to amortise async overhead, small enough for COPY chunks. */
export const BATCH_SIZE = 1000;
/** A batch is also cut when rejected records' text passes this, to keep memory flat. */
const BATCH_ORIGINAL_CHARS = 4 * 1024 * 1024;
/** Leading whitespace kept while looking for the first character (beyond it, it is dropped). */
const HEAD_WHITESPACE_MAX = 64 * 1024;
const NON_WHITESPACE = /\S/;
/** Text examined by the binary check before anything is parsed. */
const BINARY_SAMPLE_CHARS = 64 * 1024;

export async function openDecisionFile(
  input: Readable | ByteInput,
  hints: FileHints = {},
): Promise<DecisionFile> {
  const source = await openTextSource(input);
  try {
    return await open(source, hints);
  } catch (error) {
    await source.close().catch(() => undefined);
    throw error;
  }
}

async function open(source: TextSource, hints: FileHints): Promise<DecisionFile> {
  const { head, firstLine } = await readHead(source);
  const firstCharacter = head[head.search(NON_WHITESPACE)]!;

  if (looksBinary(head.slice(0, BINARY_SAMPLE_CHARS))) {
    throw gzipDeclared(hints) && !source.compressed
      ? new FileRefusedError('corrupt_gzip', 'The file is named or sent as gzip but is not gzip data (nor text).')
      : new FileRefusedError('unsupported_format', 'The file holds binary data, not CSV or NDJSON text.');
  }

  const declared = declaredFormat(hints);
  const kind = contentKind(firstCharacter);
  if (kind === 'json_array' && declared !== 'csv') {
    throw new FileRefusedError(
      'unsupported_format',
      'The file is a JSON array; send NDJSON instead: one JSON object per line, without the surrounding [ ].',
    );
  }
  if (declared === 'csv' && kind === 'ndjson') {
    throw new FileRefusedError(
      'format_mismatch',
      'The file is named or sent as CSV but its content is JSON (it starts with "{"); name it .ndjson or send it as NDJSON.',
    );
  }
  if (declared === 'ndjson' && kind !== 'ndjson') {
    throw new FileRefusedError(
      'format_mismatch',
      'The file is named or sent as NDJSON but its first line is not a JSON object (it does not start with "{").',
    );
  }

  const common = {
    compressed: source.compressed,
    bytesRead: () => source.bytesRead(),
    close: () => source.close(),
  };
  if (kind === 'ndjson') {
    const unknownColumns: string[] = [];
    return {
      format: 'ndjson',
      ...common,
      unknownColumns,
      batches: once(() => ndjsonBatches(source, head, firstLine, new NdjsonKeyMap(unknownColumns))),
    };
  }

  const tokenizer = new CsvTokenizer(firstLine);
  const pending: CsvRecord[] = [];
  tokenizer.push(head, pending);
  while (pending.length === 0) {
    const text = await source.read();
    if (text === null) {
      tokenizer.end(pending);
      break;
    }
    tokenizer.push(text, pending);
  }
  const header = pending.shift();
  // readHead guarantees a non-blank line, so the tokenizer always yields a first record.
  if (header === undefined || header.fields === undefined) {
    throw new FileRefusedError(
      'malformed_header',
      `The CSV header row (line ${firstLine}) ${header?.error ?? 'is missing'}.`,
    );
  }
  const headerNames = header.fields;
  const mapping = mapHeader(headerNames);
  if (mapping.missingRequired.length > 0) {
    if (declared === null && headerNames.length === 1 && mapping.missingRequired.length === 7) {
      throw new FileRefusedError(
        'unsupported_format',
        'The file is neither NDJSON (its first line is not a JSON object) nor CSV with a header row of column names.',
      );
    }
    throw new FileRefusedError(
      'missing_columns',
      `The CSV header lacks required column${mapping.missingRequired.length > 1 ? 's' : ''}: ` +
        `${mapping.missingRequired.join(', ')}.`,
      mapping.missingRequired,
    );
  }
  return {
    format: 'csv',
    ...common,
    unknownColumns: mapping.unknownColumns,
    batches: once(() => csvBatches(source, tokenizer, pending, headerNames, mapping)),
  };
}

/**
 * Reads up to the first non-whitespace character. Whole blank lines before it are
 * dropped but counted, so line numbers stay those of the file; at least one decoded
 * chunk is read, which is the sample for the binary check.
 */
async function readHead(source: TextSource): Promise<{ head: string; firstLine: number }> {
  let head = '';
  let firstLine = 1;
  for (;;) {
    const text = await source.read();
    if (text === null) break;
    head += text;
    const visible = head.search(NON_WHITESPACE);
    const lastBlankLf = head.lastIndexOf('\n', visible === -1 ? head.length : visible);
    if (lastBlankLf !== -1) {
      firstLine += countLineFeeds(head, lastBlankLf + 1);
      head = head.slice(lastBlankLf + 1);
    }
    if (visible !== -1) return { head: await readAtLeast(source, head, BINARY_SAMPLE_CHARS), firstLine };
    // Only whitespace so far and no line end: its length cannot change any line number.
    if (head.length > HEAD_WHITESPACE_MAX) head = '';
  }
  throw new FileRefusedError('empty', 'The file is empty: it holds only whitespace.');
}

/** Extends `text` until it is `length` long or the input ends (a fair sample for looksBinary). */
async function readAtLeast(source: TextSource, text: string, length: number): Promise<string> {
  while (text.length < length) {
    const more = await source.read();
    if (more === null) break;
    text += more;
  }
  return text;
}

function countLineFeeds(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < end; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function once(start: () => AsyncGenerator<RecordOutcome[]>): () => AsyncIterable<RecordOutcome[]> {
  let started = false;
  return () => {
    if (started) throw new Error('DecisionFile.batches() may be iterated only once');
    started = true;
    return start();
  };
}

/** Collects outcomes and says when a batch is full. */
class BatchBuilder {
  private outcomes: RecordOutcome[] = [];
  private originalChars = 0;

  add(outcome: RecordOutcome): boolean {
    this.outcomes.push(outcome);
    if (!outcome.ok) {
      for (const key in outcome.original) this.originalChars += outcome.original[key]!.length;
    }
    return this.outcomes.length >= BATCH_SIZE || this.originalChars >= BATCH_ORIGINAL_CHARS;
  }

  get size(): number {
    return this.outcomes.length;
  }

  take(): RecordOutcome[] {
    const batch = this.outcomes;
    this.outcomes = [];
    this.originalChars = 0;
    return batch;
  }
}

async function* csvBatches(
  source: TextSource,
  tokenizer: CsvTokenizer,
  pending: CsvRecord[],
  headerNames: string[],
  mapping: HeaderMapping,
): AsyncGenerator<RecordOutcome[]> {
  const toOutcome = csvOutcomeMaker(headerNames, mapping);
  const batch = new BatchBuilder();
  let records = pending;
  try {
    for (;;) {
      for (const record of records) {
        if (batch.add(toOutcome(record))) yield batch.take();
      }
      records = [];
      const text = await source.read();
      if (text === null) break;
      tokenizer.push(text, records);
    }
    tokenizer.end(records);
    for (const record of records) {
      if (batch.add(toOutcome(record))) yield batch.take();
    }
    if (batch.size > 0) yield batch.take();
  } finally {
    await source.close();
  }
}

function csvOutcomeMaker(headerNames: string[], mapping: HeaderMapping): (record: CsvRecord) => RecordOutcome {
  const columnCount = headerNames.length;
  // For each field in FIELD_NAMES order, the column holding it, or -1.
  const at = FIELD_NAMES.map((field) => mapping.fields.indexOf(field));
  const originalKeys = uniqueKeys(headerNames);
  const originalOf = (values: string[]): Record<string, string> => {
    const original: Record<string, string> = Object.create(null) as Record<string, string>;
    for (let i = 0; i < values.length; i++) {
      original[i < columnCount ? originalKeys[i]! : `(extra ${i - columnCount + 1})`] = values[i]!;
    }
    return original;
  };

  return (record) => {
    if (record.fields === undefined) {
      return { line: record.line, ok: false, error: `record ${record.error}`, original: rawOriginal(record.raw) };
    }
    const values = record.fields;
    if (values.length !== columnCount) {
      return {
        line: record.line,
        ok: false,
        error: `record has ${values.length} field${values.length === 1 ? '' : 's'} but the header has ${columnCount} columns`,
        original: originalOf(values),
      };
    }
    // A literal of fixed shape: every row's object shares one hidden class, which keeps
    // property reads in validateRecord monomorphic (a loop of keyed stores did not).
    const result = validateRecord({
      occurred_at: at[0] === -1 ? undefined : values[at[0]!],
      request_id: at[1] === -1 ? undefined : values[at[1]!],
      account_id: at[2] === -1 ? undefined : values[at[2]!],
      account_name: at[3] === -1 ? undefined : values[at[3]!],
      caller_region: at[4] === -1 ? undefined : values[at[4]!],
      serving_region: at[5] === -1 ? undefined : values[at[5]!],
      provider: at[6] === -1 ? undefined : values[at[6]!],
      channel: at[7] === -1 ? undefined : values[at[7]!],
      decision: at[8] === -1 ? undefined : values[at[8]!],
      reason: at[9] === -1 ? undefined : values[at[9]!],
      policy_version: at[10] === -1 ? undefined : values[at[10]!],
      model: at[11] === -1 ? undefined : values[at[11]!],
    });
    return result.ok
      ? { line: record.line, ok: true, row: result.row }
      : { line: record.line, ok: false, error: result.error, original: originalOf(values) };
  };
}

/** Header names made unique, so no value is lost in the rejected-rows download. */
function uniqueKeys(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name, index) => {
    let key = name === '' ? `(column ${index + 1})` : name;
    for (let n = 2; used.has(key); n++) key = `${name} (${n})`;
    used.add(key);
    return key;
  });
}

function rawOriginal(raw: string): Record<string, string> {
  const original: Record<string, string> = Object.create(null) as Record<string, string>;
  original[RAW_RECORD_KEY] = raw;
  return original;
}

async function* ndjsonBatches(
  source: TextSource,
  head: string,
  firstLine: number,
  keys: NdjsonKeyMap,
): AsyncGenerator<RecordOutcome[]> {
  const splitter = new NdjsonSplitter(firstLine, MAX_RECORD_CHARS);
  const batch = new BatchBuilder();
  const toOutcome = (line: NdjsonLine): RecordOutcome => {
    if (line.object === undefined) {
      return { line: line.line, ok: false, error: line.error, original: rawOriginal(line.raw) };
    }
    const result = validateRecord(keys.valuesOf(line.object));
    return result.ok
      ? { line: line.line, ok: true, row: result.row }
      : { line: line.line, ok: false, error: result.error, original: jsonOriginal(line.object) };
  };
  let lines: NdjsonLine[] = [];
  try {
    splitter.push(head, lines);
    for (;;) {
      for (const line of lines) {
        if (batch.add(toOutcome(line))) yield batch.take();
      }
      lines = [];
      const text = await source.read();
      if (text === null) break;
      splitter.push(text, lines);
    }
    splitter.end(lines);
    for (const line of lines) {
      if (batch.add(toOutcome(line))) yield batch.take();
    }
    if (batch.size > 0) yield batch.take();
  } finally {
    await source.close();
  }
}

function jsonOriginal(object: Record<string, unknown>): Record<string, string> {
  const original: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(object)) {
    const value = object[key];
    original[key] =
      typeof value === 'string' ? value : value === null || value === undefined ? '' : shownJson(value);
  }
  return original;
}

/** A non-string value as JSON text; one nested too deeply to serialise (JSON.parse takes more depth than stringify) is named instead. */
function shownJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) return '(a value nested too deeply to show)';
    throw error;
  }
}
