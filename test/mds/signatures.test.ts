import 'reflect-metadata';
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyToCose } from '../../harness/protocol/index.ts';
import { algKeyProblem, coseAlgHash, coseAlgName, coseKeyToKeyObject, sameKey, verifyWithAlg } from '../../mds/attestation/signatures.ts';

// COSE algorithms (RFC 9053 §2.1, RFC 8812 §2, WebAuthn L3 §5.8.5) and keys (RFC 9052 §7) as the
// attestation formats verify with them.
const data = Buffer.from('authenticatorData || clientDataHash');
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const p256 = ec('P-256');
const p384 = ec('P-384');
const p521 = ec('P-521');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const ed25519 = generateKeyPairSync('ed25519');
const ed448 = generateKeyPairSync('ed448');

describe('COSE algorithm table', () => {
  it.each([
    [-7, 'ES256', 'sha256'],
    [-35, 'ES384', 'sha384'],
    [-36, 'ES512', 'sha512'],
    [-8, 'EdDSA', null],
    [-257, 'RS256', 'sha256'],
    [-258, 'RS384', 'sha384'],
    [-259, 'RS512', 'sha512'],
    [-65535, 'RS1', 'sha1'],
    [-37, 'PS256', 'sha256'],
    [-38, 'PS384', 'sha384'],
    [-39, 'PS512', 'sha512'],
  ])('%i is %s over %s', (alg, name, hash) => {
    expect(coseAlgName(alg)).toBe(name);
    expect(coseAlgHash(alg)).toBe(hash);
  });

  it('an unknown alg has neither', () => {
    expect(coseAlgName(-9)).toBeUndefined();
    expect(coseAlgHash(-9)).toBeUndefined();
  });
});

describe('algKeyProblem: the declared alg must fit the key (WebAuthn L3 §8.2 step 2)', () => {
  it.each([
    [-7, p256.publicKey],
    [-35, p384.publicKey],
    [-36, p521.publicKey],
    [-8, ed25519.publicKey],
    [-8, ed448.publicKey],
    [-257, rsa.publicKey],
    [-65535, rsa.publicKey],
    [-37, rsa.publicKey],
    [-37, rsaPss.publicKey],
  ] as Array<[number, KeyObject]>)('alg %i fits', (alg, key) => {
    expect(algKeyProblem(alg, key)).toBeUndefined();
  });

  it.each([
    [-7, p384.publicKey, 'alg -7 (ES256) needs an EC prime256v1 key, the key is ec secp384r1'],
    [-7, rsa.publicKey, 'alg -7 (ES256) needs an EC prime256v1 key, the key is rsa'],
    [-35, p256.publicKey, 'alg -35 (ES384) needs an EC secp384r1 key, the key is ec prime256v1'],
    [-8, p256.publicKey, 'alg -8 (EdDSA) needs an Ed25519/Ed448 key, the key is ec'],
    [-257, p256.publicKey, 'alg -257 (RS256) needs an RSA key, the key is ec'],
    [-257, rsaPss.publicKey, 'alg -257 (RS256) needs an RSA key, the key is rsa-pss'],
    [-37, ed25519.publicKey, 'alg -37 (PS256) needs an RSA key, the key is ed25519'],
    [3, p256.publicKey, 'COSE alg 3 is not supported'],
  ] as Array<[number, KeyObject, string]>)('alg %i does not fit: %s', (alg, key, problem) => {
    expect(algKeyProblem(alg, key)).toBe(problem);
  });
});

