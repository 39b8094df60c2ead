import type { Quirk } from './Quirk.ts';

/**
 * getAssertion without an allowList takes the RP's discoverable credentials oldest first: the account the
 * user made last is not the one offered first (CTAP 2.1 §6.2.2 step 7: most recent first).
 */
export const rkOldestFirst: Quirk = {
  name: 'rk-oldest-first',
  description: 'discoverable credentials returned oldest first',
  caughtBy: 'RK-DISCOVER-001, RK-MULTI-001, RK-OVERWRITE-001',
  behaviour: { discoverableNewestFirst: false },
};
