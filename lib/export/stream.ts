import { createHash } from 'node:crypto';

import type pg from 'pg';
import Cursor from 'pg-cursor';
import { to as copyTo } from 'pg-copy-streams';

import type { Prisma } from '@/lib/generated/prisma/client';

import { toCopyQuery } from './copy-query';
import { CrlfRecordEnds } from './crlf';
import { csvRow, UTF8_BOM } from './csv';

// Streams a query's rows as CSV straight from PostgreSQL: a server-side cursor read in
// batches only when the HTTP client asks for more (backpressure), so memory stays flat
// for any size; the download starts with the first batch; a client that goes away closes
// the cursor and its connection, which ends the query.

const BATCH = 2000;
const COPY_CHUNK = 1024 * 1024;

export interface ExportResult {
  rows: number;
  bytes: number;
  sha256: string;
}

export interface CsvExport {
  body: ReadableStream<Uint8Array>;
  /** Settles when the last byte was handed over (or rejects when the export was cut short). */
  done: Promise<ExportResult>;
}

export type RowSource<Row> =
    | { kind: 'query'; sql: Prisma.Sql; setup?: Prisma.Sql[] }
  /** PostgreSQL writes the CSV rows itself (COPY ... TO STDOUT): for the large raw exports. */
  | { kind: 'copy'; sql: Prisma.Sql; setup?: Prisma.Sql[] }
  | { kind: 'rows'; rows: Row[] };

export function streamCsv<Row>(
  pool: pg.Pool,
  source: RowSource<Row>,
  header: readonly string[],
  toValues: (row: Row) => ReadonlyArray<string | number | boolean | null | undefined>,
  options: { bom?: boolean } = {},
): CsvExport {
  const encoder = new TextEncoder();
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  let settle!: { resolve: (r: ExportResult) => void; reject: (e: Error) => void };
  const done = new Promise<ExportResult>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // observed by the caller when it cares

  let client: pg.PoolClient | null = null;
  let cursor: Cursor<Row> | null = null;
  let copy: (AsyncIterator<Buffer> & { rowCount?: number }) | null = null;
  let copyStream: (NodeJS.ReadableStream & { rowCount: number; destroy(error?: Error): void }) | null = null;
  let headerSent = false;
  const crlf = new CrlfRecordEnds();
  let inline = source.kind === 'rows' ? source.rows : null;

  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    const chunk = encoder.encode(text);
    hash.update(chunk);
    bytes += chunk.byteLength;
    controller.enqueue(chunk);
  };
  const finish = async (error?: Error) => {
    // Cut short: stop the query in PostgreSQL now rather than when it next writes to a closed socket.
    const pid = (client as { processID?: number } | null)?.processID;
    if (error && pid) await pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    // Closing a cursor whose query failed waits forever for an answer; the connection is
    // destroyed below anyway.
    if (!error) await cursor?.close().catch(() => undefined);
    if (error) copyStream?.destroy();
    // A cut-short cursor leaves the connection mid-protocol: destroy it rather than reuse it.
    client?.release(error);
    client = null;
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!headerSent) {
          headerSent = true;
          emit(controller, (options.bom ? UTF8_BOM : '') + csvRow(header));
          if (source.kind !== 'rows') {
            client = await pool.connect();
            // The whole export reads one snapshot, however long the download takes.
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
            for (const statement of source.setup ?? []) await client.query(statement.text, statement.values as unknown[]);
            if (source.kind === 'query') {
              cursor = client.query(new Cursor<Row>(source.sql.text, source.sql.values as unknown[]));
            } else {
              const { setup, copy: copySql } = toCopyQuery(source.sql);
              for (const statement of setup) await client.query(statement.text, statement.values as unknown[]);
              copyStream = client.query(copyTo(copySql));
              copy = (copyStream as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
            }
          }
          return;
        }
        if (copy) {
          // COPY yields many small pieces; handing the response fewer, larger chunks halves
          // the per-chunk cost of the web stream between here and the socket.
          const pieces: Buffer[] = [];
          let size = 0;
          let next = await copy.next();
          while (!next.done) {
            pieces.push(next.value);
            size += next.value.byteLength;
            if (size >= COPY_CHUNK) break;
            next = await copy.next();
          }
          if (size > 0) {
            const chunk = crlf.transform(Buffer.concat(pieces, size));
            hash.update(chunk);
            bytes += chunk.byteLength;
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          }
          if (!next.done) return;
          rows = copyStream!.rowCount;
          copy = null;
          await client!.query('COMMIT');
          await finish();
          controller.close();
          settle.resolve({ rows, bytes, sha256: hash.digest('hex') });
          return;
        }
        let batch: Row[];
        if (inline) {
          batch = inline.slice(0, BATCH);
          inline = inline.slice(BATCH);
        } else {
          batch = await cursor!.read(BATCH);
        }
        if (batch.length === 0) {
          if (client) await client.query('COMMIT');
          await finish();
          controller.close();
          settle.resolve({ rows, bytes, sha256: hash.digest('hex') });
          return;
        }
        let text = '';
        for (const row of batch) text += csvRow(toValues(row));
        rows += batch.length;
        emit(controller, text);
      } catch (error) {
        await finish(error as Error);
        settle.reject(error as Error);
        controller.error(error);
      }
    },
    async cancel() {
      await finish(new Error('The client cancelled the export'));
      settle.reject(new Error('The client cancelled the export'));
    },
  }, { highWaterMark: 1 });
  return { body, done };
}
