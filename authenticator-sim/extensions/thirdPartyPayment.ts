import { CtapExtension, type CborMap } from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import type { StoredCredential } from '../state.ts';
import { extensionInput, isBool } from './extensionInput.ts';

/**
 * thirdPartyPayment (CTAP 2.2 §12, the WebAuthn payment extension's authenticator side): `true` at
 * makeCredential marks the credential as usable for payments initiated by a third party; `true` at
 * getAssertion asks whether it is, answered as a boolean output. A CTAP 2.1 key ignores it.
 */
export function thirdPartyPaymentAtRegistration(a: Authenticator, inputs: CborMap | undefined): boolean {
  if (!a.ctap22) return false;
  return extensionInput(inputs, CtapExtension.thirdPartyPayment, isBool, 'a boolean') === true;
}

/** The getAssertion output, or undefined when not asked for (or on a 2.1 key). */
export function thirdPartyPaymentAtAssertion(a: Authenticator, inputs: CborMap | undefined, credential: StoredCredential): boolean | undefined {
  if (!a.ctap22) return undefined;
  return extensionInput(inputs, CtapExtension.thirdPartyPayment, isBool, 'a boolean') === true ? credential.thirdPartyPayment === true : undefined;
}
