import type { Quirk } from './Quirk.ts';

/**
 * Text a report must escape: an HTML element with a script, an attribute breakout, NUL, BEL, ESC (an ANSI
 * colour sequence) and a right-to-left override.
 */
export const EVIL_TEXT = '<script>alert("fido")</script><img src=x onerror=alert(1)>"\'&\u0000\u0007\u001b[31m\u202e';

/**
 * getInfo lists an extra extension identifier made of evil text, and user names and display names the
 * simulator returns (getAssertion, credential management) carry it. Nothing may fail because of it; the
 * HTML report must escape it.
 */
export const evilStrings: Quirk = {
  name: 'evil-strings',
  description: 'getInfo / user names carry HTML and control characters',
  caughtBy: 'nothing may fail; the HTML report must escape them',
  behaviour: {
    getInfo: (info) => ({ ...info, extensions: [...(info.extensions ?? []), `x-${EVIL_TEXT}`] }),
    decorateUserText: (text) => `${text}${EVIL_TEXT}`,
  },
};
