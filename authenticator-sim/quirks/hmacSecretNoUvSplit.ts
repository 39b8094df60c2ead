import type { Quirk } from './Quirk.ts';

/** hmac-secret outputs are the same with and without user verification (one CredRandom for both). */
export const hmacSecretNoUvSplit: Quirk = {
  name: 'hmac-secret-no-uv-split',
  description: 'hmac-secret uses one CredRandom with and without UV',
  caughtBy: 'HMAC-UVSPLIT-001 + Microsoft requirement (MS-HMAC)',
  behaviour: { hmacSecretUvSplit: false },
};
