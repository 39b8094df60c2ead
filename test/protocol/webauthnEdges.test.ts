import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AttestationObjectError,
  AuthenticatorDataError,
  buildAttestationObject,
  buildAuthenticatorData,
  CoseKeyError,
  coseSignatureParams,
  coseToPublicKey,
  encodeCanonicalCbor,
  encodeCborAsGiven,
  parseAttestationObject,
  parseAuthenticatorData,
  publicKeyToCose,
  verifyCoseSignature,
  type CborMap,
} from '../../harness/protocol/index.ts';
import { thrown } from './thrown.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const u16 = (n: number) => [n >> 8, n & 0xff];

const authDataError = (raw: Uint8Array, options?: { canonical?: 'strict' | 'report' }) => thrown(() => parseAuthenticatorData(raw, options), AuthenticatorDataError);

const rpIdHash = Uint8Array.from({ length: 32 }, (_, i) => i);
const head = (flags: number, count = [0, 0, 0, 7]) => cat(rpIdHash, [flags], count);
const aaguid = new Uint8Array(16).fill(0xa5);
const cose = new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]) as CborMap;
const coseBytes = encodeCanonicalCbor(cose);

describe('authenticatorData fields (WebAuthn L3 §6.1)', () => {
  it('should read the shortest authenticatorData, 37 bytes: rpIdHash, flags, signCount', () => {
    const p = parseAuthenticatorData(head(0x01, [0xff, 0, 0, 1]));
    expect(hex(p.rpIdHash)).toBe(hex(rpIdHash));
    expect(p.flags).toBe(0x01);
    expect(p.signCount).toBe(0xff000001);
    expect(p.attestedCredentialData).toBeUndefined();
    expect(p.extensions).toBeUndefined();
    expect(p.extensionsBytes).toBeUndefined();
  });

  it('should read each flag bit on its own: UP 0x01, UV 0x04, BE 0x08, BS 0x10; RFU bits set none', () => {
    const flagsOf = (f: number) => {
      const p = parseAuthenticatorData(head(f));
      return { up: p.up, uv: p.uv, be: p.be, bs: p.bs, at: p.at, ed: p.ed };
    };
    const none = { up: false, uv: false, be: false, bs: false, at: false, ed: false };
    expect(flagsOf(0x00)).toEqual(none);
    expect(flagsOf(0x01)).toEqual({ ...none, up: true });
    expect(flagsOf(0x04)).toEqual({ ...none, uv: true });
    expect(flagsOf(0x08)).toEqual({ ...none, be: true });
    expect(flagsOf(0x10)).toEqual({ ...none, bs: true });
    expect(flagsOf(0x22)).toEqual(none);
  });

  it('should read the rpIdHash and counter from a view into a larger buffer', () => {
    const buf = cat([9, 9, 9], head(0x05, [0, 0, 1, 0]));
    const p = parseAuthenticatorData(buf.subarray(3));
    expect(hex(p.rpIdHash)).toBe(hex(rpIdHash));
    expect(p.signCount).toBe(256);
  });

  it('should read attested credential data: aaguid, credentialIdLength, credentialId, the key and its exact bytes', () => {
    const id = Uint8Array.from({ length: 70 }, (_, i) => i);
    const raw = cat(head(0x41), aaguid, u16(70), id, coseBytes);
    const a = parseAuthenticatorData(raw).attestedCredentialData!;
    expect(hex(a.aaguid)).toBe(hex(aaguid));
    expect(hex(a.credentialId)).toBe(hex(id));
    expect(a.credentialPublicKey.get(3)).toBe(-7);
    expect(hex(a.credentialPublicKeyBytes)).toBe(hex(coseBytes));
  });

  it('should take a credential ID of 1023 bytes and refuse 1024 (WebAuthn L3 §6.5.1)', () => {
    const ok = cat(head(0x41), aaguid, u16(1023), new Uint8Array(1023), coseBytes);
    expect(parseAuthenticatorData(ok).attestedCredentialData!.credentialId).toHaveLength(1023);
    const e = authDataError(cat(head(0x41), aaguid, u16(1024), new Uint8Array(1024), coseBytes));
    expect(e.code).toBe('AUTHDATA_TOO_SHORT');
    expect(e.message).toBe('credentialIdLength 1024 exceeds the data or 1023');
  });

  it('should refuse a credentialIdLength beyond the data, and a credential ID that leaves no room for the key', () => {
    expect(authDataError(cat(head(0x41), aaguid, u16(100), new Uint8Array(50))).code).toBe('AUTHDATA_TOO_SHORT');
    // the ID ends the data exactly: the key is what is missing
    const e = authDataError(cat(head(0x41), aaguid, u16(4), new Uint8Array(4)));
    expect(e.code).toBe('AUTHDATA_BAD_CREDENTIAL_KEY');
    expect(e.message).toBe('credentialPublicKey: CBOR_TRUNCATED at byte 59: needs 1 more byte(s)');
    // aaguid and length present, ID of length 0, no key
    expect(authDataError(cat(head(0x41), aaguid, u16(0))).code).toBe('AUTHDATA_BAD_CREDENTIAL_KEY');
    const short = authDataError(cat(head(0x41), aaguid, [0]));
    expect(short.code).toBe('AUTHDATA_TOO_SHORT');
    expect(short.message).toBe('AT set but attested credential data is truncated');
  });

  it('should refuse a credential key that is not a map, too deep, or not canonical unless asked to report', () => {
    const e = authDataError(cat(head(0x41), aaguid, u16(1), [7], [0x01]));
    expect(e.name).toBe('AuthenticatorDataError');
    expect(e.message).toBe('credentialPublicKey is not a CBOR map');
    // a map nesting five levels: CTAP 2.1 §8 allows four
    const deep = Uint8Array.of(0xa1, 0x01, 0x81, 0x81, 0x81, 0x81, 0x00);
    expect(authDataError(cat(head(0x41), aaguid, u16(1), [7], deep)).code).toBe('AUTHDATA_BAD_CREDENTIAL_KEY');
    const unsorted = encodeCborAsGiven(new Map<number, unknown>([[3, -7], [1, 2]]));
    const raw = cat(head(0x41), aaguid, u16(1), [7], unsorted);
    expect(authDataError(raw).message).toMatch(/^credentialPublicKey: CBOR_MAP_KEY_ORDER/);
    expect(parseAuthenticatorData(raw, { canonical: 'report' }).attestedCredentialData!.credentialPublicKey.get(3)).toBe(-7);
  });

  it('should read extensions and their exact bytes after the credential data or alone', () => {
    const ext = encodeCanonicalCbor(new Map([['credProtect', 2]]));
    const alone = parseAuthenticatorData(cat(head(0x81), ext));
    expect(alone.extensions!.get('credProtect')).toBe(2);
    expect(hex(alone.extensionsBytes!)).toBe(hex(ext));
    const both = parseAuthenticatorData(cat(head(0xc1), aaguid, u16(1), [7], coseBytes, ext));
    expect(hex(both.extensionsBytes!)).toBe(hex(ext));
    expect(both.attestedCredentialData!.credentialId).toEqual(Uint8Array.of(7));
  });

  it('should refuse extensions that are not a map, malformed, too deep, or not canonical unless asked to report', () => {
    const notMap = authDataError(cat(head(0x81), [0x01]));
    expect(notMap.code).toBe('AUTHDATA_BAD_EXTENSIONS');
    expect(notMap.message).toBe('extensions is not a CBOR map');
    const broken = authDataError(cat(head(0x81), [0xa1, 0x61]));
    expect(broken.code).toBe('AUTHDATA_BAD_EXTENSIONS');
    expect(broken.message).toBe('extensions: CBOR_TRUNCATED at byte 38: length 1 exceeds the 0 byte(s) left');
    expect(authDataError(cat(head(0x81), [0xa1, 0x01, 0x81, 0x81, 0x81, 0x81, 0x00])).code).toBe('AUTHDATA_BAD_EXTENSIONS');
    const unsorted = cat(head(0x81), encodeCborAsGiven(new Map([['b', 1], ['a', 2]])));
    expect(authDataError(unsorted).code).toBe('AUTHDATA_BAD_EXTENSIONS');
    expect(parseAuthenticatorData(unsorted, { canonical: 'report' }).extensions!.get('a')).toBe(2);
  });

  it('should refuse fewer than 37 bytes and count trailing bytes in the message', () => {
    const short = authDataError(new Uint8Array(36));
    expect(short.code).toBe('AUTHDATA_TOO_SHORT');
    expect(short.message).toBe('authenticatorData is 36 bytes, at least 37 needed');
    const trailing = authDataError(cat(head(0x01), [0, 0]));
    expect(trailing.code).toBe('AUTHDATA_TRAILING_BYTES');
    expect(trailing.message).toBe('2 byte(s) after authenticatorData');
  });

  it('should build AT and ED from what is given, not from the flags, and leave an empty extensions map out', () => {
    const bare = buildAuthenticatorData({ rpIdHash, flags: 0xc5, signCount: 2 ** 32 - 1 });
    expect(hex(bare)).toBe(hex(rpIdHash) + '05' + 'ffffffff');
    const empty = buildAuthenticatorData({ rpIdHash, flags: 0x01, signCount: 1, extensions: new Map() });
    expect(hex(empty)).toBe(hex(rpIdHash) + '01' + '00000001');
    const full = buildAuthenticatorData({ rpIdHash, flags: 0x01, signCount: 1, attestedCredentialData: { aaguid, credentialId: new Uint8Array(300), credentialPublicKey: cose }, extensions: new Map([['x', 1]]) });
    expect(full[32]).toBe(0xc1);
    expect(hex(full.subarray(53, 55))).toBe('012c');
  });
});

