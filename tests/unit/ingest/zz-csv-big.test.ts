import { parse as csvParseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer, type CsvRecord } from '../../../lib/ingest/parse-csv';

/** Tokenizes `text` fed in pieces split at `cuts` (positions), so chunk boundaries can be tested. */
function tokenize(text: string, cuts: number[] = [], maxRecordChars?: number): CsvRecord[] {
  const tokenizer = new CsvTokenizer(1, maxRecordChars);
  const out: CsvRecord[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    tokenizer.push(text.slice(from, cut), out);
    from = cut;
  }
  tokenizer.push(text.slice(from), out);
  tokenizer.end(out);
  return out;
}

const lines = (records: CsvRecord[]) => records.map((r) => r.line);
const fieldsOf = (records: CsvRecord[]) => records.map((r) => r.fields ?? `ERROR: ${r.error}`);

describe('CSV records', () => {
  it('splits fields on commas and records on LF or CRLF', () => {
    expect(fieldsOf(tokenize('a,b,c\n1,2,3\r\n4,5,6'))).toEqual([['a', 'b', 'c'], ['1', '2', '3'], ['4', '5', '6']]);
  });

  it('handles the last line with or without a line end', () => {
    expect(fieldsOf(tokenize('a,b\n1,2\n'))).toEqual([['a', 'b'], ['1', '2']]);
    expect(fieldsOf(tokenize('a,b\n1,2'))).toEqual([['a', 'b'], ['1', '2']]);
    expect(fieldsOf(tokenize('a,b\r\n1,2\r\n'))).toEqual([['a', 'b'], ['1', '2']]);
    expect(fieldsOf(tokenize('a,b\r\n"1",2\r'))).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields, including leading and trailing ones', () => {
    expect(fieldsOf(tokenize(',a,,b,\n'))).toEqual([['', 'a', '', 'b', '']]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks', () => {
    const text = 'a,b\n"x, y","say ""hi"""\n"line1\nline2","crlf\r\ninside"\n"",""""\n';
    expect(fieldsOf(tokenize(text))).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['line1\nline2', 'crlf\r\ninside'],
      ['', '"'],
    ]);
  });

  it('ignores spaces and tabs around a quoted field', () => {
    expect(fieldsOf(tokenize('a, "b" ,\t"c"\t\n'))).toEqual([['a', 'b', 'c']]);
  });

  it('keeps a lone CR (not a line end in this format) as data', () => {
    expect(fieldsOf(tokenize('a\rb,c\n'))).toEqual([['a\rb', 'c']]);
  });

  it('keeps multi-byte characters intact', () => {
    expect(fieldsOf(tokenize('名前,"😀, ü"\n'))).toEqual([['名前', '😀, ü']]);
  });
});

describe('CSV line numbers', () => {
  it('numbers records by the physical line they start on', () => {
    const text = 'h1,h2\n"a\nb",1\n"c\r\nd\r\ne",2\r\nplain,3\n';
    const records = tokenize(text);
    expect(lines(records)).toEqual([1, 2, 4, 7]);
    expect(fieldsOf(records)[3]).toEqual(['plain', '3']);
  });

  it('skips blank and whitespace-only lines but counts them', () => {
    const text = 'h1,h2\n\n1,2\n   \n\t\r\n\r\n3,4\n\n';
    const records = tokenize(text);
    expect(fieldsOf(records)).toEqual([['h1', 'h2'], ['1', '2'], ['3', '4']]);
    expect(lines(records)).toEqual([1, 3, 7]);
  });

  it('treats a line of only commas or an empty quoted field as a record, not a blank line', () => {
    expect(fieldsOf(tokenize('h\n,,\n""\n'))).toEqual([['h'], ['', '', ''], ['']]);
  });

  it('starts counting at the given first line', () => {
    const tokenizer = new CsvTokenizer(5);
    const out: CsvRecord[] = [];
    tokenizer.push('a\nb\n', out);
    tokenizer.end(out);
    expect(lines(out)).toEqual([5, 6]);
  });
});

