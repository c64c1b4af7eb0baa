import type { Principal } from '@/lib/auth/principal';
import { authenticateRoute } from '@/lib/auth/request';
import type { RouteKey } from '@/lib/auth/access';
import { hasRole } from '@/lib/auth/roles';
import type { Role } from '@/lib/generated/prisma/enums';

import { answerForError } from './error-answers';
import { ForbiddenError } from './errors';
import type { ApiResponses, FileDownload } from './responses';

// The one wrapper every app/api/v1 handler goes through: it authenticates the caller with
// the route's role from the access matrix, hands the handler the query string and the path
// parameters, turns the handler's answer (checked against the route's declared response,
// lib/api/responses.ts) into the HTTP response, and maps every known error to its 4xx
// answer and anything else to a 500 that names nothing internal (lib/api/errors.ts).

export interface RouteInput {
  request: Request;
  principal: Principal;
  /** The query string. */
  params: URLSearchParams;
  /** The dynamic segments of the path ([id] and the like). */
  path: Record<string, string>;
}

const REPLY = Symbol('reply');

/** A JSON answer with a status other than 200, or headers of its own. */
export interface Reply<T> {
  readonly [REPLY]: true;
  status: number;
  body: T;
  headers?: Record<string, string>;
}

export const reply = <T>(status: number, body: T, headers?: Record<string, string>): Reply<T> => ({ [REPLY]: true, status, body, headers });

/** What a route's handler may return: its declared body (as is, or in a Reply), or the file it declares. */
export type Answer<R extends RouteKey> = ApiResponses[R] extends FileDownload ? FileDownload : ApiResponses[R] | Reply<ApiResponses[R]>;

const isReply = (value: unknown): value is Reply<unknown> => typeof value === 'object' && value !== null && REPLY in value;
const isFile = (value: unknown): value is FileDownload => typeof value === 'object' && value !== null && (value as FileDownload).kind === 'file';

function toResponse(answer: unknown): Response {
  if (isFile(answer)) {
    return new Response(answer.body, {
      headers: {
        'Content-Type': answer.contentType,
        'Content-Disposition': `attachment; filename="${answer.fileName}"`,
        'Cache-Control': 'no-store',
        ...answer.headers,
      },
    });
  }
  if (isReply(answer)) return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  return Response.json(answer);
}

/** A handler for `route` (its method and path as the access matrix names them). */
export function apiRoute<R extends RouteKey>(
  route: R,
  handle: (input: RouteInput) => Promise<Answer<R>>,
  options: { failure?: string } = {},
): (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response> {
  return async (request, context) => {
    const principal = await authenticateRoute(request, route);
    if (principal instanceof Response) return principal;
    try {
      const path = (await context?.params) ?? {};
      return toResponse(await handle({ request, principal, params: new URL(request.url).searchParams, path }));
    } catch (error) {
      return answerForError(error, options.failure);
    }
  };
}

/** Refuses (403) a caller below `minimum`, for answers that need more than their route does (an export of raw rows). */
export function requireRole(principal: Principal, minimum: Role): void {
  if (!hasRole(principal.role, minimum)) throw new ForbiddenError(`This needs the ${minimum} role; you have ${principal.role}.`);
}
