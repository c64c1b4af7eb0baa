import { Readable } from 'node:stream';

import Busboy from 'busboy';

import { env } from '@/lib/env';

import type { DecisionFileHints } from './read-decisions';

// The file inside an HTTP request: the raw body, or the `file` field of a multipart form,
// as a stream (never buffered whole) with the hints the format detection uses.

export class BadUploadRequestError extends Error {}

/** The client stopped sending mid-body (a slow drip, or a Content-Length it never fills). */
export class UploadStalledError extends Error {
  constructor(seconds: number) {
    super(`The upload sent nothing for ${seconds} s (GW_UPLOAD_IDLE_SECONDS), so it was stopped; nothing was stored.`);
  }
}

/**
 * The body's bytes, failing with UploadStalledError when none arrive for `seconds`: a
 * client dripping a byte a minute would otherwise hold a connection, a batch and perhaps
 * the merge lock for as long as it likes. Each read races a timer rather than destroying
 * the stream from the timer, which left the pending read hanging.
 */
async function* withIdleLimit(body: ReadableStream<Uint8Array>, seconds: number): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UploadStalledError(seconds)), seconds * 1000);
      });
      const step = await Promise.race([reader.read(), stalled]).finally(() => clearTimeout(timer));
      if (step.done) return;
      yield step.value;
    }
  } finally {
    clearTimeout(timer);
    // Not awaited: a stalled client may never let the cancellation finish.
    reader.cancel().catch(() => undefined);
  }
}

export interface UploadBody {
  stream: AsyncIterable<Uint8Array>;
  hints: DecisionFileHints;
}

function headerFilename(request: Request): string | undefined {
  const raw = request.headers.get('x-filename');
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function readUploadBody(request: Request): Promise<UploadBody> {
  if (!request.body) throw new BadUploadRequestError('The request has no body: send the file as the body.');
  const contentType = request.headers.get('content-type') ?? undefined;
  const contentEncoding = request.headers.get('content-encoding') ?? undefined;
  const body = Readable.from(withIdleLimit(request.body, env().GW_UPLOAD_IDLE_SECONDS), { objectMode: false });
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return { stream: body, hints: { filename: headerFilename(request), contentType, contentEncoding } };
  }
  return new Promise<UploadBody>((resolve, reject) => {
    let found = false;
    const parser = Busboy({ headers: { 'content-type': contentType }, limits: { files: 1 } });
    parser.on('file', (name, file, info) => {
      if (name !== 'file' || found) {
        file.resume();
        return;
      }
      found = true;
      resolve({
        stream: file,
        hints: { filename: info.filename || headerFilename(request), contentType: info.mimeType, contentEncoding },
      });
    });
    parser.on('error', (error) => reject(new BadUploadRequestError(`The multipart body could not be read: ${(error as Error).message}`)));
    parser.on('close', () => {
      if (!found) reject(new BadUploadRequestError('The multipart form has no "file" field.'));
    });
    body.pipe(parser);
  });
}
