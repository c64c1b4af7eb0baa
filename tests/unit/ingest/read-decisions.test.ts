import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRefusedError } from '../../../lib/ingest/errors';
import { BATCH_SIZE, RAW_RECORD_KEY, openDecisionFile } from '../../../lib/ingest/read-decisions';
import { HEADER, csvLine, errorsOf, readAll, refusal, toReadable } from './helpers';

const NDJSON_ROW = {
  occurred_at: '2024-07-09T08:15:02Z',
  request_id: 'req-1',
  account_id: 'acct-1',
  caller_region: 'US',
  provider: 'openai',
  channel: 'direct',
  decision: 'allowed',
};
const ndjsonLine = (overrides: Record<string, unknown> = {}) => JSON.stringify({ ...NDJSON_ROW, ...overrides });

describe('CSV files', () => {
  it('yields one outcome per record, numbered by physical line (header = line 1)', async () => {
    const text = [HEADER, csvLine({ request_id: 'a' }), csvLine({ request_id: 'b', caller_region: 'ZZ' }), csvLine({ request_id: 'c' })].join('\n');
    const { file, outcomes } = await readAll(text);
    expect(file.format).toBe('csv');
    expect(file.compressed).toBe(false);
    expect(outcomes.map((o) => [o.line, o.ok])).toEqual([[2, true], [3, false], [4, true]]);
    expect(outcomes[0]).toEqual({
      line: 2,
      ok: true,
      row: {
        occurredAt: '2024-07-09T08:15:02.000Z',
        requestId: 'a',
        accountId: 'acct-1',
        accountName: 'Acme',
        callerRegion: 'US',
        servingRegion: 'eastus',
        provider: 'openai',
        channel: 'direct',
        decision: 'allowed',
        reason: undefined,
        policyVersion: 'v1',
        model: 'gpt-4o',
      },
    });
    expect(errorsOf(outcomes)).toEqual([{ line: 3, error: 'caller_region "ZZ" is not an ISO 3166-1 alpha-2 country code' }]);
  });

  it('accepts a header with no rows as a valid file with 0 rows', async () => {
    expect((await readAll(`${HEADER}\n`)).outcomes).toEqual([]);
    expect((await readAll(HEADER)).outcomes).toEqual([]);
    expect((await readAll(`${HEADER}\r\n\r\n  \r\n`)).outcomes).toEqual([]);
  });

  it('reads columns in any order, by alias and with messy header spelling', async () => {
    const header = ' Result ,Reseller,PROVIDER,Country,Account,Event-ID,Timestamp,Notes';
    const { file, outcomes } = await readAll(`${header}\nDeny,acme,anthropic,fr,a1,e1,1720512902250,hello\n`);
    expect(outcomes).toEqual([
      {
        line: 2,
        ok: true,
        row: expect.objectContaining({
          decision: 'blocked',
          channel: 'acme',
          provider: 'anthropic',
          callerRegion: 'FR',
          accountId: 'a1',
          requestId: 'e1',
          occurredAt: '2024-07-09T08:15:02.250Z',
        }) as unknown,
      },
    ]);
    expect(file.unknownColumns).toEqual(['Notes']);
  });

  it('handles a UTF-8 BOM and CRLF line ends', async () => {
    const text = `\uFEFF${HEADER}\r\n${csvLine()}\r\n`;
    const { outcomes } = await readAll(text);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ line: 2, ok: true });
  });

  it('numbers records after multi-line quoted fields and blank lines correctly', async () => {
    const text = [
      HEADER, // 1
      csvLine({ request_id: 'a', account_name: '"Acme\r\nEMEA\r\nLtd"' }), // 2-4
      '', // 5
      '   ', // 6
      csvLine({ request_id: 'b', account_name: '"Two, ""quoted"""' }), // 7
      csvLine({ request_id: 'c', model: '"x\ny"' }), // 8-9
      csvLine({ request_id: 'd', caller_region: 'UK' }), // 10
    ].join('\r\n');
    const { outcomes } = await readAll(text);
    expect(outcomes.map((o) => o.line)).toEqual([2, 7, 8, 10]);
    expect(outcomes[0]).toMatchObject({ ok: true, row: { accountName: 'Acme\r\nEMEA\r\nLtd' } });
    expect(outcomes[1]).toMatchObject({ ok: true, row: { accountName: 'Two, "quoted"' } });
    expect(outcomes[3]).toMatchObject({ ok: false, line: 10 });
  });

  it('counts blank lines before the header, so line numbers match the file', async () => {
    const { outcomes } = await readAll(`\n\r\n  \n${HEADER}\n${csvLine()}\n`);
    expect(outcomes.map((o) => o.line)).toEqual([5]);
  });

  it('rejects records with the wrong number of fields, keeping their values', async () => {
    const text = `${HEADER}\n${csvLine()},extra\nonly,three,fields\n${csvLine()}`;
    const { outcomes } = await readAll(text);
    expect(errorsOf(outcomes)).toEqual([
      { line: 2, error: 'record has 13 fields but the header has 12 columns' },
      { line: 3, error: 'record has 3 fields but the header has 12 columns' },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: false, original: { request_id: 'req-1', '(extra 1)': 'extra' } });
    expect(outcomes[1]).toMatchObject({ ok: false, original: { occurred_at: 'only', request_id: 'three', account_id: 'fields' } });
    expect(outcomes[2]).toMatchObject({ ok: true, line: 4 });
  });

  it('rejects malformed quoting as one row and carries on', async () => {
    const text = `${HEADER}\n"2024-07-09T08:15:02Z"x,broken\n${csvLine({ request_id: 'ok' })}\n${csvLine({ request_id: 'x"y' })}\n${csvLine({ request_id: 'last' })}\n"unclosed,${csvLine()}`;
    const { outcomes } = await readAll(text);
    expect(outcomes.map((o) => [o.line, o.ok])).toEqual([[2, false], [3, true], [4, false], [5, true], [6, false]]);
    expect(errorsOf(outcomes).map((e) => e.error)).toEqual([
      expect.stringMatching(/^record is not valid CSV: text follows a closing quote/),
      expect.stringMatching(/^record is not valid CSV: a quote appears inside an unquoted field/),
      'record is not valid CSV: the quoted field opened on line 6 is never closed',
    ]);
    expect(outcomes[0]).toMatchObject({ original: { [RAW_RECORD_KEY]: '"2024-07-09T08:15:02Z"x,broken' } });
  });

  it('keeps original values of rejected rows under their header names, repeated names made unique', async () => {
    const header = `${HEADER},note,note,`;
    const { outcomes } = await readAll(`${header}\n${csvLine({ decision: 'maybe' })},n1,n2,n3\n`);
    expect(outcomes[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^decision "maybe"/),
      original: { decision: 'maybe', note: 'n1', 'note (2)': 'n2', '(column 15)': 'n3' },
    });
  });

  it('rejects a row holding a NUL or bytes that are not UTF-8, not the whole file', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n${csvLine({ request_id: 'a\0b' })}\n`),
      ...csvLine({ account_name: 'Caf#' })
        .split('#')
        .flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [Buffer.from([0xe9]), Buffer.from(`${part}\n`)])), // 0xe9: "é" in Latin-1, not valid UTF-8
      Buffer.from(`${csvLine({ account_name: 'Café' })}\n`),
    ]);
    const { outcomes } = await readAll(bytes);
    expect(errorsOf(outcomes)).toEqual([
      { line: 2, error: 'request_id "a\\u0000b" contains a NUL character, which cannot be stored' },
      { line: 3, error: 'account_name "Caf\uFFFD" contains \uFFFD, the mark of bytes that are not valid UTF-8 (save the file as UTF-8)' },
    ]);
    expect(outcomes[2]).toMatchObject({ ok: true, row: { accountName: 'Café' } });
  });
});

describe('chunking and encoding', () => {
  const text = `\uFEFF${HEADER}\r\n${csvLine({ account_name: '"Zoë, 東京 😀"' })}\r\n${csvLine({ request_id: 'ü'.repeat(129) })}\r\n`;

  it('gives the same outcomes when every byte arrives in its own chunk', async () => {
    const whole = await readAll(text);
    const bytewise = await readAll(text, undefined, 1);
    expect(bytewise.outcomes).toEqual(whole.outcomes);
    expect(whole.outcomes[0]).toMatchObject({ ok: true, row: { accountName: 'Zoë, 東京 😀' } });
    expect(errorsOf(whole.outcomes)).toEqual([{ line: 3, error: 'request_id is longer than 128 characters (it has 129)' }]);
  });

  it('splits multi-byte characters across chunks of every size safely', async () => {
    const whole = await readAll(text);
    for (const size of [2, 3, 5, 7, 64]) expect((await readAll(text, undefined, size)).outcomes).toEqual(whole.outcomes);
  });
});

describe('NDJSON files', () => {
  it('yields one outcome per non-blank line, numbered by physical line', async () => {
    const text = [
      ndjsonLine({ request_id: 'a' }), // 1
      '', // 2
      '{"broken": ', // 3
      '[1, 2]', // 4
      '   ', // 5
      ndjsonLine({ request_id: 'b', decision: 'nope' }), // 6
      ndjsonLine({ request_id: 'c' }), // 7, no final line end
    ].join('\n');
    const { file, outcomes } = await readAll(text, { filename: 'x.ndjson' });
    expect(file.format).toBe('ndjson');
    expect(outcomes.map((o) => [o.line, o.ok])).toEqual([[1, true], [3, false], [4, false], [6, false], [7, true]]);
    expect(errorsOf(outcomes).map((e) => e.error)).toEqual([
      expect.stringMatching(/^line is not valid JSON \(/),
      'line is a JSON array, not a JSON object',
      expect.stringMatching(/^decision "nope" is neither allowed nor blocked/),
    ]);
  });

  it('reads numbers as text, null as absent, and rejects booleans, objects and arrays by field', async () => {
    const text = [
      ndjsonLine({ occurred_at: 1720512902, request_id: 12345, reason: null, model: null }),
      ndjsonLine({ occurred_at: 1720512902250 }),
      ndjsonLine({ request_id: true, account_name: { a: 1 }, model: ['x'] }),
    ].join('\r\n');
    const { outcomes } = await readAll(text, { filename: 'x.jsonl' });
    expect(outcomes[0]).toMatchObject({ ok: true, row: { occurredAt: '2024-07-09T08:15:02.000Z', requestId: '12345', reason: undefined } });
    expect(outcomes[1]).toMatchObject({ ok: true, row: { occurredAt: '2024-07-09T08:15:02.250Z' } });
    expect(outcomes[2]).toEqual({
      line: 3,
      ok: false,
      error:
        'request_id must be text or a number, not a boolean (true); account_name must be text or a number, not an object; model must be text or a number, not an array',
      original: { ...NDJSON_ROW, request_id: 'true', account_name: '{"a":1}', model: '["x"]' },
    });
  });

  it('uses the header rules for keys and lists unknown keys once', async () => {
    const text = [
      JSON.stringify({ Timestamp: '2024-07-09T08:15:02Z', 'Event-ID': 'e1', account: 'a', region: 'de', provider: 'p', Reseller: 'r', Outcome: 'pass', extra: 1 }),
      JSON.stringify({ ...NDJSON_ROW, extra: 2, another: 3 }),
    ].join('\n');
    const { file, outcomes } = await readAll(text, { filename: 'x.ndjson' });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes[0]).toMatchObject({ row: { requestId: 'e1', callerRegion: 'DE', channel: 'r', decision: 'allowed' } });
    expect(file.unknownColumns).toEqual(['extra', 'another']);
  });

  it('handles a BOM, CRLF and leading blank lines', async () => {
    const { outcomes } = await readAll(`\uFEFF\r\n\r\n${ndjsonLine()}\r\n`, { filename: 'x.ndjson' });
    expect(outcomes).toMatchObject([{ line: 3, ok: true }]);
  });

  it('keeps the text of a line that is not an object for the report', async () => {
    const { outcomes } = await readAll(`${ndjsonLine()}\n"just a string"\n`, { filename: 'x.ndjson' });
    expect(outcomes[1]).toEqual({ line: 2, ok: false, error: 'line is a JSON string, not a JSON object', original: { [RAW_RECORD_KEY]: '"just a string"' } });
  });
});

describe('format detection', () => {
  const csv = `${HEADER}\n${csvLine()}\n`;
  const ndjson = `${ndjsonLine()}\n`;

  it.each([
    [{ filename: 'a.csv' }, csv, 'csv'],
    [{ filename: 'A.CSV' }, csv, 'csv'],
    [{ filename: 'C:\\fakepath\\a.csv' }, csv, 'csv'],
    [{ filename: 'a.ndjson' }, ndjson, 'ndjson'],
    [{ filename: 'a.jsonl' }, ndjson, 'ndjson'],
    [{ contentType: 'text/csv; charset=utf-8' }, csv, 'csv'],
    [{ contentType: 'application/x-ndjson' }, ndjson, 'ndjson'],
    [{ contentType: 'application/jsonl' }, ndjson, 'ndjson'],
    [{}, csv, 'csv'],
    [{}, ndjson, 'ndjson'],
    [{ filename: 'upload.txt', contentType: 'text/plain' }, ndjson, 'ndjson'],
    [{ filename: 'upload.json', contentType: 'application/json' }, ndjson, 'ndjson'],
    [{ contentType: 'application/octet-stream' }, csv, 'csv'],
  ] as const)('%j is read as %s', async (hints, content, format) => {
    const { file, outcomes } = await readAll(content, hints);
    expect(file.format).toBe(format);
    expect(outcomes).toMatchObject([{ ok: true }]);
  });

  it('lets the file name win over the content type', async () => {
    const { file } = await readAll(csv, { filename: 'a.csv', contentType: 'application/x-ndjson' });
    expect(file.format).toBe('csv');
  });
});

describe('gzip', () => {
  const csv = `${HEADER}\n${csvLine({ request_id: 'a' })}\n${csvLine({ request_id: 'b' })}\n`;

  it('decompresses a .csv.gz file', async () => {
    const gz = gzipSync(csv);
    const { file, outcomes } = await readAll(gz, { filename: 'a.csv.gz' });
    expect(file.compressed).toBe(true);
    expect(file.format).toBe('csv');
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(file.bytesRead()).toBe(gz.length);
  });

  it('detects gzip from the magic bytes whatever the name says', async () => {
    for (const hints of [{ filename: 'a.csv' }, {}, { filename: 'upload.bin', contentType: 'application/octet-stream' }]) {
      const { file, outcomes } = await readAll(gzipSync(csv), hints);
      expect(file.compressed).toBe(true);
      expect(outcomes).toHaveLength(2);
    }
  });

  it('decompresses NDJSON, with a BOM inside, in tiny chunks', async () => {
    const { file, outcomes } = await readAll(gzipSync(`\uFEFF${ndjsonLine()}\n${ndjsonLine()}`), { filename: 'x.ndjson.gz' }, 3);
    expect(file.format).toBe('ndjson');
    expect(outcomes.map((o) => [o.line, o.ok])).toEqual([[1, true], [2, true]]);
  });

  it('reads concatenated gzip members as one file', async () => {
    const gz = Buffer.concat([gzipSync(`${HEADER}\n`), gzipSync(`${csvLine()}\n`)]);
    expect((await readAll(gz)).outcomes).toHaveLength(1);
  });

  it('reads a file named .gz that is actually plain text as plain text', async () => {
    const { file, outcomes } = await readAll(csv, { filename: 'a.csv.gz', contentEncoding: 'gzip' });
    expect(file.compressed).toBe(false);
    expect(outcomes).toHaveLength(2);
  });

  it('refuses a file named .gz that is neither gzip nor text', async () => {
    const r = await refusal(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0xff, 0x00, 0x10]), { filename: 'a.csv.gz' });
    expect(r.code).toBe('corrupt_gzip');
  });

  it('refuses truncated gzip, found mid-stream, from the batch iterator', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => csvLine({ request_id: `r${i}-${randomBytes(8).toString('hex')}` }));
    const gz = gzipSync(`${HEADER}\n${rows.join('\n')}\n`);
    const file = await openDecisionFile(toReadable(gz.subarray(0, Math.floor(gz.length * 0.8)), 4096), { filename: 'a.csv.gz' });
    let seen = 0;
    const consume = async () => {
      for await (const batch of file.batches()) seen += batch.length;
    };
    await expect(consume()).rejects.toMatchObject({ name: 'FileRefusedError', code: 'corrupt_gzip' });
    expect(seen).toBeGreaterThan(0); // rows came first: the caller must roll back
  });

  it('refuses corrupt gzip data', async () => {
    const gz = gzipSync(`${HEADER}\n${Array.from({ length: 50 }, () => csvLine()).join('\n')}`);
    const corrupt = Buffer.from(gz);
    for (let i = 20; i < 40; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
    const r = await refusal(corrupt, { filename: 'a.csv.gz' });
    expect(r.code).toBe('corrupt_gzip');
    expect(r.message).toMatch(/could not be decompressed/);
  });

  it('refuses gzip with trailing garbage, and a bare gzip header', async () => {
    expect((await refusal(Buffer.concat([gzipSync(csv), Buffer.from('garbage')]))).code).toBe('corrupt_gzip');
    expect((await refusal(gzipSync(csv).subarray(0, 10))).code).toBe('corrupt_gzip');
  });

  it('refuses gzip holding nothing as empty', async () => {
    expect((await refusal(gzipSync(''), { filename: 'a.csv.gz' })).code).toBe('empty');
  });
});

describe('files refused as a whole', () => {
  it.each([
    ['zero bytes', ''],
    ['whitespace only', ' \n\r\n\t \n'],
    ['a BOM only', '\uFEFF'],
    ['a BOM and blank lines', '\uFEFF\r\n  \r\n'],
  ])('refuses %s as empty', async (_, content) => {
    const r = await refusal(content, { filename: 'a.csv' });
    expect(r.code).toBe('empty');
    expect(r.message).toMatch(/empty/);
  });

  it('refuses binary data, saying so', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
    for (const hints of [{}, { filename: 'a.csv' }, { filename: 'image.png' }]) {
      const r = await refusal(png, hints);
      expect(r.code).toBe('unsupported_format');
      expect(r.message).toMatch(/binary data/);
    }
    const zipLike = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100), randomBytes(500)]);
    expect((await refusal(zipLike, { filename: 'a.xlsx' })).message).toMatch(/binary/);
  });

  it('refuses UTF-16 text, asking for UTF-8', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')]);
    const r = await refusal(utf16, { filename: 'a.csv' });
    expect(r.code).toBe('unsupported_format');
    expect(r.message).toMatch(/UTF-16/);
  });

  it.each([{}, { filename: 'a.json' }, { filename: 'a.ndjson' }, { contentType: 'application/json' }])(
    'refuses a JSON array (%j), saying so',
    async (hints) => {
      const r = await refusal(`[\n${ndjsonLine()},\n${ndjsonLine()}\n]`, hints);
      expect(r.code).toBe('unsupported_format');
      expect(r.message).toMatch(/JSON array/);
    },
  );

  it('refuses a CSV header that lacks required columns, naming them', async () => {
    const r = await refusal('occurred_at,id,account,notes\n2024-07-09T08:15:02Z,r,a,n\n', { filename: 'a.csv' });
    expect(r.code).toBe('missing_columns');
    expect(r.message).toBe('The CSV header lacks required columns: caller_region, provider, channel, decision.');
    expect(r.missingColumns).toEqual(['caller_region', 'provider', 'channel', 'decision']);
    const one = await refusal(`${HEADER.replace(',decision,', ',verdict,')}\n`, { filename: 'a.csv' });
    expect(one.message).toBe('The CSV header lacks required column: decision.');
  });

  it('refuses a CSV whose header is only an unknown word, when nothing named the format', async () => {
    const r = await refusal('hello world\nthis is a text file\n');
    expect(r.code).toBe('unsupported_format');
    expect(r.message).toMatch(/neither NDJSON .* nor CSV/);
  });

  it('refuses content that contradicts the declared format', async () => {
    expect((await refusal(`${ndjsonLine()}\n`, { filename: 'a.csv' })).code).toBe('format_mismatch');
    expect((await refusal(`${HEADER}\n${csvLine()}\n`, { filename: 'a.ndjson' })).code).toBe('format_mismatch');
    expect((await refusal(`${HEADER}\n`, { contentType: 'application/x-ndjson' })).code).toBe('format_mismatch');
  });

  it('refuses a malformed CSV header row', async () => {
    const r = await refusal(`occurred_at,"request_id\n`, { filename: 'a.csv' });
    expect(r.code).toBe('malformed_header');
    expect(r.message).toMatch(/^The CSV header row \(line 1\) is not valid CSV/);
  });

  it('throws FileRefusedError instances from openDecisionFile', async () => {
    await expect(openDecisionFile(toReadable(''), {})).rejects.toBeInstanceOf(FileRefusedError);
  });
});

