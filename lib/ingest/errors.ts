/**
 * Why a whole file is refused (spec, "Whole files"). The codes are stable so that the
 * HTTP layer and the UI can map them in one place; the message is for people.
 */
export type FileRefusedCode =
  | 'empty' // zero bytes, or only whitespace / a BOM
  | 'unsupported_format' // binary data, a JSON array, UTF-16, neither CSV nor NDJSON
  | 'format_mismatch' // the name or content type says one format, the content is the other
  | 'corrupt_gzip' // gzip that cannot be decompressed (possibly found mid-stream)
  | 'decompression_bomb' // gzip that inflates far beyond any log file's ratio
  | 'missing_columns' // the CSV header lacks required columns
  | 'malformed_header'; // the CSV header row itself cannot be parsed

export class FileRefusedError extends Error {
  override readonly name = 'FileRefusedError';

  constructor(
    readonly code: FileRefusedCode,
    message: string,
    /** For `missing_columns`: the required fields the header lacks, in spec order. */
    readonly missingColumns: readonly string[] = [],
  ) {
    super(message);
  }
}
