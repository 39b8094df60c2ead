import type { Quirk } from './Quirk.ts';

/** NFC: status updates (9100) with status byte 0, also to clients that did not ask (P1 0x00) */
export const nfcStatusUpdatesUnasked: Quirk = {
  name: 'nfc-status-updates-unasked',
  description: 'NFC: status updates (9100) with status byte 0, also to clients that did not ask (P1 0x00)',
  caughtBy: 'NFC-STATUS-001, NFC-STATUS-002',
  behaviour: { nfcStatusUpdatesAsSpecified: false },
};
