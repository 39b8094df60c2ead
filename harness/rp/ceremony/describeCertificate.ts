import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { readDer, DerTag } from '../../../mds/der.ts';

/** FIDO AAGUID certificate extension (WebAuthn L3 §8.2.1: id-fido-gen-ce-aaguid, not critical) */
export const OID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  /** the AAGUID extension's 16 bytes as a UUID, when the certificate has one */
  aaguidExtension?: string;
  /** the extension is present but not an OCTET STRING of 16 bytes */
  aaguidExtensionProblem?: string;
}

function uuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Reads one DER certificate for display; throws on bytes that are not a certificate. */
export function describeCertificate(der: Uint8Array): { cert: X509Certificate; summary: CertificateSummary } {
  const cert = new X509Certificate(new Uint8Array(der));
  const summary: CertificateSummary = {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
  const ext = cert.getExtension(OID_FIDO_GEN_CE_AAGUID);
  if (ext) {
    // extnValue holds an OCTET STRING wrapping the 16 AAGUID bytes (§8.2.1)
    try {
      const node = readDer(new Uint8Array(ext.value));
      if (node.tagNumber !== DerTag.OCTET_STRING || node.value.length !== 16) {
        summary.aaguidExtensionProblem = `AAGUID extension is not an OCTET STRING of 16 bytes`;
      } else {
        summary.aaguidExtension = uuid(Buffer.from(node.value).toString('hex'));
      }
    } catch (e) {
      summary.aaguidExtensionProblem = `AAGUID extension unreadable: ${(e as Error).message}`;
    }
  }
  return { cert, summary };
}
