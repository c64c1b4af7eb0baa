'use client';

import { AppLink } from '@/components/ui/AppLink';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';

import type { BatchJson } from '@/lib/ingest/batches';

import { BatchCounts, RejectedRowsTable } from './BatchReport';

interface Answer {
  batch?: BatchJson | null;
  errors?: { line: number; message: string }[];
  error?: string;
  duplicateOf?: string;
}

interface UploadState {
  id: string;
  name: string;
  size: number;
  sent: number;
  rows: number;
  phase: 'uploading' | 'reading' | 'merging' | 'done' | 'failed';
  startedAt: number;
  httpStatus?: number;
  answer?: Answer;
}

const nf = new Intl.NumberFormat('en');
const SHOWN_ERRORS = 20;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function Bar({ value, label }: { value: number; label: string }) {
  return (
    <div className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800" role="progressbar"
      aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value)}>
      <div className="h-full bg-sky-600 transition-[width]" style={{ width: `${Math.min(100, value)}%` }} />
    </div>
  );
}

/** Drag-and-drop or picked files, each uploaded and ingested with live progress and its report. */
export function UploadPanel() {
  const router = useRouter();
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [strict, setStrict] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const active = uploads.some((u) => u.phase !== 'done' && u.phase !== 'failed');

  // Leaving the page would cancel uploads in flight: ask first.
  useEffect(() => {
    if (!active) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [active]);

  const patch = useCallback((id: string, changes: Partial<UploadState>) => {
    setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...changes } : u)));
  }, []);

  const start = useCallback((file: File) => {
    const id = crypto.randomUUID();
    setUploads((list) => [{ id, name: file.name, size: file.size, sent: 0, rows: 0, phase: 'uploading', startedAt: Date.now() }, ...list]);
    const poll = window.setInterval(async () => {
      const res = await fetch(`/api/v1/uploads/${id}/progress`).catch(() => null);
      if (!res?.ok) return;
      const { progress } = (await res.json()) as { progress: { rows: number; phase: 'reading' | 'merging' | 'done' } };
      setUploads((list) => list.map((u) => (u.id === id && u.phase !== 'done' && u.phase !== 'failed'
        ? { ...u, rows: progress.rows, phase: progress.phase === 'done' ? u.phase : progress.phase } : u)));
    }, 500);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/batches${strict ? '?strict=1' : ''}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name));
    xhr.setRequestHeader('X-Upload-Id', id);
    xhr.upload.onprogress = (e) => patch(id, { sent: e.loaded });
    xhr.onload = () => {
      window.clearInterval(poll);
      let answer: Answer;
      try {
        answer = JSON.parse(xhr.responseText) as Answer;
      } catch {
        answer = { error: `The server answered ${xhr.status} without a report.` };
      }
      const ok = xhr.status === 200 || xhr.status === 201;
      patch(id, { phase: ok ? 'done' : 'failed', httpStatus: xhr.status, answer, sent: file.size, rows: answer.batch?.rows ?? 0 });
      router.refresh(); // the batch history below
    };
    xhr.onerror = () => {
      window.clearInterval(poll);
      patch(id, { phase: 'failed', answer: { error: 'The upload was interrupted (network error). Nothing was stored; try again.' } });
    };
    xhr.send(file);
  }, [patch, router, strict]);

  const addFiles = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) start(file);
  };

  return (
    <div className="space-y-4">
      <div
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); addFiles(e.dataTransfer.files); }}
        className={`rounded-xl border-2 border-dashed p-8 text-center ${dragging ? 'border-sky-500 bg-sky-50 dark:bg-sky-950' : 'border-slate-300 dark:border-slate-700'}`}
      >
        <p className="text-sm">Drop log batches here (CSV or NDJSON, optionally gzip-compressed), or</p>
        <button type="button" onClick={() => input.current?.click()}
          className="mt-3 rounded-md bg-sky-700 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-800">
          Choose files
        </button>
        <input ref={input} type="file" multiple hidden aria-label="Log files"
          accept=".csv,.ndjson,.jsonl,.gz,text/csv,application/x-ndjson,application/gzip"
          onChange={(e) => { addFiles(e.target.files); e.target.value = ''; }} />
        <label className="mt-4 flex items-center justify-center gap-2 text-sm">
          <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.target.checked)} />
          Strict mode: refuse the whole file if any row is rejected
        </label>
      </div>

      {uploads.map((u) => {
        const seconds = Math.max(0.001, (Date.now() - u.startedAt) / 1000);
        const batch = u.answer?.batch;
        return (
          <section key={u.id} aria-label={`Upload of ${u.name}`} className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <div className="flex items-baseline justify-between gap-4">
              <h3 className="truncate font-medium">{u.name}</h3>
              <span className="shrink-0 text-xs text-slate-500" data-testid="upload-phase">
                {u.phase === 'uploading' ? 'uploading' : u.phase === 'reading' ? 'ingesting' : u.phase === 'merging' ? 'storing' : u.phase === 'done' ? (u.answer?.duplicateOf ? 'already ingested' : 'complete') : 'refused'}
              </span>
            </div>
            {u.phase !== 'done' && u.phase !== 'failed' ? (
              <div className="mt-2 space-y-2 text-xs text-slate-600 dark:text-slate-400">
                <Bar value={u.size ? (u.sent / u.size) * 100 : 100} label={`Upload of ${u.name}`} />
                <p>Uploaded {formatBytes(u.sent)} of {formatBytes(u.size)}</p>
                <Bar value={u.phase === 'merging' ? 100 : u.size ? (u.sent / u.size) * 100 : 0} label={`Ingestion of ${u.name}`} />
                <p>{u.phase === 'merging' ? 'Storing rows and updating totals…' : `${nf.format(u.rows)} rows processed · ${nf.format(Math.round(u.rows / seconds))} rows/s`}</p>
              </div>
            ) : null}
            {u.answer?.error ? <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">{u.answer.error}</p> : null}
            {u.answer?.duplicateOf ? (
              <p className="mt-2 text-sm">Identical to batch <AppLink className="underline" href={`/uploads/${u.answer.duplicateOf}`}>#{u.answer.duplicateOf}</AppLink>, already ingested: nothing was stored again.</p>
            ) : null}
            {batch && !u.answer?.duplicateOf && (u.phase === 'done' || batch.rows > 0) ? (
              <div className="mt-3">
                <BatchCounts batch={batch} />
                <RejectedRowsTable errors={(u.answer?.errors ?? []).slice(0, SHOWN_ERRORS)} total={batch.rejected} batchId={batch.id} />
                <AppLink href={`/uploads/${batch.id}`} className="mt-2 inline-block text-sm text-sky-700 underline dark:text-sky-400">Batch #{batch.id} details</AppLink>
              </div>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}
