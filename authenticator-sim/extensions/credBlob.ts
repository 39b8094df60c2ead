import { CtapExtension, type CborMap } from '../../harness/protocol/index.ts';
import type { StoredCredential } from '../state.ts';
import { extensionInput, isBool, isBytes } from './extensionInput.ts';

/**
 * credBlob at registration (CTAP 2.1 §12.2): stored with a discoverable credential when it fits, output
 * `credBlob: true`; otherwise `false`. Non-discoverable credentials cannot carry it here (their ID is a
 * fixed 64-byte wrapped key), so they answer `false`, which the extension allows.
 */
export function credBlobAtRegistration(
  inputs: CborMap | undefined,
  rk: boolean,
  /** getInfo maxCredBlobLength (CTAP 2.1 §6.4: at least 32) */
  maxLength: number,
): { stored?: Uint8Array; output?: boolean } {
  const blob = extensionInput(inputs, CtapExtension.credBlob, isBytes, 'a byte string');
  if (blob === undefined) return {};
  if (!rk || blob.length > maxLength) return { output: false };
  return { stored: blob, output: true };
}

/** credBlob at assertion (§12.2): `credBlob: true` returns the stored blob, or an empty byte string. */
export function credBlobAtAssertion(inputs: CborMap | undefined, credential: StoredCredential): Uint8Array | undefined {
  if (readCredBlobInput(inputs) !== true) return undefined;
  return credential.credBlob ?? new Uint8Array(0);
}

export function readCredBlobInput(inputs: CborMap | undefined): boolean | undefined {
  return extensionInput(inputs, CtapExtension.credBlob, isBool, 'a boolean');
}
