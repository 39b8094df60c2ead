import { RpError } from '../RpError.ts';
import type { RpState } from '../RpState.ts';
import type { Ceremony } from '../stores/CeremonyStore.ts';
import type { AuthenticationResponseBody } from '../schemas.ts';
import { verifyAuthentication } from './verifyAuthentication.ts';

export interface FinishedAuthentication {
  username: string;
  credentialId: string;
  counter: number;
  userVerified: boolean;
  flags: { raw: number; UP: boolean; UV: boolean; BE: boolean; BS: boolean };
  discoverable: boolean;
}

/** Verifies the assertion; only a verified one updates the stored counter. */
export async function finishAuthentication(rp: RpState, ceremony: Ceremony, body: AuthenticationResponseBody): Promise<FinishedAuthentication> {
  const credential = rp.credentials.credential(body.id);
  if (!credential) throw new RpError('CREDENTIAL_UNKNOWN', 'unknown credential id: it is not registered with this RP');
  const v = await verifyAuthentication(body, ceremony, credential, { origin: rp.config.origin, rpId: rp.config.rpId });
  rp.credentials.recordSignIn(credential.id, v.newCounter, new Date(rp.config.clock.now()).toISOString());
  const f = v.authData;
  return {
    username: credential.username,
    credentialId: credential.id,
    counter: v.newCounter,
    userVerified: v.userVerified,
    flags: { raw: f.flags, UP: f.up, UV: f.uv, BE: f.be, BS: f.bs },
    discoverable: (ceremony.allowCredentialIds ?? []).length === 0,
  };
}
