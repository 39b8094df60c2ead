import type { Quirk } from './Quirk.ts';

/** Enrollment never finishes: after every good sample one more is asked for (remainingSamples stays 1). */
export const bioEnrollNeverCompletes: Quirk = {
  name: 'bio-enroll-never-completes',
  description: 'fingerprint enrollment always asks for one more sample',
  caughtBy: 'bio-enrollment checks that enroll (BIO-ENROLL-001, BIO-UV-*)',
  behaviour: { bioRemainingSamples: (remaining) => Math.max(remaining, 1) },
};
