import { z } from 'zod';

import { BadQueryError } from '@/lib/api/errors';
import { type Answer, apiRoute } from '@/lib/api/route';
import type { RouteKey } from '@/lib/auth/access';
import type { Principal } from '@/lib/auth/principal';

import { MAX_PAGE } from '@/lib/pagination';

import { parseFilters, type Filters } from './filters';

// The analytics API's GET handlers: the query string parsed by the same parser as the
// pages; a bad parameter throws an error that lib/api/error-answers.ts answers with 400
// and a message naming it.

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

/**
 * An analytics GET handler (apiRoute, with the filters parsed as the pages parse them);
 * its answer must be the route's declared response (lib/api/responses.ts).
 */
export function analyticsGet<R extends RouteKey>(
  route: R,
  answer: (query: { filters: Filters; params: URLSearchParams; principal: Principal }) => Promise<Answer<R>>,
) {
  return apiRoute(route, ({ params, principal }) => answer({ filters: parseFilters(params), params, principal }));
}
