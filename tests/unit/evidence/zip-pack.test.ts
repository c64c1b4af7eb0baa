import { createHash } from 'node:crypto';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { verifyEvidencePack } from '../../../lib/evidence/verify-pack';
import { manifestSchema, writeEvidencePack, type PackEntry } from '../../../lib/evidence/zip-pack';

import { readZipEntries, saveStream, sha256, tempDir } from './helpers';

// A forced collection before each sample measures what is retained, not garbage not yet
// collected, so the bound can be tight without being flaky.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const retained = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const MB = 1024 * 1024;

/** `total` bytes of CSV-like rows made as they are read; the same bytes on every call. */
function generatedCsv(total: number, onChunk?: (produced: number) => void): Readable {
  let produced = 0;
  let row = 0;
  return new Readable({
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      let text = '';
      while (text.length < 64 * 1024) {
        text += `${row},2026-03-01T12:${String(row % 60).padStart(2, '0')}:00Z,acct-${row % 977},${row % 3 ? 'allowed' : 'blocked'}\r\n`;
        row += 1;
      }
      const chunk = Buffer.from(text).subarray(0, total - produced);
      produced += chunk.length;
      onChunk?.(produced);
      this.push(chunk);
    },
  });
}

async function hashOf(stream: Readable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('writeEvidencePack', () => {
  it('streams entries one at a time, hashes them, and ends with a manifest that verifies', async () => {
    const BIG = 50 * MB;
    const expectedBig = await hashOf(generatedCsv(BIG));
    const summary = '<!doctype html><title>Summary</title><p>Blocked: 1,234</p>';
    const log: string[] = [];

    let baseline = 0;
    let peak = 0;
    let samples = 0;
    let nextSample = 0;
    const entries: PackEntry[] = [
      {
        name: 'decisions.csv',
        open: () => {
          log.push('open decisions.csv');
          baseline = retained();
          return generatedCsv(BIG, (produced) => {
            if (produced < nextSample) return;
            nextSample += 4 * MB;
            samples += 1;
            peak = Math.max(peak, retained() - baseline);
          });
        },
      },
      {
        name: 'regions.csv',
        open: () => {
          log.push('open regions.csv');
          return Readable.from(['region,allowed,blocked\r\n', 'eu-west,10,2\r\n']); // string chunks
        },
      },
      {
        name: 'summary.html',
        open: async () => {
          log.push('open summary.html');
          return Readable.from(Buffer.from(summary));
        },
      },
    ];
    const meta = { generatedAt: '2026-03-02T00:00:00.000Z', filters: { region: 'eu-west' } };

    const pack = writeEvidencePack(entries, meta, { onEntry: (name, bytes) => log.push(`done ${name} ${bytes}`) });
    const file = path.join(dir, 'pack.zip');
    await saveStream(pack.stream, file);
    const manifest = await pack.manifest;

    // Had the entry been buffered, 50 MB would have been retained at some sample.
    expect(samples).toBeGreaterThanOrEqual(12);
    expect(peak).toBeLessThan(10 * MB);

    const regions = 'region,allowed,blocked\r\neu-west,10,2\r\n';
    expect(log).toEqual([
      'open decisions.csv',
      `done decisions.csv ${BIG}`,
      'open regions.csv',
      `done regions.csv ${regions.length}`,
      'open summary.html',
      `done summary.html ${Buffer.byteLength(summary)}`,
    ]);
    expect(manifest).toEqual({
      format: 'gatewatch-evidence-pack/1',
      ...meta,
      files: [
        { name: 'decisions.csv', ...expectedBig },
        { name: 'regions.csv', bytes: regions.length, sha256: sha256(regions) },
        { name: 'summary.html', bytes: Buffer.byteLength(summary), sha256: sha256(summary) },
      ],
    });

    const small = await readZipEntries(file, ['decisions.csv']);
    expect([...small.keys()]).toEqual(['regions.csv', 'summary.html', 'manifest.json']);
    expect(small.get('regions.csv')!.toString()).toBe(regions);
    expect(JSON.parse(small.get('manifest.json')!.toString())).toEqual(manifest);
    expect(manifestSchema.safeParse(manifest).success).toBe(true);

    const verification = await verifyEvidencePack(file);
    expect(verification).toEqual({ ok: true, manifest, files: 3 });
  });

  it('accepts an async iterable of entries and an empty pack', async () => {
    async function* entries(): AsyncIterable<PackEntry> {
      yield { name: 'a.csv', open: () => Readable.from(Buffer.from('x\r\n')) };
    }
    const file = path.join(dir, 'iter.zip');
    const pack = writeEvidencePack(entries(), {});
    await saveStream(pack.stream, file);
    expect((await pack.manifest).files).toEqual([{ name: 'a.csv', bytes: 3, sha256: sha256('x\r\n') }]);

    const emptyFile = path.join(dir, 'empty.zip');
    const empty = writeEvidencePack([], { note: 'nothing matched' });
    await saveStream(empty.stream, emptyFile);
    expect(await empty.manifest).toEqual({ format: 'gatewatch-evidence-pack/1', note: 'nothing matched', files: [] });
    expect(await verifyEvidencePack(emptyFile)).toMatchObject({ ok: true, files: 0 });
  });

  it('rejects names that are not plain, unique file names', () => {
    const entry = (name: string): PackEntry => ({ name, open: () => Readable.from([]) });
    const write = (...names: string[]) => () => writeEvidencePack(names.map(entry), {});
    expect(write('reports/decisions.csv')).toThrow(/plain file name/);
    expect(write('reports\\decisions.csv')).toThrow(/plain file name/);
    expect(write('..')).toThrow(/plain file name/);
    expect(write('a..csv')).toThrow(/plain file name/);
    expect(write('')).toThrow(/empty/);
    expect(write('manifest.json')).toThrow(/reserved for the manifest/);
    expect(write('Manifest.JSON')).toThrow(/reserved for the manifest/);
    expect(write('a.csv', 'b.csv', 'a.csv')).toThrow(/"a.csv" is used twice/);
    expect(write('a.csv', 'A.csv')).toThrow(/used twice/);
    expect(write('decisions.csv', 'summary.html')).not.toThrow();
  });

  it('rejects metadata that would replace format or files', () => {
    expect(() => writeEvidencePack([], { format: 'other/2' })).toThrow(/"format"/);
    expect(() => writeEvidencePack([], { files: [] })).toThrow(/"files"/);
    expect(() => writeEvidencePack([], { n: 1n })).toThrow(TypeError);
  });

  it('fails the stream for a bad name that arrives from an async iterable', async () => {
    async function* entries(): AsyncIterable<PackEntry> {
      yield { name: 'ok.csv', open: () => Readable.from(Buffer.from('1')) };
      yield { name: '../escape.csv', open: () => Readable.from(Buffer.from('2')) };
    }
    const pack = writeEvidencePack(entries(), {});
    await expect(saveStream(pack.stream, path.join(dir, 'bad.zip'))).rejects.toThrow(/plain file name/);
    await expect(pack.manifest).rejects.toThrow(/plain file name/);
  });

  it('destroys the zip stream with the error of an entry stream that fails, and opens nothing after it', async () => {
    const boom = new Error('database connection lost');
    let thirdOpened = false;
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 'x'));
        setImmediate(() => this.destroy(boom));
      },
    });
    const pack = writeEvidencePack(
      [
        { name: 'a.csv', open: () => Readable.from(Buffer.from('a\r\n')) },
        { name: 'b.csv', open: () => failing },
        { name: 'c.csv', open: () => ((thirdOpened = true), Readable.from([])) },
      ],
      {},
    );
    const errored = new Promise<Error>((resolve) => pack.stream.once('error', resolve));
    await expect(saveStream(pack.stream, path.join(dir, 'broken.zip'))).rejects.toBe(boom);
    expect(await errored).toBe(boom);
    await expect(pack.manifest).rejects.toBe(boom);
    expect(pack.stream.destroyed).toBe(true);
    expect(thirdOpened).toBe(false);
  });

  it('fails the same way when opening an entry rejects', async () => {
    const boom = new Error('no such report');
    const pack = writeEvidencePack([{ name: 'a.csv', open: () => Promise.reject(boom) }], {});
    await expect(saveStream(pack.stream, path.join(dir, 'broken.zip'))).rejects.toBe(boom);
    await expect(pack.manifest).rejects.toBe(boom);
  });

  it('stops reading the current entry when the consumer goes away', async () => {
    const endless = generatedCsv(Number.MAX_SAFE_INTEGER);
    const pack = writeEvidencePack([{ name: 'endless.csv', open: () => endless }], {});
    const sink = new PassThrough();
    pack.stream.pipe(sink);
    await new Promise((resolve) => sink.once('data', resolve));
    pack.stream.destroy();
    await expect(pack.manifest).rejects.toThrow(/closed before it finished/);
    expect(endless.destroyed).toBe(true);
  });
});
