import 'reflect-metadata';
import { createHash, KeyObject } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  basicConstraints,
  basicConstraintsCa,
  certificateAaguid,
  certificateKeyIdentifier,
  certificateVersion,
  derOid,
  extendedKeyUsages,
  keyUsageKeyCertSign,
  OID_FIDO_AAGUID,
  rawExtension,
  rawExtensions,
  subjectField,
} from '../../mds/attestation/certificateFields.ts';
import { readDerExact } from '../../mds/der.ts';
import { generateTestKeyPair, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { derInt, derOctets, derOidBytes, derSeq, ext, oldVersionCertificate, testLeaf, testRoot, tlv } from './craftAttestation.ts';

// Certificate fields read straight from the DER (RFC 5280 §4.1, §4.2.1), as the attestation formats use them.
let root: TestCertifiedKey;
let leaf: TestCertifiedKey;
beforeAll(async () => {
  root = await testRoot();
  leaf = await testLeaf(root, { extensions: [ext(OID_FIDO_AAGUID, derOctets(new Uint8Array(16).fill(0xab))), ext('2.5.29.37', derSeq(derOidBytes('1.3.6.1.5.5.7.3.2'), derOidBytes('2.23.133.8.3')))] });
});

describe('derOid (X.690 §8.19)', () => {
  it.each([
    ['1.2.840.113549.1.1.11', '1.2.840.113549.1.1.11'],
    ['0.9.2342.19200300.100.1.1', '0.9.2342.19200300.100.1.1'],
    ['2.5.29.17', '2.5.29.17'],
    ['2.23.133.8.3', '2.23.133.8.3'],
    ['2.999.3', '2.999.3'],
    ['1.39', '1.39'],
    ['0.0', '0.0'],
  ])('%s', (oid, text) => {
    expect(derOid(readDerExact(derOidBytes(oid)))).toBe(text);
  });

  it('an empty OID reads as empty text', () => {
    expect(derOid(readDerExact(Uint8Array.of(0x06, 0x00)))).toBe('');
  });
});

describe('certificate fields', () => {
  it('certificateVersion reads 1, 2 and 3 (RFC 5280 §4.1.2.1)', async () => {
    const keys = await generateTestKeyPair();
    expect(certificateVersion(new X509Certificate(oldVersionCertificate(root, keys, 1)))).toBe(1);
    expect(certificateVersion(new X509Certificate(oldVersionCertificate(root, keys, 2)))).toBe(2);
    expect(certificateVersion(leaf.cert)).toBe(3);
    // only a context-specific [0] is the version: a [1] or a universal tag 0 in its place is not
    expect(certificateVersion({ rawData: derSeq(derSeq(tlv(0xa1, derInt(5)), derInt(1))) } as never)).toBe(1);
    expect(certificateVersion({ rawData: derSeq(derSeq(tlv(0x20, derInt(5)), derInt(1))) } as never)).toBe(1);
  });

  it('the AAGUID extension: its 16 bytes, not critical; undefined when absent', () => {
    expect(certificateAaguid(leaf.cert)).toEqual({ aaguid: new Uint8Array(16).fill(0xab), critical: false });
    expect(certificateAaguid(root.cert)).toBeUndefined();
  });

  it('a malformed AAGUID extension throws: 15 bytes, or an INTEGER', async () => {
    for (const value of [derOctets(new Uint8Array(15)), tlv(0x02, new Uint8Array(16))]) {
      const bad = await testLeaf(root, { extensions: [ext(OID_FIDO_AAGUID, value, true)] });
      expect(() => certificateAaguid(bad.cert)).toThrow('AAGUID extension is not an OCTET STRING of 16 bytes');
    }
  });

  it('the key identifier is the SHA-1 of the public key point (MDS3 §3.1.1)', () => {
    const jwk = KeyObject.from(leaf.keys.publicKey).export({ format: 'jwk' });
    const point = Buffer.concat([Uint8Array.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    expect(certificateKeyIdentifier(leaf.cert)).toBe(createHash('sha1').update(point).digest('hex'));
  });

  it('subject fields by short name; undefined when absent', () => {
    expect(subjectField(leaf.cert, 'OU')).toBe('Authenticator Attestation');
    expect(subjectField(leaf.cert, 'C')).toBe('US');
    expect(subjectField(root.cert, 'OU')).toBeUndefined();
  });

  it('raw extensions with their criticality; none in a version 1 certificate', async () => {
    const list = rawExtensions(leaf.cert);
    expect(list.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.19', true],
      ['2.5.29.15', true],
      ['2.5.29.14', false],
      [OID_FIDO_AAGUID, false],
      ['2.5.29.37', false],
    ]);
    expect(rawExtension(leaf.cert, '2.5.29.37')!.value).toEqual(derSeq(derOidBytes('1.3.6.1.5.5.7.3.2'), derOidBytes('2.23.133.8.3')));
    expect(rawExtension(leaf.cert, '2.5.29.17')).toBeUndefined();
    const v1 = new X509Certificate(oldVersionCertificate(root, await generateTestKeyPair(), 1));
    expect(rawExtensions(v1)).toEqual([]);
  });

  it('an extension that states critical FALSE explicitly is not critical', () => {
    const extension = derSeq(derOidBytes('2.5.29.37'), tlv(0x01, Uint8Array.of(0)), derOctets(derSeq()));
    const extensions = tlv(0xa3, derSeq(extension));
    const tbs = derSeq(tlv(0xa0, derInt(2)), derInt(1), extensions);
    expect(rawExtensions({ rawData: derSeq(tbs) })).toEqual([{ oid: '2.5.29.37', critical: false, value: derSeq() }]);
    expect(rawExtensions({ rawData: derSeq(derSeq(tlv(0xa0, derInt(2)), tlv(0xa3))) })).toEqual([]);
  });

  it('basicConstraints (RFC 5280 §4.2.1.9): CA with and without pathLen, end entity, absent', async () => {
    const withLen = (parts: Uint8Array[]) => ({ rawData: certificateWith(ext('2.5.29.19', derSeq(...parts))) });
    expect(basicConstraints(withLen([tlv(0x01, Uint8Array.of(0xff)), derInt(0)]))).toEqual({ ca: true, pathLen: 0 });
    expect(basicConstraints(withLen([tlv(0x01, Uint8Array.of(0xff))]))).toEqual({ ca: true });
    expect(basicConstraints(withLen([]))).toEqual({ ca: false });
    expect(basicConstraints(withLen([tlv(0x01, Uint8Array.of(0))]))).toEqual({ ca: false });
    expect(basicConstraints(withLen([derInt(3)]))).toEqual({ ca: false, pathLen: 3 });
    expect(basicConstraintsCa(root.cert)).toBe(true);
    expect(basicConstraintsCa(leaf.cert)).toBe(false);
    const v1 = new X509Certificate(oldVersionCertificate(root, await generateTestKeyPair(), 1));
    expect(basicConstraints(v1)).toBeUndefined();
    expect(basicConstraintsCa(v1)).toBeUndefined();
  });

  it('keyUsage keyCertSign (RFC 5280 §4.2.1.3): set for a CA, clear for a leaf, undefined when absent', async () => {
    expect(keyUsageKeyCertSign(root.cert)).toBe(true);
    expect(keyUsageKeyCertSign(leaf.cert)).toBe(false);
    expect(keyUsageKeyCertSign({ rawData: certificateWith(ext('2.5.29.15', tlv(0x03, Uint8Array.of(0)))) })).toBe(false);
    expect(keyUsageKeyCertSign({ rawData: certificateWith(ext('2.5.29.15', tlv(0x03, Uint8Array.of(2, 0x04)))) })).toBe(true);
    expect(keyUsageKeyCertSign({ rawData: certificateWith(ext('2.5.29.15', tlv(0x03, Uint8Array.of(1, 0xfa)))) })).toBe(false);
    expect(keyUsageKeyCertSign(new X509Certificate(oldVersionCertificate(root, await generateTestKeyPair(), 1)))).toBeUndefined();
  });

  it('extendedKeyUsages as dotted OIDs; empty when absent', () => {
    expect(extendedKeyUsages(leaf.cert)).toEqual(['1.3.6.1.5.5.7.3.2', '2.23.133.8.3']);
    expect(extendedKeyUsages(root.cert)).toEqual([]);
  });
});

/** a minimal Certificate SEQUENCE { tbsCertificate { [0] v3, serial, [3] { ext } } } for the extension readers */
function certificateWith(extension: ReturnType<typeof ext>): Uint8Array {
  const raw = new Uint8Array(extension.rawData);
  return derSeq(derSeq(tlv(0xa0, derInt(2)), derInt(1), tlv(0xa3, derSeq(raw))));
}
