import { z } from 'zod';

import type { AnalyticsRoute, ApiResponses } from '@/lib/api/responses';
import type { Principal } from '@/lib/auth/principal';
import { authenticateRoute } from '@/lib/auth/request';

import { MAX_PAGE } from '@/lib/pagination';

import { CursorError } from './decisions';
import { FilterError, parseFilters, type Filters } from './filters';

// The analytics API's GET handlers: the caller's role checked, the query string parsed by
// the same parser as the pages, and every bad parameter answered with 400 and a message
// naming it.

export class BadQueryError extends Error {}

export function filtersFromRequest(request: Request): { filters: Filters; params: URLSearchParams } {
  const params = new URL(request.url).searchParams;
  return { filters: parseFilters(params), params };
}

export function queryParam<T>(params: URLSearchParams, name: string, schema: z.ZodType<T>, fallback?: T): T {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new BadQueryError(`${name} is required`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BadQueryError(`${name} "${raw}" is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** A list's `sort` (a column, `-` first for descending), `page` and `pageSize` parameters. */
export function sortAndPage<C extends string>(
  params: URLSearchParams,
  columns: readonly C[],
  defaultSort: NoInfer<`${'' | '-'}${C}`>,
  maxPageSize = 500,
): { column: C; desc: boolean; page: number; pageSize: number } {
  const sort = queryParam(params, 'sort', z.string().regex(new RegExp(`^-?(${columns.join('|')})$`)), defaultSort);
  return {
    column: sort.replace(/^-/, '') as C,
    desc: sort.startsWith('-'),
    page: queryParam(params, 'page', z.coerce.number().int().min(1).max(MAX_PAGE), 1),
    pageSize: queryParam(params, 'pageSize', z.coerce.number().int().min(1).max(maxPageSize), 50),
  };
}

/** Known errors as 400 with their message; anything else logged, and answered without internals. */
export function answerForQueryError(error: unknown): Response {
  if (error instanceof FilterError || error instanceof BadQueryError || error instanceof CursorError) {
    return Response.json({ error: error.message }, { status: 400 });
  }
  console.error('[gatewatch] query failed', error);
  return Response.json({ error: 'The server could not answer this request; the failure was logged.' }, { status: 500 });
}

/**
 * A GET handler that answers JSON to callers the access matrix lets through for `route`;
 * its answer must be the route's declared response (lib/api/responses.ts).
 */
export function analyticsGet<R extends AnalyticsRoute>(
  route: R,
  answer: (query: { filters: Filters; params: URLSearchParams; principal: Principal }) => Promise<ApiResponses[R]>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const principal = await authenticateRoute(request, route);
    if (principal instanceof Response) return principal;
    try {
      return Response.json(await answer({ ...filtersFromRequest(request), principal }));
    } catch (error) {
      return answerForQueryError(error);
    }
  };
}
