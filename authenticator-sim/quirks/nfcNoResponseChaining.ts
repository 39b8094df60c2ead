import type { Quirk } from './Quirk.ts';

/** NFC: answers short APDUs whole, past Ne, without 61XX */
export const nfcNoResponseChaining: Quirk = {
  name: 'nfc-no-response-chaining',
  description: 'NFC: answers short APDUs whole, past Ne, without 61XX',
  caughtBy: 'NFC-RESP-001, NFC-RESP-002',
  behaviour: { nfcResponseChaining: false },
};
