import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from '@peculiar/x509';
import { certDer, certificatesFromPem, describeCert, sameCertificate, toCertificate } from '../../mds/certificates.ts';
import { aaguidToBytes, aaguidToString } from '../../mds/aaguid.ts';
import { MdsError } from '../../mds/MdsError.ts';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';

const d = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z'), ca: false };
const refusal = (f: () => unknown): MdsError => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(MdsError);
    return err as MdsError;
  }
  throw new Error('expected MDS_CERT_MALFORMED');
};

describe('certificates as MDS and x5c carry them (base64 DER, RFC 4648 §4), PEM or bytes', () => {
  let a: TestCertifiedKey;
  let b: TestCertifiedKey;
  beforeAll(async () => {
    a = await createTestCertificate({ subject: 'CN=input a', serialNumber: '0a', ...d });
    b = await createTestCertificate({ subject: 'CN=input b', serialNumber: '0b', ...d });
  });
  const b64 = (c: TestCertifiedKey) => Buffer.from(c.cert.rawData).toString('base64');

  it('reads PEM, base64 with line breaks and spaces, DER bytes, and passes a parsed certificate through', () => {
    expect(toCertificate(a.cert)).toBe(a.cert);
    for (const input of [a.pem, `  \n${a.pem}\n`, b64(a), b64(a).replace(/(.{64})/g, '$1\r\n '), new Uint8Array(a.cert.rawData)]) {
      expect(sameCertificate(toCertificate(input), a.cert)).toBe(true);
    }
    expect(sameCertificate(a.cert, b.cert)).toBe(false);
    expect(certDer(a.cert)).toEqual(new Uint8Array(a.cert.rawData));
  });

  it('refuses base64url, junk and truncated DER as MDS_CERT_MALFORMED naming what was read', () => {
    const url = Buffer.from(a.cert.rawData).toString('base64url');
    expect(/[-_]/.test(url)).toBe(true);
    const e1 = refusal(() => toCertificate(url, 'statusReport certificate'));
    expect(e1.code).toBe('MDS_CERT_MALFORMED');
    expect(e1.message).toBe('statusReport certificate is not an X.509 certificate: not base64');
    expect(refusal(() => toCertificate('AAAA')).message).toMatch(/^certificate is not an X\.509 certificate: /);
    expect(refusal(() => toCertificate(new Uint8Array(a.cert.rawData).subarray(0, 100))).code).toBe('MDS_CERT_MALFORMED');
    expect(refusal(() => toCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).code).toBe('MDS_CERT_MALFORMED');
  });

  it('certificatesFromPem reads every block in order and numbers a bad one', () => {
    const both = certificatesFromPem(`text before\n${a.pem}\nbetween\n${b.pem}\n`);
    expect(both.map((c) => c.subject)).toEqual(['CN=input a', 'CN=input b']);
    expect(refusal(() => certificatesFromPem('no certificate here'))).toMatchObject({ code: 'MDS_CERT_MALFORMED', message: 'no PEM CERTIFICATE block found' });
    const bad = refusal(() => certificatesFromPem(`${a.pem}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`));
    expect(bad.message).toMatch(/^PEM certificate #2 is not an X\.509 certificate/);
  });

  it('describeCert names the subject, or says it is empty', async () => {
    expect(describeCert(a.cert)).toBe('CN=input a');
    const empty = { subject: '' } as X509Certificate;
    expect(describeCert(empty)).toBe('(empty subject)');
  });
});

describe('AAGUID text (RFC 9562 §4)', () => {
  it('canonical lowercase hyphenated form from bytes or any-case text with or without hyphens', () => {
    const bytes = Uint8Array.from(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'));
    expect(aaguidToString(bytes)).toBe('01234567-89ab-cdef-0123-456789abcdef');
    expect(aaguidToString('0123456789ABCDEF0123456789ABCDEF')).toBe('01234567-89ab-cdef-0123-456789abcdef');
    expect(aaguidToString('01234567-89AB-cdef-0123-456789abcdef')).toBe('01234567-89ab-cdef-0123-456789abcdef');
    expect([...aaguidToBytes('01234567-89ab-cdef-0123-456789abcdef')]).toEqual([...bytes]);
  });

  it('refuses anything else with the input named', () => {
    expect(() => aaguidToString('{01234567-89ab-cdef-0123-456789abcdef}')).toThrowError(new TypeError('not an AAGUID: {01234567-89ab-cdef-0123-456789abcdef}'));
    expect(() => aaguidToString('0123456789abcdef0123456789abcde')).toThrowError(TypeError);
    expect(() => aaguidToString('0123456789abcdef0123456789abcdef0')).toThrowError(TypeError);
    expect(() => aaguidToString('x0123456789abcdef0123456789abcdef')).toThrowError(TypeError);
    expect(() => aaguidToString(new Uint8Array(15).fill(0xab))).toThrowError(new TypeError(`not an AAGUID: ${'ab'.repeat(15)}`));
  });
});
