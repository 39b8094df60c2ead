import type { Quirk } from './Quirk.ts';

/** getInfo rk = false and makeCredential with rk answers CTAP2_ERR_UNSUPPORTED_OPTION. */
export const noResidentKeys: Quirk = {
  name: 'no-resident-keys',
  description: '`rk` option false, rk requests refused',
  caughtBy: 'resident-key checks + Microsoft + Entra',
  behaviour: { residentKeys: false },
};