describe('batches and streaming', () => {
  it(`yields outcomes in order, in batches of up to ${BATCH_SIZE}`, async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => csvLine({ request_id: `r${i}` }));
    const { outcomes, batchSizes } = await readAll(`${HEADER}\n${rows.join('\n')}\n`);
    expect(batchSizes).toEqual([1000, 1000, 500]);
    expect(outcomes.map((o) => (o.ok ? o.row.requestId : ''))).toEqual(rows.map((_, i) => `r${i}`));
  });

  it('releases the input when closed without iterating', async () => {
    const input = toReadable(`${HEADER}\n${csvLine()}\n`.repeat(5000), 1024);
    const file = await openDecisionFile(input, {});
    await file.close();
    expect(input.destroyed).toBe(true);
  });

  it('can be iterated only once', async () => {
    const file = await openDecisionFile(toReadable(`${HEADER}\n`), {});
    for await (const _ of file.batches()) void _;
    expect(() => file.batches()).toThrow(/only once/);
  });

  it('does not read far ahead of the consumer (backpressure) and releases the input when stopped', async () => {
    const line = `${csvLine()}\n`;
    const chunk = Buffer.from(line.repeat(Math.ceil(65536 / line.length)));
    let produced = 0;
    let released = false;
    // A 6.5 GB file, produced only as it is read.
    const input = Readable.from(
      (async function* () {
        try {
          yield Buffer.from(`${HEADER}\n`);
          for (let i = 0; i < 100_000; i++) {
            produced += chunk.length;
            yield chunk;
          }
        } finally {
          released = true;
        }
      })(),
    );
    const file = await openDecisionFile(input, { filename: 'big.csv' });
    let batches = 0;
    for await (const batch of file.batches()) {
      expect(batch.length).toBeLessThanOrEqual(BATCH_SIZE);
      if (++batches === 20) break;
    }
    expect(produced).toBeLessThan(8 * 1024 * 1024);
    expect(file.bytesRead()).toBeGreaterThan(0);
    expect(file.bytesRead()).toBeLessThanOrEqual(produced + 100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(true);
  });

  it('keeps backpressure through gzip', async () => {
    // Random ids keep the data from compressing to almost nothing.
    const rows = Array.from({ length: 100_000 }, () => csvLine({ request_id: randomBytes(12).toString('hex') }));
    const gz = gzipSync(`${HEADER}\n${rows.join('\n')}\n`);
    expect(gz.length).toBeGreaterThan(1_000_000);
    let pulled = 0;
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < gz.length; i += 16384) {
          pulled += Math.min(16384, gz.length - i);
          yield gz.subarray(i, i + 16384);
        }
      })(),
    );
    const file = await openDecisionFile(input, { filename: 'big.csv.gz' });
    const iterator = file.batches()[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    expect(pulled).toBeLessThan(gz.length / 3);
    await iterator.return?.();
  });

  it('reports bytesRead growing to the raw file size', async () => {
    const text = `${HEADER}\n${Array.from({ length: 3000 }, () => csvLine()).join('\n')}\n`;
    const file = await openDecisionFile(toReadable(text, 8192), {});
    const progress: number[] = [];
    for await (const _ of file.batches()) progress.push(file.bytesRead());
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(Buffer.byteLength(text));
  });

  it.each([
    ['before the first batch', 10],
    ['mid-stream', 100_000],
  ])('passes an input stream error %s on unchanged (not as a refused file)', async (_, bytesFirst) => {
    const input = Readable.from(
      (async function* () {
        yield Buffer.from(`${HEADER}\n${csvLine()}\n`.padEnd(bytesFirst, ' '));
        throw new Error('connection reset');
      })(),
    );
    const consume = async () => {
      const file = await openDecisionFile(input, {});
      for await (const _ of file.batches()) void _;
    };
    await expect(consume()).rejects.toThrow('connection reset');
  });

  it('passes an input stream error inside gzip on unchanged', async () => {
    const gz = gzipSync(`${HEADER}\n${csvLine()}\n`);
    const input = Readable.from(
      (async function* () {
        yield gz.subarray(0, 20);
        throw new Error('connection reset');
      })(),
    );
    const consume = async () => {
      const file = await openDecisionFile(input, {});
      for await (const _ of file.batches()) void _;
    };
    await expect(consume()).rejects.toThrow('connection reset');
  });
});
