import 'reflect-metadata';
import { createPrivateKey, sign, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { X509Crl } from '@peculiar/x509';
import { crlRevocations } from '../../mds/crlRevocations.ts';
import { derChildren, readDerExact } from '../../mds/der.ts';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { validateCertificateChain } from '../../mds/validateChain.ts';
import { testCrl } from './helpers.ts';

// RFC 5280 §5.1 CertificateList, read natively for its revoked serials: @peculiar/x509 drops every entry of
// a CRL without nextUpdate, so a revoked signer passed as checked and clean.
const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');
const at = new Date('2027-01-01T00:00:00Z');

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const body = Buffer.concat(parts);
  const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return Uint8Array.from([tag, ...len, ...body]);
}
const ascii = (s: string) => new TextEncoder().encode(s);
const utc = (s: string) => tlv(0x17, ascii(s));
const gen = (s: string) => tlv(0x18, ascii(s));
const int = (...b: number[]) => tlv(0x02, Uint8Array.from(b));
const ECDSA_SHA256 = tlv(0x30, tlv(0x06, Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02)));

const generated = (issuer: TestCertifiedKey, entries: { serialNumber: string; revocationDate: Date }[], nextUpdate?: Date): Promise<X509Crl> =>
  testCrl(issuer, entries, { thisUpdate: new Date('2026-12-01T00:00:00Z'), nextUpdate: nextUpdate ?? null });

/** A CRL built field by field (TBSCertList of RFC 5280 §5.1) and signed with the issuer's key. */
async function handMade(issuer: TestCertifiedKey, tbsFields: Uint8Array[]): Promise<X509Crl> {
  const tbs = tlv(0x30, ...tbsFields);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', issuer.keys.privateKey));
  const signature = sign('sha256', tbs, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
  return new X509Crl(tlv(0x30, tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0), signature)));
}

