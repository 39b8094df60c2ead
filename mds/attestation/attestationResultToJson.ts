import type { X509Certificate } from '@peculiar/x509';
import type { AttestationResult } from './verifyAttestation.ts';

function cert(c: Pick<X509Certificate, 'subject' | 'issuer' | 'serialNumber' | 'notBefore' | 'notAfter'>) {
  return { subject: c.subject, issuer: c.issuer, serialNumber: c.serialNumber, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

/** Which trust anchor made the chain valid, in words (text and JSON say the same). */
export function describeAnchor(r: AttestationResult): string {
  if (!r.rootSubject) return 'none: no trusted path';
  const where = r.rootSource === 'metadata' ? "the MDS entry's attestationRootCertificates" : 'an operator root (--attestation-root)';
  return `"${r.rootSubject}" from ${where}`;
}

/** "rpIdHash/origin not checked" when the caller gave neither (WebAuthn L3 §7.1 steps 9 and 13 skipped). */
export function notCheckedNote(r: AttestationResult): string {
  return r.notChecked.length ? `${r.notChecked.join('/')} not checked` : '';
}

/** A JSON-safe view of an AttestationResult (certificates as names and dates, bytes as hex). */
export function attestationResultToJson(r: AttestationResult): Record<string, unknown> {
  return {
    format: r.format,
    attestationType: r.attestationType,
    aaguid: r.aaguid,
    ...(r.keyIdentifier ? { keyIdentifier: r.keyIdentifier } : {}),
    model: r.model ?? null,
    ...(r.claimedModel ? { claimedModel: r.claimedModel } : {}),
    metadataBacked: r.metadataBacked,
    trusted: r.trusted,
    signatureValid: r.signatureValid,
    chainValid: r.chainValid,
    rootSubject: r.rootSubject ?? null,
    rootSource: r.rootSource ?? null,
    anchor: describeAnchor(r),
    trustPath: r.trustPath.map(cert),
    chainPath: r.chainPath.map(cert),
    status: r.status
      ? {
          verdict: r.status.verdict,
          latestStatus: r.status.latestStatus ?? null,
          certificationLevel: r.status.certificationLevel ?? null,
          certified: r.status.certified,
          findings: r.status.findings.map((f) => ({ status: f.status, severity: f.severity, message: f.message })),
        }
      : null,
    problems: r.problems,
    chainWarnings: r.chainWarnings,
    notChecked: r.notChecked,
    ...(r.notChecked.length ? { notCheckedNote: notCheckedNote(r) } : {}),
    flags: { up: r.authData.up, uv: r.authData.uv, be: r.authData.be, bs: r.authData.bs },
    ...(r.clientData ? { clientData: r.clientData } : {}),
  };
}
