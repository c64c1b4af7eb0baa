/*
 * Property-based tests: random and adversarial input never crashes the reader (only
 * FileRefusedError may be thrown), every non-blank record yields exactly one outcome on
 * the line it starts on, and any valid row written as CSV or NDJSON reads back unchanged.
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIELD_NAMES, type FieldName } from '../../../lib/ingest/fields';
import type { RecordOutcome } from '../../../lib/ingest/read-decisions';
import { CALLER_REGIONS } from '../../../lib/ingest/regions';
import { formatIso } from '../../../lib/ingest/time';
import { DECISION_ALIASES, type DecisionRow } from '../../../lib/ingest/validate';
import { HEADER, readAll } from './helpers';

const RUNS = { numRuns: 200 };

async function readOrRefuse(content: string | Buffer, hints: object, chunkSize: number): Promise<RecordOutcome[] | 'refused'> {
  try {
    return (await readAll(content, hints, chunkSize)).outcomes;
  } catch (error) {
    if ((error as Error).name === 'FileRefusedError') return 'refused';
    throw error;
  }
}

function expectOrderedLines(outcomes: RecordOutcome[], physicalLines: number): void {
  for (let i = 0; i < outcomes.length; i++) {
    const line = outcomes[i]!.line;
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(physicalLines);
    if (i > 0) expect(line).toBeGreaterThan(outcomes[i - 1]!.line);
  }
}

const physicalLineCount = (text: string) => text.split('\n').length;

// Characters that stress CSV and NDJSON: delimiters, quotes, line ends, BOM, NUL,
// multi-byte and astral characters, braces and brackets.
const nastyChar = fc.constantFrom(
  'a', 'Z', '0', ' ', '\t', ',', '"', "'", '\n', '\r', '\r\n', '{', '}', '[', ']', ':', '\\',
  '\uFEFF', '\0', '\u2028', 'é', '漢', '😀', '\uFFFD', 'ı',
);
const nastyString = (maxLength: number) => fc.array(nastyChar, { maxLength }).map((cs) => cs.join(''));
// The same without NUL and U+FFFD: enough of those make a small file look binary, and
// refusing it would be right, but the counting properties below need files that are read.
const textString = (maxLength: number) =>
  nastyString(maxLength).map((s) => s.replaceAll('\0', '0').replaceAll('\uFFFD', '?'));

describe('adversarial input never crashes', () => {
  it('random text after a valid CSV header', async () => {
    await fc.assert(
      fc.asyncProperty(nastyString(300), fc.integer({ min: 1, max: 64 }), async (body, chunkSize) => {
        const text = `${HEADER}\n${body}`;
        const outcomes = await readOrRefuse(text, { filename: 'a.csv' }, chunkSize);
        expect(outcomes).not.toBe('refused');
        expectOrderedLines(outcomes as RecordOutcome[], physicalLineCount(text));
      }),
      RUNS,
    );
  });

  it('random text with any or no hints', async () => {
    const hints = fc.constantFrom({}, { filename: 'a.csv' }, { filename: 'a.ndjson' }, { contentType: 'text/csv' }, { filename: 'a.csv.gz' });
    await fc.assert(
      fc.asyncProperty(nastyString(200), hints, fc.integer({ min: 1, max: 32 }), async (text, h, chunkSize) => {
        const outcomes = await readOrRefuse(text, h, chunkSize);
        if (outcomes !== 'refused') expectOrderedLines(outcomes, physicalLineCount(text.replace(/^\uFEFF/, '')));
      }),
      RUNS,
    );
  });

  it('random bytes, raw or gzipped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.boolean(), fc.integer({ min: 1, max: 50 }), async (bytes, gzip, chunkSize) => {
        const content = gzip ? gzipSync(bytes) : Buffer.from(bytes);
        await readOrRefuse(content, {}, chunkSize);
      }),
      RUNS,
    );
  });

  it('truncated gzip is refused or read, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(nastyString(200), fc.nat(), async (body, cut) => {
        const gz = gzipSync(`${HEADER}\n${body}`);
        await readOrRefuse(gz.subarray(0, cut % (gz.length + 1)), { filename: 'a.csv.gz' }, 7);
      }),
      RUNS,
    );
  });
});

describe('every non-blank record yields exactly one outcome, on its first line', () => {
  // A CSV record as written, with the number of physical lines it spans.
  const unquotedField = fc.array(fc.constantFrom('a', 'b', '1', ' ', '\t', 'é', '😀', '\r', '{'), { maxLength: 8 }).map((cs) => cs.join(''));
  const quotedField = textString(10).map((s) => `"${s.replaceAll('"', '""')}"`);
  const goodRecord = fc
    .array(fc.oneof(unquotedField, quotedField), { minLength: 1, maxLength: 14 })
    .map((fields) => fields.join(','))
    // A record whose text is only whitespace is a blank line, not a record.
    .filter((text) => text.trim() !== '' && !text.endsWith('\r'));
  // Broken records that stay on one line: a stray quote, or text after a closing quote.
  const brokenRecord = fc.constantFrom('ab"c,d', '"a"b,c', 'x,y"', '"q" z', 'é"😀');
  const blankLine = fc.constantFrom('', ' ', '\t', '  \t ');

  it('for CSV, with LF or CRLF, blank lines, wrong field counts and broken quoting', async () => {
    const item = fc.oneof(
      { arbitrary: goodRecord.map((text) => ({ text, record: true })), weight: 6 },
      { arbitrary: brokenRecord.map((text) => ({ text, record: true })), weight: 1 },
      { arbitrary: blankLine.map((text) => ({ text, record: false })), weight: 2 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.integer({ min: 1, max: 40 }), async (items, eol, finalEol, chunkSize) => {
        let text = HEADER + eol;
        let line = 2;
        const expectedLines: number[] = [];
        for (const [i, it] of items.entries()) {
          if (it.record) expectedLines.push(line);
          text += it.text + (i < items.length - 1 || finalEol ? eol : '');
          line += it.text.split('\n').length - 1 + 1;
        }
        const { outcomes } = await readAll(text, { filename: 'a.csv' }, chunkSize);
        expect(outcomes.map((o) => o.line)).toEqual(expectedLines);
      }),
      RUNS,
    );
  });

  it('for NDJSON, with any JSON values and broken lines', async () => {
    const jsonLine = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.dictionary(fc.constantFrom('id', 'ts', 'region', 'Decision', 'x', 'request-id'), fc.jsonValue()).map((o) => JSON.stringify(o)),
      textString(20).filter((s) => !s.includes('\n') && s.trim() !== ''),
    );
    const item = fc.oneof(
      { arbitrary: jsonLine.map((text) => ({ text, record: true })), weight: 5 },
      { arbitrary: fc.constantFrom('', '  ', '\t').map((text) => ({ text, record: false })), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 25 }), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 1, max: 40 }), async (items, eol, chunkSize) => {
        // Only the first non-blank line decides the format; make it an object.
        const lines = [{ text: '{"id":"first"}', record: true }, ...items];
        const text = lines.map((l) => l.text).join(eol);
        const expected = lines.flatMap((l, i) => (l.record && l.text.trim() !== '' ? [i + 1] : []));
        const { outcomes } = await readAll(text, { filename: 'a.ndjson' }, chunkSize);
        expect(outcomes.map((o) => o.line)).toEqual(expected);
      }),
      RUNS,
    );
  });
});

describe('valid rows round-trip through CSV and NDJSON', () => {
  // Text a valid row may hold: trimmed, non-empty, no NUL, no U+FFFD (read as a decoding
  // error), any other code point including quotes, commas and line breaks inside.
  const text = (maxLength: number) =>
    fc
      .string({ unit: fc.oneof(fc.constantFrom(',', '"', '\n', '\r\n', ' ', '{', 'é', '😀'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength })
      .map((s) => s.trim())
      .filter((s) => s.length > 0 && !/[\0\uFFFD]/.test(s) && [...s].length <= maxLength);
  const slug = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,63}$/);
  const MIN = Date.UTC(2000, 0, 1) * 1000;
  const MAX = Date.UTC(2100, 0, 1) * 1000;

  const rowArbitrary = fc.record(
    {
      micros: fc.integer({ min: MIN, max: MAX }),
      requestId: text(128),
      accountId: text(128),
      accountName: text(256),
      callerRegion: fc.constantFrom(...CALLER_REGIONS),
      servingRegion: text(64),
      provider: slug,
      channel: slug,
      decisionWord: fc.constantFrom(...Object.keys(DECISION_ALIASES)),
      reason: text(128),
      policyVersion: text(64),
      model: text(128),
    },
    { requiredKeys: ['micros', 'requestId', 'accountId', 'callerRegion', 'provider', 'channel', 'decisionWord'] },
  );
  type Generated = typeof rowArbitrary extends fc.Arbitrary<infer T> ? T : never;

  function expectedRow(g: Generated): DecisionRow {
    const ms = Math.floor(g.micros / 1000);
    return {
      occurredAt: formatIso(ms, g.micros - ms * 1000),
      requestId: g.requestId,
      accountId: g.accountId,
      accountName: g.accountName,
      callerRegion: g.callerRegion,
      servingRegion: g.servingRegion,
      provider: g.provider,
      channel: g.channel,
      decision: DECISION_ALIASES[g.decisionWord]!,
      reason: g.reason,
      policyVersion: g.policyVersion,
      model: g.model,
    };
  }

  // The time in one of the accepted spellings (chosen by `style`), same instant.
  function writeTime(micros: number, style: number, offsetMinutes: number): string {
    const ms = Math.floor(micros / 1000);
    const sub = micros - ms * 1000;
    if (style === 0 && sub === 0 && ms % 1000 === 0) return String(ms / 1000).padStart(10, '0');
    if (style === 1 && sub === 0) return String(ms).padStart(13, '0');
    const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23) + String(sub).padStart(3, '0');
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    if (offsetMinutes === 0) return style % 2 === 0 ? `${local}Z` : `${local.replace('T', ' ')}`;
    return `${style % 2 === 0 ? local : local.replace('T', ' ')}${offset}`;
  }

  function values(g: Generated, time: string, decisionCase: (s: string) => string): Record<FieldName, string | undefined> {
    return {
      occurred_at: time,
      request_id: g.requestId,
      account_id: g.accountId,
      account_name: g.accountName,
      caller_region: g.callerRegion.toLowerCase(),
      serving_region: g.servingRegion,
      provider: g.provider.toUpperCase(),
      channel: g.channel,
      decision: decisionCase(g.decisionWord),
      reason: g.reason,
      policy_version: g.policyVersion,
      model: g.model,
    };
  }

  const csvCell = (value: string | undefined, forceQuote: boolean) =>
    value === undefined ? '' : forceQuote || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

  it('CSV (shuffled columns, random quoting, LF or CRLF, optional BOM and gzip)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(rowArbitrary, fc.nat(3), fc.integer({ min: -720, max: 840 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.shuffledSubarray([...FIELD_NAMES], { minLength: 12, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 200 }),
        async (rows, columns, eol, bom, gzip, chunkSize) => {
          const lines = [columns.join(',')];
          for (const [g, style, offset, quoteAll] of rows) {
            const v = values(g, writeTime(g.micros, style, offset), (s) => s.toUpperCase());
            lines.push(columns.map((c) => csvCell(v[c], quoteAll)).join(','));
          }
          const text = (bom ? '\uFEFF' : '') + lines.join(eol) + eol;
          const content = gzip ? gzipSync(text) : text;
          const { outcomes } = await readAll(content, { filename: 'rows.csv' }, chunkSize);
          expect(outcomes.map((o) => (o.ok ? o.row : o.error))).toEqual(rows.map(([g]) => expectedRow(g)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('NDJSON (random key order, numbers for times where exact)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(rowArbitrary, fc.nat(3), fc.integer({ min: -720, max: 840 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 200 }),
        async (rows, eol, chunkSize) => {
          const lines = rows.map(([g, style, offset, asNumber]) => {
            const time = writeTime(g.micros, style, offset);
            const v: Record<string, unknown> = values(g, time, (s) => s);
            // JSON numbers lose leading zeros, so only times without one are written as numbers.
            if (asNumber && /^[1-9]\d*$/.test(time)) v.occurred_at = Number(time);
            for (const key of Object.keys(v)) if (v[key] === undefined) v[key] = null;
            return JSON.stringify(v);
          });
          const { outcomes } = await readAll(lines.join(eol), { filename: 'rows.ndjson' }, chunkSize);
          expect(outcomes.map((o) => (o.ok ? o.row : o.error))).toEqual(rows.map(([g]) => expectedRow(g)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
