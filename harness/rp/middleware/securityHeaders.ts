import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { RpEnv } from '../RpState.ts';

/**
 * Security headers for the API and the page: a strict CSP (the built page loads only its own scripts and
 * styles), no framing, no referrer, no MIME sniffing; API answers are never cached.
 */
export function securityHeaders(): MiddlewareHandler<RpEnv> {
  const base = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
    // the page is served over plain http on localhost by default: HSTS would be wrong there
    strictTransportSecurity: false,
  });
  return async function securityHeadersMiddleware(c, next) {
    await base(c, async () => {
      await next();
      if (c.req.path.startsWith('/api/') || c.req.method === 'POST') c.header('Cache-Control', 'no-store');
    });
    // report.html carries inline style and script: it gets its own policy, runs sandboxed (an opaque
    // origin: no cookies, no API) and may be framed by the page only
    const policy = c.get('documentPolicy');
    if (policy) {
      c.res.headers.set('Content-Security-Policy', policy);
      c.res.headers.set('X-Frame-Options', 'SAMEORIGIN');
    }
  };
}
