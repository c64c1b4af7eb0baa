import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';

import Busboy from 'busboy';

import type { DecisionFileHints } from './read-decisions';

// The file inside an HTTP request: the raw body, or the `file` field of a multipart form,
// as a stream (never buffered whole) with the hints the format detection uses.

export class BadUploadRequestError extends Error {}

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
  const body = Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>);
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
