import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BasicConstraintsExtension, Extension, KeyUsageFlags, PublicKey, X509CertificateGenerator, type X509Crl } from '@peculiar/x509';
import { createTestCertificate, type TestCertificateOptions, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { primaryProblem, validateCertificateChain, x5cSequenceProblems, type ChainResult } from '../../mds/validateChain.ts';
import { ChainCertificate } from '../../mds/ChainCertificate.ts';
import { revokedAt, testCrl } from './helpers.ts';

// RFC 5280 §6.1 path validation, one rule at a time: each refusal has an honest twin that is accepted, so a
// rule that stops being applied, or is applied one step off, shows.
const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');
const at = new Date('2027-01-01T00:00:00Z');

type Role = Partial<TestCertificateOptions>;
const cert = (subject: string, serialNumber: string, issuer: TestCertifiedKey | undefined, role: Role = {}) =>
  createTestCertificate({ subject: `CN=${subject}, O=fido-harness TEST`, serialNumber, notBefore: from, notAfter: to, ca: true, ...(issuer ? { issuer } : {}), ...role });
const codes = (r: ChainResult) => r.problems.map((p) => p.code);
const messages = (r: ChainResult) => r.problems.map((p) => p.message);

/** DER TLV with a one- or two-byte length */
function tlv(tag: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const len = body.length < 0x80 ? [body.length] : [0x81, body.length];
  return Uint8Array.from([tag, ...len, ...body]);
}
/** cRLDistributionPoints (RFC 5280 §4.2.1.13) with one fullName URI */
function crlDistributionPoint(url: string): Extension {
  const uri = tlv(0x86, new TextEncoder().encode(url));
  return new Extension('2.5.29.31', false, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0xa0, uri)))));
}

const crlOf = (issuer: TestCertifiedKey, serials: string[], revocationDate: Date, nextUpdate: Date | null = new Date('2027-06-01T00:00:00Z')): Promise<X509Crl> =>
  testCrl(issuer, revokedAt(serials, revocationDate), { thisUpdate: new Date('2026-12-01T00:00:00Z'), nextUpdate });

