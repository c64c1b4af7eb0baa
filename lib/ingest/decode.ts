/*
 * Raw bytes -> decoded text, pulled chunk by chunk so a multi-gigabyte upload is never
 * read far ahead of the parser: gzip is recognised by its magic bytes (whatever the name
 * says) and inflated as a stream, and UTF-8 is decoded chunk-safely with any BOM removed.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FileRefusedError } from './errors';

export interface TextSource {
  /** Whether the bytes were gzip (decided from the magic bytes 1f 8b). */
  readonly compressed: boolean;
  /** The next piece of text, or null at the end. Throws FileRefusedError('corrupt_gzip') mid-stream. */
  read(): Promise<string | null>;
  /** Raw (possibly compressed) bytes taken from the input so far. */
  bytesRead(): number;
  /** Stops reading and releases the input. */
  close(): Promise<void>;
}

/** Anything that yields the file's bytes: a Node Readable, or an async iterable in tests. */
export type ByteInput = AsyncIterable<Uint8Array | string>;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const CHUNK_BYTES = 64 * 1024;
const TEXT_PIECE_CHARS = 64 * 1024;

export async function openTextSource(input: ByteInput): Promise<TextSource> {
  const iterator = input[Symbol.asyncIterator]();
  let bytes = 0;
  let inputDone = false;
  const releaseInput = async (): Promise<void> => {
    if (inputDone) return;
    inputDone = true;
    await iterator.return?.();
  };

  const nextRaw = async (): Promise<Buffer | null> => {
    if (inputDone) return null;
    const step = await iterator.next();
    if (step.done === true) {
      inputDone = true;
      return null;
    }
    const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : toBuffer(step.value);
    bytes += chunk.length;
    return chunk;
  };

  // Peek at the first bytes for the gzip magic; a 1-byte first chunk must not hide it.
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < 2) {
    const chunk = await nextRaw();
    if (chunk === null) break;
    head.push(chunk);
    headLength += chunk.length;
  }
  if (headLength === 0) throw new FileRefusedError('empty', 'The file is empty (0 bytes).');
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  const compressed = first.length >= 2 && first[0] === GZIP_MAGIC_0 && first[1] === GZIP_MAGIC_1;

  async function* rawChunks(): AsyncGenerator<Buffer> {
    try {
      yield first;
      for (let chunk = await nextRaw(); chunk !== null; chunk = await nextRaw()) yield chunk;
    } finally {
      // Ending early (a refusal, a cancelled ingest) must release the input stream.
      await releaseInput();
    }
  }

  const text = decodeUtf8(compressed ? gunzip(rawChunks(), () => bytes) : rawChunks());
  return {
    compressed,
    async read() {
      const step = await text.next();
      return step.done === true ? null : step.value;
    },
    bytesRead: () => bytes,
    async close() {
      await text.return(undefined);
      // If reading never started, the generators above never ran their cleanup.
      await releaseInput();
    },
  };
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Inflates gzip (several concatenated members are fine) with backpressure: `pipe` only
 * pulls more compressed bytes when the inflated side has been read.
 */
/**
 * Inflated bytes allowed per compressed byte, once past BOMB_FLOOR_BYTES. Log files gzip
 * 5-20x (repetitive ones up to ~50x); a gzip bomb runs at deflate's limit of ~1000x (1 KB of
 * zeros per MB; nested members and archives more), and would
 * otherwise keep the server inflating for minutes under any upload limit on the compressed size.
 */
export const MAX_INFLATE_RATIO = 200;
const BOMB_FLOOR_BYTES = 64 * 1024 * 1024;

async function* gunzip(source: AsyncGenerator<Buffer>, compressedBytes: () => number): AsyncGenerator<Buffer> {
  let sourceError: unknown;
  const feed = Readable.from(source, { objectMode: false, highWaterMark: CHUNK_BYTES });
  const inflate = createGunzip({ chunkSize: CHUNK_BYTES });
  feed.on('error', (error) => {
    sourceError = error;
    inflate.destroy(error);
  });
  feed.pipe(inflate);
  let inflated = 0;
  try {
    for await (const chunk of inflate) {
      inflated += (chunk as Buffer).length;
      if (inflated > BOMB_FLOOR_BYTES && inflated > MAX_INFLATE_RATIO * compressedBytes()) {
        throw new FileRefusedError('decompression_bomb',
          `The file inflates more than ${MAX_INFLATE_RATIO} times its compressed size (${inflated.toLocaleString('en')} bytes from ${compressedBytes().toLocaleString('en')}): refused as a decompression bomb.`);
      }
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error instanceof FileRefusedError) throw error;
    // A failing input (a dropped upload) is not a corrupt file: pass it on unchanged.
    if (sourceError !== undefined) throw sourceError;
    const detail = error instanceof Error ? error.message : String(error);
    throw new FileRefusedError(
      'corrupt_gzip',
      `The file could not be decompressed: its gzip data is corrupt or truncated (${detail}).`,
    );
  } finally {
    feed.destroy();
    inflate.destroy();
  }
}

/**
 * UTF-8 -> string; multi-byte characters split across chunks are joined, a leading BOM
 * dropped. Small chunks are gathered into pieces of at least TEXT_PIECE_CHARS: the
 * parsers rescan an unfinished record on every piece, so a long record arriving in tiny
 * chunks would otherwise cost time quadratic in its length.
 */
async function* decodeUtf8(chunks: AsyncGenerator<Buffer>): AsyncGenerator<string> {
  // Invalid bytes become U+FFFD, which validation reports per row rather than failing the file.
  const decoder = new TextDecoder('utf-8');
  let first = true;
  let pending: string[] = [];
  let pendingLength = 0;
  for await (const chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      refuseUtf16(chunk);
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text.length === 0) continue;
    if (pendingLength === 0 && text.length >= TEXT_PIECE_CHARS) {
      yield text;
      continue;
    }
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= TEXT_PIECE_CHARS) {
      yield pending.join('');
      pending = [];
      pendingLength = 0;
    }
  }
  pending.push(decoder.decode());
  const rest = pending.join('');
  if (rest.length > 0) yield rest;
}

function refuseUtf16(start: Buffer): void {
  if (start.length < 2) return;
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    throw new FileRefusedError(
      'unsupported_format',
      'The file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8.',
    );
  }
}
