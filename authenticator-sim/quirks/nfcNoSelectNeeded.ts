import type { Quirk } from './Quirk.ts';

/** NFC: CTAP commands run without SELECT of the FIDO applet */
export const nfcNoSelectNeeded: Quirk = {
  name: 'nfc-no-select-needed',
  description: 'NFC: CTAP commands run without SELECT of the FIDO applet',
  caughtBy: 'NFC-SELECT-004',
  behaviour: { nfcRequireSelect: false },
};