describe('RFC 5280 §6.1 path validation rules', () => {
  let root: TestCertifiedKey;
  let ca1: TestCertifiedKey;
  let ca2: TestCertifiedKey;
  let leaf: TestCertifiedKey;
  beforeAll(async () => {
    root = await cert('Rules Root', '01', undefined);
    ca2 = await cert('Rules CA 2', '02', root);
    ca1 = await cert('Rules CA 1', '03', ca2);
    leaf = await cert('Rules Leaf', '04', ca1, { ca: false });
  });

  it('leaf → CA 1 → CA 2 → root is valid, intermediates in any order, and only the leaf and CAs count as problems', async () => {
    for (const chain of [[leaf.cert, ca1.cert, ca2.cert], [leaf.cert, ca2.cert, ca1.cert]]) {
      const r = await validateCertificateChain(chain, { roots: [root.cert], at });
      expect(r.problems).toEqual([]);
      expect(r.valid).toBe(true);
      expect(r.path.map((c) => c.serialNumber)).toEqual(['04', '03', '02', '01']);
      expect(r.root?.serialNumber).toBe('01');
      expect(primaryProblem(r)).toBeUndefined();
    }
  });

  it('maxLength bounds the path, leaf and root included', async () => {
    const chain = [leaf.cert, ca1.cert, ca2.cert];
    expect((await validateCertificateChain(chain, { roots: [root.cert], at, maxLength: 4 })).valid).toBe(true);
    const short = await validateCertificateChain(chain, { roots: [root.cert], at, maxLength: 3 });
    expect(codes(short)).toEqual(['MDS_CHAIN_UNTRUSTED']);
    expect(short.path.map((c) => c.serialNumber)).toEqual(['04']);
    // the default is 8: a path of 9 is not searched
    const long: TestCertifiedKey[] = [root];
    for (let i = 0; i < 7; i++) long.push(await cert(`Deep CA ${i}`, `1${i}`, long[long.length - 1]));
    const deepLeaf = await cert('Deep Leaf', '20', long[long.length - 1], { ca: false });
    const deep = [deepLeaf.cert, ...long.slice(1).reverse().map((k) => k.cert)];
    expect(codes(await validateCertificateChain(deep, { roots: [root.cert], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
    expect((await validateCertificateChain([deepLeaf.cert, ...long.slice(2).reverse().map((k) => k.cert)], { roots: [long[1]!.cert], at })).valid).toBe(true);
  });

  it('names the leaf, the last issuer and the trusted roots when no path exists', async () => {
    const other = await cert('Other Root', '05', undefined);
    const r = await validateCertificateChain([leaf.cert, ca1.cert], { roots: [other.cert], at });
    expect(r.valid).toBe(false);
    expect(r.problems).toEqual([
      { code: 'MDS_CHAIN_UNTRUSTED', message: 'no path from "CN=Rules Leaf, O=fido-harness TEST" to a trusted root (issuer "CN=Rules CA 2, O=fido-harness TEST"; trusted: "CN=Other Root, O=fido-harness TEST")' },
    ]);
    expect((await validateCertificateChain([leaf.cert], { roots: [], at })).problems[0]!.message).toContain('trusted: none');
    expect((await validateCertificateChain([leaf.cert], { roots: [other.cert, other.cert], at })).problems[0]!.message).toContain('trusted: "CN=Other Root, O=fido-harness TEST", "CN=Other Root, O=fido-harness TEST")');
  });

  it('a certificate that is itself a trust anchor ends the path there', async () => {
    const r = await validateCertificateChain([ca2.cert, root.cert], { roots: [ca2.cert, root.cert], at });
    expect(r.valid).toBe(true);
    expect(r.path.map((c) => c.serialNumber)).toEqual(['02']);
    expect(r.root?.serialNumber).toBe('02');
    // one CRL warning per certificate below the anchor: none here
    expect(r.warnings).toEqual([]);
  });

  it('refuses an empty chain and a certificate that does not parse, without throwing', async () => {
    expect(await validateCertificateChain([], { roots: [root.cert], at })).toMatchObject({ valid: false, path: [], problems: [{ code: 'MDS_MALFORMED', message: 'empty certificate chain' }] });
    const broken = { rawData: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) } as unknown as ChainCertificate;
    const r = await validateCertificateChain([broken], { roots: [root.cert], at });
    expect(r).toMatchObject({ valid: false, path: [], problems: [{ code: 'MDS_CERT_MALFORMED' }] });
    expect(r.problems[0]!.message).toMatch(/^a certificate does not parse: ./);
  });

  it('reports a certificate given twice (MDS_DUPLICATE_CERT) and still judges the path', async () => {
    const r = await validateCertificateChain([leaf.cert, ca1.cert, ca2.cert, ca1.cert], { roots: [root.cert], at });
    expect(r.valid).toBe(false);
    expect(r.problems).toEqual([{ code: 'MDS_DUPLICATE_CERT', message: 'certificate #3 repeats #1 (CN=Rules CA 1, O=fido-harness TEST)' }]);
    expect(r.path).toHaveLength(4);
    expect(primaryProblem(r)).toEqual({ code: 'MDS_DUPLICATE_CERT', message: r.problems[0]!.message });
  });

  describe('validity at the verification time (RFC 5280 §6.1.3 (a)(2))', () => {
    it('an intermediate is valid on its last second and expired one second later; valid from its first second', async () => {
      const notAfter = new Date('2026-06-30T12:00:00Z');
      const notBefore = new Date('2026-01-01T00:00:00Z');
      const mid = await cert('Short CA', '30', root, { notBefore, notAfter });
      const low = await cert('Short Leaf', '31', mid, { ca: false });
      const check = (when: Date) => validateCertificateChain([low.cert, mid.cert], { roots: [root.cert], at: when });
      expect((await check(notAfter)).valid).toBe(true);
      expect((await check(notBefore)).valid).toBe(true);
      const late = await check(new Date(notAfter.getTime() + 1000));
      expect(late.problems).toEqual([
        { code: 'MDS_CERT_EXPIRED', message: '"CN=Short CA, O=fido-harness TEST" expired 2026-06-30T12:00:00.000Z (verification time 2026-06-30T12:00:01.000Z)' },
      ]);
      const early = await check(new Date(notBefore.getTime() - 1000));
      expect(early.problems).toEqual([
        { code: 'MDS_CERT_NOT_YET_VALID', message: '"CN=Short CA, O=fido-harness TEST" is not valid before 2026-01-01T00:00:00.000Z (verification time 2025-12-31T23:59:59.000Z)' },
      ]);
    });

    it('an expired trust anchor is refused too', async () => {
      const oldRoot = await cert('Old Root', '32', undefined, { notAfter: new Date('2026-01-01T00:00:00Z') });
      const low = await cert('Old Leaf', '33', oldRoot, { ca: false });
      expect(codes(await validateCertificateChain([low.cert], { roots: [oldRoot.cert], at }))).toEqual(['MDS_CERT_EXPIRED']);
    });
  });

  describe('issuers must be CAs (RFC 5280 §6.1.4 (k), (l), (n))', () => {
    const issued = async (issuerRole: Role, anchorRole: Role = {}) => {
      const anchor = await cert('Anchor', '40', undefined, anchorRole);
      const mid = await cert('Middle', '41', anchor, issuerRole);
      const low = await cert('Bottom', '42', mid, { ca: false });
      return validateCertificateChain([low.cert, mid.cert], { roots: [anchor.cert], at });
    };

    it('an intermediate with cA FALSE, or without basicConstraints, issues nothing', async () => {
      // keyUsage keyCertSign kept, so that only the CA flag is wrong
      expect(messages(await issued({ ca: false, keyUsage: KeyUsageFlags.keyCertSign }))).toEqual(['"CN=Middle, O=fido-harness TEST" issues a certificate but is not a CA (basicConstraints cA FALSE; RFC 5280 §6.1.4 (k))']);
      expect(messages(await issued({ omitBasicConstraints: true }))).toEqual(['"CN=Middle, O=fido-harness TEST" issues a certificate but is not a CA (basicConstraints absent; RFC 5280 §6.1.4 (k))']);
      expect(codes(await issued({ ca: false }))).toEqual(['MDS_CHAIN_INVALID', 'MDS_CHAIN_INVALID']);
    });

    it('a trust anchor without basicConstraints is input, accepted; one that says cA FALSE is refused', async () => {
      expect((await issued({}, { omitBasicConstraints: true })).valid).toBe(true);
      expect(messages(await issued({}, { ca: false }))).toEqual(['"CN=Anchor, O=fido-harness TEST" issues a certificate but is not a CA (basicConstraints cA FALSE; RFC 5280 §6.1.4 (k))']);
    });

    it('keyUsage without keyCertSign refuses an intermediate; no keyUsage at all is allowed; a trust anchor is not held to it', async () => {
      expect(messages(await issued({ keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.cRLSign }))).toEqual([
        '"CN=Middle, O=fido-harness TEST" issues a certificate but its keyUsage lacks keyCertSign (RFC 5280 §6.1.4 (n))',
      ]);
      expect((await issued({ keyUsage: null })).valid).toBe(true);
      expect((await issued({ keyUsage: KeyUsageFlags.keyCertSign })).valid).toBe(true);
      expect((await issued({}, { keyUsage: KeyUsageFlags.digitalSignature })).valid).toBe(true);
    });

    it('a malformed basicConstraints or keyUsage refuses an intermediate; every problem is joined in the primary message', async () => {
      const badBc = new Extension('2.5.29.19', true, Uint8Array.of(0x30, 0x05, 0x01, 0x01));
      expect((await issued({ omitBasicConstraints: true, extensions: [badBc] })).problems).toEqual([{ code: 'MDS_CHAIN_INVALID', message: '"CN=Middle, O=fido-harness TEST" has a malformed basicConstraints extension' }]);
      const badKu = new Extension('2.5.29.15', true, Uint8Array.of(0x03, 0x05, 0x00));
      expect(messages(await issued({ keyUsage: null, extensions: [badKu] }))).toEqual(['"CN=Middle, O=fido-harness TEST" issues a certificate but its keyUsage lacks keyCertSign (RFC 5280 §6.1.4 (n))']);
      const two = await issued({ ca: false });
      expect(primaryProblem(two)).toEqual({ code: 'MDS_CHAIN_INVALID', message: `${two.problems[0]!.message}; ${two.problems[1]!.message}` });
    });

    it('an issuer is matched by name as well as by key (RFC 5280 §6.1.3 (a)(4)): the same key under another name anchors nothing', async () => {
      const anchor = await cert('Named Root', '43', undefined);
      const renamed = await cert('Renamed Root', '44', undefined, { keys: anchor.keys });
      const low = await cert('Named Leaf', '45', anchor, { ca: false });
      expect((await validateCertificateChain([low.cert], { roots: [anchor.cert], at })).valid).toBe(true);
      expect(codes(await validateCertificateChain([low.cert], { roots: [renamed.cert], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
      // nor as an intermediate
      const mid = await cert('Renamed CA', '46', anchor, { keys: (await cert('Key Holder', '47', undefined)).keys });
      const low2 = await cert('Named Leaf 2', '48', anchor, { ca: false });
      expect(codes(await validateCertificateChain([low2.cert, mid.cert], { roots: [], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
    });

    it('an issuer whose public key cannot be loaded signs nothing', async () => {
      // SPKI with an unknown algorithm (1.3.6.1.4.1.55555.9): node:crypto cannot load the key
      const oid = Uint8Array.of(0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x09);
      const spki = tlv(0x30, Uint8Array.from([...tlv(0x30, tlv(0x06, oid)), ...tlv(0x03, Uint8Array.of(0, 1, 2, 3))]));
      const odd = await X509CertificateGenerator.create(
        { serialNumber: '49', subject: 'CN=Odd Key CA, O=fido-harness TEST', issuer: root.cert.subject, notBefore: from, notAfter: to, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, publicKey: new PublicKey(spki), signingKey: root.keys.privateKey, extensions: [new BasicConstraintsExtension(true, undefined, true)] },
        webcrypto as unknown as Crypto,
      );
      const sameName = await cert('Odd Key CA', '4a', undefined);
      const low = await cert('Odd Key Leaf', '4b', sameName, { ca: false });
      expect(codes(await validateCertificateChain([low.cert, odd], { roots: [root.cert], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
      expect(codes(await validateCertificateChain([low.cert], { roots: [odd], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
    });

    it('two CAs that certify each other: the search never repeats a certificate, and finds the short path', async () => {
      const p0 = await cert('Loop P', '4c', undefined);
      const q0 = await cert('Loop Q', '4d', undefined);
      const pByQ = await cert('Loop P', '4e', q0, { keys: p0.keys });
      const qByP = await cert('Loop Q', '4f', p0, { keys: q0.keys });
      const qByRoot = await cert('Loop Q', '50', root, { keys: q0.keys });
      const low = await cert('Loop Leaf', '51', p0, { ca: false });
      const r = await validateCertificateChain([low.cert, pByQ.cert, qByP.cert, qByRoot.cert], { roots: [root.cert], at });
      expect(r.valid).toBe(true);
      expect(r.path.map((c) => c.serialNumber)).toEqual(['51', '4e', '50', '01']);
      expect(r.warnings).toHaveLength(3);
      // without the way out, the loop ends untrusted
      expect(codes(await validateCertificateChain([low.cert, pByQ.cert, qByP.cert], { roots: [root.cert], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
    });

    it('a trust anchor that cannot be read anchors nothing, and the others still do', async () => {
      const unreadable = { rawData: new Uint8Array([0x30, 0x00]) } as unknown as ChainCertificate;
      const r = await validateCertificateChain([leaf.cert, ca1.cert, ca2.cert], { roots: [unreadable, root.cert], at });
      expect(r.valid).toBe(true);
      expect(codes(await validateCertificateChain([leaf.cert, ca1.cert, ca2.cert], { roots: [unreadable], at }))).toEqual(['MDS_CHAIN_UNTRUSTED']);
    });

    it('pathLenConstraint counts the intermediates below a CA: 0 allows none, 1 allows one', async () => {
      const anchor = await cert('Len Root', '50', undefined);
      const build = async (upperLen: number | undefined) => {
        const upper = await cert('Len Upper CA', '51', anchor, upperLen === undefined ? {} : { pathLength: upperLen });
        const lower = await cert('Len Lower CA', '52', upper, { pathLength: 0 });
        const low = await cert('Len Leaf', '53', lower, { ca: false });
        return validateCertificateChain([low.cert, lower.cert, upper.cert], { roots: [anchor.cert], at });
      };
      expect((await build(undefined)).valid).toBe(true);
      expect((await build(1)).valid).toBe(true);
      expect((await build(0)).problems).toEqual([
        { code: 'MDS_CHAIN_INVALID', message: '"CN=Len Upper CA, O=fido-harness TEST" allows 0 intermediate(s) below it, the path has 1 (RFC 5280 §6.1.4 (l))' },
      ]);
    });
  });

  describe('critical extensions not processed here (RFC 5280 §4.2, §6.1.4 (o))', () => {
    const unknownCritical = new Extension('1.3.6.1.4.1.55555.2', true, Uint8Array.of(0x05, 0x00));

    it('refuse an intermediate, are ignored on the trust anchor; recognised critical ones pass', async () => {
      const anchor = await cert('Ext Root', '60', undefined, { extensions: [unknownCritical] });
      const mid = await cert('Ext CA', '61', anchor, { extensions: [unknownCritical] });
      const low = await cert('Ext Leaf', '62', mid, { ca: false });
      expect(await validateCertificateChain([low.cert, mid.cert], { roots: [anchor.cert], at })).toMatchObject({
        valid: false,
        problems: [{ code: 'MDS_CHAIN_INVALID', message: '"CN=Ext CA, O=fido-harness TEST" carries the critical extension 1.3.6.1.4.1.55555.2, which is not processed here (RFC 5280 §4.2, §6.1.4 (o), §6.1.5 (f))' }],
      });
      const cleanMid = await cert('Ext CA 2', '63', anchor);
      // certificate policies (2.5.29.32), critical, is recognised
      const policies = new Extension('2.5.29.32', true, Uint8Array.from(Buffer.from('300630040602 2a03'.replace(/\s/g, ''), 'hex')));
      const low2 = await cert('Ext Leaf 2', '64', cleanMid, { ca: false, extensions: [policies] });
      expect((await validateCertificateChain([low2.cert, cleanMid.cert], { roots: [anchor.cert], at })).problems).toEqual([]);
    });
  });

  describe('revocation against supplied CRLs (RFC 5280 §6.3)', () => {
    let dpCa: TestCertifiedKey;
    let dpLeaf: TestCertifiedKey;
    beforeAll(async () => {
      dpCa = await cert('CRL CA', '70', root, { extensions: [crlDistributionPoint('http://crl.test/root.crl')] });
      dpLeaf = await cert('CRL Leaf', '71', dpCa, { ca: false, extensions: [crlDistributionPoint('http://crl.test/ca.crl')] });
    });
    const run = (crls: X509Crl[], when = at) => validateCertificateChain([dpLeaf.cert, dpCa.cert], { roots: [root.cert], at: when, crls });

    it('without CRLs: one warning per certificate below the anchor, naming its distribution point', async () => {
      const r = await run([]);
      expect(r.valid).toBe(true);
      expect(r.warnings).toEqual([
        { code: 'MDS_CRL_UNAVAILABLE', message: 'revocation of "CN=CRL Leaf, O=fido-harness TEST" not checked: no CRL of "CN=CRL CA, O=fido-harness TEST" supplied (distribution point http://crl.test/ca.crl)' },
        { code: 'MDS_CRL_UNAVAILABLE', message: 'revocation of "CN=CRL CA, O=fido-harness TEST" not checked: no CRL of "CN=Rules Root, O=fido-harness TEST" supplied (distribution point http://crl.test/root.crl)' },
      ]);
      const plain = await validateCertificateChain([leaf.cert, ca1.cert, ca2.cert], { roots: [root.cert], at });
      expect(plain.warnings.map((w) => w.message.endsWith('(no distribution point)'))).toEqual([true, true, true]);
    });

    it('distribution point URIs are read from [6] IA5String names only, at most 8 levels deep (RFC 5280 §4.2.1.13)', async () => {
      const enc = (t: string) => new TextEncoder().encode(t);
      const seq = (...parts: Uint8Array[]) => tlv(0x30, Uint8Array.from(parts.flatMap((p) => [...p])));
      const nest = (levels: number, inner: Uint8Array): Uint8Array => (levels === 0 ? inner : seq(nest(levels - 1, inner)));
      // directoryName CN=x: a universal OID (tag 6) inside must not be taken for a URI
      const dirName = tlv(0xa4, seq(tlv(0x31, seq(tlv(0x06, Uint8Array.of(0x55, 0x04, 0x03)), tlv(0x0c, enc('x'))))));
      const fullName = tlv(0xa0, tlv(0xa0, Uint8Array.from([...tlv(0x82, enc('dns.example')), ...dirName, ...tlv(0x86, enc('http://a.example/1.crl'))])));
      const value = seq(
        seq(fullName),
        // a constructed [6] is walked into, not read as a URI
        seq(tlv(0xa6, tlv(0x86, enc('http://inner.example/2.crl')))),
        nest(7, tlv(0x86, enc('http://depth8.example/3.crl'))),
        nest(8, tlv(0x86, enc('http://depth9.example/4.crl'))),
      );
      const odd = await cert('Odd DP Leaf', '72', dpCa, { ca: false, extensions: [new Extension('2.5.29.31', false, value)] });
      const r = await validateCertificateChain([odd.cert, dpCa.cert], { roots: [root.cert], at });
      expect(r.warnings[0]!.message).toBe(
        'revocation of "CN=Odd DP Leaf, O=fido-harness TEST" not checked: no CRL of "CN=CRL CA, O=fido-harness TEST" supplied (distribution point http://a.example/1.crl, http://inner.example/2.crl, http://depth8.example/3.crl)',
      );
      // a malformed extension only loses the URL
      const broken = await cert('Broken DP Leaf', '73', dpCa, { ca: false, extensions: [new Extension('2.5.29.31', false, Uint8Array.of(0x30, 0x05, 0x86, 0x01))] });
      const rb = await validateCertificateChain([broken.cert, dpCa.cert], { roots: [root.cert], at });
      expect(rb.valid).toBe(true);
      expect(rb.warnings[0]!.message).toMatch(/\(no distribution point\)$/);
    });

    it('a CRL of each issuer: checked, no warnings; the leaf revoked by the intermediate CA from its revocation date on', async () => {
      const revokedOn = new Date('2026-09-01T00:00:00Z');
      const caCrl = await crlOf(dpCa, ['71'], revokedOn);
      const rootCrl = await crlOf(root, ['7f'], revokedOn);
      const r = await run([caCrl, rootCrl]);
      expect(r.warnings).toEqual([]);
      expect(r.problems).toEqual([{ code: 'MDS_CERT_REVOKED', message: '"CN=CRL Leaf, O=fido-harness TEST" (serial 71) revoked 2026-09-01T00:00:00.000Z' }]);
      expect(r.valid).toBe(false);
      expect(codes(await run([caCrl, rootCrl], revokedOn))).toEqual(['MDS_CERT_REVOKED']);
      const before = await run([caCrl, rootCrl], new Date(revokedOn.getTime() - 1000));
      expect(before.valid).toBe(true);
      expect(before.warnings).toEqual([]);
      // the CA's CRL says nothing about the CA itself
      expect((await run([await crlOf(dpCa, ['70'], revokedOn), rootCrl])).valid).toBe(true);
    });

    it('a CRL current until the verification time counts; one second past its nextUpdate it is stale', async () => {
      const nextUpdate = new Date('2027-01-01T00:00:00Z');
      const crls = [await crlOf(dpCa, [], new Date('2026-01-01T00:00:00Z'), nextUpdate), await crlOf(root, [], new Date('2026-01-01T00:00:00Z'), nextUpdate)];
      expect((await run(crls, nextUpdate)).warnings).toEqual([]);
      const stale = await run(crls, new Date(nextUpdate.getTime() + 1000));
      expect(stale.valid).toBe(true);
      expect(stale.warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE', 'MDS_CRL_UNAVAILABLE', 'MDS_CRL_UNAVAILABLE', 'MDS_CRL_UNAVAILABLE']);
      expect(stale.warnings.map((w) => w.message)).toEqual([
        'CRL of "CN=CRL CA, O=fido-harness TEST" is stale (nextUpdate 2027-01-01T00:00:00.000Z, verification time 2027-01-01T00:00:01.000Z): revocation of "CN=CRL Leaf, O=fido-harness TEST" not known to be current',
        'revocation of "CN=CRL Leaf, O=fido-harness TEST" not checked: no CRL of "CN=CRL CA, O=fido-harness TEST" supplied (distribution point http://crl.test/ca.crl)',
        'CRL of "CN=Rules Root, O=fido-harness TEST" is stale (nextUpdate 2027-01-01T00:00:00.000Z, verification time 2027-01-01T00:00:01.000Z): revocation of "CN=CRL CA, O=fido-harness TEST" not known to be current',
        'revocation of "CN=CRL CA, O=fido-harness TEST" not checked: no CRL of "CN=Rules Root, O=fido-harness TEST" supplied (distribution point http://crl.test/root.crl)',
      ]);
    });

    it('a CRL without nextUpdate (optional in X.509, RFC 5280 §5.1.2.5) is current', async () => {
      const crls = [await crlOf(dpCa, ['71'], new Date('2026-01-01T00:00:00Z'), null), await crlOf(root, [], new Date('2026-01-01T00:00:00Z'), null)];
      expect(crls[0]!.nextUpdate).toBeUndefined();
      const r = await run(crls);
      expect(r.warnings).toEqual([]);
      expect(codes(r)).toEqual(['MDS_CERT_REVOKED']);
    });

    it('a CRL with a bad signature is ignored: it revokes nothing and checks nothing', async () => {
      const impostor = { ...dpCa, keys: root.keys };
      const forged = await crlOf(impostor, ['71'], new Date('2026-01-01T00:00:00Z'));
      const r = await run([forged, await crlOf(root, [], new Date('2026-01-01T00:00:00Z'))]);
      expect(r.valid).toBe(true);
      expect(r.warnings.map((w) => w.message)).toEqual([
        'CRL for "CN=CRL CA, O=fido-harness TEST" has a bad signature and was ignored',
        'revocation of "CN=CRL Leaf, O=fido-harness TEST" not checked: no CRL of "CN=CRL CA, O=fido-harness TEST" supplied (distribution point http://crl.test/ca.crl)',
      ]);
    });
  });

  describe('x5cSequenceProblems (x5c without a trust anchor, WebAuthn L3 §8.2)', () => {
    it('an ordered x5c has no problems; a self-signed last certificate is not held to the CA rules', async () => {
      expect(await x5cSequenceProblems([leaf.cert, ca1.cert, ca2.cert, root.cert], at)).toEqual([]);
      const selfSignedNoBc = await cert('Bare Root', '80', undefined, { omitBasicConstraints: true });
      const low = await cert('Bare Leaf', '81', selfSignedNoBc, { ca: false });
      expect(await x5cSequenceProblems([low.cert, selfSignedNoBc.cert], at)).toEqual([]);
    });

    it('x5c: pathLenConstraint counts the intermediates below; only a self-issued last certificate is taken as the anchor', async () => {
      const top = await cert('Seq Top', '84', root, { pathLength: 0 });
      const mid = await cert('Seq Mid', '85', top);
      const low = await cert('Seq Leaf', '86', mid, { ca: false });
      expect(await x5cSequenceProblems([low.cert, mid.cert, top.cert], at)).toEqual([
        { code: 'MDS_CHAIN_INVALID', message: 'x5c[2] "CN=Seq Top, O=fido-harness TEST" allows 0 intermediate(s) below it, the path has 1 (RFC 5280 §6.1.4 (l))' },
      ]);
      const top1 = await cert('Seq Top 1', '87', root, { pathLength: 1 });
      const mid1 = await cert('Seq Mid 1', '88', top1);
      const low1 = await cert('Seq Leaf 1', '89', mid1, { ca: false });
      expect(await x5cSequenceProblems([low1.cert, mid1.cert, top1.cert], at)).toEqual([]);
      // a self-issued certificate without basicConstraints that is not last is no anchor: it must be a CA
      const bare = await cert('Seq Bare', '8a', undefined, { omitBasicConstraints: true });
      const under = await cert('Seq Under Bare', '8b', bare, { ca: false });
      const bareByRoot = await cert('Seq Bare', '8c', root, { keys: bare.keys });
      expect((await x5cSequenceProblems([under.cert, bare.cert, bareByRoot.cert], at)).map((p) => p.message)).toEqual([
        'x5c[1] "CN=Seq Bare, O=fido-harness TEST" issues a certificate but is not a CA (basicConstraints absent; RFC 5280 §6.1.4 (k))',
      ]);
    });

    it('names each position: out of order, not a CA, expired', async () => {
      expect(await x5cSequenceProblems([leaf.cert, ca2.cert], at)).toEqual([
        { code: 'MDS_CHAIN_INVALID', message: 'x5c[0] "CN=Rules Leaf, O=fido-harness TEST" is not issued by x5c[1] "CN=Rules CA 2, O=fido-harness TEST"' },
      ]);
      const notCa = await cert('Not CA', '82', root, { omitBasicConstraints: true });
      const low = await cert('Under Not CA', '83', notCa, { ca: false });
      expect(await x5cSequenceProblems([low.cert, notCa.cert], at)).toEqual([
        { code: 'MDS_CHAIN_INVALID', message: 'x5c[1] "CN=Not CA, O=fido-harness TEST" issues a certificate but is not a CA (basicConstraints absent; RFC 5280 §6.1.4 (k))' },
      ]);
      const p = await x5cSequenceProblems([leaf.cert, ca1.cert], new Date('2041-01-01T00:00:00Z'));
      expect(p.map((x) => [x.code, x.message.slice(0, 6)])).toEqual([
        ['MDS_CERT_EXPIRED', 'x5c[0]'],
        ['MDS_CERT_EXPIRED', 'x5c[1]'],
      ]);
    });
  });
});
