// What every request passes through before it reaches a page or route (proxy.ts): the
// Content-Security-Policy with this request's nonce, HSTS over HTTPS, and the Origin check
// that keeps another site from making a signed-in browser change state.

/**
 * Scripts only from this origin or carrying the nonce (Next's own inline bootstrap gets
 * it); no eval. Styles allow inline attributes: Recharts positions its SVG with style
 * attributes, which a nonce cannot cover, and a style cannot run code.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** The request's path, as the proxy saw it, for server components that need it. */
export const PATHNAME_HEADER = 'x-gw-pathname';

export const HSTS = 'max-age=63072000; includeSubDomains';

/** Whether the request reached us over HTTPS (directly, or as a proxy in front says). */
export function isHttps(url: URL, headers: Headers): boolean {
  return url.protocol === 'https:' || headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Null when the request may go on; otherwise why not. A state-changing request that
 * carries a session cookie must come from a page of this origin: browsers send Origin on
 * every such request. Requests with an API token (Authorization) are exempt: a browser
 * never attaches one by itself.
 */
export function crossSiteRefusal(method: string, url: URL, headers: Headers, sessionCookie: string): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  if (headers.get('authorization')) return null;
  const cookie = headers.get('cookie') ?? '';
  if (!cookie.split(';').some((c) => c.trim().startsWith(`${sessionCookie}=`))) return null;
  const origin = headers.get('origin');
  if (!origin) return 'A signed-in request that changes something must carry an Origin header.';
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? url.host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `The Origin header "${origin.slice(0, 100)}" is not a URL.`;
  }
  return originHost === host ? null : `Requests from ${origin.slice(0, 100)} may not act on this Gatewatch with your session.`;
}
