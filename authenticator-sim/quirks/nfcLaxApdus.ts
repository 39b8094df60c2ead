import type { Quirk } from './Quirk.ts';

/** NFC: answers 9000 to a wrong CLA, INS, P1-P2 or Lc */
export const nfcLaxApdus: Quirk = {
  name: 'nfc-lax-apdus',
  description: 'NFC: answers 9000 to a wrong CLA, INS, P1-P2 or Lc',
  caughtBy: 'NFC-APDU-001 to NFC-APDU-004',
  behaviour: { nfcStrictApdus: false },
};
