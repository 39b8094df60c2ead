import type { Quirk } from './Quirk.ts';

/** hmac-secret's outputs are HMACs of a fixed value, not of the salts: every salt gives the same output */
export const hmacSecretSaltIgnored: Quirk = {
  name: 'hmac-secret-salt-ignored',
  description: "hmac-secret's outputs do not depend on the salts (every salt gives the same output)",
  caughtBy: 'HMAC-GA-002, HMAC-GA-004, HMAC-STABLE-001',
  behaviour: { hmacSecretUsesSalts: false },
};
