import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AuthenticatorDataError,
  buildAttestationObject,
  buildAuthenticatorData,
  parseAttestationObject,
  parseAuthenticatorData,
} from '../../harness/protocol/index.ts';

const errorCode = (fn: () => unknown) => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as AuthenticatorDataError).code ?? (err as Error).name;
  }
};

describe('authenticatorData (WebAuthn L3 §6.1)', () => {
  const cose = new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]);
  const built = buildAuthenticatorData({
    rpIdHash: new Uint8Array(32).fill(0xaa),
    flags: 0x05,
    signCount: 0x01020304,
    attestedCredentialData: { aaguid: new Uint8Array(16).fill(0x11), credentialId: new Uint8Array(20).fill(0x22), credentialPublicKey: cose as never },
    extensions: new Map<unknown, unknown>([['credProtect', 2]]) as never,
  });

  it('should build rpIdHash | flags (AT and ED from content) | counter | attested data | extensions and parse it back', () => {
    expect(built[32]).toBe(0x05 | 0x40 | 0x80);
    expect(Buffer.from(built.subarray(33, 37)).toString('hex')).toBe('01020304');
    const parsed = parseAuthenticatorData(built);
    expect(parsed.raw).toBe(built);
    expect([parsed.up, parsed.uv, parsed.at, parsed.ed, parsed.be, parsed.bs]).toEqual([true, true, true, true, false, false]);
    expect(parsed.signCount).toBe(0x01020304);
    expect(parsed.attestedCredentialData!.credentialId.length).toBe(20);
    expect(parsed.attestedCredentialData!.credentialPublicKey.get(3)).toBe(-7);
    expect(parsed.extensions!.get('credProtect')).toBe(2);
    expect(Buffer.from(parsed.attestedCredentialData!.credentialPublicKeyBytes).toString('hex').slice(0, 10)).toBe('a501020326');
  });

  it.each([
    ['36 bytes', () => new Uint8Array(36), 'AUTHDATA_TOO_SHORT'],
    ['AT set with no credential data', () => Uint8Array.from([...new Uint8Array(32), 0x41, 0, 0, 0, 1]), 'AUTHDATA_TOO_SHORT'],
    ['a trailing byte', () => Uint8Array.from([...built, 0]), 'AUTHDATA_TRAILING_BYTES'],
    ['ED clear with extensions present', () => Uint8Array.from([...built.subarray(0, 32), built[32]! & 0x7f, ...built.subarray(33)]), 'AUTHDATA_TRAILING_BYTES'],
    ['credentialIdLength past the end', () => Uint8Array.from([...built.subarray(0, 53), 0xff, 0xff, ...built.subarray(55)]), 'AUTHDATA_TOO_SHORT'],
    ['a credential key that is not a map', () => Uint8Array.from([...built.subarray(0, 55 + 20), 0x01]), 'AUTHDATA_BAD_CREDENTIAL_KEY'],
  ])('should refuse %s with %s', (_name, bytes, code) => {
    expect(errorCode(() => parseAuthenticatorData(bytes()))).toBe(code);
  });

  it('should parse the attestation object of a real YubiKey registration (tweag/packed-02.json)', () => {
    const json = JSON.parse(readFileSync(new URL('../fixtures/mds/attestation/tweag/packed-02.json', import.meta.url), 'utf8'));
    const raw = new Uint8Array(Buffer.from(json.response.attestationObject, 'base64url'));
    const obj = parseAttestationObject(raw, { canonical: 'report' });
    expect(obj.fmt).toBe('packed');
    expect(Buffer.from(obj.authData.attestedCredentialData!.aaguid).toString('hex')).toBe('6d44ba9bf6ec2e49b9300c8fe920cb73');
    expect(Array.isArray(obj.attStmt.get('x5c'))).toBe(true);
    // rebuilding from the parts gives the same bytes (the capture is canonical CBOR)
    expect(Buffer.from(buildAttestationObject(obj.fmt, obj.authData.raw, obj.attStmt)).equals(Buffer.from(raw))).toBe(true);
  });
});
