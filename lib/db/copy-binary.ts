import type pg from 'pg';

import { CopyIn } from './copy-in';

// COPY ... FROM STDIN (FORMAT binary), for the vector tables, whose rows are mostly bytes:
// text COPY would carry them as hex, twice the size, and a 1M-row batch over 90 days spent
// ~1.3 s making and parsing it.

/** 2000-01-01, PostgreSQL's day 0, in days since 1970-01-01. */
export const PG_EPOCH_DAY = 10_957;

/** A field of a binary COPY tuple, as its column's type sends it. */
export type BinaryField =
  | { date: number } // days since 1970-01-01
  | { hour: number } // a timestamptz at a whole UTC hour, in hours since 1970-01-01
  | { int4: number }
  | { text: string }
  | { bytes: Uint8Array };

function fieldBytes(f: BinaryField): Buffer {
  if ('bytes' in f) return Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
  if ('text' in f) return Buffer.from(f.text, 'utf8');
  if ('hour' in f) {
    const out = Buffer.allocUnsafe(8);
    // Microseconds since 2000-01-01.
    out.writeBigInt64BE(BigInt(f.hour * 3600 - PG_EPOCH_DAY * 86_400) * 1_000_000n);
    return out;
  }
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE('date' in f ? f.date - PG_EPOCH_DAY : f.int4);
  return out;
}

/** One row as a binary COPY tuple: the field count, then each field's length and bytes. */
export function binaryTuple(fields: BinaryField[]): Buffer {
  const values = fields.map(fieldBytes);
  const out = Buffer.allocUnsafe(2 + values.reduce((n, v) => n + 4 + v.length, 0));
  let o = out.writeInt16BE(values.length, 0);
  for (const v of values) {
    o = out.writeInt32BE(v.length, o);
    o += v.copy(out, o);
  }
  return out;
}

/** Sends tuples (binaryTuple) through `sql`, a COPY ... FROM STDIN (FORMAT binary). */
export async function copyBinary(client: pg.PoolClient, sql: string, tuples: Iterable<Buffer>): Promise<void> {
  const copy = new CopyIn(client, sql);
  try {
    // Signature, flags, header extension length.
    await copy.write(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]));
    // Pieces of ~256 KB: a write per tuple waits for the socket each time.
    let piece: Buffer[] = [];
    let bytes = 0;
    for (const t of tuples) {
      piece.push(t);
      bytes += t.length;
      if (bytes >= 256 * 1024) {
        await copy.write(Buffer.concat(piece));
        piece = [];
        bytes = 0;
      }
    }
    piece.push(Buffer.from([0xff, 0xff]));
    await copy.write(Buffer.concat(piece));
    await copy.end();
  } catch (error) {
    await copy.abort();
    throw error;
  }
}
