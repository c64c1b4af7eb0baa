import 'server-only';

import { cookies, headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';

import { prisma } from '@/lib/db/client';
import { env } from '@/lib/env';
import type { Role } from '@/lib/generated/prisma/enums';
import { crossSiteRefusal } from '@/lib/security/request-guard';

import { ACTION_ACCESS, type ActionName, PAGE_ACCESS, type PagePath, ROUTE_ACCESS, type RouteKey } from './access';
import { resolveApiToken } from './api-tokens';
import type { Principal } from './principal';
import { hasRole } from './roles';
import { resolveSession, SESSION_COOKIE } from './sessions';

// The one place where requests become principals. Pages call requirePage, server actions
// requireAction, route handlers authenticateRoute: each with its key in the access matrix
// (access.ts), which gives the role it needs.

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export async function currentUser(): Promise<UserPrincipal | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const principal = await resolveSession(prisma(), token);
  return principal?.kind === 'user' ? principal : null;
}

/** Signs in first if needed, 403 when the role is too low (layouts; pages use requirePage). */
export async function requirePageUser(minimum: Role = 'viewer'): Promise<UserPrincipal> {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  if (!hasRole(user.role, minimum)) forbidden();
  return user;
}

/** For a page: its rule from the access matrix. */
export function requirePage(path: Exclude<PagePath, PublicPage>): Promise<UserPrincipal> {
  return requirePageUser(PAGE_ACCESS[path]);
}

/** For a server action: its rule from the access matrix. */
export function requireAction(name: Exclude<ActionName, PublicAction>): Promise<UserPrincipal> {
  return requirePageUser(ACTION_ACCESS[name]);
}

type PublicPage = { [K in PagePath]: (typeof PAGE_ACCESS)[K] extends 'public' ? K : never }[PagePath];
type PublicAction = { [K in ActionName]: (typeof ACTION_ACCESS)[K] extends 'public' ? K : never }[ActionName];

/**
 * For a route handler: its rule from the access matrix, or `atLeast` when that is higher
 * (an export of raw rows through the export route, say).
 */
export function authenticateRoute(request: Request, key: RouteKey, atLeast?: Role): Promise<Principal | Response> {
  const minimum = ROUTE_ACCESS[key];
  return authenticateRequest(request, atLeast && hasRole(atLeast, minimum) ? atLeast : minimum);
}

export function jsonError(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

/**
 * For route handlers: a bearer API token or a session cookie. Returns the principal, or
 * the 401/403 response to send.
 */
async function authenticateRequest(request: Request, minimum: Role): Promise<Principal | Response> {
  const authorization = request.headers.get('authorization');
  let principal: Principal | null;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    principal = match ? await resolveApiToken(prisma(), match[1]!) : null;
    if (!principal) return jsonError(401, 'The API token is missing, malformed, unknown, expired or revoked.');
  } else {
    const refusal = crossSiteRefusal(request.method, new URL(request.url), request.headers, SESSION_COOKIE);
    if (refusal) return jsonError(403, refusal);
    principal = await resolveSession(prisma(), (await cookies()).get(SESSION_COOKIE)?.value);
    if (!principal) return jsonError(401, 'Sign in or send an API token (Authorization: Bearer ...).');
  }
  if (!hasRole(principal.role, minimum)) {
    return jsonError(403, `This needs the ${minimum} role; you have ${principal.role}.`);
  }
  return principal;
}

export async function secureCookies(): Promise<boolean> {
  const setting = env().GW_SECURE_COOKIES;
  if (setting !== 'auto') return setting === '1';
  return (await headers()).get('x-forwarded-proto') === 'https';
}

export async function clientIp(): Promise<string | null> {
  const h = await headers();
  return h.get('x-forwarded-for')?.split(',')[0]?.trim() ?? h.get('x-real-ip');
}
