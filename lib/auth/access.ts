import type { Role } from '@/lib/generated/prisma/enums';

// Who may use what: every page, route handler and server action in app/, with the least
// role it needs ('public': anyone, signed in or not). The one place these rules live;
// each entry point looks its own up by key, and tests/unit/core/access-matrix.test.ts
// fails when a file in app/ has no entry here (or does not use it), and
// tests/integration/access-matrix.test.ts checks every page and route over HTTP for every
// role, with a session and with an API token.
//
// Viewers see aggregates; raw decisions and the account drill-down are for analysts.

export type Access = 'public' | Role;

export const PAGE_ACCESS = {
  '/sign-in': 'public',
  '/setup': 'public',
  '/': 'viewer',
  '/overview': 'viewer',
  '/breakdown': 'viewer',
  '/accounts': 'viewer',
  '/accounts/[id]': 'analyst',
  '/decisions': 'analyst',
  '/policies': 'viewer',
  '/violations': 'viewer',
  '/divergence': 'viewer',
  '/uploads': 'analyst',
  '/uploads/[id]': 'analyst',
  '/audit': 'admin',
  '/settings': 'admin',
} as const satisfies Record<string, Access>;
export type PagePath = keyof typeof PAGE_ACCESS;

/**
 * The rule of the page a URL path shows ('/accounts/acme' → '/accounts/[id]'); null for
 * a path no page has (a 404).
 */
export function pageAccessFor(pathname: string): Access | null {
  for (const [pattern, access] of Object.entries(PAGE_ACCESS)) {
    const regex = new RegExp(`^${pattern.replace(/\[[^\]/]+\]/g, '[^/]+')}/?$`);
    if (regex.test(pathname)) return access;
  }
  return null;
}

/** Route handlers, as `METHOD /path`. Exports need the role of the view exported too (lib/export/views.ts). */
export const ROUTE_ACCESS = {
  'GET /api/v1/summary': 'viewer',
  'GET /api/v1/timeseries': 'viewer',
  'GET /api/v1/breakdown': 'viewer',
  'GET /api/v1/accounts': 'viewer',
  'GET /api/v1/decisions': 'analyst',
  'GET /api/v1/violations': 'analyst',
  'GET /api/v1/violations/accounts': 'viewer',
  'GET /api/v1/violations/timeseries': 'viewer',
  'GET /api/v1/divergence': 'viewer',
  // Holds the raw decisions.
  'GET /api/v1/evidence': 'analyst',
  'GET /api/v1/batches': 'viewer',
  'POST /api/v1/batches': 'analyst',
  'GET /api/v1/batches/[id]': 'viewer',
  'GET /api/v1/batches/[id]/errors.csv': 'analyst',
  'GET /api/v1/uploads/[uploadId]/progress': 'analyst',
  'GET /api/v1/export/[file]': 'viewer',
  'GET /api/v1/export/manifests/[id]': 'viewer',
} as const satisfies Record<string, Access & Role>;
export type RouteKey = keyof typeof ROUTE_ACCESS;

/** Server actions, by exported name (unique across app/). */
export const ACTION_ACCESS = {
  signInAction: 'public',
  setupAction: 'public',
  // Ends the caller's own session, if any.
  signOutAction: 'public',
  // Sets a display preference cookie, nothing else.
  setThemeAction: 'public',
  createUserAction: 'admin',
  changeRoleAction: 'admin',
  setDisabledAction: 'admin',
  createTokenAction: 'admin',
  revokeTokenAction: 'admin',
  addPolicyAction: 'admin',
  closePolicyAction: 'admin',
  supersedePolicyAction: 'admin',
} as const satisfies Record<string, Access>;
export type ActionName = keyof typeof ACTION_ACCESS;
