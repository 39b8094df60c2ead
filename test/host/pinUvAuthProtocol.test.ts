import { createECDH, createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { choosePinUvAuthProtocol, ClientError, PinUvAuthProtocolOne, PinUvAuthProtocolTwo } from '../../harness/client/index.ts';
import { pinHash } from '../../harness/protocol/index.ts';

/** The authenticator's side of key agreement, written here from CTAP 2.1 §6.5.6/§6.5.7 for the test. */
function authenticatorKey() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const pub = ecdh.getPublicKey();
  const cose = new Map<number, number | Uint8Array>([[1, 2], [3, -25], [-1, 1], [-2, pub.subarray(1, 33)], [-3, pub.subarray(33)]]);
  const z = (platform: Map<unknown, unknown>) =>
    ecdh.computeSecret(Buffer.concat([Buffer.of(4), platform.get(-2) as Uint8Array, platform.get(-3) as Uint8Array]));
  return { cose, z };
}

describe('client PIN/UV auth protocols', () => {
  it('protocol one: shared secret is SHA-256(Z), AES-CBC with a zero IV, 16-byte HMAC', () => {
    const auth = authenticatorKey();
    const p = new PinUvAuthProtocolOne();
    const { keyAgreement, sharedSecret } = p.encapsulate(auth.cose);
    expect(keyAgreement.get(3)).toBe(-25);
    expect(Buffer.from(sharedSecret)).toEqual(createHash('sha256').update(auth.z(keyAgreement)).digest());
    const pt = new Uint8Array(32).fill(5);
    expect(p.encrypt(sharedSecret, pt)).toEqual(p.encrypt(sharedSecret, pt)); // zero IV: deterministic
    expect(p.decrypt(sharedSecret, p.encrypt(sharedSecret, pt))).toEqual(pt);
    const mac = p.authenticate(sharedSecret, Uint8Array.of(1, 2, 3));
    expect(Buffer.from(mac)).toEqual(createHmac('sha256', sharedSecret).update(Uint8Array.of(1, 2, 3)).digest().subarray(0, 16));
  });

  it('protocol two: HKDF halves, random IV in front, HMAC with the first 32 bytes', () => {
    const auth = authenticatorKey();
    let n = 0;
    const p = new PinUvAuthProtocolTwo((len) => new Uint8Array(len).fill(++n));
    const { keyAgreement, sharedSecret } = p.encapsulate(auth.cose);
    const z = auth.z(keyAgreement);
    const salt = new Uint8Array(32);
    expect(Buffer.from(sharedSecret.subarray(0, 32))).toEqual(Buffer.from(hkdfSync('sha256', z, salt, 'CTAP2 HMAC key', 32)));
    expect(Buffer.from(sharedSecret.subarray(32))).toEqual(Buffer.from(hkdfSync('sha256', z, salt, 'CTAP2 AES key', 32)));
    const ct = p.encrypt(sharedSecret, new Uint8Array(16));
    expect(ct).toHaveLength(32);
    expect(ct.subarray(0, 16).every((b) => b === 1)).toBe(true);
    expect(p.decrypt(sharedSecret, ct)).toEqual(new Uint8Array(16));
    const mac = p.authenticate(sharedSecret, Uint8Array.of(9));
    expect(Buffer.from(mac)).toEqual(createHmac('sha256', sharedSecret.subarray(0, 32)).update(Uint8Array.of(9)).digest());
  });

  it('should refuse a key-agreement key that is not a P-256 point', () => {
    const bad = new Map<number, number | Uint8Array>([[1, 2], [3, -25], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]);
    expect(() => new PinUvAuthProtocolTwo().encapsulate(bad)).toThrow(ClientError);
    expect(() => new PinUvAuthProtocolTwo().encapsulate(new Map([[1, 1]]))).toThrow(/COSE EC2 P-256/);
  });

  it('should choose the device\'s first protocol the client has', () => {
    expect(choosePinUvAuthProtocol([2, 1]).version).toBe(2);
    expect(choosePinUvAuthProtocol([3, 1]).version).toBe(1);
    expect(choosePinUvAuthProtocol(undefined).version).toBe(1);
    expect(() => choosePinUvAuthProtocol([3])).toThrow(/CLIENT_PIN_PROTOCOL_UNSUPPORTED/);
  });

  it('pinHash is LEFT(SHA-256(pin), 16)', () => {
    expect(Buffer.from(pinHash('1234')).toString('hex')).toBe(createHash('sha256').update('1234').digest('hex').slice(0, 32));
  });
});
