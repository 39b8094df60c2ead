import type { Quirk } from './Quirk.ts';

/** hmac-secret draws a new CredRandom for every assertion: the output for a salt is never the same twice */
export const hmacSecretFreshCredRandom: Quirk = {
  name: 'hmac-secret-fresh-credrandom',
  description: 'hmac-secret draws a new CredRandom for every assertion (outputs not stable)',
  caughtBy: 'HMAC-GA-002, HMAC-GA-004, HMAC-STABLE-001, HMAC-STABLE-002, HMAC-UVSPLIT-001',
  behaviour: { hmacSecretStableCredRandom: false },
};
