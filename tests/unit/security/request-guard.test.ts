import { describe, expect, it } from 'vitest';

import { contentSecurityPolicy, crossSiteRefusal, isHttps } from '@/lib/security/request-guard';

const url = new URL('http://gw.example:3000/api/v1/batches');
const headers = (h: Record<string, string>) => new Headers(h);
const SESSION = 'gw_session=abc';

describe('request guard', () => {
  it('writes a nonce-based policy without eval or inline scripts', () => {
    const csp = contentSecurityPolicy('n0nce');
    expect(csp).toContain(`script-src 'self' 'nonce-n0nce' 'strict-dynamic'`);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp.match(/script-src[^;]*/)![0]).not.toContain('unsafe-inline');
    expect(csp).toContain(`frame-ancestors 'none'`);
  });

  it('refuses a state-changing request with a session cookie from another origin or none', () => {
    expect(crossSiteRefusal('POST', url, headers({ cookie: SESSION, host: 'gw.example:3000', origin: 'http://evil.example' }), 'gw_session'))
      .toMatch(/evil\.example may not act/);
    expect(crossSiteRefusal('DELETE', url, headers({ cookie: `a=1; ${SESSION}`, host: 'gw.example:3000' }), 'gw_session'))
      .toMatch(/must carry an Origin/);
    expect(crossSiteRefusal('POST', url, headers({ cookie: SESSION, host: 'gw.example:3000', origin: 'null' }), 'gw_session'))
      .toMatch(/not a URL/);
  });

  it('lets through same-origin requests, reads, API tokens and requests without a session', () => {
    expect(crossSiteRefusal('POST', url, headers({ cookie: SESSION, host: 'gw.example:3000', origin: 'http://gw.example:3000' }), 'gw_session')).toBeNull();
    expect(crossSiteRefusal('GET', url, headers({ cookie: SESSION, origin: 'http://evil.example' }), 'gw_session')).toBeNull();
    expect(crossSiteRefusal('POST', url, headers({ cookie: SESSION, authorization: 'Bearer gwt_x', origin: 'http://evil.example' }), 'gw_session')).toBeNull();
    expect(crossSiteRefusal('POST', url, headers({ cookie: 'gw_theme=dark', origin: 'http://evil.example' }), 'gw_session')).toBeNull();
    // Behind a proxy, the host the browser used is the forwarded one.
    expect(crossSiteRefusal('POST', url, headers({ cookie: SESSION, host: 'internal:3000', 'x-forwarded-host': 'gw.example', origin: 'https://gw.example' }), 'gw_session')).toBeNull();
  });

  it('knows HTTPS directly and through a proxy', () => {
    expect(isHttps(new URL('https://gw.example/'), headers({}))).toBe(true);
    expect(isHttps(url, headers({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(isHttps(url, headers({}))).toBe(false);
  });
});
