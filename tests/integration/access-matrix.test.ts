import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PAGE_ACCESS, type PagePath, ROUTE_ACCESS, type RouteKey } from '@/lib/auth/access';
import { createApiToken } from '@/lib/auth/api-tokens';
import { hasRole } from '@/lib/auth/roles';
import { createSession } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import { EXPORT_VIEWS } from '@/lib/export/views';
import type { Role } from '@/lib/generated/prisma/enums';

import { startAppServer, type AppServer } from '../helpers/app-server';
import { useTestDatabase } from '../helpers/test-database';

// Every page and route handler of the access matrix, over HTTP, for no one, a session of
// each role and an API token of each role: let through exactly when the matrix says so.

const ROLES: Role[] = ['viewer', 'analyst', 'admin'];

/** A URL for each entry, dynamic segments filled in. */
const PAGE_URLS: Record<PagePath, string> = {
  '/sign-in': '/sign-in', '/setup': '/setup', '/': '/', '/overview': '/overview', '/breakdown': '/breakdown',
  '/accounts': '/accounts', '/accounts/[id]': '/accounts/acct-none', '/decisions': '/decisions', '/policies': '/policies',
  '/violations': '/violations', '/divergence': '/divergence', '/uploads': '/uploads', '/uploads/[id]': '/uploads/1', '/audit': '/audit', '/settings': '/settings',
};
const ROUTE_URLS: Record<RouteKey, string> = {
  'GET /api/v1/summary': '/api/v1/summary', 'GET /api/v1/timeseries': '/api/v1/timeseries', 'GET /api/v1/breakdown': '/api/v1/breakdown?by=region',
  'GET /api/v1/accounts': '/api/v1/accounts', 'GET /api/v1/decisions': '/api/v1/decisions', 'GET /api/v1/batches': '/api/v1/batches',
  'POST /api/v1/batches': '/api/v1/batches', 'GET /api/v1/batches/[id]': '/api/v1/batches/1',
  'GET /api/v1/batches/[id]/errors.csv': '/api/v1/batches/1/errors.csv', 'GET /api/v1/uploads/[uploadId]/progress': '/api/v1/uploads/abcdefgh/progress',
  'GET /api/v1/violations': '/api/v1/violations', 'GET /api/v1/violations/accounts': '/api/v1/violations/accounts',
  'GET /api/v1/violations/timeseries': '/api/v1/violations/timeseries', 'GET /api/v1/divergence': '/api/v1/divergence',
  'GET /api/v1/evidence': '/api/v1/evidence?range=24h',
  'GET /api/v1/export/[file]': '/api/v1/export/breakdown.csv?by=region',
  'GET /api/v1/export/manifests/[id]': '/api/v1/export/manifests/00000000-0000-4000-8000-000000000000',
};

