import { describe, expect, it } from 'vitest';
import { NdjsonKeyMap, NdjsonSplitter, UNKNOWN_KEYS_MAX, type NdjsonLine } from '../../../lib/ingest/parse-ndjson';

function split(text: string, cuts: number[] = [], maxLineChars?: number): NdjsonLine[] {
  const splitter = new NdjsonSplitter(1, maxLineChars);
  const out: NdjsonLine[] = [];
  let from = 0;
  for (const cut of cuts) {
    splitter.push(text.slice(from, cut), out);
    from = cut;
  }
  splitter.push(text.slice(from), out);
  splitter.end(out);
  return out;
}

const summary = (lines: NdjsonLine[]) => lines.map((l) => [l.line, l.object ?? l.error]);

describe('NDJSON lines', () => {
  it('parses one object per line, LF or CRLF, with or without a final line end', () => {
    expect(summary(split('{"a":1}\n{"b":2}\r\n{"c":3}'))).toEqual([
      [1, { a: 1 }],
      [2, { b: 2 }],
      [3, { c: 3 }],
    ]);
  });

  it('skips blank and whitespace-only lines but counts them', () => {
    expect(summary(split('\n{"a":1}\n\n  \t\r\n{"b":2}\n\n'))).toEqual([
      [2, { a: 1 }],
      [5, { b: 2 }],
    ]);
  });

  it('rejects a line that is not valid JSON, and carries on', () => {
    const lines = split('{"a":1}\n{"a":\nnot json\n{"b":2}');
    expect(lines[1]).toMatchObject({ line: 2, error: expect.stringMatching(/^line is not valid JSON \(/), raw: '{"a":' });
    expect(lines[2]).toMatchObject({ line: 3, error: expect.stringMatching(/^line is not valid JSON/), raw: 'not json' });
    expect(lines[3]).toEqual({ line: 4, object: { b: 2 } });
  });

  it.each([
    ['[1,2]', 'line is a JSON array, not a JSON object'],
    ['42', 'line is a JSON number, not a JSON object'],
    ['"text"', 'line is a JSON string, not a JSON object'],
    ['true', 'line is JSON true, not a JSON object'],
    ['null', 'line is JSON null, not a JSON object'],
  ])('rejects %s: %s', (text, error) => {
    expect(split(text)).toEqual([{ line: 1, error, raw: text }]);
  });

  it('does not split objects at line separators inside strings other than LF', () => {
    expect(split('{"a":"x\u2028y"}\n')).toEqual([{ line: 1, object: { a: 'x\u2028y' } }]);
  });

  it('gives the same result however the text is split', () => {
    const text = '{"a":"é😀"}\r\n\n[1]\n{"b":\n{"c":3}';
    const whole = split(text);
    for (let cut = 0; cut <= text.length; cut++) expect(split(text, [cut])).toEqual(whole);
  });

  it('rejects a line over the size limit without holding it, then carries on', () => {
    const lines = split(`{"a":1}\n{"big":"${'x'.repeat(100)}"}\n{"b":2}\n`, [20, 40, 60, 80], 50);
    expect(summary(lines)).toEqual([
      [1, { a: 1 }],
      [2, 'line is longer than 50 characters, the most a record may hold'],
      [3, { b: 2 }],
    ]);
  });
});

describe('NDJSON keys', () => {
  it('maps keys by the header rules and collects unknown keys once, in first-seen order', () => {
    const unknown: string[] = [];
    const keys = new NdjsonKeyMap(unknown);
    expect(keys.valuesOf({ Timestamp: 't', 'Request-ID': 'r', country: 'de', extra: 1, Result: 'deny' })).toMatchObject({
      occurred_at: 't',
      request_id: 'r',
      caller_region: 'de',
      decision: 'deny',
    });
    keys.valuesOf({ extra: 2, other: 3 });
    expect(unknown).toEqual(['extra', 'other']);
  });

  it('lets the first key for a field win; the later one is ignored and reported', () => {
    const unknown: string[] = [];
    const values = new NdjsonKeyMap(unknown).valuesOf({ ts: 'first', occurred_at: 'second' });
    expect(values.occurred_at).toBe('first');
    expect(unknown).toEqual(['occurred_at']);
  });

  it('stops listing unknown keys after a bound, so random keys cannot exhaust memory', () => {
    const unknown: string[] = [];
    const keys = new NdjsonKeyMap(unknown);
    for (let i = 0; i < UNKNOWN_KEYS_MAX + 50; i++) keys.valuesOf({ [`k${i}`]: i });
    expect(unknown).toHaveLength(UNKNOWN_KEYS_MAX);
  });

  it('handles a "__proto__" key as plain data', () => {
    const unknown: string[] = [];
    const object = JSON.parse('{"__proto__":{"x":1},"id":"r"}') as Record<string, unknown>;
    expect(new NdjsonKeyMap(unknown).valuesOf(object).request_id).toBe('r');
    expect(unknown).toEqual(['__proto__']);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])('treats the key %j as unknown, not as an inherited name', (key) => {
    const unknown: string[] = [];
    const values = new NdjsonKeyMap(unknown).valuesOf({ [key]: 'x' });
    expect(Object.values(values).every((v) => v === undefined)).toBe(true);
    expect(unknown).toEqual([key]);
  });
});
