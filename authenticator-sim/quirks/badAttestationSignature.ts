import type { Quirk } from './Quirk.ts';
import { wrongSignedData } from './wrongSignedData.ts';

/** Attestation signatures (packed and U2F registration) are made over the wrong data, so they do not verify. */
export const badAttestationSignature: Quirk = {
  name: 'bad-attestation-signature',
  description: 'attestation statement signature invalid',
  caughtBy: 'attestation checks',
  behaviour: { attestationSignedData: wrongSignedData },
};
