import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { openPromise } from 'yauzl';
import { ZipFile } from 'yazl';

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-evidence-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function saveStream(stream: Readable, file: string): Promise<void> {
  await pipeline(stream, createWriteStream(file));
}

/** A zip written with yazl directly, bypassing writeEvidencePack: for tampered packs. */
export async function writeRawZip(
  file: string,
  entries: { name: string; content: Buffer | string }[],
  options: { compress?: boolean } = {},
): Promise<void> {
  const zip = new ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.content), e.name, { compress: options.compress ?? true });
  zip.end();
  const out = zip.outputStream;
  if (!(out instanceof Readable)) throw new Error('yazl outputStream is not a Readable');
  await saveStream(out, file);
}

/** Every entry of a zip read whole (test packs are small, apart from the one streamed). */
export async function readZipEntries(file: string, skip: string[] = []): Promise<Map<string, Buffer>> {
  const zip = await openPromise(file, { lazyEntries: true, autoClose: false });
  const out = new Map<string, Buffer>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (skip.includes(entry.fileName)) continue;
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      out.set(entry.fileName, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
  return out;
}
