/*
 * Streaming RFC 4180 tokenizer: text in, records with the physical line they start on out.
 *
 * Hand-written instead of csv-parse (which was the first choice) because csv-parse 7
 * measured three ways short of what ingestion needs:
 *  - line numbers: `info.lines` counts CRLF inside a quoted field as two lines, so every
 *    record after such a field is reported one line too late per CRLF;
 *  - recovery: with `skip_records_with_error`, text after a closing quote (`"a"b,c`)
 *    leaves it in quoting state and the rest of the file is swallowed into one error,
 *    and a record over `max_record_size` silently drops the rest of the file;
 *  - speed: ~140k records/s with the options needed (`info`, `relax_column_count`, ...),
 *    below the 300k rows/s target before any validation.
 * This tokenizer splits quote-free lines with native `indexOf`/`split` (the common case)
 * and only walks character by character through lines that contain quotes.
 *
 * Rules beyond RFC 4180, chosen so one broken record costs one rejected row:
 *  - LF or CRLF end a record; a lone CR is ordinary data (the spec allows LF or CRLF).
 *  - Spaces or tabs around a quoted field are ignored (values are trimmed anyway).
 *  - A quote inside an unquoted field, or text after a closing quote, makes the record
 *    malformed; parsing resumes after the end of that physical line.
 *  - A quoted field that never closes (or is still open after MAX_RECORD_CHARS) makes the
 *    record malformed; parsing resumes on the line after the one where the quote opened.
 *  - A record longer than MAX_RECORD_CHARS is malformed; the rest of its line is skipped
 *    without being held in memory.
 *  - A line holding only whitespace is blank: not a record, but it counts as a line.
 */

import { formatSize } from './messages';

/** Longest record kept in memory, in UTF-16 code units (1 MiB for ASCII text). */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** How much of a malformed record's text is kept for the rejected-rows report. */
const RAW_KEPT_CHARS = 64 * 1024;

export type CsvRecord =
  | { line: number; fields: string[]; error?: undefined; raw?: undefined }
  | { line: number; fields?: undefined; error: string; raw: string };

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;
/** A cached position not yet looked up (any position below the scan point is stale). */
const UNKNOWN = -2;

/** A record parsed by the slow path; `skip` asks to discard text up to the next LF. */
interface Parsed {
  record: CsvRecord;
  next: number;
  skip: boolean;
}

export class CsvTokenizer {
  /** Unconsumed text: always starts at a record boundary (or inside a line being skipped). */
  private carry = '';
  /** Physical line number of the first character of `carry`. */
  private line: number;
  /** Discarding the rest of a line after an over-long or malformed record. */
  private skipping = false;

