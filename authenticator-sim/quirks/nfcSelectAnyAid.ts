import type { Quirk } from './Quirk.ts';

/** NFC: SELECT of any AID answers 9000 (instead of 6A82) */
export const nfcSelectAnyAid: Quirk = {
  name: 'nfc-select-any-aid',
  description: 'NFC: SELECT of any AID answers 9000 (instead of 6A82)',
  caughtBy: 'NFC-SELECT-003',
  behaviour: { nfcRejectOtherAids: false },
};
