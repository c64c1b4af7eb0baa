/*
 * Which format a file claims to be (spec: "taken from the file name or content type and
 * confirmed by the content"), and the content checks that confirm or refute it.
 */
export type FileFormat = 'csv' | 'ndjson';

export interface FileHints {
  /** The uploaded file's name, e.g. `decisions.csv.gz`; a browser path prefix is harmless. */
  filename?: string;
  /** The Content-Type sent with the file; parameters such as `; charset=utf-8` are ignored. */
  contentType?: string;
  /** The Content-Encoding sent with the file, e.g. `gzip`. */
  contentEncoding?: string;
}

const NAME_FORMAT = /\.(csv|ndjson|jsonl)(?:\.gz|\.gzip)?$/i;
const GZIP_NAME = /\.(?:gz|gzip)$/i;

// Types browsers and clients actually send. `application/json` and `text/plain` say
// nothing either way and fall through to sniffing; so does `application/vnd.ms-excel`,
// which Windows sends for .csv files but also means real (binary) Excel files.
const TYPE_FORMAT: Readonly<Record<string, FileFormat>> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/x-csv': 'csv',
  'application/x-csv': 'csv',
  'text/comma-separated-values': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'text/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonl': 'ndjson',
  'application/jsonlines': 'ndjson',
  'application/x-jsonlines': 'ndjson',
};

const GZIP_TYPES: ReadonlySet<string> = new Set(['application/gzip', 'application/x-gzip']);
const GZIP_ENCODINGS: ReadonlySet<string> = new Set(['gzip', 'x-gzip']);

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The format the name, else the content type, declares; null when neither says. */
export function declaredFormat(hints: FileHints): FileFormat | null {
  const byName = NAME_FORMAT.exec(hints.filename ?? '')?.[1]?.toLowerCase();
  if (byName !== undefined) return byName === 'csv' ? 'csv' : 'ndjson';
  return TYPE_FORMAT[mediaType(hints.contentType)] ?? null;
}

/** Whether the hints say gzip. The magic bytes decide in the end; this only sharpens messages. */
export function gzipDeclared(hints: FileHints): boolean {
  return (
    GZIP_NAME.test(hints.filename ?? '') ||
    GZIP_TYPES.has(mediaType(hints.contentType)) ||
    GZIP_ENCODINGS.has((hints.contentEncoding ?? '').trim().toLowerCase())
  );
}

/** What the first non-blank character says the content is. */
export type ContentKind = 'ndjson' | 'json_array' | 'other';

export function contentKind(firstCharacter: string): ContentKind {
  if (firstCharacter === '{') return 'ndjson';
  if (firstCharacter === '[') return 'json_array';
  return 'other';
}

/**
 * Whether decoded text is really binary data. Control characters other than tab, line
 * ends and form feed, and U+FFFD (what invalid UTF-8 decodes to), are rare in text; a
 * file whose sample is more than 10% of them is binary (an image, a zip, an .xlsx...),
 * while a text file with a stray NUL or a few bad bytes gets row-level rejections.
 */
export function looksBinary(sample: string): boolean {
  if (sample.length === 0) return false;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 127 || c === 0xfffd) odd++;
  }
  return odd / sample.length > 0.1;
}
