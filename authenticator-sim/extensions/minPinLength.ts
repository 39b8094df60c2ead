import { CtapExtension, type CborMap } from '../../harness/protocol/index.ts';
import type { PersistentState } from '../state.ts';
import { extensionInput, isBool } from './extensionInput.ts';

/**
 * minPinLength (CTAP 2.1 §12.4): at registration, the current minimum PIN length is returned only to the
 * RP IDs authenticatorConfig setMinPINLength listed (§6.11.4); for any other RP the extension is ignored.
 */
export function minPinLengthAtRegistration(inputs: CborMap | undefined, rpId: string, state: PersistentState): number | undefined {
  const wanted = extensionInput(inputs, CtapExtension.minPinLength, isBool, 'a boolean');
  if (wanted !== true || !state.minPinLengthRpIds.includes(rpId)) return undefined;
  return state.minPinLength;
}