describe('the attestation object (WebAuthn L3 §6.5.4)', () => {
  const authData = cat(head(0x41), aaguid, u16(1), [7], coseBytes);
  const attErr = (raw: Uint8Array) => thrown(() => parseAttestationObject(raw), AttestationObjectError);

  it('should build fmt, attStmt, authData in canonical order and read them back', () => {
    const raw = buildAttestationObject('none', authData, new Map());
    expect(hex(raw.subarray(0, 9))).toBe('a3' + '63666d74' + '646e6f6e');
    const obj = parseAttestationObject(raw);
    expect(obj.fmt).toBe('none');
    expect(obj.attStmt.size).toBe(0);
    expect(hex(obj.authData.attestedCredentialData!.credentialId)).toBe('07');
    expect(obj.raw).toBe(raw);
  });

  it('should refuse an object that is not a map, or whose members are missing or of the wrong type', () => {
    const e = attErr(encodeCanonicalCbor(['none']));
    expect(e.name).toBe('AttestationObjectError');
    expect(e.message).toBe('attestation object is not a CBOR map');
    const obj = (fmt: unknown, attStmt: unknown, ad: unknown) => encodeCanonicalCbor(new Map<string, unknown>([['fmt', fmt], ['attStmt', attStmt], ['authData', ad]]));
    expect(attErr(obj(1, new Map(), authData)).message).toBe('fmt missing or not text');
    expect(attErr(encodeCanonicalCbor(new Map<string, unknown>([['attStmt', new Map()], ['authData', authData]]))).message).toBe('fmt missing or not text');
    expect(attErr(obj('none', [], authData)).message).toBe('attStmt missing or not a map');
    expect(attErr(obj('none', new Map(), 'bytes')).message).toBe('authData missing or not bytes');
  });

  it('should be strict about canonical CBOR unless asked to report, and bound nesting at 8', () => {
    const unsorted = encodeCborAsGiven(new Map<string, unknown>([['fmt', 'none'], ['authData', authData], ['attStmt', new Map()]]));
    expect(() => parseAttestationObject(unsorted)).toThrow(/CBOR_MAP_KEY_ORDER/);
    expect(parseAttestationObject(unsorted, { canonical: 'report' }).fmt).toBe('none');
    const nest = (n: number): unknown => (n === 0 ? 0 : [nest(n - 1)]);
    const deep = (n: number) => encodeCanonicalCbor(new Map<string, unknown>([['fmt', 'x'], ['attStmt', new Map([['x', nest(n)]])], ['authData', authData]]));
    expect(parseAttestationObject(deep(6)).fmt).toBe('x');
    expect(() => parseAttestationObject(deep(7))).toThrow(/CBOR_DEPTH_EXCEEDED/);
  });
});

