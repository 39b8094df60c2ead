import { createHash } from 'node:crypto';
import type { Quirk } from './Quirk.ts';

/** The RP whose hash is written instead of the real one. */
export const WRONG_RP_ID = 'wrong-rp.example';

/** authenticatorData carries SHA-256 of another RP ID (credential IDs still bind to the real one). */
export const wrongRpIdHash: Quirk = {
  name: 'wrong-rpid-hash',
  description: 'authData rpIdHash of another RP',
  caughtBy: 'makeCredential/getAssertion authData checks',
  behaviour: {
    rpIdHash: (rpId) => new Uint8Array(createHash('sha256').update(rpId === WRONG_RP_ID ? `x.${rpId}` : WRONG_RP_ID).digest()),
  },
};
