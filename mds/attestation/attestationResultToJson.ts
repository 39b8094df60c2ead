import type { X509Certificate } from '@peculiar/x509';
import type { AttestationResult } from './verifyAttestation.ts';

function cert(c: X509Certificate) {
  return { subject: c.subject, issuer: c.issuer, serialNumber: c.serialNumber, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

/** A JSON-safe view of an AttestationResult (certificates as names and dates, bytes as hex). */
export function attestationResultToJson(r: AttestationResult): Record<string, unknown> {
  return {
    format: r.format,
    attestationType: r.attestationType,
    aaguid: r.aaguid,
    ...(r.keyIdentifier ? { keyIdentifier: r.keyIdentifier } : {}),
    model: r.model ?? null,
    trusted: r.trusted,
    signatureValid: r.signatureValid,
    chainValid: r.chainValid,
    rootSubject: r.rootSubject ?? null,
    rootSource: r.rootSource ?? null,
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
    flags: { up: r.authData.up, uv: r.authData.uv, be: r.authData.be, bs: r.authData.bs },
    ...(r.clientData ? { clientData: r.clientData } : {}),
  };
}
