import type { Quirk } from './Quirk.ts';
import { wrongSignedData } from './wrongSignedData.ts';

/** Assertion signatures (CTAP2 and U2F) are made over authenticatorData || clientDataHash with one bit flipped. */
export const badAssertionSignature: Quirk = {
  name: 'bad-assertion-signature',
  description: 'assertion signature over the wrong data',
  caughtBy: 'getAssertion signature check',
  behaviour: { assertionSignedData: wrongSignedData },
};
