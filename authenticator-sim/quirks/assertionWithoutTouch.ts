import type { Quirk } from './Quirk.ts';

/**
 * getAssertion with up=true sets UP without asking for a touch (CTAP 2.1 §6.2.2 step 9: collect user
 * presence first, once): the flag says the user was there when nobody was asked.
 */
export const assertionWithoutTouch: Quirk = {
  name: 'assertion-without-touch',
  description: 'getAssertion sets UP without asking for a touch',
  caughtBy: 'GA-FLAGS-001, GA-UP-002 (presence waits in getAssertion)',
  behaviour: { assertionAsksPresence: false },
};
