import type { MiddlewareHandler } from 'hono';
import { getSignedCookie } from 'hono/cookie';
import type { RpEnv } from '../RpState.ts';
import { SESSION_COOKIE, type SessionStore } from '../stores/SessionStore.ts';

export { SESSION_COOKIE };

/**
 * Reads the signed session cookie, or issues a new session. Ceremonies started by the page are bound to
 * the session, so a challenge cannot be finished from another browser.
 */
export function sessionCookie(sessions: SessionStore): MiddlewareHandler<RpEnv> {
  const key = Buffer.from(sessions.options.secret).toString('base64url');
  return async function sessionCookieMiddleware(c, next) {
    const existing = await getSignedCookie(c, key, SESSION_COOKIE);
    if (typeof existing === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) c.set('sessionId', existing);
    else await sessions.issue(c);
    await next();
  };
}
