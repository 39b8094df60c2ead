import type { Quirk } from './Quirk.ts';

/**
 * A token got with the PIN counts as the user's presence: makeCredential/getAssertion with it set UP without
 * asking for a touch (CTAP 2.1 §6.5.5.7.2: a PIN token starts with userPresent false).
 */
export const pinTokenPresence: Quirk = {
  name: 'pin-token-presence',
  description: 'reports user presence without a touch when a PIN token is used',
  caughtBy: 'presence checks with a PIN token',
  behaviour: { pinTokenProvesPresence: true },
};
