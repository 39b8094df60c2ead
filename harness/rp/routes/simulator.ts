import { Hono } from 'hono';
import { CtapStatusError } from '../../protocol/index.ts';
import { ClientError } from '../../client/index.ts';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';
import { readJsonBody } from '../middleware/readJsonBody.ts';
import { authenticationOptionsRequest, registrationOptionsRequest } from '../schemas.ts';
import { startRegistration } from '../ceremony/startRegistration.ts';
import { finishRegistration } from '../ceremony/finishRegistration.ts';
import { startAuthentication } from '../ceremony/startAuthentication.ts';
import { finishAuthentication } from '../ceremony/finishAuthentication.ts';
import { SIMULATOR_PIN, type SimulatorPool } from '../simulator/SimulatorPool.ts';
import type { RegistrationResponseBody, AuthenticationResponseBody } from '../schemas.ts';
import { peerAddress } from '../middleware/peerAddress.ts';

/**
 * The page's "built-in simulator" mode (mounted at /api/sim): the server plays the browser's part with
 * the harness client (harness/client) against an in-process simulator, then verifies the result exactly
 * as it verifies a browser's (same ceremony store, same checks, same decoded result).
 *   GET  /            → {available, pin, aaguid note}
 *   POST /register    {username, profile, ...choices} → as POST /api/registration/verify
 *   POST /authenticate {username?, userVerification?}  → as POST /api/authentication/verify
 */
export function simulatorRoutes(rp: RpState, pool: SimulatorPool): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.get('/', async (c) => {
    const mds = await rp.simulatorMds();
    const trust = !mds ? 'judged against the server\'s MDS' : 'store' in mds ? `judged against the simulator's test MDS (BLOB no ${mds.store.no})` : `no trust verdict: ${mds.problem}`;
    return c.json({
      status: 'ok',
      errorMessage: '',
      available: true,
      reason: `the server runs the harness client against a simulator for this session (PIN ${SIMULATOR_PIN} set by the client); registrations are ${trust}`,
      testMds: !!mds && 'store' in mds,
    });
  });
  app.post('/register', async (c) => {
    const req = await readJsonBody(c, registrationOptionsRequest);
    const sessionId = c.get('sessionId');
    const { ceremony, options } = await startRegistration(rp, {
      username: req.username,
      ...(req.displayName ? { displayName: req.displayName } : {}),
      choices: req,
      sessionId,
      peer: peerAddress(c),
    });
    const taken = rp.ceremonies.take(ceremony.id, 'registration', sessionId);
    const result = await pool.use(sessionId, (sim) => deviceStep(() => sim.client.create(options as never)));
    const mds = await rp.simulatorMds();
    const done = await finishRegistration(rp, taken, result.credential as unknown as RegistrationResponseBody, { peer: peerAddress(c), ...(mds ? { mds } : {}) });
    await rp.sessions.signIn(c, done.username);
    return c.json({ status: 'ok', errorMessage: '', verified: true, username: done.username, registration: done.summary, simulator: { userVerification: result.userVerification } });
  });
  app.post('/authenticate', async (c) => {
    const req = await readJsonBody(c, authenticationOptionsRequest);
    const sessionId = c.get('sessionId');
    const { ceremony, options } = await startAuthentication(rp, { username: req.username, userVerification: req.userVerification ?? 'preferred', sessionId, peer: peerAddress(c) });
    const taken = rp.ceremonies.take(ceremony.id, 'authentication', sessionId);
    const result = await pool.use(sessionId, (sim) => deviceStep(() => sim.client.get(options as never)));
    const done = await finishAuthentication(rp, taken, result.credential as unknown as AuthenticationResponseBody);
    await rp.sessions.signIn(c, done.username);
    return c.json({ status: 'ok', errorMessage: '', verified: true, ...done, simulator: { userVerification: result.userVerification } });
  });
  return app;
}

/** The client's and the device's refusals are the ceremony's outcome (4xx), as a browser's NotAllowedError is. */
async function deviceStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof ClientError || e instanceof CtapStatusError) {
      throw new RpError('SIMULATOR_REFUSED', `the simulator ceremony failed: ${e.message}`, 409);
    }
    throw e;
  }
}
