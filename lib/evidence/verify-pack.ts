import { createHash } from 'node:crypto';
import path from 'node:path';
import { crc32 } from 'node:zlib';

import { openPromise, type Entry, type ZipFile } from 'yauzl';

import { MANIFEST_NAME, manifestSchema, PACK_FORMAT, type Manifest } from './zip-pack';

// Checks an evidence pack against its own manifest, offline: every file is re-hashed and
// compared, and anything added, removed or altered since the pack was written is reported.
// A bad pack is an answer, not an exception: the reviewer needs the full list of problems.
// Entries are streamed, so a pack of any size is checked in constant memory.

export interface FileDigest {
  bytes: number;
  sha256: string;
}

export type PackProblem =
  | { kind: 'modified'; name: string; expected: FileDigest; actual: FileDigest }
  /** Listed in the manifest, absent from the zip. */
  | { kind: 'missing'; name: string }
  /** In the zip, absent from the manifest. */
  | { kind: 'unlisted'; name: string }
  /** manifest.json absent, not JSON, or not an evidence pack manifest. */
  | { kind: 'manifest'; message: string }
  /** Not a zip, corrupt, a CRC error, or the file cannot be read at all. */
  | { kind: 'archive'; message: string };

export type PackVerification =
  | { ok: true; manifest: Manifest; files: number }
  | { ok: false; problems: [PackProblem, ...PackProblem[]]; manifest: Manifest | null };

// manifest.json is the one entry read into memory; a real one is a few kilobytes.
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Hashes one entry as it streams; `keep` collects the bytes too (for the manifest only). */
async function digestEntry(zip: ZipFile, entry: Entry, keep?: Buffer[]): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let crc = 0;
  const stream = await zip.openReadStreamPromise(entry);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    crc = crc32(chunk, crc);
    bytes += chunk.length;
    keep?.push(chunk);
  }
  // yauzl checks sizes but not CRCs; without this a flipped byte in a stored entry would
  // surface as "modified" instead of as the corruption it is.
  if (crc !== entry.crc32) throw new Error('CRC-32 mismatch, the archive is corrupt');
  return { bytes, sha256: hash.digest('hex') };
}

type ManifestRead = { kind: 'absent' } | { kind: 'unreadable' } | { kind: 'read'; text: string };

function parseManifest(read: ManifestRead): { manifest: Manifest } | { problem: PackProblem } | null {
  if (read.kind === 'unreadable') return null; // already reported as an archive problem
  if (read.kind === 'absent') return { problem: { kind: 'manifest', message: `${MANIFEST_NAME} is missing from the pack` } };
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (e) {
    return { problem: { kind: 'manifest', message: `${MANIFEST_NAME} is not valid JSON: ${messageOf(e)}` } };
  }
  const parsed = manifestSchema.safeParse(json);
  if (parsed.success) return { manifest: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)
    .join('; ');
  return { problem: { kind: 'manifest', message: `${MANIFEST_NAME} is not a ${PACK_FORMAT} manifest: ${issues}` } };
}

export async function verifyEvidencePack(filePath: string): Promise<PackVerification> {
  const label = path.basename(filePath);
  const problems: PackProblem[] = [];
  const found = new Map<string, FileDigest>();
  const unreadable = new Set<string>();
  let manifestRead: ManifestRead = { kind: 'absent' };
  // After a failure mid-listing, absent files may simply not have been reached.
  let listedAll = false;

  let zip: ZipFile | null = null;
  try {
    zip = await openPromise(filePath, { lazyEntries: true, autoClose: false });
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (found.has(name) || unreadable.has(name) || (name === MANIFEST_NAME && manifestRead.kind !== 'absent')) {
        // Extractors disagree on which copy wins, so a duplicate can hide a substitution.
        problems.push({ kind: 'archive', message: `${name} appears more than once in ${label}` });
        continue;
      }
      if (name === MANIFEST_NAME && entry.uncompressedSize > MAX_MANIFEST_BYTES) {
        problems.push({ kind: 'archive', message: `${MANIFEST_NAME} is ${entry.uncompressedSize} bytes, too large for a manifest` });
        manifestRead = { kind: 'unreadable' };
        continue;
      }
      try {
        if (name === MANIFEST_NAME) {
          const chunks: Buffer[] = [];
          await digestEntry(zip, entry, chunks);
          manifestRead = { kind: 'read', text: Buffer.concat(chunks).toString('utf8') };
        } else {
          found.set(name, await digestEntry(zip, entry));
        }
      } catch (e) {
        problems.push({ kind: 'archive', message: `${name} in ${label} cannot be read: ${messageOf(e)}` });
        if (name === MANIFEST_NAME) manifestRead = { kind: 'unreadable' };
        else unreadable.add(name);
      }
    }
    listedAll = true;
  } catch (e) {
    problems.push({ kind: 'archive', message: `${label} cannot be read as a zip archive: ${messageOf(e)}` });
  } finally {
    zip?.close();
  }

  // If the listing broke off, an absent manifest may just not have been reached (it comes last).
  const parsed = listedAll || manifestRead.kind !== 'absent' ? parseManifest(manifestRead) : null;
  if (parsed && 'problem' in parsed) problems.push(parsed.problem);
  const manifest = parsed && 'manifest' in parsed ? parsed.manifest : null;

  if (manifest) {
    const listed = new Set<string>();
    for (const file of manifest.files) {
      listed.add(file.name);
      const actual = found.get(file.name);
      if (!actual) {
        if (listedAll && !unreadable.has(file.name)) problems.push({ kind: 'missing', name: file.name });
      } else if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) {
        problems.push({
          kind: 'modified',
          name: file.name,
          expected: { bytes: file.bytes, sha256: file.sha256 },
          actual,
        });
      }
    }
    for (const name of [...found.keys(), ...unreadable]) {
      if (!listed.has(name)) problems.push({ kind: 'unlisted', name });
    }
  }

  const [first, ...rest] = problems;
  if (first) return { ok: false, problems: [first, ...rest], manifest };
  if (manifest) return { ok: true, manifest, files: manifest.files.length };
  // Not reached (no manifest always comes with a problem above), but never claim ok without one.
  return { ok: false, problems: [{ kind: 'manifest', message: `${MANIFEST_NAME} could not be read` }], manifest: null };
}

const formatBytes = (n: number) => n.toLocaleString('en-US');
const shortHash = (h: string) => `${h.slice(0, 12)}…`;

export function describeProblem(p: PackProblem): string {
  switch (p.kind) {
    case 'modified':
      return (
        `${p.name} was modified: manifest says ${formatBytes(p.expected.bytes)} bytes sha256 ` +
        `${shortHash(p.expected.sha256)}, found ${formatBytes(p.actual.bytes)} bytes sha256 ${shortHash(p.actual.sha256)}`
      );
    case 'missing':
      return `${p.name} is listed in the manifest but missing from the pack`;
    case 'unlisted':
      return `${p.name} is in the pack but not listed in the manifest`;
    case 'manifest':
    case 'archive':
      return p.message;
  }
}
