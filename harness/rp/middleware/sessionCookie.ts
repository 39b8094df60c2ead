import type { MiddlewareHandler } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { RpEnv } from '../RpState.ts';

export const SESSION_COOKIE = 'fh_session';

/**
 * A session id in an HMAC-signed cookie (HttpOnly, SameSite=Strict; Secure when the origin is https).
 * Ceremonies started by the page are bound to it, so a challenge cannot be finished from another browser.
 */
export function sessionCookie(secret: Uint8Array, options: { secure: boolean; newId: () => string }): MiddlewareHandler<RpEnv> {
  const key = Buffer.from(secret).toString('base64url');
  return async function sessionCookieMiddleware(c, next) {
    const existing = await getSignedCookie(c, key, SESSION_COOKIE);
    let id = typeof existing === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(existing) ? existing : undefined;
    if (!id) {
      id = options.newId();
      await setSignedCookie(c, SESSION_COOKIE, id, key, { httpOnly: true, sameSite: 'Strict', path: '/', secure: options.secure });
    }
    c.set('sessionId', id);
    await next();
  };
}
