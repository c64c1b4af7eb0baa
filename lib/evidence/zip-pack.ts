import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';

import { ZipFile } from 'yazl';
import { z } from 'zod';

// An evidence pack is the zip a reviewer downloads and keeps: CSV reports, a printable
// summary, and a manifest.json recording every file's size and SHA-256, so that any later
// edit to the pack can be detected offline (verify-pack.ts). Entries are written strictly
// one after another and never buffered whole, so a multi-gigabyte pack streams to the
// HTTP client in the same memory as a small one.

export const PACK_FORMAT = 'gatewatch-evidence-pack/1';
export const MANIFEST_NAME = 'manifest.json';

const manifestFileSchema = z.object({
  name: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
});

export const manifestSchema = z.looseObject({
  format: z.literal(PACK_FORMAT),
  files: z
    .array(manifestFileSchema)
    .refine((files) => new Set(files.map((f) => f.name)).size === files.length, 'file names must be unique'),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export interface PackEntry {
  name: string;
  open: () => Readable | Promise<Readable>;
}

export interface EvidencePackWrite {
  /** The zip bytes; pipe it to the response at once. Destroyed with the error if an entry fails. */
  stream: Readable;
  /** Settles once the last byte has been read from `stream`, or rejects with the failure. */
  manifest: Promise<Manifest>;
}

/** Reviewers unzip on case-insensitive file systems, so names are compared case-folded. */
function checkEntryName(name: string, seen: Set<string>): void {
  if (name.length === 0) throw new Error('Evidence pack entry names must not be empty');
  if (/[/\\]/.test(name) || name.includes('..')) {
    throw new Error(`Evidence pack entry name ${JSON.stringify(name)} must be a plain file name (no "/", "\\" or "..")`);
  }
  const folded = name.toLowerCase();
  if (folded === MANIFEST_NAME) throw new Error(`Evidence pack entry name ${JSON.stringify(name)} is reserved for the manifest`);
  if (seen.has(folded)) throw new Error(`Evidence pack entry name ${JSON.stringify(name)} is used twice`);
  seen.add(folded);
}

function checkManifestMeta(meta: Record<string, unknown>): void {
  // `format` and `files` are what a verifier trusts; letting metadata replace them would
  // produce a pack that fails its own verification.
  for (const key of ['format', 'files']) {
    if (Object.hasOwn(meta, key)) throw new Error(`Evidence pack metadata must not set "${key}"`);
  }
  // Fails now (BigInt, cycles) rather than after gigabytes have been sent.
  JSON.stringify(meta);
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export function writeEvidencePack(
  entries: PackEntry[] | AsyncIterable<PackEntry>,
  manifestMeta: Record<string, unknown>,
  options: { onEntry?: (name: string, bytes: number) => void } = {},
): EvidencePackWrite {
  checkManifestMeta(manifestMeta);
  if (Array.isArray(entries)) {
    const seen = new Set<string>();
    for (const entry of entries) checkEntryName(entry.name, seen);
  }

  const zip = new ZipFile();
  const stream = zip.outputStream;
  // yazl types it as NodeJS.ReadableStream; it is a stream.PassThrough, which we rely on
  // for destroy().
  if (!(stream instanceof Readable)) throw new Error('yazl outputStream is not a stream.Readable');

  let failure: Error | null = null;
  let source: Readable | null = null;
  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    // yazl never listens for errors on the streams it is given: without this the zip
    // would wait forever for the rest of a broken entry.
    source?.destroy(error);
    stream.destroy(error);
  };
  zip.on('error', (e: unknown) => fail(toError(e)));
  stream.once('close', () => {
    // The client went away: stop reading the current entry and opening the next.
    if (!stream.readableEnded) fail(stream.errored ?? new Error('The evidence pack stream was closed before it finished'));
  });
  const throwIfFailed = () => {
    if (failure) throw failure;
  };

  /** Resolves once yazl has read the entry to its end: only then is the next one opened. */
  const addEntry = (name: string, input: Readable) =>
    new Promise<ManifestFile>((resolve, reject) => {
      const hash = createHash('sha256');
      let bytes = 0;
      const hasher = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      hasher.once('end', () => resolve({ name, bytes, sha256: hash.digest('hex') }));
      pipeline(input, hasher, (error) => {
        if (error) reject(error);
      });
      zip.addReadStream(hasher, name, { compress: true });
    });

  const run = async (): Promise<Manifest> => {
    const files: ManifestFile[] = [];
    const seen = new Set<string>();
    for await (const entry of entries) {
      throwIfFailed();
      checkEntryName(entry.name, seen);
      const input = await entry.open();
      source = input;
      if (failure) input.destroy();
      throwIfFailed();
      const file = await addEntry(entry.name, input);
      source = null;
      files.push(file);
      options.onEntry?.(file.name, file.bytes);
    }
    throwIfFailed();
    const manifest: Manifest = { format: PACK_FORMAT, ...manifestMeta, files };
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), MANIFEST_NAME, { compress: true });
    zip.end();
    await finished(stream);
    return manifest;
  };

  const manifest = run().catch((e: unknown) => {
    const error = failure ?? toError(e);
    fail(error);
    throw error;
  });
  manifest.catch(() => undefined); // a caller that only pipes the stream must not crash the process
  return { stream, manifest };
}
