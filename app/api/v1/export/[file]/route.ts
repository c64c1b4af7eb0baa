import { parseFilters } from '@/lib/analytics/filters';
import { NotFoundError } from '@/lib/api/errors';
import { apiRoute, requireRole } from '@/lib/api/route';
import { db } from '@/lib/db/client';
import { startExport } from '@/lib/export/run';
import { EXPORT_VIEWS, isExportView } from '@/lib/export/views';

export const dynamic = 'force-dynamic';

/** GET /api/v1/export/<view>.csv?<the view's own URL parameters>[&bom=1] */
export const GET = apiRoute('GET /api/v1/export/[file]', async ({ principal, params, path }) => {
  const view = path.file!.replace(/\.csv$/, '');
  if (!path.file!.endsWith('.csv') || !isExportView(view)) {
    throw new NotFoundError(`There is no export ${path.file}; try one of ${Object.keys(EXPORT_VIEWS).map((v) => `${v}.csv`).join(', ')}.`);
  }
  // The route lets viewers in; an export of raw rows needs more.
  requireRole(principal, EXPORT_VIEWS[view].minRole);
  return startExport(db(), principal, view, parseFilters(params), params);
});
