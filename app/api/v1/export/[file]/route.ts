import { answerForQueryError, filtersFromRequest } from '@/lib/analytics/http';
import { authenticateRoute } from '@/lib/auth/request';
import { db } from '@/lib/db/client';
import { startExport } from '@/lib/export/run';
import { EXPORT_VIEWS, ExportParamError, isExportView } from '@/lib/export/views';

export const dynamic = 'force-dynamic';

/** GET /api/v1/export/<view>.csv?<the view's own URL parameters>[&bom=1] */
export async function GET(request: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const file = (await params).file;
  const view = file.replace(/\.csv$/, '');
  if (!file.endsWith('.csv') || !isExportView(view)) {
    return Response.json({ error: `There is no export ${file}; try one of ${Object.keys(EXPORT_VIEWS).map((v) => `${v}.csv`).join(', ')}.` }, { status: 404 });
  }
  const principal = await authenticateRoute(request, 'GET /api/v1/export/[file]', EXPORT_VIEWS[view].minRole);
  if (principal instanceof Response) return principal;
  try {
    const { filters, params: query } = filtersFromRequest(request);
    return await startExport(db(), principal, view, filters, query);
  } catch (error) {
    if (error instanceof ExportParamError) return Response.json({ error: error.message }, { status: 400 });
    return answerForQueryError(error);
  }
}
