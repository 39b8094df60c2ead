import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { X509Certificate } from '@peculiar/x509';
import { ChainCertificate, chainCertificate } from '../../mds/ChainCertificate.ts';
import { createTestCertificate } from '../../mds/testCertificates.ts';
import { validateCertificateChain } from '../../mds/validateChain.ts';

const d = { notBefore: new Date('2021-03-04T05:06:07Z'), notAfter: new Date('2031-03-04T05:06:07Z') };

describe('ChainCertificate: the natively parsed view path validation uses', () => {
  it('subject and issuer in certificate order, RFC 4514 separators; serial in lower-case hex; validity dates', async () => {
    const root = await createTestCertificate({ subject: 'C=US, O=fido-harness TEST, OU=Roots, CN=View Root', serialNumber: 'AB12', ...d, ca: true });
    const leaf = await createTestCertificate({ subject: 'CN=View Leaf, O=fido-harness TEST', issuer: root, serialNumber: '7F', ...d, ca: false });
    const c = new ChainCertificate(new Uint8Array(leaf.cert.rawData));
    expect(c.subject).toBe('CN=View Leaf, O=fido-harness TEST');
    expect(c.issuer).toBe('C=US, O=fido-harness TEST, OU=Roots, CN=View Root');
    expect(c.subject).toBe(leaf.cert.subject);
    expect(c.issuer).toBe(leaf.cert.issuer);
    expect(new ChainCertificate(root.cert).serialNumber).toBe('ab12');
    expect(c.serialNumber).toBe('7f');
    expect(c.notBefore.toISOString()).toBe('2021-03-04T05:06:07.000Z');
    expect(c.notAfter.toISOString()).toBe('2031-03-04T05:06:07.000Z');
  });

  it('an empty subject (a TPM AIK certificate, WebAuthn L3 §8.3.1) is the empty string, and messages say so', async () => {
    const root = await createTestCertificate({ subject: 'CN=AIK CA', serialNumber: '01', ...d, ca: true });
    const aik = await createTestCertificate({ subject: '', issuer: root, serialNumber: '02', ...d, ca: false });
    const c = chainCertificate(aik.cert);
    expect(c.subject).toBe('');
    expect(c.issuer).toBe('CN=AIK CA');
    const r = await validateCertificateChain([aik.cert], { roots: [root.cert], at: new Date('2035-01-01T00:00:00Z') });
    expect(r.problems.map((p) => p.message)).toEqual([
      '"(empty subject)" expired 2031-03-04T05:06:07.000Z (verification time 2035-01-01T00:00:00.000Z)',
      '"CN=AIK CA" expired 2031-03-04T05:06:07.000Z (verification time 2035-01-01T00:00:00.000Z)',
    ]);
  });

  it('wraps a @peculiar/x509 certificate without parsing it again, once per object; builds that view from bytes on demand', async () => {
    const k = await createTestCertificate({ subject: 'CN=wrapped', serialNumber: '03', ...d, ca: false });
    const wrapped = chainCertificate(k.cert);
    expect(wrapped.x509).toBe(k.cert);
    expect(chainCertificate(k.cert)).toBe(wrapped);
    expect(chainCertificate(wrapped)).toBe(wrapped);
    expect(Buffer.from(wrapped.rawData)).toEqual(Buffer.from(k.cert.rawData));
    const fromBytes = new ChainCertificate(new Uint8Array(k.cert.rawData));
    const view = fromBytes.x509;
    expect(view).toBeInstanceOf(X509Certificate);
    expect(view.subject).toBe('CN=wrapped');
    expect(fromBytes.x509).toBe(view);
    expect(() => new ChainCertificate(new Uint8Array([0x30, 0x00]))).toThrow();
  });
});
