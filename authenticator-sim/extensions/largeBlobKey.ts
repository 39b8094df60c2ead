import { CtapExtension, CtapStatus, CtapStatusError, type CborMap } from '../../harness/protocol/index.ts';
import type { Rng } from '../env.ts';
import type { StoredCredential } from '../state.ts';
import { extensionInput, isBool } from './extensionInput.ts';

/**
 * largeBlobKey (CTAP 2.1 §12.3). The input must be true (false is CTAP2_ERR_INVALID_OPTION). The key is a
 * 32-byte random value kept with a discoverable credential and returned as response member 0x05
 * (makeCredential) / 0x07 (getAssertion), not in authenticatorData. Large blobs belong to discoverable
 * credentials; for a non-discoverable one the request is ignored (no key), which the spec does not forbid.
 */
export function largeBlobKeyAtRegistration(inputs: CborMap | undefined, rk: boolean, rng: Rng): Uint8Array | undefined {
  const wanted = readLargeBlobKeyInput(inputs);
  if (!wanted || !rk) return undefined;
  return rng.bytes(32);
}

export function largeBlobKeyAtAssertion(inputs: CborMap | undefined, credential: StoredCredential): Uint8Array | undefined {
  return readLargeBlobKeyInput(inputs) ? credential.largeBlobKey : undefined;
}

export function readLargeBlobKeyInput(inputs: CborMap | undefined): boolean {
  const v = extensionInput(inputs, CtapExtension.largeBlobKey, isBool, 'a boolean');
  if (v === false) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'largeBlobKey must be true');
  return v === true;
}
