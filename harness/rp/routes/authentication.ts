import { Hono } from 'hono';
import type { RpEnv, RpState } from '../RpState.ts';
import { readJsonBody } from '../middleware/readJsonBody.ts';
import { authenticationOptionsRequest, authenticationVerifyRequest } from '../schemas.ts';
import { startAuthentication } from '../ceremony/startAuthentication.ts';
import { finishAuthentication } from '../ceremony/finishAuthentication.ts';
import { peerAddress } from '../middleware/peerAddress.ts';

/**
 * The page's sign-in ceremony (mounted at /api/authentication):
 *   POST /options {username?, userVerification?} → {ceremonyId, options}; without a username the sign-in
 *     is discoverable (empty allowCredentials)
 *   POST /verify {ceremonyId, response} → {status:"ok", verified:true, username, credentialId, counter, ...}; the
 *     session is then signed in as that user, under a new id
 */
export function authenticationRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.post('/options', async (c) => {
    const req = await readJsonBody(c, authenticationOptionsRequest);
    const { ceremony, options } = await startAuthentication(rp, {
      username: req.username,
      userVerification: req.userVerification ?? 'preferred',
      sessionId: c.get('sessionId'),
      peer: peerAddress(c),
    });
    return c.json({ status: 'ok', errorMessage: '', ceremonyId: ceremony.id, options });
  });
  app.post('/verify', async (c) => {
    const req = await readJsonBody(c, authenticationVerifyRequest);
    const ceremony = rp.ceremonies.take(req.ceremonyId, 'authentication', c.get('sessionId'));
    const done = await finishAuthentication(rp, ceremony, req.response);
    await rp.sessions.signIn(c, done.username);
    return c.json({ status: 'ok', errorMessage: '', verified: true, ...done });
  });
  return app;
}
