import type { Quirk } from './Quirk.ts';

/** Vendor-facilitated enterprise attestation (value 1) is given to every RP, listed or not. */
export const enterpriseAttestationAnyRp: Quirk = {
  name: 'ea-any-rp',
  description: 'enterprise attestation 1 goes to RPs that are not pre-configured',
  caughtBy: 'EA-VENDOR-001',
  behaviour: { enterpriseAttestationForAnyRp: true },
};
