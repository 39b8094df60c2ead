import type { Quirk } from './Quirk.ts';

/**
 * getAssertion with up=false still waits for a touch (UP stays clear): a platform's silent pre-flight makes
 * the key blink and wait (CTAP 2.1 §6.2.2 step 9: presence is collected only when up is true).
 */
export const touchWhenUpFalse: Quirk = {
  name: 'touch-when-up-false',
  description: 'waits for a touch in getAssertion with up=false',
  caughtBy: 'GA-UP-001 (presence waits with up=false)',
  behaviour: { presenceWithoutUp: true },
};
