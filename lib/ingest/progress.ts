import type { IngestProgress } from './pipeline';

// Live progress of ingestions running in this process, keyed by the upload id the
// browser sends (X-Upload-Id), so the uploads page can show rows/s while a file streams.

export interface UploadProgress extends IngestProgress {
  uploadId: string;
  ownerId: string;
  startedAt: number;
  updatedAt: number;
}

const KEEP_MS = 10 * 60_000;
const store = ((globalThis as { gatewatchProgress?: Map<string, UploadProgress> }).gatewatchProgress ??= new Map());

export function reportProgress(uploadId: string, ownerId: string, progress: IngestProgress): void {
  const now = Date.now();
  const previous = store.get(uploadId);
  store.set(uploadId, { ...progress, uploadId, ownerId, startedAt: previous?.startedAt ?? now, updatedAt: now });
  for (const [id, p] of store) if (now - p.updatedAt > KEEP_MS) store.delete(id);
}

export function readProgress(uploadId: string, ownerId: string): UploadProgress | null {
  const p = store.get(uploadId);
  return p && p.ownerId === ownerId ? p : null;
}
