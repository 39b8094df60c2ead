import { AuthDataFlag } from '../../harness/protocol/index.ts';
import type { Quirk } from './Quirk.ts';

/** The UP flag is always set, also for getAssertion with up=false, where no touch was asked for (CTAP 2.1 §6.2.2 step 9). */
export const upWithoutTouch: Quirk = {
  name: 'up-without-touch',
  description: 'sets the UP flag when no touch was asked for',
  caughtBy: 'the up=false check',
  behaviour: { authDataFlags: (flags) => flags | AuthDataFlag.UP },
};
