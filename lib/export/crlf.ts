// PostgreSQL's COPY ... CSV ends records with LF; RFC 4180 wants CRLF. This turns record
// ends into CRLF while leaving line breaks inside quoted values exactly as stored, tracking
// quote state across chunk boundaries ("" escapes toggle twice, so they need no special case).
// Two tight passes over the bytes (count, then copy into one buffer): this runs on every
// byte of the largest exports.

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CrlfRecordEnds {
  private inQuotes = false;

  transform(chunk: Buffer): Buffer {
    let inQuotes = this.inQuotes;
    let ends = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const b = chunk[i]!;
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) ends += 1;
    }
    if (ends === 0) {
      this.inQuotes = inQuotes;
      return chunk;
    }
    const out = Buffer.allocUnsafe(chunk.length + ends);
    inQuotes = this.inQuotes;
    let o = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const b = chunk[i]!;
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) out[o++] = CR;
      out[o++] = b;
    }
    this.inQuotes = inQuotes;
    return out;
  }
}
