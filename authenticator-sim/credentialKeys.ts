import { createECDH, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { CoseAlgorithm, CtapStatus, CtapStatusError, publicKeyToCose, type CborMap } from '../harness/protocol/index.ts';
import type { Rng } from './env.ts';

/** The algorithms the simulator offers, in its order of preference (getInfo `algorithms`). */
export const SUPPORTED_ALGORITHMS = [CoseAlgorithm.ES256, CoseAlgorithm.EdDSA] as const;

/** the order n of the P-256 base point (SEC 2 §2.4.2) */
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A credential private key in its compact form (P-256 scalar or Ed25519 seed, 32 bytes each), so it fits
 * inside a wrapped credential ID.
 */
export function generatePrivateKey(alg: number, rng: Rng): Uint8Array {
  if (alg === CoseAlgorithm.ES256) {
    // A P-256 scalar must lie in [1, n-1] (SEC 1 §3.2.1); a 32-byte draw outside it is drawn again.
    for (;;) {
      const d = rng.bytes(32);
      if (Buffer.compare(d, P256_ORDER) < 0 && d.some((b) => b !== 0)) return d;
    }
  }
  if (alg === CoseAlgorithm.EdDSA) return rng.bytes(32);
  throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM, `alg ${alg}`);
}

export function privateKeyObject(alg: number, raw: Uint8Array): KeyObject {
  return credentialKey(alg, raw).keyObject();
}

/**
 * The COSE public key of a credential from its compact private key (the P-256 point computed once), and
 * its signing key made on first use: makeCredential needs only the public key unless it self-attests.
 */
export function credentialKey(alg: number, raw: Uint8Array): { keyObject: () => KeyObject; cose: CborMap } {
  if (alg === CoseAlgorithm.ES256) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(raw);
    const pub = ecdh.getPublicKey();
    const x = pub.subarray(1, 33);
    const y = pub.subarray(33, 65);
    const cose: CborMap = new Map<number, number | Uint8Array>([
      [1, 2], // kty EC2
      [3, alg],
      [-1, 1], // crv P-256
      [-2, new Uint8Array(x)],
      [-3, new Uint8Array(y)],
    ]);
    let made: KeyObject | undefined;
    const keyObject = () =>
      (made ??= createPrivateKey({
        key: { kty: 'EC', crv: 'P-256', d: Buffer.from(raw).toString('base64url'), x: x.toString('base64url'), y: y.toString('base64url') },
        format: 'jwk',
      }));
    return { keyObject, cose };
  }
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  return { keyObject: () => key, cose: publicCoseKey(alg, key) };
}

export function publicCoseKey(alg: number, privateKey: KeyObject): CborMap {
  return publicKeyToCose(createPublicKey(privateKey), alg);
}

/** ES256 signatures are ASN.1 DER (WebAuthn L3 §6.5.6); EdDSA signs the message itself. */
export function signWith(alg: number, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  const hash = alg === CoseAlgorithm.ES256 ? 'sha256' : null;
  return new Uint8Array(sign(hash, data, privateKey));
}
