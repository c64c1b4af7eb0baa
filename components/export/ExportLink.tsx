import type { ExportViewName } from '@/lib/export/views';

/**
 * "Export CSV" for a view: the same URL parameters as the page, so the file holds exactly
 * what the view shows (all rows, not only the visible page). A plain download link: the
 * browser streams it and shows its progress, and the export is recorded in the audit trail.
 */
export function ExportLink({
  view,
  params,
  label = 'Export CSV',
  excel = true,
}: {
  view: ExportViewName;
  params?: Record<string, string | string[] | undefined> | URLSearchParams;
  label?: string;
  /** Also offer the variant with a BOM for Excel. */
  excel?: boolean;
}) {
  const query = new URLSearchParams();
  if (params instanceof URLSearchParams) params.forEach((v, k) => query.append(k, v));
  else for (const [k, v] of Object.entries(params ?? {})) for (const one of ([] as string[]).concat(v ?? [])) query.append(k, one);
  query.delete('page');
  query.delete('cursor');
  const qs = query.toString();
  return (
    <span className="inline-flex items-center gap-2 text-sm">
      <a href={`/api/v1/export/${view}.csv${qs ? `?${qs}` : ''}`} download
        className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
        {label}
      </a>
      {excel ? (
        <a href={`/api/v1/export/${view}.csv?${new URLSearchParams([...query.entries(), ['bom', '1']]).toString()}`} download
          className="text-xs text-slate-500 underline" title="With a UTF-8 byte order mark, which Excel needs for non-ASCII text">
          for Excel
        </a>
      ) : null}
    </span>
  );
}
