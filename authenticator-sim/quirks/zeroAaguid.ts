import type { Quirk } from './Quirk.ts';

/** getInfo and attested credential data carry the all-zero AAGUID. */
export const zeroAaguid: Quirk = {
  name: 'zero-aaguid',
  description: 'AAGUID all zeros',
  caughtBy: 'getInfo/attestation checks + Entra',
  behaviour: { aaguid: () => new Uint8Array(16) },
};
