import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CoseKeyError,
  coseToPublicKey,
  decodeCbor,
  encodeCanonicalCbor,
  publicKeyToCose,
  verifyCoseSignature,
  type CborMap,
} from '../../harness/protocol/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function coseCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(CoseKeyError);
    return (err as CoseKeyError).code;
  }
}

describe('COSE keys ↔ node:crypto (RFC 9053 §7, RFC 8230)', () => {
  it('should map a P-256 key to EC2 with labels 1, 3, -1, -2, -3 in canonical order and back', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cose = publicKeyToCose(publicKey, -7);
    const bytes = encodeCanonicalCbor(cose);
    // a5 01 02 03 26 20 01 21 58 20 <x> 22 58 20 <y>
    expect(hex(bytes.subarray(0, 10))).toBe('a501020326200121' + '5820');
    expect(bytes.length).toBe(77);
    const back = coseToPublicKey(decodeCbor(bytes).value as CborMap);
    expect(back.export({ format: 'jwk' })).toEqual(publicKey.export({ format: 'jwk' }));
    const data = Buffer.from('signed data');
    const sig = sign('sha256', data, privateKey);
    expect(verifyCoseSignature(cose, data, sig)).toBe(true);
    expect(verifyCoseSignature(cose, Buffer.from('other data'), sig)).toBe(false);
  });

  it('should map an Ed25519 key to OKP (kty 1, crv 6, alg -8) and verify EdDSA signatures', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const cose = publicKeyToCose(publicKey, -8);
    expect([cose.get(1), cose.get(3), cose.get(-1)]).toEqual([1, -8, 6]);
    expect((cose.get(-2) as Uint8Array).length).toBe(32);
    const data = Buffer.from('eddsa');
    expect(verifyCoseSignature(cose, data, sign(null, data, privateKey))).toBe(true);
  });

  it('should decode an RSA key (kty 3, n, e) and verify RS256', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cose = publicKeyToCose(publicKey, -257);
    expect([cose.get(1), cose.get(3)]).toEqual([3, -257]);
    expect(hex(cose.get(-2) as Uint8Array)).toBe('010001');
    const data = Buffer.from('rsa');
    expect(verifyCoseSignature(cose, data, sign('sha256', data, privateKey))).toBe(true);
  });

  it.each([
    ['unknown kty', new Map<number, unknown>([[1, 9]]), 'COSE_UNSUPPORTED'],
    ['EC2 on P-384', new Map<number, unknown>([[1, 2], [-1, 2], [-2, new Uint8Array(48)], [-3, new Uint8Array(48)]]), 'COSE_UNSUPPORTED'],
    ['EC2 without y', new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32)]]), 'COSE_MALFORMED'],
    ['EC2 x of 31 bytes', new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(31)], [-3, new Uint8Array(32)]]), 'COSE_MALFORMED'],
    ['EC2 point not on the curve', new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]), 'COSE_MALFORMED'],
    ['OKP on X25519', new Map<number, unknown>([[1, 1], [-1, 4], [-2, new Uint8Array(32)]]), 'COSE_UNSUPPORTED'],
    ['RSA without e', new Map<number, unknown>([[1, 3], [-1, new Uint8Array(256)]]), 'COSE_MALFORMED'],
  ])('should refuse %s with %s', (_name, key, code) => {
    expect(coseCode(() => coseToPublicKey(key as CborMap))).toBe(code);
  });

  it('should refuse to verify with an algorithm it does not know', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cose = publicKeyToCose(publicKey, -36);
    expect(coseCode(() => verifyCoseSignature(cose, new Uint8Array(1), new Uint8Array(64)))).toBe('COSE_UNSUPPORTED');
  });
});
