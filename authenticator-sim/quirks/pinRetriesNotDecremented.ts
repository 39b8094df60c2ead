import type { Quirk } from './Quirk.ts';

/** A wrong PIN leaves pinRetries as it was (the clientPIN handlers read `decrementPinRetries`). */
export const pinRetriesNotDecremented: Quirk = {
  name: 'pin-retries-not-decremented',
  description: 'wrong PIN does not lower the retry count',
  caughtBy: 'clientPIN checks',
  behaviour: { decrementPinRetries: false },
};
