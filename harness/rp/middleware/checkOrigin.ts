import type { MiddlewareHandler } from 'hono';
import { RpError } from '../RpError.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * On every state-changing request (anything but GET/HEAD/OPTIONS) a browser sends `Origin` (RFC 6454
 * §7.3; Fetch standard "append a request Origin header"): it must be this RP's origin. A request without
 * one comes from a program (the conformance tools, curl), which a cross-site page cannot make.
 */
export function checkOrigin(origin: string): MiddlewareHandler {
  return async function checkOriginMiddleware(c, next) {
    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header('origin');
      if (sent !== undefined && sent !== origin) {
        throw new RpError('ORIGIN_NOT_ALLOWED', `requests that change state must come from ${origin}, not from ${JSON.stringify(sent.slice(0, 200))}`, 403);
      }
    }
    await next();
  };
}
