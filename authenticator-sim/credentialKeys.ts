import { createECDH, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { CoseAlgorithm, CtapStatus, CtapStatusError, publicKeyToCose, type CborMap } from '../harness/protocol/index.ts';
import type { Rng } from './env.ts';

/** The algorithms the simulator offers, in its order of preference (getInfo `algorithms`). */
export const SUPPORTED_ALGORITHMS = [CoseAlgorithm.ES256, CoseAlgorithm.EdDSA] as const;

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A credential private key in its compact form (P-256 scalar or Ed25519 seed, 32 bytes each), so it fits
 * inside a wrapped credential ID.
 */
export function generatePrivateKey(alg: number, rng: Rng): Uint8Array {
  if (alg === CoseAlgorithm.ES256) {
    // A uniformly random 32-byte string is a valid P-256 scalar with overwhelming probability; createECDH
    // rejects the rare out-of-range value and we draw again.
    for (;;) {
      const d = rng.bytes(32);
      try {
        createECDH('prime256v1').setPrivateKey(d);
        return d;
      } catch {
        /* out of range: draw again */
      }
    }
  }
  if (alg === CoseAlgorithm.EdDSA) return rng.bytes(32);
  throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM, `alg ${alg}`);
}

export function privateKeyObject(alg: number, raw: Uint8Array): KeyObject {
  if (alg === CoseAlgorithm.ES256) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(raw);
    const pub = ecdh.getPublicKey();
    return createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: Buffer.from(raw).toString('base64url'),
        x: pub.subarray(1, 33).toString('base64url'),
        y: pub.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
  }
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function publicCoseKey(alg: number, privateKey: KeyObject): CborMap {
  return publicKeyToCose(createPublicKey(privateKey), alg);
}

/** ES256 signatures are ASN.1 DER (WebAuthn L3 §6.5.6); EdDSA signs the message itself. */
export function signWith(alg: number, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  const hash = alg === CoseAlgorithm.ES256 ? 'sha256' : null;
  return new Uint8Array(sign(hash, data, privateKey));
}