  constructor(
    firstLine = 1,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {
    this.line = firstLine;
  }

  /** Feeds decoded text; complete records are appended to `out`. */
  push(text: string, out: CsvRecord[]): void {
    this.carry = this.run(this.carry + text, false, out);
  }

  /** Ends the input; the last record (with or without a final line end) goes to `out`. */
  end(out: CsvRecord[]): void {
    this.carry = this.run(this.carry, true, out);
  }

  private run(buf: string, eof: boolean, out: CsvRecord[]): string {
    const len = buf.length;
    const max = this.maxRecordChars;
    let pos = 0;
    this.nextComma = this.nextQuote = UNKNOWN;
    while (pos < len) {
      if (this.skipping) {
        const lf = buf.indexOf('\n', pos);
        if (lf === -1) return '';
        this.skipping = false;
        this.line++;
        pos = lf + 1;
        continue;
      }
      const quoteAt = this.findQuote(buf, pos);
      const lf = buf.indexOf('\n', pos);
      const lineEnd = lf === -1 ? len : lf;

      if (quoteAt === -1 || quoteAt >= lineEnd) {
        // Fast path: a physical line without quotes is exactly one record (or blank).
        if (lineEnd - pos > max) {
          out.push(this.tooLong(buf, pos));
          if (lf === -1) {
            this.skipping = !eof;
            return '';
          }
          this.line++;
          pos = lf + 1;
          continue;
        }
        if (lf === -1 && !eof) break;
        let end = lineEnd;
        if (end > pos && buf.charCodeAt(end - 1) === CR) end--;
        const text = buf.slice(pos, end);
        if (!isBlank(text)) out.push({ line: this.line, fields: text.split(',') });
        if (lf === -1) return '';
        this.line++;
        pos = lf + 1;
        continue;
      }

      const parsed = this.parseQuotedRecord(buf, pos, eof);
      if (parsed === null) break;
      out.push(parsed.record);
      this.line += countLineFeeds(buf, pos, parsed.next);
      this.skipping = parsed.skip;
      pos = parsed.next;
    }
    return pos >= len ? '' : buf.slice(pos);
  }

  // Positions of the next comma / quote at or after the scan point, -1 for none left.
  // They only move forward within one run, so each costs one pass over the text, however
  // many records the text holds.
  private nextComma = UNKNOWN;
  private nextQuote = UNKNOWN;

  private findComma(buf: string, from: number): number {
    if (this.nextComma !== -1 && this.nextComma < from) this.nextComma = buf.indexOf(',', from);
    return this.nextComma;
  }

  private findQuote(buf: string, from: number): number {
    if (this.nextQuote !== -1 && this.nextQuote < from) this.nextQuote = buf.indexOf('"', from);
    return this.nextQuote;
  }

  /**
   * The slow path: one record starting at `start` whose first line holds a quote.
   * Returns null when the record may continue beyond the text seen so far.
   * It never looks further than `maxRecordChars` past `start`, so the outcome does not
   * depend on how the input happened to be split into chunks.
   */
  private parseQuotedRecord(buf: string, start: number, eof: boolean): Parsed | null {
    const limit = Math.min(buf.length, start + this.maxRecordChars + 1);
    const atEnd = eof && limit === buf.length;
    const fields: string[] = [];
    let i = start;
    for (;;) {
      let j = i;
      while (j < limit && isSpaceOrTab(buf.charCodeAt(j))) j++;

      if (j < limit && buf.charCodeAt(j) === QUOTE) {
        // Quoted field: `""` is a literal quote; anything may appear inside.
        let value = '';
        let k = j + 1;
        for (;;) {
          const q = this.findQuote(buf, k);
          if (q === -1 || q >= limit) return this.outOfText(buf, start, limit, atEnd, j);
          if (q + 1 >= limit && !atEnd) return this.outOfText(buf, start, limit, atEnd, j);
          if (q + 1 < limit && buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(k, q + 1);
            k = q + 2;
            continue;
          }
          value += buf.slice(k, q);
          k = q + 1;
          break;
        }
        let m = k;
        while (m < limit && isSpaceOrTab(buf.charCodeAt(m))) m++;
        if (m >= limit) {
          if (!atEnd) return this.outOfText(buf, start, limit, atEnd, -1);
          fields.push(value);
          return this.done(fields, limit);
        }
        const c = buf.charCodeAt(m);
        if (c === COMMA) {
          fields.push(value);
          i = m + 1;
          continue;
        }
        if (c === LF) {
          fields.push(value);
          return this.done(fields, m + 1);
        }
        if (c === CR) {
          if (m + 1 < limit && buf.charCodeAt(m + 1) === LF) {
            fields.push(value);
            return this.done(fields, m + 2);
          }
          if (m + 1 >= limit) {
            if (!atEnd) return this.outOfText(buf, start, limit, atEnd, -1);
            fields.push(value);
            return this.done(fields, limit);
          }
        }
        return this.malformed(
          buf,
          start,
          m,
          eof,
          'is not valid CSV: text follows a closing quote (a quote inside a field must be doubled, as "")',
        );
      }

      // Unquoted field: runs to the next comma or line end and must not contain a quote.
      const comma = this.findComma(buf, i);
      const lf = buf.indexOf('\n', i);
      const quote = this.findQuote(buf, i);
      let k = comma === -1 || (lf !== -1 && lf < comma) ? lf : comma;
      if (quote !== -1 && (k === -1 || quote < k)) k = quote;
      if (k === -1 || k >= limit) {
        if (!atEnd) return this.outOfText(buf, start, limit, atEnd, -1);
        fields.push(stripFinalCr(buf.slice(i, limit)));
        return this.done(fields, limit);
      }
      if (k === comma) {
        fields.push(buf.slice(i, k));
        i = k + 1;
        continue;
      }
      if (k === lf) {
        fields.push(stripFinalCr(buf.slice(i, k)));
        return this.done(fields, k + 1);
      }
      return this.malformed(
        buf,
        start,
        k,
        eof,
        'is not valid CSV: a quote appears inside an unquoted field (a field holding quotes must be ' +
          'wrapped in quotes, with each inner quote doubled)',
      );
    }
  }

  private done(fields: string[], next: number): Parsed {
    return { record: { line: this.line, fields }, next, skip: false };
  }

  /**
   * The record ran past the text available up to `limit`. `quoteStart` is the position of
   * the still-open quote, or -1 when the record was between fields.
   */
  private outOfText(buf: string, start: number, limit: number, atEnd: boolean, quoteStart: number): Parsed | null {
    const capped = limit < buf.length || (atEnd === false && limit - start > this.maxRecordChars);
    if (!atEnd && !capped) return null; // wait for more text
    if (quoteStart === -1) {
      // Over the size limit outside any quote: skip to the end of the current line.
      return { ...this.resumeAfterLine(buf, limit - 1, !atEnd), record: this.tooLong(buf, start) };
    }
    const quoteLine = this.line + countLineFeeds(buf, start, quoteStart);
    const error = atEnd
      ? `is not valid CSV: the quoted field opened on line ${quoteLine} is never closed`
      : `is not valid CSV: the quoted field opened on line ${quoteLine} is still open after ` +
        `${formatSize(this.maxRecordChars)} (a missing closing quote?)`;
    // Resume on the line after the opening quote, so the rows that follow still count.
    const resume = this.resumeAfterLine(buf, quoteStart, !atEnd);
    return { ...resume, record: { line: this.line, error, raw: this.rawText(buf, start, resume.next) } };
  }

  private malformed(buf: string, start: number, at: number, eof: boolean, error: string): Parsed | null {
    // Wait for the end of the line (up to the size limit) so the reported text does not
    // depend on where the input happened to be split.
    if (!eof && buf.indexOf('\n', at) === -1 && buf.length - start <= this.maxRecordChars) return null;
    const resume = this.resumeAfterLine(buf, at, !eof);
    return { ...resume, record: { line: this.line, error, raw: this.rawText(buf, start, resume.next) } };
  }

  /** Where parsing resumes: after the first LF at or after `from`, or skipping if none is in sight. */
  private resumeAfterLine(buf: string, from: number, moreToCome: boolean): { next: number; skip: boolean } {
    const lf = buf.indexOf('\n', from);
    if (lf !== -1) return { next: lf + 1, skip: false };
    return { next: buf.length, skip: moreToCome };
  }

  private tooLong(buf: string, start: number): CsvRecord {
    return {
      line: this.line,
      error: `is longer than ${formatSize(this.maxRecordChars)}, the most a record may hold`,
      raw: this.rawText(buf, start, buf.length),
    };
  }

  /**
   * The record's text for the report, without its line end. It never reaches past the
   * size limit, so it is the same however the input was split into chunks.
   */
  private rawText(buf: string, start: number, end: number): string {
    const stop = Math.min(end, start + this.maxRecordChars + 1, start + RAW_KEPT_CHARS);
    return buf.slice(start, stop).replace(/\r?\n$/, '');
  }
}

function isSpaceOrTab(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Most lines start with a visible ASCII character and cannot be blank: no trim needed.
  if (first > SPACE && first < 127) return false;
  return text.trim().length === 0;
}

function stripFinalCr(text: string): string {
  return text.length > 0 && text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
}

function countLineFeeds(buf: string, from: number, to: number): number {
  let count = 0;
  let at = buf.indexOf('\n', from);
  while (at !== -1 && at < to) {
    count++;
    at = buf.indexOf('\n', at + 1);
  }
  return count;
}
