import type { Quirk } from './Quirk.ts';

/** attestationFormatsPreference is ignored: every credential gets packed attestation. */
export const attestationPreferenceIgnored: Quirk = {
  name: 'attestation-preference-ignored',
  description: 'makeCredential ignores attestationFormatsPreference (always packed)',
  caughtBy: 'CTAP22-ATTFMT-001, CTAP22-ATTFMT-002',
  behaviour: { honourAttestationFormatsPreference: false },
};
