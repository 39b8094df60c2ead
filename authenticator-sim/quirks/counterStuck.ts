import type { Quirk } from './Quirk.ts';

/** The signature counter never increases: it sticks at 1 (or wherever it was), never at 0, which would mean "no counter". */
export const counterStuck: Quirk = {
  name: 'counter-stuck',
  description: 'signature counter never increases',
  caughtBy: 'getAssertion counter checks',
  behaviour: { nextSignCount: (current) => (current === 0 ? 1 : current) },
};
