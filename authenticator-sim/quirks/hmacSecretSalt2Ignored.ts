import type { Quirk } from './Quirk.ts';

/** hmac-secret's output2 is computed from salt1 (salt2 ignored): both outputs are the same */
export const hmacSecretSalt2Ignored: Quirk = {
  name: 'hmac-secret-salt2-ignored',
  description: "hmac-secret's output2 is computed from salt1, not salt2",
  caughtBy: 'HMAC-GA-002, HMAC-GA-004',
  behaviour: { hmacSecretUsesSalt2: false },
};
