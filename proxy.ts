import { type NextRequest, NextResponse } from 'next/server';

import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { contentSecurityPolicy, crossSiteRefusal, HSTS, isHttps, PATHNAME_HEADER } from '@/lib/security/request-guard';

// Runs before every page and route (lib/security/request-guard.ts says what and why).
export function proxy(request: NextRequest): NextResponse {
  // Server actions (POSTs to pages) with the session cookie: Next checks their Origin too.
  const refusal = crossSiteRefusal(request.method, request.nextUrl, request.headers, SESSION_COOKIE);
  if (refusal) return NextResponse.json({ error: refusal }, { status: 403 });
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const csp = contentSecurityPolicy(nonce);
  // Next reads the nonce for its own scripts from the request's policy header.
  const forwarded = new Headers(request.headers);
  forwarded.set('x-nonce', nonce);
  forwarded.set('content-security-policy', csp);
  // Set here on every request, never taken from the client: the dashboard layout checks the page's role with it.
  forwarded.set(PATHNAME_HEADER, request.nextUrl.pathname);
  const response = NextResponse.next({ request: { headers: forwarded } });
  response.headers.set('content-security-policy', csp);
  if (isHttps(request.nextUrl, request.headers)) response.headers.set('strict-transport-security', HSTS);
  return response;
}

export const config = {
  // Static assets need neither a nonce nor an Origin check. API routes are left out too:
  // a proxy buffers the request body (uploads stream gigabytes), and they answer JSON, not
  // pages; authenticateRoute checks their Origin (lib/auth/request.ts).
  matcher: [{ source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)' }],
};
