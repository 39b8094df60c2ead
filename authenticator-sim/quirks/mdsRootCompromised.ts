import type { Quirk } from './Quirk.ts';

/**
 * The simulator behaves; the test MDS built for the run lists an ATTESTATION_KEY_COMPROMISE whose
 * `certificate` is the simulator's attestation root (FIDO MDS3 §3.1.3 gives the root of a compromised set
 * as its example). Only the leaf was compared once; every certificate of the path must be.
 */
export const mdsRootCompromised: Quirk = {
  name: 'mds-root-compromised',
  description: "the test MDS reports the attestation root of this AAGUID's chain as compromised",
  caughtBy: 'MDS checks + Microsoft + Entra enforcement',
  behaviour: {},
  testMdsStatus: 'ATTESTATION_KEY_COMPROMISE',
};
