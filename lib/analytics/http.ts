import { z } from 'zod';

import { CursorError } from './decisions';
import { FilterError, parseFilters, type Filters } from './filters';

// Query-string parsing for the analytics API: the same parser as the pages, and every
// bad parameter answered with 400 and a message naming it.

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