describe('COSE keys: what is refused and why (RFC 9052 §7, RFC 9053 §7)', () => {
  const coseErr = (fn: () => unknown) => thrown(fn, CoseKeyError);

  it('should name what is wrong with a key', () => {
    const e = coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32)]]) as CborMap));
    expect(e.name).toBe('CoseKeyError');
    expect(e.code).toBe('COSE_MALFORMED');
    expect(e.message).toBe('COSE key y missing or not bytes');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(31)], [-3, new Uint8Array(32)]]) as CborMap)).message).toBe('COSE key x is 31 bytes, expected 32');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32)], [-3, 'y']]) as CborMap)).message).toBe('COSE key y missing or not bytes');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 2], [-1, 2]]) as CborMap)).message).toBe('EC2 curve 2 not supported');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 1], [-1, 4]]) as CborMap)).message).toBe('OKP curve 4 not supported');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 1], [-1, 6], [-2, new Uint8Array(33)]]) as CborMap)).message).toBe('COSE key x is 33 bytes, expected 32');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 3], [-2, Uint8Array.of(1, 0, 1)]]) as CborMap)).message).toBe('COSE key n missing or not bytes');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 3], [-1, new Uint8Array(256).fill(0xc1)]]) as CborMap)).message).toBe('COSE key e missing or not bytes');
    expect(coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 'EC2']]) as CborMap)).message).toBe('COSE kty EC2 not supported');
    const offCurve = coseErr(() => coseToPublicKey(new Map<number, unknown>([[1, 2], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]) as CborMap));
    expect(offCurve.code).toBe('COSE_MALFORMED');
    expect(offCurve.message).toMatch(/^COSE key rejected by node:crypto: /);
  });

  it('should map only P-256, Ed25519 and RSA keys to COSE and refuse the others by name', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const e = coseErr(() => publicKeyToCose(p384, -35));
    expect(e.code).toBe('COSE_UNSUPPORTED');
    expect(e.message).toBe('key type EC/P-384 has no COSE mapping here');
    expect(coseErr(() => publicKeyToCose(generateKeyPairSync('x25519').publicKey, -25)).message).toBe('key type OKP/X25519 has no COSE mapping here');
    expect(coseErr(() => publicKeyToCose(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey, -47)).message).toBe('key type EC/secp256k1 has no COSE mapping here');
    expect(coseErr(() => publicKeyToCose(generateKeyPairSync('ed448').publicKey, -8)).message).toBe('key type OKP/Ed448 has no COSE mapping here');
  });

  it('should give node:crypto the hash and signature encoding of each algorithm (WebAuthn L3 §6.5.6)', () => {
    expect(coseSignatureParams(-7)).toStrictEqual({ hash: 'sha256', dsaEncoding: 'der' });
    expect(coseSignatureParams(-8)).toStrictEqual({ hash: null });
    expect(coseSignatureParams(-257)).toStrictEqual({ hash: 'sha256' });
    expect(coseErr(() => coseSignatureParams(-36)).message).toBe('COSE alg -36 not supported');
  });

  it('should answer false, not throw, when the key cannot make the signature its alg names', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const cose = publicKeyToCose(publicKey, -7); // an Ed25519 key labelled ES256
    expect(verifyCoseSignature(cose, Uint8Array.of(1), new Uint8Array(64))).toBe(false);
  });

  it('should verify ES256 over DER signatures and refuse a raw r|s one', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cose = publicKeyToCose(publicKey, -7);
    const data = Buffer.from('data');
    expect(verifyCoseSignature(cose, data, sign('sha256', data, privateKey))).toBe(true);
    expect(verifyCoseSignature(cose, data, sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }))).toBe(false);
  });

  it('should refuse a key whose alg is missing or not an integer', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cose = publicKeyToCose(publicKey, -7);
    cose.set(3, '-7');
    const e = coseErr(() => verifyCoseSignature(cose, Uint8Array.of(1), new Uint8Array(64)));
    expect(e.code).toBe('COSE_UNSUPPORTED');
    expect(e.message).toBe('COSE key alg missing or not an integer');
    cose.delete(3);
    expect(coseErr(() => verifyCoseSignature(cose, Uint8Array.of(1), new Uint8Array(64))).message).toBe('COSE key alg missing or not an integer');
  });
});
