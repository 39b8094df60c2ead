import { Hono } from 'hono';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';
import { readJsonBody } from '../middleware/readJsonBody.ts';
import {
  authenticationResponse,
  conformanceAssertionOptionsRequest,
  conformanceAttestationOptionsRequest,
  registrationResponse,
} from '../schemas.ts';
import { parseClientData } from '../ceremony/decodeClientData.ts';
import { startRegistration } from '../ceremony/startRegistration.ts';
import { finishRegistration } from '../ceremony/finishRegistration.ts';
import { startAuthentication } from '../ceremony/startAuthentication.ts';
import { finishAuthentication } from '../ceremony/finishAuthentication.ts';
import { peerAddress } from '../middleware/peerAddress.ts';

const OK = { status: 'ok', errorMessage: '' } as const;

/**
 * The FIDO server conformance API (FIDO2 Server conformance test API): four POST endpoints
 * with JSON bodies and base64url binary members. The conformance tools keep no session, so a ceremony is
 * found by the challenge in clientDataJSON (32 random bytes, single use, TTL): an unknown, replayed or
 * expired challenge is refused.
 */
export function conformanceRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.use('*', async function markConformance(c, next) {
    c.set('conformance', true);
    await next();
  });

  // ServerPublicKeyCredentialCreationOptionsRequest → ServerPublicKeyCredentialCreationOptionsResponse
  app.post('/attestation/options', async (c) => {
    const req = await readJsonBody(c, conformanceAttestationOptionsRequest);
    const sel = req.authenticatorSelection ?? {};
    const residentKey = sel.residentKey ?? (sel.requireResidentKey === true ? 'required' : sel.requireResidentKey === false ? 'discouraged' : undefined);
    const { options } = await startRegistration(rp, {
      username: req.username,
      displayName: req.displayName,
      choices: {
        profile: 'custom',
        attestation: req.attestation ?? 'none',
        ...(residentKey ? { residentKey } : {}),
        ...(sel.userVerification ? { userVerification: sel.userVerification } : {}),
        ...(sel.authenticatorAttachment ? { authenticatorAttachment: sel.authenticatorAttachment } : {}),
      },
      sessionId: undefined,
      peer: peerAddress(c),
      ...(req.extensions ? { extensions: req.extensions } : {}),
    });
    const { hints: _hints, ...rest } = options as typeof options & { hints?: unknown };
    return c.json({ ...OK, ...rest });
  });

  // ServerAuthenticatorAttestationResponse → ServerResponse
  app.post('/attestation/result', async (c) => {
    const body = await readJsonBody(c, registrationResponse);
    const challenge = parseClientData(body.response.clientDataJSON).challenge;
    const ceremony = rp.ceremonies.take(challengeKey(challenge), 'registration', undefined);
    await finishRegistration(rp, ceremony, body, { peer: peerAddress(c) });
    return c.json(OK);
  });

  // ServerPublicKeyCredentialGetOptionsRequest → ServerPublicKeyCredentialGetOptionsResponse
  app.post('/assertion/options', async (c) => {
    const req = await readJsonBody(c, conformanceAssertionOptionsRequest);
    const { options } = await startAuthentication(rp, {
      username: req.username,
      userVerification: req.userVerification ?? 'preferred',
      sessionId: undefined,
      peer: peerAddress(c),
      ...(req.extensions ? { extensions: req.extensions } : {}),
    });
    return c.json({ ...OK, ...options });
  });

  // ServerAuthenticatorAssertionResponse → ServerResponse
  app.post('/assertion/result', async (c) => {
    const body = await readJsonBody(c, authenticationResponse);
    const challenge = parseClientData(body.response.clientDataJSON).challenge;
    const ceremony = rp.ceremonies.take(challengeKey(challenge), 'authentication', undefined);
    await finishAuthentication(rp, ceremony, body);
    return c.json(OK);
  });
  return app;
}

/** the ceremony key is the challenge; anything that could not be one is refused before the lookup */
function challengeKey(challenge: string): string {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) {
    throw new RpError('CHALLENGE_MISMATCH', 'clientDataJSON.challenge is not a challenge this RP issues');
  }
  return challenge;
}
