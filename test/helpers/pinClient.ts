/**
 * The platform (client) side of PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7), written for the
 * tests from the spec with node:crypto only — deliberately NOT using authenticator-sim/pinUvAuth, so that a
 * mistake made the same way on both sides cannot pass unnoticed.
 */
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export type PinProtocolVersion = 1 | 2;

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** A platform key-agreement session with one authenticator public key. */
export class PinClientSession {
  readonly version: PinProtocolVersion;
  /** the platform's COSE_Key to send as keyAgreement (kty EC2, alg -25, crv P-256) */
  readonly platformKey: Map<number, number | Uint8Array>;
  /** v1: SHA-256(Z) (32 bytes); v2: HMAC key (32) || AES key (32) */
  readonly sharedSecret: Uint8Array;

  constructor(version: PinProtocolVersion, authenticatorKey: Map<unknown, unknown>) {
    this.version = version;
    const x = authenticatorKey.get(-2) as Uint8Array;
    const y = authenticatorKey.get(-3) as Uint8Array;
    if (authenticatorKey.get(1) !== 2 || authenticatorKey.get(-1) !== 1 || x?.length !== 32 || y?.length !== 32) {
      throw new Error('authenticator keyAgreement is not an EC2 P-256 COSE key');
    }
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const pub = ecdh.getPublicKey();
    this.platformKey = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -25],
      [-1, 1],
      [-2, new Uint8Array(pub.subarray(1, 33))],
      [-3, new Uint8Array(pub.subarray(33, 65))],
    ]);
    // Z is the x-coordinate of the shared point (§6.5.6 ecdh()).
    const z = ecdh.computeSecret(Buffer.concat([Buffer.of(4), x, y]));
    if (version === 1) {
      this.sharedSecret = new Uint8Array(createHash('sha256').update(z).digest());
    } else {
      const salt = Buffer.alloc(32);
      const hmacKey = new Uint8Array(hkdfSync('sha256', z, salt, Buffer.from('CTAP2 HMAC key'), 32));
      const aesKey = new Uint8Array(hkdfSync('sha256', z, salt, Buffer.from('CTAP2 AES key'), 32));
      this.sharedSecret = concat(hmacKey, aesKey);
    }
  }

  private get aesKey(): Uint8Array {
    return this.version === 1 ? this.sharedSecret : this.sharedSecret.subarray(32, 64);
  }
  private get hmacKey(): Uint8Array {
    return this.version === 1 ? this.sharedSecret : this.sharedSecret.subarray(0, 32);
  }

  /** v1: AES-256-CBC with a zero IV; v2: a random IV, sent in front of the ciphertext. */
  encrypt(plaintext: Uint8Array): Uint8Array {
    const iv = this.version === 1 ? Buffer.alloc(16) : randomBytes(16);
    const c = createCipheriv('aes-256-cbc', this.aesKey, iv).setAutoPadding(false);
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return this.version === 1 ? new Uint8Array(body) : concat(iv, body);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    const iv = this.version === 1 ? Buffer.alloc(16) : ciphertext.subarray(0, 16);
    const body = this.version === 1 ? ciphertext : ciphertext.subarray(16);
    const d = createDecipheriv('aes-256-cbc', this.aesKey, iv).setAutoPadding(false);
    return new Uint8Array(Buffer.concat([d.update(body), d.final()]));
  }

  /** authenticate(sharedSecret, message): v1 the first 16 bytes of HMAC-SHA-256, v2 all 32. */
  authenticate(message: Uint8Array): Uint8Array {
    return tokenAuthenticate(this.version, this.hmacKey, message);
  }
}

/** authenticate(pinUvAuthToken, message) for a token the platform decrypted. */
export function tokenAuthenticate(version: PinProtocolVersion, key: Uint8Array, message: Uint8Array): Uint8Array {
  const mac = new Uint8Array(createHmac('sha256', key).update(message).digest());
  return version === 1 ? mac.subarray(0, 16) : mac;
}

/** The PIN as sent: UTF-8, right-padded with 0x00 to 64 bytes (§6.5.5.5). */
export function padPin(pin: string | Uint8Array): Uint8Array {
  const bytes = typeof pin === 'string' ? Buffer.from(pin, 'utf8') : Buffer.from(pin);
  const out = new Uint8Array(64);
  out.set(bytes.subarray(0, 64));
  return out;
}

/** LEFT(SHA-256(PIN), 16) */
export function pinHashLeft16(pin: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Buffer.from(pin, 'utf8')).digest().subarray(0, 16));
}

export const hmacSha256 = (key: Uint8Array, data: Uint8Array) =>
  new Uint8Array(createHmac('sha256', key).update(data).digest());
export const sha256Bytes = (data: Uint8Array | string) =>
  new Uint8Array(createHash('sha256').update(data).digest());
