import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  hkdfSync,
  timingSafeEqual,
  type ECDH,
} from 'node:crypto';
import {
  CoseAlgorithm,
  CoseCurve,
  CoseKeyLabel,
  CoseKty,
  CtapStatus,
  CtapStatusError,
  type CborMap,
} from '../../harness/protocol/index.ts';
import type { Rng } from '../env.ts';

/**
 * PIN/UV auth protocols one and two, authenticator side (CTAP 2.1 §6.5.6 and §6.5.7). Each instance owns
 * its key-agreement key pair, regenerated at power-up and by `regenerate()`.
 */
export interface PinUvAuthProtocol {
  readonly version: 1 | 2;
  /** length of pinUvAuthParam this protocol produces */
  readonly authLength: 16 | 32;
  getPublicKey(): CborMap;
  regenerate(): void;
  /** ECDH with the platform's key, then the protocol's KDF. Throws CTAP1_ERR_INVALID_PARAMETER for a bad key. */
  decapsulate(peer: CborMap): Uint8Array;
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** null when the ciphertext has a bad length (the caller answers the spec's status) */
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array;
  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

function ecdhShared(ecdh: ECDH, peer: CborMap): Uint8Array {
  // §6.5.6 ecdh(): the peer key must be a P-256 point; anything else is CTAP1_ERR_INVALID_PARAMETER.
  const x = peer.get(CoseKeyLabel.x);
  const y = peer.get(CoseKeyLabel.y);
  if (
    peer.get(CoseKeyLabel.kty) !== CoseKty.EC2 ||
    peer.get(CoseKeyLabel.crv) !== CoseCurve.P256 ||
    !(x instanceof Uint8Array) ||
    !(y instanceof Uint8Array) ||
    x.length !== 32 ||
    y.length !== 32
  ) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'keyAgreement is not a P-256 COSE key');
  }
  try {
    return new Uint8Array(ecdh.computeSecret(Buffer.concat([Uint8Array.of(4), x, y])));
  } catch {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'keyAgreement point is not on P-256');
  }
}

function coseFromEcdh(ecdh: ECDH): CborMap {
  const pub = ecdh.getPublicKey();
  // §6.5.6 getPublicKey(): alg is -25 (ECDH-ES+HKDF-256) whatever the protocol.
  return new Map<number, number | Uint8Array>([
    [CoseKeyLabel.kty, CoseKty.EC2],
    [CoseKeyLabel.alg, CoseAlgorithm.ECDH_ES_HKDF_256],
    [CoseKeyLabel.crv, CoseCurve.P256],
    [CoseKeyLabel.x, new Uint8Array(pub.subarray(1, 33))],
    [CoseKeyLabel.y, new Uint8Array(pub.subarray(33, 65))],
  ]);
}

function newEcdh(rng: Rng): ECDH {
  for (;;) {
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(rng.bytes(32));
      return ecdh;
    } catch {
      /* scalar out of range: draw again */
    }
  }
}

function hmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(message).digest());
}

function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** PIN/UV auth protocol one, CTAP 2.1 §6.5.6 */
export function pinUvAuthProtocolOne(rng: Rng): PinUvAuthProtocol {
  let ecdh = newEcdh(rng);
  return {
    version: 1,
    authLength: 16,
    getPublicKey: () => coseFromEcdh(ecdh),
    regenerate: () => {
      ecdh = newEcdh(rng);
    },
    // kdf(Z) = SHA-256(Z)
    decapsulate: (peer) => new Uint8Array(createHash('sha256').update(ecdhShared(ecdh, peer)).digest()),
    encrypt(key, plaintext) {
      const c = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
      c.setAutoPadding(false);
      return new Uint8Array(Buffer.concat([c.update(plaintext), c.final()]));
    },
    decrypt(key, ciphertext) {
      if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return null;
      const d = createDecipheriv('aes-256-cbc', key, Buffer.alloc(16));
      d.setAutoPadding(false);
      return new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
    },
    // authenticate = LEFT(HMAC-SHA-256(key, message), 16)
    authenticate: (key, message) => hmac(key, message).subarray(0, 16),
    verify: (key, message, signature) => safeEqual(hmac(key, message).subarray(0, 16), signature),
  };
}

/** PIN/UV auth protocol two, CTAP 2.1 §6.5.7 */
export function pinUvAuthProtocolTwo(rng: Rng): PinUvAuthProtocol {
  let ecdh = newEcdh(rng);
  const hkdf = (z: Uint8Array, info: string) =>
    new Uint8Array(hkdfSync('sha256', z, Buffer.alloc(32), Buffer.from(info), 32));
  // authenticate uses the first 32 bytes of the key: the HMAC half of a shared secret, or a whole token.
  const hmacKey = (key: Uint8Array) => key.subarray(0, 32);
  const aesKey = (key: Uint8Array) => (key.length === 64 ? key.subarray(32) : key);
  return {
    version: 2,
    authLength: 32,
    getPublicKey: () => coseFromEcdh(ecdh),
    regenerate: () => {
      ecdh = newEcdh(rng);
    },
    decapsulate(peer) {
      const z = ecdhShared(ecdh, peer);
      return new Uint8Array(Buffer.concat([hkdf(z, 'CTAP2 HMAC key'), hkdf(z, 'CTAP2 AES key')]));
    },
    encrypt(key, plaintext) {
      const iv = rng.bytes(16);
      const c = createCipheriv('aes-256-cbc', aesKey(key), iv);
      c.setAutoPadding(false);
      return new Uint8Array(Buffer.concat([iv, c.update(plaintext), c.final()]));
    },
    decrypt(key, ciphertext) {
      if (ciphertext.length < 32 || ciphertext.length % 16 !== 0) return null;
      const d = createDecipheriv('aes-256-cbc', aesKey(key), ciphertext.subarray(0, 16));
      d.setAutoPadding(false);
      return new Uint8Array(Buffer.concat([d.update(ciphertext.subarray(16)), d.final()]));
    },
    authenticate: (key, message) => hmac(hmacKey(key), message),
    verify: (key, message, signature) => safeEqual(hmac(hmacKey(key), message), signature),
  };
}
