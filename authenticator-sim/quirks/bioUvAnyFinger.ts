import type { Quirk } from './Quirk.ts';

/** Fingerprint verification accepts any finger, enrolled or not. */
export const bioUvAnyFinger: Quirk = {
  name: 'bio-uv-any-finger',
  description: 'built-in UV by fingerprint matches any finger',
  caughtBy: 'BIO-UV-002, BIO-UV-003',
  behaviour: { bioMatchAnyFinger: true },
};