describe('verifyWithAlg', () => {
  const der = (key: KeyObject, hash: string) => sign(hash, data, { key, dsaEncoding: 'der' });

  it.each([
    ['ES256', -7, p256, () => der(p256.privateKey, 'sha256')],
    ['ES384', -35, p384, () => der(p384.privateKey, 'sha384')],
    ['ES512', -36, p521, () => der(p521.privateKey, 'sha512')],
    ['EdDSA', -8, ed25519, () => sign(null, data, ed25519.privateKey)],
    ['RS256', -257, rsa, () => sign('sha256', data, rsa.privateKey)],
    ['RS1', -65535, rsa, () => sign('sha1', data, rsa.privateKey)],
    ['PS256', -37, rsa, () => sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })],
    ['PS384', -38, rsa, () => sign('sha384', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 })],
  ] as const)('%s: the signature verifies, and not over other data', (_n, alg, pair, signature) => {
    const sig = new Uint8Array(signature());
    expect(verifyWithAlg(alg, pair.publicKey, data, sig)).toBe(true);
    expect(verifyWithAlg(alg, pair.publicKey, Buffer.from('other data'), sig)).toBe(false);
  });

  it('RS256 is PKCS#1 v1.5: a PSS signature does not pass as RS256, nor v1.5 as PS256', () => {
    const pss = new Uint8Array(sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    const v15 = new Uint8Array(sign('sha256', data, rsa.privateKey));
    expect(verifyWithAlg(-257, rsa.publicKey, data, pss)).toBe(false);
    expect(verifyWithAlg(-37, rsa.publicKey, data, v15)).toBe(false);
  });

  it('PS256 salt is the digest length (RFC 8230 §2)', () => {
    const shortSalt = new Uint8Array(sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }));
    expect(verifyWithAlg(-37, rsa.publicKey, data, shortSalt)).toBe(false);
  });

  it('the hash is the alg\'s: ES256 over SHA-384 does not verify', () => {
    expect(verifyWithAlg(-7, p256.publicKey, data, new Uint8Array(der(p256.privateKey, 'sha384')))).toBe(false);
  });

  it('ECDSA encodings: DER by default, IEEE P1363 (R || S, JWS) when asked', () => {
    const p1363 = new Uint8Array(sign('sha256', data, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' }));
    expect(verifyWithAlg(-7, p256.publicKey, data, p1363, 'ieee-p1363')).toBe(true);
    expect(verifyWithAlg(-7, p256.publicKey, data, p1363)).toBe(false);
  });

  it('a key that does not fit the alg is refused, even when node:crypto would verify the signature', () => {
    const sig = new Uint8Array(der(p256.privateKey, 'sha256'));
    expect(verifyWithAlg(-257, p256.publicKey, data, sig)).toBe(false);
  });

  it('a key node:crypto refuses to verify with (an RSA-PSS key bound to SHA-512, asked for PS256) gives false, not an exception', () => {
    const generate = generateKeyPairSync as (type: 'rsa-pss', options: object) => { publicKey: KeyObject; privateKey: KeyObject };
    const bound = generate('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha512', mgf1HashAlgorithm: 'sha512', saltLength: 64 });
    const sig = new Uint8Array(sign('sha512', data, { key: bound.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }));
    expect(verifyWithAlg(-39, bound.publicKey, data, sig)).toBe(true);
    expect(verifyWithAlg(-37, bound.publicKey, data, sig)).toBe(false);
  });

  it('an unknown alg throws; a garbled signature is false, not an exception', () => {
    expect(() => verifyWithAlg(3, p256.publicKey, data, new Uint8Array(8))).toThrow('COSE alg 3 is not supported');
    expect(verifyWithAlg(-7, p256.publicKey, data, Uint8Array.of(0x30, 0xff, 0x00))).toBe(false);
    expect(verifyWithAlg(-8, ed25519.publicKey, data, new Uint8Array(3))).toBe(false);
  });
});

describe('coseKeyToKeyObject (RFC 9052 §7, RFC 9053 §7)', () => {
  const cose = (entries: Array<[number, unknown]>) => new Map<unknown, unknown>(entries);
  const jwkOf = (k: KeyObject) => k.export({ format: 'jwk' });
  const b = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'));

  it.each([
    ['P-256', 1, p256.publicKey],
    ['P-384', 2, p384.publicKey],
    ['P-521', 3, p521.publicKey],
  ] as const)('EC2 %s', (_n, crv, key) => {
    const jwk = jwkOf(key);
    expect(sameKey(coseKeyToKeyObject(cose([[1, 2], [3, -7], [-1, crv], [-2, b(jwk.x)], [-3, b(jwk.y)]])), key)).toBe(true);
  });

  it('OKP Ed25519 and RSA', () => {
    expect(sameKey(coseKeyToKeyObject(publicKeyToCose(ed25519.publicKey, -8) as Map<unknown, unknown>), ed25519.publicKey)).toBe(true);
    expect(sameKey(coseKeyToKeyObject(publicKeyToCose(rsa.publicKey, -257) as Map<unknown, unknown>), rsa.publicKey)).toBe(true);
  });

  it.each([
    ['an EC2 curve it does not know', [[1, 2], [-1, 4]], 'COSE EC2 curve 4 not supported'],
    ['an OKP curve other than Ed25519', [[1, 1], [-1, 7], [-2, new Uint8Array(57)]], 'COSE OKP curve 7 not supported'],
    ['a key type it does not know', [[1, 4], [-1, new Uint8Array(16)]], 'COSE kty 4 not supported'],
    ['EC2 x as text', [[1, 2], [-1, 1], [-2, 'x'], [-3, new Uint8Array(32)]], 'COSE key x missing or not bytes'],
    ['EC2 without y', [[1, 2], [-1, 1], [-2, new Uint8Array(32)]], 'COSE key y missing or not bytes'],
    ['RSA without e', [[1, 3], [-1, new Uint8Array(256)]], 'COSE key e missing or not bytes'],
    ['RSA without n', [[1, 3], [-2, Uint8Array.of(1, 0, 1)]], 'COSE key n missing or not bytes'],
    ['OKP without x', [[1, 1], [-1, 6]], 'COSE key x missing or not bytes'],
  ] as const)('%s throws', (_n, entries, message) => {
    expect(() => coseKeyToKeyObject(cose(entries as never))).toThrow(message);
  });

  it('sameKey tells keys apart', () => {
    expect(sameKey(p256.publicKey, ec('P-256').publicKey)).toBe(false);
    expect(sameKey(p256.publicKey, p256.publicKey)).toBe(true);
  });
});
