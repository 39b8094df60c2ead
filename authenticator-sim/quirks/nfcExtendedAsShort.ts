import type { Quirk } from './Quirk.ts';

/** NFC: answers extended APDUs in 256-byte pieces with 61XX */
export const nfcExtendedAsShort: Quirk = {
  name: 'nfc-extended-as-short',
  description: 'NFC: answers extended APDUs in 256-byte pieces with 61XX',
  caughtBy: 'NFC-EXT-001',
  behaviour: { nfcExtendedResponses: false },
};
