import type { Quirk } from './Quirk.ts';

/** NFC: SELECT answers "FIDO_2_0" although CTAP1/U2F is supported */
export const nfcWrongVersion: Quirk = {
  name: 'nfc-wrong-version',
  description: 'NFC: SELECT answers "FIDO_2_0" although CTAP1/U2F is supported',
  caughtBy: 'NFC-SELECT-002',
  behaviour: { nfcSelectVersion: () => 'FIDO_2_0' },
};
