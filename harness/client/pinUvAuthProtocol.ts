import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { CoseAlgorithm, type CborMap } from '../protocol/index.ts';
import { ClientError } from './ClientError.ts';

/**
 * The platform side of a PIN/UV auth protocol (CTAP 2.1 §6.5.4 interface, §6.5.6 protocol one,
 * §6.5.7 protocol two). Written for the harness from the spec; the simulator has its own.
 */
export interface ClientPinUvAuthProtocol {
  readonly version: 1 | 2;
  /** ECDH with the authenticator's key-agreement key: our COSE key to send and the shared secret. */
  encapsulate(peerCoseKey: CborMap): { keyAgreement: CborMap; sharedSecret: Uint8Array };
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array;
}

type Random = (n: number) => Uint8Array;
const systemRandom: Random = (n) => new Uint8Array(randomBytes(n));

/** §6.5.6 / §6.5.7 ecdh: P-256 with the authenticator's key; returns Z, the shared point's x coordinate. */
function ecdh(peer: CborMap): { z: Uint8Array; keyAgreement: CborMap } {
  const kty = peer.get(1);
  const crv = peer.get(-1);
  const x = peer.get(-2);
  const y = peer.get(-3);
  if (kty !== 2 || crv !== 1 || !(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== 32 || y.length !== 32) {
    throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'keyAgreement is not a COSE EC2 P-256 key');
  }
  const me = createECDH('prime256v1');
  me.generateKeys();
  let z: Buffer;
  try {
    z = me.computeSecret(Buffer.concat([Buffer.of(4), x, y]));
  } catch (err) {
    throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'keyAgreement point is not on P-256', { cause: err });
  }
  const pub = me.getPublicKey();
  // §6.5.6 getPublicKey: COSE_Key with alg -25 (ECDH-ES + HKDF-256), even for protocol one.
  const keyAgreement: CborMap = new Map<number, number | Uint8Array>([
    [1, 2],
    [3, CoseAlgorithm.ECDH_ES_HKDF_256],
    [-1, 1],
    [-2, new Uint8Array(pub.subarray(1, 33))],
    [-3, new Uint8Array(pub.subarray(33, 65))],
  ]);
  return { z: new Uint8Array(z), keyAgreement };
}

function aesCbc(mode: 'enc' | 'dec', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length % 16 !== 0) {
    throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `AES-CBC input of ${data.length} bytes is not a multiple of 16`);
  }
  const c = mode === 'enc' ? createCipheriv('aes-256-cbc', key, iv) : createDecipheriv('aes-256-cbc', key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** PIN/UV auth protocol one (CTAP 2.1 §6.5.6). */
export class PinUvAuthProtocolOne implements ClientPinUvAuthProtocol {
  readonly version = 1 as const;

  encapsulate(peer: CborMap) {
    const { z, keyAgreement } = ecdh(peer);
    // kdf(Z) = SHA-256(Z)
    const sharedSecret = new Uint8Array(createHash('sha256').update(z).digest());
    return { keyAgreement, sharedSecret };
  }

  /** AES-256-CBC with an all-zero IV, no padding. */
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return aesCbc('enc', key, new Uint8Array(16), plaintext);
  }

  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    return aesCbc('dec', key, new Uint8Array(16), ciphertext);
  }

  /** LEFT(HMAC-SHA-256(key, message), 16) */
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', key).update(message).digest().subarray(0, 16));
  }
}

/** PIN/UV auth protocol two (CTAP 2.1 §6.5.7). */
export class PinUvAuthProtocolTwo implements ClientPinUvAuthProtocol {
  readonly version = 2 as const;
  constructor(private readonly random: Random = systemRandom) {}

  encapsulate(peer: CborMap) {
    const { z, keyAgreement } = ecdh(peer);
    // kdf(Z) = HKDF-SHA-256(salt = 32 zero bytes, Z, 32, "CTAP2 HMAC key") || HKDF(…, "CTAP2 AES key")
    const salt = new Uint8Array(32);
    const hmacKey = new Uint8Array(hkdfSync('sha256', z, salt, 'CTAP2 HMAC key', 32));
    const aesKey = new Uint8Array(hkdfSync('sha256', z, salt, 'CTAP2 AES key', 32));
    const sharedSecret = new Uint8Array(64);
    sharedSecret.set(hmacKey, 0);
    sharedSecret.set(aesKey, 32);
    return { keyAgreement, sharedSecret };
  }

  /** AES-256-CBC under the AES half of the key, random IV prepended. */
  encrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const iv = this.random(16);
    const ct = aesCbc('enc', aesKeyOf(key), iv, plaintext);
    const out = new Uint8Array(16 + ct.length);
    out.set(iv, 0);
    out.set(ct, 16);
    return out;
  }

  decrypt(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (ciphertext.length < 16) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `ciphertext of ${ciphertext.length} bytes has no IV`);
    }
    return aesCbc('dec', aesKeyOf(key), ciphertext.subarray(0, 16), ciphertext.subarray(16));
  }

  /** HMAC-SHA-256 with the first 32 bytes of the key (the HMAC half of a shared secret, or a whole token). */
  authenticate(key: Uint8Array, message: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', key.subarray(0, 32)).update(message).digest());
  }
}

/** The AES half of a protocol-two shared secret; a 32-byte key (pinUvAuthToken) is used whole. */
function aesKeyOf(key: Uint8Array): Uint8Array {
  return key.length === 64 ? key.subarray(32) : key;
}

export function pinUvAuthProtocol(version: number, random?: Random): ClientPinUvAuthProtocol {
  if (version === 1) return new PinUvAuthProtocolOne();
  if (version === 2) return new PinUvAuthProtocolTwo(random);
  throw new ClientError('CLIENT_PIN_PROTOCOL_UNSUPPORTED', 'NotSupportedError', `PIN/UV auth protocol ${version} is not implemented`);
}

/**
 * The protocol to use with a device: the first of getInfo's pinUvAuthProtocols (listed in the
 * authenticator's order of preference, CTAP 2.1 §6.4) that the client implements; 1 when absent (CTAP 2.0
 * devices list none but speak protocol one).
 */
export function choosePinUvAuthProtocol(supported: number[] | undefined, random?: Random): ClientPinUvAuthProtocol {
  const list = supported ?? [1];
  const v = list.find((p) => p === 1 || p === 2);
  if (v === undefined) {
    throw new ClientError('CLIENT_PIN_PROTOCOL_UNSUPPORTED', 'NotSupportedError', `device offers PIN/UV auth protocols ${JSON.stringify(list)}; the client has 1 and 2`);
  }
  return pinUvAuthProtocol(v, random);
}
