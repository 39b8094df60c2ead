import type { Quirk } from './Quirk.ts';

/**
 * authenticatorReset sets the global signature counter back to 0. No MUST forbids it (CTAP 2.1 §6.6 deletes
 * every credential, so no relying party holds a counter it could go below), which is why the check that
 * sees it warns instead of failing; the simulator itself keeps the counter rising (WebAuthn L3 §6.1.1).
 */
export const counterResetOnReset: Quirk = {
  name: 'counter-reset-on-reset',
  description: 'authenticatorReset sets the signature counter back to 0',
  caughtBy: 'RESET-003 (a warning: no MUST keeps the counter)',
  behaviour: { signCountAfterReset: () => 0 },
};
