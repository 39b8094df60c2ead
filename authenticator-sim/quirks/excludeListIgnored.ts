import type { Quirk } from './Quirk.ts';

/** makeCredential creates a credential even when excludeList names one of ours for the RP. */
export const excludeListIgnored: Quirk = {
  name: 'exclude-list-ignored',
  description: 'creates a credential despite excludeList',
  caughtBy: 'makeCredential checks',
  behaviour: { honourExcludeList: false },
};
