import { z } from 'zod';

import { authenticateRequest } from '@/lib/auth/request';
import type { Role } from '@/lib/generated/prisma/enums';

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

export function answerForQueryError(error: unknown): Response {
  if (error instanceof FilterError || error instanceof BadQueryError || error instanceof CursorError) {
    return Response.json({ error: error.message }, { status: 400 });
  }
  throw error;
}

/** A GET handler that answers JSON to callers of at least `role`. */
export function analyticsGet(
  role: Role,
  answer: (query: { filters: Filters; params: URLSearchParams }) => Promise<unknown>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const principal = await authenticateRequest(request, role);
    if (principal instanceof Response) return principal;
    try {
      return Response.json(await answer(filtersFromRequest(request)));
    } catch (error) {
      return answerForQueryError(error);
    }
  };
}
