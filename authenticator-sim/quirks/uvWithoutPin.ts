import type { Quirk } from './Quirk.ts';

/** The UV flag is set in authenticatorData although the user was never verified (no PIN, no token). */
export const uvWithoutPin: Quirk = {
  name: 'uv-without-pin',
  description: 'sets UV flag without any verification',
  caughtBy: 'UV/PIN checks',
  behaviour: { claimUvWithoutVerification: true },
};
