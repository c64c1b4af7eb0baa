import type { BatchJson } from '@/lib/ingest/batches';

const nf = new Intl.NumberFormat('en');

export function BatchCounts({ batch }: { batch: BatchJson }) {
  const items: [string, number, string?][] = [
    ['Rows', batch.rows],
    ['Accepted', batch.accepted, 'text-allowed'],
    ['Rejected', batch.rejected, batch.rejected ? 'text-blocked' : undefined],
    ['Duplicates', batch.duplicates],
    ['Conflicts', batch.conflicts, batch.conflicts ? 'text-amber-600' : undefined],
  ];
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-6">
      {items.map(([label, value, tone]) => (
        <div key={label}>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
          <dd className={`font-semibold tabular-nums ${tone ?? ''}`} data-testid={`count-${label.toLowerCase()}`}>{nf.format(value)}</dd>
        </div>
      ))}
      <div>
        <dt className="text-xs text-slate-500 dark:text-slate-400">Duration</dt>
        <dd className="font-semibold tabular-nums">{batch.durationMs === null ? '–' : `${(batch.durationMs / 1000).toFixed(1)} s`}</dd>
      </div>
      <div className="col-span-2 sm:col-span-6">
        <dt className="text-xs text-slate-500 dark:text-slate-400">Unknown columns (ignored)</dt>
        <dd data-testid="unknown-columns">{batch.unknownColumns.length ? batch.unknownColumns.join(', ') : 'none'}</dd>
      </div>
    </dl>
  );
}

export function RejectedRowsTable({ errors, total, batchId }: { errors: { line: number; message: string }[]; total: number; batchId: number }) {
  if (total === 0) return null;
  return (
    <div className="mt-3">
      <div className="flex items-baseline justify-between">
        <h4 className="text-sm font-semibold">Rejected rows {total > errors.length ? `(first ${errors.length} of ${nf.format(total)})` : ''}</h4>
        <a href={`/api/v1/batches/${batchId}/errors.csv`} download className="text-sm text-sky-700 underline dark:text-sky-400">
          Download all {nf.format(total)} rejected rows (CSV)
        </a>
      </div>
      <div className="mt-2 max-h-64 overflow-auto">
        <table className="w-full text-sm">
          <caption className="sr-only">Rejected rows</caption>
          <thead className="sticky top-0 bg-white text-left text-xs uppercase text-slate-500 dark:bg-slate-900">
            <tr><th className="w-20 py-1">Line</th><th>Reason</th></tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={e.line} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1 tabular-nums">{e.line}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
