import type { Quirk } from './Quirk.ts';

/** makeCredential makes packed self attestation (signed by the credential key, no x5c) whatever was configured. */
export const selfAttestation: Quirk = {
  name: 'self-attestation',
  description: 'packed self attestation (no x5c)',
  caughtBy: 'attestation/MDS checks + Entra enforcement',
  behaviour: { attestationMode: (configured) => (configured === 'none' ? 'none' : 'self') },
};