describe('malformed CSV costs one record, then parsing resumes', () => {
  it('rejects a quote inside an unquoted field and resumes on the next line', () => {
    const records = tokenize('h\nab"c,d\nnext,1\n');
    expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/a quote appears inside an unquoted field/), raw: 'ab"c,d' });
    expect(records[2]).toEqual({ line: 3, fields: ['next', '1'] });
  });

  it('rejects text after a closing quote and resumes on the next line', () => {
    const records = tokenize('h\n"a"b,c\r\nnext,1\r\n');
    expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/text follows a closing quote/) });
    expect(records[2]).toEqual({ line: 3, fields: ['next', '1'] });
  });

  it('rejects a quote never closed before the end, resuming after the line where it opened', () => {
    const records = tokenize('h\n1,2\n"3,4\n5,6\n7,8');
    expect(records.map((r) => [r.line, r.fields ?? r.error])).toEqual([
      [1, ['h']],
      [2, ['1', '2']],
      [3, 'is not valid CSV: the quoted field opened on line 3 is never closed'],
      [4, ['5', '6']],
      [5, ['7', '8']],
    ]);
  });

  it('names the line of the open quote when the record started earlier', () => {
    const records = tokenize('h\n"multi\nline",x,"open\nrest');
    expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/opened on line 3 is never closed/) });
    expect(records[2]).toEqual({ line: 4, fields: ['rest'] });
  });

  it('rejects a record over the size limit and skips the rest of its line', () => {
    const records = tokenize(`h\nshort\n${'x'.repeat(50)}\nafter\n`, [], 20);
    expect(records.map((r) => [r.line, r.fields ?? r.error])).toEqual([
      [1, ['h']],
      [2, ['short']],
      [3, 'is longer than 20 characters, the most a record may hold'],
      [4, ['after']],
    ]);
  });

  it('gives up on a quoted field still open after the size limit and resumes after its opening line', () => {
    const records = tokenize(`h\n"open,${'x'.repeat(10)}\n${'y'.repeat(30)}\nz\n`, [], 20);
    expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/opened on line 2 is still open after 20 characters/) });
    expect(records.slice(2).map((r) => [r.line, r.fields ?? r.error])).toEqual([
      [3, 'is longer than 20 characters, the most a record may hold'],
      [4, ['z']],
    ]);
  });

  it('never holds more than the size limit in memory for an endless line', () => {
    const tokenizer = new CsvTokenizer(1, 1000);
    const out: CsvRecord[] = [];
    for (let i = 0; i < 100; i++) tokenizer.push('x'.repeat(500), out);
    expect((tokenizer as unknown as { carry: string }).carry.length).toBeLessThanOrEqual(1500);
    tokenizer.push('\nlast\n', out);
    tokenizer.end(out);
    expect(out.map((r) => r.fields ?? 'error')).toEqual(['error', ['last']]);
    expect(out[1]!.line).toBe(2);
  });
});

describe('chunk boundaries do not change the result', () => {
  const samples = [
    'h1,h2\r\n"a\r\nb","c""d"\r\n\r\n  \r\ne,f\r\n"g",h',
    'h\n"unclosed\nx\n"y"z\nw"v\n',
    'a,"b"  ,c\n"",\n,""\n',
  ];
  it.each(samples)('%j splits anywhere to the same records', (text) => {
    const whole = tokenize(text);
    for (let cut = 0; cut <= text.length; cut++) expect(tokenize(text, [cut])).toEqual(whole);
    expect(tokenize(text, [...Array(text.length).keys()])).toEqual(whole); // one character at a time
  });

  it('holds for random text and random cuts (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '😀');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }).map((cs) => cs.join('')), fc.array(fc.nat(100)), (text, cuts) => {
        const whole = tokenize(text, [], 16);
        const cutsInRange = cuts.map((c) => Math.min(c, text.length));
        expect(tokenize(text, cutsInRange, 16)).toEqual(whole);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('agrees with csv-parse on well-formed CSV', () => {
  it('gives the same fields as csv-parse (property)', () => {
    const field = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'B', '1', ' ', 'é', '漢') , maxLength: 6 }),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' '), maxLength: 6 }).map((s) => `"${s.replaceAll('"', '""')}"`),
    );
    const record = fc.array(field, { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), (records, eol) => {
        // A leading unquoted-empty first field would make a blank line; keep lines non-blank.
        const rows = records.map((r) => (r.join(',').trim() === '' ? ['x', ...r] : r));
        const text = rows.map((r) => r.join(',')).join(eol) + eol;
        const ours = tokenize(text).map((r) => r.fields);
        const theirs = csvParseSync(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
        expect(ours).toEqual(theirs.filter((r) => !(r.length === 1 && r[0]!.trim() === '')));
      }),
      { numRuns: 5000 },
    );
  });
});
