import 'reflect-metadata';
import { X509Certificate, X509Crl } from '@peculiar/x509';
import { MdsError } from './MdsError.ts';

/** Anything a caller may hand us as a certificate: PEM text, base64 DER (as in MDS and x5c), DER bytes. */
export type CertificateInput = X509Certificate | string | Uint8Array;

/** Parses one certificate; MDS_CERT_MALFORMED when it is not one. */
export function toCertificate(input: CertificateInput, what = 'certificate'): X509Certificate {
  if (input instanceof X509Certificate) return input;
  try {
    if (typeof input === 'string') {
      const text = input.trim();
      if (text.startsWith('-----BEGIN')) return new X509Certificate(text);
      // MDS attestationRootCertificates and JWS x5c are base64 (RFC 4648 §4) DER, not base64url
      if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) throw new Error('not base64');
      return new X509Certificate(Uint8Array.from(Buffer.from(text, 'base64')));
    }
    return new X509Certificate(Uint8Array.from(input));
  } catch (err) {
    throw new MdsError('MDS_CERT_MALFORMED', `${what} is not an X.509 certificate: ${(err as Error).message}`);
  }
}

/** Every certificate in a PEM bundle (one file may hold several). */
export function certificatesFromPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new MdsError('MDS_CERT_MALFORMED', 'no PEM CERTIFICATE block found');
  return blocks.map((b, i) => toCertificate(b, `PEM certificate #${i + 1}`));
}

export function certDer(cert: X509Certificate): Uint8Array {
  return new Uint8Array(cert.rawData);
}

export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

export function describeCert(cert: X509Certificate): string {
  return cert.subject || '(empty subject)';
}

export type { X509Certificate, X509Crl };
