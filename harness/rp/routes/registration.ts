import { Hono } from 'hono';
import type { RpEnv, RpState } from '../RpState.ts';
import { readJsonBody } from '../middleware/readJsonBody.ts';
import { registrationOptionsRequest, registrationVerifyRequest } from '../schemas.ts';
import { startRegistration } from '../ceremony/startRegistration.ts';
import { finishRegistration } from '../ceremony/finishRegistration.ts';
import { peerAddress } from '../middleware/peerAddress.ts';

/**
 * The page's registration ceremony (mounted at /api/registration):
 *   POST /options {username, profile, attestation?, residentKey?, userVerification?, authenticatorAttachment?}
 *     → {ceremonyId, options}
 *   POST /verify {ceremonyId, response} → {status:"ok", verified:true, username, registration}; the session
 *     is then signed in as that user, under a new id
 */
export function registrationRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.post('/options', async (c) => {
    const req = await readJsonBody(c, registrationOptionsRequest);
    const { ceremony, options } = await startRegistration(rp, {
      username: req.username,
      ...(req.displayName ? { displayName: req.displayName } : {}),
      choices: req,
      sessionId: c.get('sessionId'),
      peer: peerAddress(c),
    });
    return c.json({ status: 'ok', errorMessage: '', ceremonyId: ceremony.id, profile: ceremony.profile, options });
  });
  app.post('/verify', async (c) => {
    const req = await readJsonBody(c, registrationVerifyRequest);
    const ceremony = rp.ceremonies.take(req.ceremonyId, 'registration', c.get('sessionId'));
    const done = await finishRegistration(rp, ceremony, req.response, { peer: peerAddress(c) });
    await rp.sessions.signIn(c, done.username);
    return c.json({ status: 'ok', errorMessage: '', verified: true, username: done.username, registration: done.summary });
  });
  return app;
}
