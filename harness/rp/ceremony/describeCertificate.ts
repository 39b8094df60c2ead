import { createHash, X509Certificate } from 'node:crypto';
import { DerTag, readDerExact } from '../../../mds/der.ts';
import { OID_FIDO_AAGUID, rawExtension } from '../../../mds/attestation/certificateFields.ts';

/** FIDO AAGUID certificate extension (WebAuthn L3 §8.2.1: id-fido-gen-ce-aaguid, not critical) */
export const OID_FIDO_GEN_CE_AAGUID = OID_FIDO_AAGUID;

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

/** node prints a distinguished name one attribute a line; the page shows "C=US, O=…, CN=…". */
const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

/**
 * Reads one DER certificate for display; throws on bytes that are not a certificate. node:crypto's native
 * parser (about 5× faster than an ASN.1 library here: this runs for every certificate of every
 * registration) plus the DER reader of mds/ for the AAGUID extension.
 */
export function describeCertificate(der: Uint8Array): { summary: CertificateSummary } {
  const cert = new X509Certificate(der);
  const summary: CertificateSummary = {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
  let ext;
  try {
    ext = rawExtension({ rawData: der }, OID_FIDO_AAGUID);
  } catch (e) {
    summary.aaguidExtensionProblem = `extensions unreadable: ${(e as Error).message}`;
  }
  if (ext) {
    // extnValue holds an OCTET STRING wrapping the 16 AAGUID bytes (§8.2.1)
    try {
      const node = readDerExact(ext.value);
      if (node.tagNumber !== DerTag.OCTET_STRING || node.value.length !== 16) {
        summary.aaguidExtensionProblem = `AAGUID extension is not an OCTET STRING of 16 bytes`;
      } else {
        summary.aaguidExtension = uuid(Buffer.from(node.value).toString('hex'));
      }
    } catch (e) {
      summary.aaguidExtensionProblem = `AAGUID extension unreadable: ${(e as Error).message}`;
    }
  }
  return { summary };
}
