import type { Quirk } from './Quirk.ts';

/** NFC: each piece of a chained command (CLA 0x90) runs as if it were the whole command */
export const nfcNoCommandChaining: Quirk = {
  name: 'nfc-no-command-chaining',
  description: 'NFC: each piece of a chained command (CLA 0x90) runs as if it were the whole command',
  caughtBy: 'NFC-CHAIN-001',
  behaviour: { nfcCommandChaining: false },
};
