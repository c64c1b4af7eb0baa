import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { describeProblem, verifyEvidencePack, type PackProblem } from '../../../lib/evidence/verify-pack';
import { writeEvidencePack } from '../../../lib/evidence/zip-pack';

import { readZipEntries, saveStream, sha256, tempDir, writeRawZip } from './helpers';

const DECISIONS = 'id,decision\r\n1,allowed\r\n2,blocked\r\n';
const REGIONS = 'region,blocked\r\neu-west,1\r\n';
const SUMMARY = '<!doctype html><p>2 decisions</p>';

let dir: string;
let cleanup: () => Promise<void>;
let pristine: string;
let manifestText: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  pristine = path.join(dir, 'pristine.zip');
  const text = (s: string) => () => Readable.from(Buffer.from(s));
  const pack = writeEvidencePack(
    [
      { name: 'decisions.csv', open: text(DECISIONS) },
      { name: 'regions.csv', open: text(REGIONS) },
      { name: 'summary.html', open: text(SUMMARY) },
    ],
    { generatedAt: '2026-03-02T00:00:00.000Z' },
  );
  await saveStream(pack.stream, pristine);
  manifestText = (await readZipEntries(pristine)).get('manifest.json')!.toString();
});
afterEach(() => cleanup());

/** A pack rebuilt by hand: what someone editing a downloaded pack would produce. */
async function tampered(entries: { name: string; content: string }[], options?: { compress?: boolean }): Promise<string> {
  const file = path.join(dir, 'tampered.zip');
  await writeRawZip(file, entries, options);
  return file;
}

const original = () => [
  { name: 'decisions.csv', content: DECISIONS },
  { name: 'regions.csv', content: REGIONS },
  { name: 'summary.html', content: SUMMARY },
  { name: 'manifest.json', content: manifestText },
];

