/*
 * Streaming NDJSON: text in, one JSON object per physical line out.
 * Lines end at LF (a CR before it is JSON whitespace); blank lines are skipped but counted.
 */
import { fieldForName, type FieldName } from './fields';
import { formatSize } from './messages';
import { MAX_RECORD_CHARS } from './parse-csv';

export type NdjsonLine =
  | { line: number; object: Record<string, unknown>; error?: undefined; raw?: undefined }
  | { line: number; object?: undefined; error: string; raw: string };

/** How much of a rejected line's text is kept for the report. */
const RAW_KEPT_CHARS = 64 * 1024;
/** JSON.parse messages quote the input; keep them to a readable length. */
const PARSE_MESSAGE_MAX = 160;

export class NdjsonSplitter {
  private carry = '';
  private line: number;
  /** Discarding the rest of an over-long line without holding it in memory. */
  private skipping = false;

  constructor(
    firstLine = 1,
    private readonly maxLineChars = MAX_RECORD_CHARS,
  ) {
    this.line = firstLine;
  }

  push(text: string, out: NdjsonLine[]): void {
    this.carry = this.run(this.carry + text, false, out);
  }

  end(out: NdjsonLine[]): void {
    this.carry = this.run(this.carry, true, out);
  }

  private run(buf: string, eof: boolean, out: NdjsonLine[]): string {
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      const lf = buf.indexOf('\n', pos);
      if (this.skipping) {
        if (lf === -1) return '';
        this.skipping = false;
        this.line++;
        pos = lf + 1;
        continue;
      }
      const end = lf === -1 ? len : lf;
      if (end - pos > this.maxLineChars) {
        out.push({
          line: this.line,
          error: `line is longer than ${formatSize(this.maxLineChars)}, the most a record may hold`,
          raw: buf.slice(pos, pos + RAW_KEPT_CHARS),
        });
        if (lf === -1) {
          this.skipping = !eof;
          return '';
        }
      } else {
        if (lf === -1 && !eof) break;
        const parsed = parseLine(buf.slice(pos, end), this.line);
        if (parsed !== null) out.push(parsed);
        if (lf === -1) return '';
      }
      this.line++;
      pos = lf + 1;
    }
    return pos >= len ? '' : buf.slice(pos);
  }
}

function parseLine(text: string, line: number): NdjsonLine | null {
  const first = text.charCodeAt(0);
  if (!(first === 123 /* { */) && text.trim().length === 0) return null; // blank line
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const short = message.length > PARSE_MESSAGE_MAX ? `${message.slice(0, PARSE_MESSAGE_MAX)}…` : message;
    return { line, error: `line is not valid JSON (${short})`, raw: rawText(text) };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { line, object: value as Record<string, unknown> };
  }
  return { line, error: `line is ${describe(value)}, not a JSON object`, raw: rawText(text) };
}

function describe(value: unknown): string {
  if (value === null) return 'JSON null';
  if (Array.isArray(value)) return 'a JSON array';
  if (typeof value === 'string') return 'a JSON string';
  if (typeof value === 'number') return 'a JSON number';
  if (typeof value === 'boolean') return `JSON ${String(value)}`;
  return `a JSON ${typeof value}`;
}

function rawText(text: string): string {
  const cut = text.length > RAW_KEPT_CHARS ? text.slice(0, RAW_KEPT_CHARS) : text;
  return cut.endsWith('\r') ? cut.slice(0, -1) : cut;
}

/** At most this many distinct keys are remembered, so adversarial keys cannot exhaust memory. */
const KEY_CACHE_MAX = 10_000;
/** At most this many unknown keys are listed in the batch report. */
export const UNKNOWN_KEYS_MAX = 1000;

/**
 * Maps NDJSON keys onto fields by the header rules, remembering each key's meaning
 * (every line repeats the same keys) and collecting unknown keys once for the report.
 */
export class NdjsonKeyMap {
  private readonly cache = new Map<string, FieldName | null>();
  private readonly unknownSeen = new Set<string>();

  /** @param unknownKeys receives each unknown key once, in first-seen order. */
  constructor(private readonly unknownKeys: string[]) {}

  /** The record's values keyed by field; when two keys map to one field the first wins. */
  valuesOf(object: Record<string, unknown>): Partial<Record<FieldName, unknown>> {
    // Fixed shape (all fields present, undefined until set) keeps validateRecord's
    // property reads monomorphic. JSON has no undefined, so undefined means "not yet set".
    const values: Record<FieldName, unknown> = {
      occurred_at: undefined,
      request_id: undefined,
      account_id: undefined,
      account_name: undefined,
      caller_region: undefined,
      serving_region: undefined,
      provider: undefined,
      channel: undefined,
      decision: undefined,
      reason: undefined,
      policy_version: undefined,
      model: undefined,
    };
    for (const key in object) {
      const field = this.fieldFor(key);
      if (field !== null && values[field] === undefined) {
        // A null value leaves the field open to a later alias; it reads as absent either way.
        values[field] = object[key];
      } else {
        this.noteUnknown(key);
      }
    }
    return values;
  }

  private fieldFor(key: string): FieldName | null {
    let field = this.cache.get(key);
    if (field === undefined) {
      field = fieldForName(key);
      if (this.cache.size < KEY_CACHE_MAX) this.cache.set(key, field);
    }
    return field;
  }

  private noteUnknown(key: string): void {
    if (this.unknownSeen.has(key) || this.unknownSeen.size >= UNKNOWN_KEYS_MAX) return;
    this.unknownSeen.add(key);
    this.unknownKeys.push(key);
  }
}
