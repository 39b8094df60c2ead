import { verify } from 'node:crypto';
import type { CborMap } from '../cbor/CborValue.ts';
import { coseSignatureParams, coseToPublicKey, CoseKeyError, CoseKeyLabel } from './coseKey.ts';

/**
 * Verifies a WebAuthn signature (ES256 as ASN.1 DER per WebAuthn L3 §6.5.6, EdDSA raw, RS256 PKCS#1 v1.5)
 * over `data` with a COSE public key. Returns false for a wrong signature, throws CoseKeyError for a key
 * that cannot be used.
 */
export function verifyCoseSignature(coseKey: CborMap, data: Uint8Array, signature: Uint8Array): boolean {
  const alg = coseKey.get(CoseKeyLabel.alg);
  if (typeof alg !== 'number') throw new CoseKeyError('COSE_UNSUPPORTED', 'COSE key alg missing or not an integer');
  const { hash, dsaEncoding } = coseSignatureParams(alg);
  const key = coseToPublicKey(coseKey);
  try {
    return verify(hash, data, dsaEncoding ? { key, dsaEncoding } : key, signature);
  } catch {
    return false;
  }
}