async function problemsOf(file: string): Promise<PackProblem[]> {
  const result = await verifyEvidencePack(file);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

describe('verifyEvidencePack', () => {
  it('accepts an untouched pack, and one rebuilt with the same bytes', async () => {
    const result = await verifyEvidencePack(pristine);
    expect(result).toMatchObject({ ok: true, files: 3, manifest: { generatedAt: '2026-03-02T00:00:00.000Z' } });
    expect((await verifyEvidencePack(await tampered(original()))).ok).toBe(true);
  });

  it('names a file whose content changed', async () => {
    const edited = DECISIONS.replace('2,blocked', '2,allowed!');
    const entries = original().map((e) => (e.name === 'decisions.csv' ? { ...e, content: edited } : e));
    const result = await verifyEvidencePack(await tampered(entries));
    expect(result).toMatchObject({ ok: false, manifest: { format: 'gatewatch-evidence-pack/1' } });
    expect(result.ok ? [] : result.problems).toEqual([
      {
        kind: 'modified',
        name: 'decisions.csv',
        expected: { bytes: DECISIONS.length, sha256: sha256(DECISIONS) },
        actual: { bytes: edited.length, sha256: sha256(edited) },
      },
    ]);
  });

  it('reports an entry that is not in the manifest', async () => {
    const problems = await problemsOf(await tampered([...original(), { name: 'extra.csv', content: 'x' }]));
    expect(problems).toEqual([{ kind: 'unlisted', name: 'extra.csv' }]);
  });

  it('reports a listed entry that is absent', async () => {
    const problems = await problemsOf(await tampered(original().filter((e) => e.name !== 'regions.csv')));
    expect(problems).toEqual([{ kind: 'missing', name: 'regions.csv' }]);
  });

  it('reports a manifest that is absent, not JSON, or not a pack manifest', async () => {
    const without = original().filter((e) => e.name !== 'manifest.json');
    const withManifest = (content: string) => [...without, { name: 'manifest.json', content }];

    const absent = await verifyEvidencePack(await tampered(without));
    expect(absent).toEqual({ ok: false, manifest: null, problems: [{ kind: 'manifest', message: expect.stringMatching(/missing/) }] });

    expect(await problemsOf(await tampered(withManifest('{"format": ')))).toEqual([
      { kind: 'manifest', message: expect.stringMatching(/not valid JSON/) },
    ]);

    const wrongHash = JSON.parse(manifestText) as { files: { sha256: string }[] };
    wrongHash.files[0]!.sha256 = 'not-a-hash';
    expect(await problemsOf(await tampered(withManifest(JSON.stringify(wrongHash))))).toEqual([
      { kind: 'manifest', message: expect.stringMatching(/files\.0\.sha256/) },
    ]);

    const otherFormat = { ...JSON.parse(manifestText), format: 'someone-else/3' };
    expect(await problemsOf(await tampered(withManifest(JSON.stringify(otherFormat))))).toEqual([
      { kind: 'manifest', message: expect.stringMatching(/format/) },
    ]);
  });

  it('reports a file that is not a zip, a truncated zip, and a missing file as archive problems', async () => {
    const notZip = path.join(dir, 'notes.zip');
    await writeFile(notZip, 'id,decision\r\n1,allowed\r\n');
    expect(await problemsOf(notZip)).toEqual([{ kind: 'archive', message: expect.stringMatching(/notes\.zip/) }]);

    const bytes = await readFile(pristine);
    const truncated = path.join(dir, 'truncated.zip');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const result = await verifyEvidencePack(truncated);
    expect(result).toEqual({ ok: false, manifest: null, problems: [{ kind: 'archive', message: expect.any(String) }] });

    expect(await problemsOf(path.join(dir, 'nowhere.zip'))).toEqual([
      { kind: 'archive', message: expect.stringMatching(/ENOENT/) },
    ]);
  });

  it('reports corrupted bytes inside an entry as an archive problem naming it, not as a modification', async () => {
    const file = await tampered(original(), { compress: false });
    const bytes = await readFile(file);
    const at = bytes.indexOf('2,blocked');
    expect(at).toBeGreaterThan(0);
    bytes[at] = '3'.charCodeAt(0);
    await writeFile(file, bytes);
    expect(await problemsOf(file)).toEqual([
      { kind: 'archive', message: expect.stringMatching(/^decisions\.csv .*CRC/) },
    ]);
  });

  it('reports an entry stored twice', async () => {
    const problems = await problemsOf(await tampered([{ name: 'decisions.csv', content: 'forged' }, ...original()]));
    // The first copy is the one hashed, and it differs too.
    expect(problems).toEqual([
      { kind: 'archive', message: expect.stringMatching(/decisions\.csv appears more than once/) },
      expect.objectContaining({ kind: 'modified', name: 'decisions.csv' }),
    ]);
  });
});

describe('describeProblem', () => {
  it('says which file and what differs, in one sentence', () => {
    const modified = describeProblem({
      kind: 'modified',
      name: 'decisions.csv',
      expected: { bytes: 1234, sha256: 'ab12'.repeat(16) },
      actual: { bytes: 1240, sha256: 'cd34'.repeat(16) },
    });
    expect(modified).toBe(
      'decisions.csv was modified: manifest says 1,234 bytes sha256 ab12ab12ab12…, found 1,240 bytes sha256 cd34cd34cd34…',
    );
    expect(describeProblem({ kind: 'missing', name: 'regions.csv' })).toMatch(/^regions\.csv .*missing/);
    expect(describeProblem({ kind: 'unlisted', name: 'extra.csv' })).toMatch(/^extra\.csv .*not listed/);
    expect(describeProblem({ kind: 'archive', message: 'pack.zip cannot be read' })).toBe('pack.zip cannot be read');
  });

  it('describes every problem a real verification finds with the file it concerns', async () => {
    const entries = original()
      .filter((e) => e.name !== 'regions.csv')
      .map((e) => (e.name === 'summary.html' ? { ...e, content: 'forged' } : e));
    const problems = await problemsOf(await tampered([...entries, { name: 'extra.csv', content: 'x' }]));
    expect(problems.map(describeProblem)).toEqual([
      expect.stringMatching(/^regions\.csv /),
      expect.stringMatching(/^summary\.html was modified: manifest says 33 bytes .* found 6 bytes/),
      expect.stringMatching(/^extra\.csv /),
    ]);
  });
});
