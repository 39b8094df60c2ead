import type { Quirk } from './Quirk.ts';

/** hmac-secret is not advertised in getInfo and its inputs are ignored. */
export const noHmacSecret: Quirk = {
  name: 'no-hmac-secret',
  description: 'hmac-secret missing from getInfo and ignored',
  caughtBy: 'extension checks + Microsoft requirement',
  behaviour: { hmacSecret: false },
};