describe('crlRevocations (RFC 5280 §5.1)', () => {
  let ca: TestCertifiedKey;
  let issuerName: Uint8Array;
  beforeAll(async () => {
    ca = await createTestCertificate({ subject: 'CN=CRL Reader CA', serialNumber: '01', notBefore: from, notAfter: to, ca: true });
    // the issuer Name as the CA's certificate carries it: tbsCertificate [0] version, serial, signature, issuer, validity, subject
    const tbsCert = derChildren(readDerExact(new Uint8Array(ca.cert.rawData)))[0]!;
    issuerName = tlv(0x30, derChildren(tbsCert)[5]!.value);
  });

  it('reads the entries with and without nextUpdate, serials without leading zero octets', async () => {
    const entries = [
      { serialNumber: '71', revocationDate: new Date('2026-01-01T00:00:00Z') },
      { serialNumber: '00ff01', revocationDate: new Date('2026-02-03T04:05:06Z') },
    ];
    const expected = new Map([
      ['71', new Date('2026-01-01T00:00:00Z')],
      ['ff01', new Date('2026-02-03T04:05:06Z')],
    ]);
    expect(crlRevocations(new Uint8Array((await generated(ca, entries, new Date('2027-06-01T00:00:00Z'))).rawData))).toEqual(expected);
    const noNext = await generated(ca, entries);
    expect(noNext.nextUpdate).toBeUndefined();
    expect(crlRevocations(new Uint8Array(noNext.rawData))).toEqual(expected);
    expect(crlRevocations(new Uint8Array((await generated(ca, [])).rawData))).toEqual(new Map());
  });

  it('a v1 CRL (no version), GeneralizedTime, UTCTime years before 2050 and from 1950, entry and CRL extensions', async () => {
    const entry = (serial: Uint8Array, time: Uint8Array, ext?: Uint8Array) => tlv(0x30, serial, time, ...(ext ? [ext] : []));
    const reason = tlv(0x30, tlv(0x30, tlv(0x06, Uint8Array.of(0x55, 0x1d, 0x15)), tlv(0x04, tlv(0x0a, Uint8Array.of(1)))));
    const crlNumber = tlv(0xa0, tlv(0x30, tlv(0x30, tlv(0x06, Uint8Array.of(0x55, 0x1d, 0x14)), tlv(0x04, int(5)))));
    const crl = await handMade(ca, [
      ECDSA_SHA256,
      issuerName,
      utc('261201000000Z'),
      tlv(
        0x30,
        entry(int(0x00, 0x80), gen('20510304050607Z'), reason),
        entry(int(0x05), utc('491231235959Z')),
        entry(int(0x06), utc('500101000000Z')),
        entry(int(0x00), utc('260101000000Z')),
      ),
      crlNumber,
    ]);
    expect(crlRevocations(new Uint8Array(crl.rawData))).toEqual(
      new Map([
        ['80', new Date('2051-03-04T05:06:07Z')],
        ['05', new Date('2049-12-31T23:59:59Z')],
        ['06', new Date('1950-01-01T00:00:00Z')],
        ['00', new Date('2026-01-01T00:00:00Z')],
      ]),
    );
    // no revokedCertificates at all, only extensions
    expect(crlRevocations(new Uint8Array((await handMade(ca, [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), crlNumber])).rawData))).toEqual(new Map());
  });

  it.each<[string, () => Uint8Array[], RegExp]>([
    ['no thisUpdate', () => [int(1), ECDSA_SHA256, issuerName], /thisUpdate missing/],
    ['an empty tbsCertList', () => [], /thisUpdate missing/],
    ['a first field tagged [2], which is no version', () => [tlv(0x82, Uint8Array.of(1)), ECDSA_SHA256, issuerName, utc('261201000000Z')], /thisUpdate missing/],
    ['a UTCTime with a digit too many', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), utc('1260101000000Z')))], /in Z form/],
    ['a UTCTime with text after Z', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), utc('260101000000Z0')))], /in Z form/],
    ['a GeneralizedTime with a digit too many', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), gen('120260101000000Z')))], /in Z form/],
    ['a GeneralizedTime with text after Z', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), gen('20260101000000Zx')))], /in Z form/],
    ['a revocation time tagged [23] instead of UTCTime', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), tlv(0x97, ascii('260101000000Z'))))], /in Z form/],
    ['an entry without revocationDate', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7)))], /without userCertificate and revocationDate/],
    ['an entry whose serial is not an INTEGER', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, tlv(0x04, Uint8Array.of(7)), utc('260101000000Z')))], /without userCertificate/],
    ['a revocation time with fractional seconds', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), gen('20260101000000.5Z')))], /is not a UTCTime or GeneralizedTime in Z form/],
    ['a revocation time with an offset', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), utc('260101000000+0100')))], /in Z form/],
    ['a revocation time that is an OCTET STRING', () => [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(7), tlv(0x04, ascii('260101000000Z'))))], /in Z form/],
  ])('throws on %s', async (_name, fields, message) => {
    const tbs = tlv(0x30, ...fields());
    expect(() => crlRevocations(tlv(0x30, tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0, 0))))).toThrow(message);
  });

  it('GeneralizedTime thisUpdate and nextUpdate; after thisUpdate only a universal SEQUENCE is the revoked list', () => {
    const list = tlv(0x30, tlv(0x30, int(7), utc('260101000000Z')));
    const read = (...fields: Uint8Array[]) => crlRevocations(tlv(0x30, tlv(0x30, int(1), ECDSA_SHA256, issuerName, ...fields), ECDSA_SHA256, tlv(0x03, Uint8Array.of(0, 0))));
    expect(read(gen('20261201000000Z'), gen('20271201000000Z'), list)).toEqual(new Map([['07', new Date('2026-01-01T00:00:00Z')]]));
    // a SET, or a context-tagged [16], in that place is no list of revoked certificates
    expect(read(utc('261201000000Z'), tlv(0x31, tlv(0x30, int(7), utc('260101000000Z'))))).toEqual(new Map());
    expect(read(utc('261201000000Z'), tlv(0xb0, tlv(0x30, int(7), utc('260101000000Z'))))).toEqual(new Map());
  });

  it('throws on a CertificateList that is empty', () => {
    expect(() => crlRevocations(Uint8Array.of(0x30, 0x00))).toThrow('CRL has no tbsCertList');
  });

  describe('in path validation', () => {
    let leaf: TestCertifiedKey;
    beforeAll(async () => {
      leaf = await createTestCertificate({ subject: 'CN=CRL Reader Leaf', issuer: ca, serialNumber: '71', notBefore: from, notAfter: to, ca: false });
    });

    it('a signed CRL without nextUpdate that lists the leaf revokes it', async () => {
      const crl = await generated(ca, [{ serialNumber: '71', revocationDate: new Date('2026-01-01T00:00:00Z') }]);
      const r = await validateCertificateChain([leaf.cert], { roots: [ca.cert], at, crls: [crl] });
      expect(r.problems).toEqual([{ code: 'MDS_CERT_REVOKED', message: '"CN=CRL Reader Leaf" (serial 71) revoked 2026-01-01T00:00:00.000Z' }]);
      expect(r.valid).toBe(false);
    });

    it('a signed CRL that cannot be read is ignored and said so: it checks nothing', async () => {
      const crl = await handMade(ca, [int(1), ECDSA_SHA256, issuerName, utc('261201000000Z'), tlv(0x30, tlv(0x30, int(0x71), utc('260101000000+0100')))]);
      expect(await crl.verify({ publicKey: ca.cert.publicKey })).toBe(true);
      const r = await validateCertificateChain([leaf.cert], { roots: [ca.cert], at, crls: [crl] });
      expect(r.valid).toBe(true);
      expect(r.warnings.map((w) => w.message)).toEqual([
        'CRL for "CN=CRL Reader CA" cannot be read (CRL time "260101000000+0100" is not a UTCTime or GeneralizedTime in Z form) and was ignored',
        'revocation of "CN=CRL Reader Leaf" not checked: no CRL of "CN=CRL Reader CA" supplied (no distribution point)',
      ]);
    });
  });
});