describe('access matrix over HTTP', () => {
  const db = useTestDatabase();
  let app: AppServer;
  const cookies: Partial<Record<Role, string>> = {};
  const tokens: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    for (const role of ROLES) {
      const user = await createUser(db().prisma, { email: `${role}-matrix@example.com`, password: 'a matrix password 123', role });
      cookies[role] = `gw_session=${(await createSession(db().prisma, user.id, { hours: 1 })).token}`;
      tokens[role] = (await createApiToken(db().prisma, { name: `${role} matrix`, role })).secret;
    }
    app = await startAppServer(db().url);
  }, 120_000);
  afterAll(async () => app?.stop());

  const call = async (method: string, url: string, headers: Record<string, string>) => {
    const response = await fetch(`${app.url}${url}`, {
      method, redirect: 'manual', headers: { origin: app.url, ...headers },
      ...(method === 'POST' ? { body: 'not a log file' } : {}),
    });
    await response.body?.cancel();
    return { status: response.status, location: response.headers.get('location') ?? '' };
  };
  const toSignIn = (r: { status: number; location: string }) => r.status >= 300 && r.status < 400 && r.location.includes('/sign-in');

  it.each(Object.entries(PAGE_ACCESS) as Array<[PagePath, (typeof PAGE_ACCESS)[PagePath]]>)('page %s: %s', async (page, rule) => {
    const anonymous = await call('GET', PAGE_URLS[page], {});
    // /setup answers 404 once a user exists: public, but closed.
    if (rule === 'public') expect([401, 403].includes(anonymous.status) || anonymous.status >= 500).toBe(false);
    else expect(toSignIn(anonymous), `${page} without a session: ${anonymous.status}`).toBe(true);
    for (const role of ROLES) {
      const r = await call('GET', PAGE_URLS[page], { cookie: cookies[role]! });
      const allowed = rule === 'public' || hasRole(role, rule);
      if (allowed) expect([401, 403].includes(r.status) || toSignIn(r), `${page} as ${role}: ${r.status}`).toBe(false);
      else expect(r.status, `${page} as ${role}`).toBe(403);
    }
  });

  it.each(Object.entries(ROUTE_ACCESS) as Array<[RouteKey, Role]>)('route %s: %s', async (key, rule) => {
    const method = key.split(' ')[0]!;
    const url = ROUTE_URLS[key];
    expect((await call(method, url, {})).status).toBe(401);
    for (const role of ROLES) {
      for (const [how, headers] of [['session', { cookie: cookies[role]! }], ['token', { authorization: `Bearer ${tokens[role]}` }]] as const) {
        const { status } = await call(method, url, headers);
        if (hasRole(role, rule)) expect([401, 403], `${key} as ${role} ${how}: ${status}`).not.toContain(status);
        else expect(status, `${key} as ${role} ${how}`).toBe(403);
      }
    }
  });

  it('refuses a signed-in upload from another origin, or with none, but not an API token', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${app.url}/api/v1/batches`, { method: 'POST', redirect: 'manual', headers, body: 'not a log file' });
    const foreign = await post({ cookie: cookies.admin!, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toMatch(/evil\.example may not act/);
    expect((await post({ cookie: cookies.admin! })).status).toBe(403);
    // Past the guard, the body is refused as no log format (415): the session and the token both got through.
    expect((await post({ cookie: cookies.admin!, origin: app.url })).status).toBe(415);
    expect((await post({ authorization: `Bearer ${tokens.admin}`, origin: 'http://evil.example' })).status).toBe(415);
  });

  it.each(Object.entries(EXPORT_VIEWS).map(([view, v]) => [view, v.minRole] as const))('export %s.csv: %s', async (view, rule) => {
    for (const role of ROLES) {
      const { status } = await call('GET', `/api/v1/export/${view}.csv?by=region`, { authorization: `Bearer ${tokens[role]}` });
      if (hasRole(role, rule)) expect(status, `${view} as ${role}`).toBe(200);
      else expect(status, `${view} as ${role}`).toBe(403);
    }
  });

  it('answers a database failure without a stack trace, SQL or a file path', async () => {
    await db().pool.query('ALTER TABLE decision_counts_daily RENAME TO decision_counts_daily_gone');
    try {
      for (const [url, headers] of [
        ['/api/v1/summary?range=90d', { authorization: `Bearer ${tokens.admin}` }],
        ['/api/v1/breakdown?by=region', { authorization: `Bearer ${tokens.admin}` }],
        ['/overview?range=90d', { cookie: cookies.admin! }],
      ] as const) {
        const response = await fetch(`${app.url}${url}`, { headers, redirect: 'manual' });
        const body = await response.text();
        expect(response.status, url).toBe(500);
        for (const leak of ['decision_counts_daily', 'SELECT', 'relation', '/work/', 'node_modules', '    at ']) {
          expect(body, `${url} leaks "${leak}"`).not.toContain(leak);
        }
      }
    } finally {
      await db().pool.query('ALTER TABLE decision_counts_daily_gone RENAME TO decision_counts_daily');
    }
  });
});
