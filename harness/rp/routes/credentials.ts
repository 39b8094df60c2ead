import { Hono } from 'hono';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';

/**
 * GET /api/credentials → the credentials of the user this session signed in as (by registering or signing
 * in), with no key material. Another user's list is not readable: `?username=` may only name the session's
 * own user.
 */
export function credentialRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.get('/', (c) => {
    const username = rp.sessions.userOf(c.get('sessionId'));
    if (username === undefined) throw new RpError('NOT_SIGNED_IN', 'register or sign in first: the list shows the signed-in user\'s credentials', 401);
    const asked = c.req.query('username');
    if (asked !== undefined && asked !== username) {
      throw new RpError('NOT_SIGNED_IN', 'this session is signed in as another user; sign in as that user to see their credentials', 403);
    }
    const credentials = rp.credentials.credentialsOf(username).map((cr) => ({
      id: cr.id,
      aaguid: cr.aaguid,
      fmt: cr.fmt,
      model: cr.listing.model,
      counter: cr.counter,
      signIns: cr.signIns,
      createdAt: cr.createdAt,
      lastUsedAt: cr.lastUsedAt,
      transports: cr.transports,
      userVerified: cr.listing.userVerified,
      residentKey: cr.listing.residentKey,
      algorithm: cr.listing.algorithm,
    }));
    return c.json({ status: 'ok', errorMessage: '', username, credentials });
  });
  return app;
}
