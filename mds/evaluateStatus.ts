import 'reflect-metadata';
import type { MetadataBlobPayloadEntry, StatusReport } from './MdsTypes.ts';
import { toCertificate, sameCertificate, type CertificateInput } from './certificates.ts';

/** AuthenticatorStatus values that make an authenticator untrustworthy (MICROSOFT-ENTRA.md; MDS3 §3.1.4). */
export const UNDESIRED_STATUSES = [
  'REVOKED',
  'USER_VERIFICATION_BYPASS',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
] as const;

/** Certification statuses in ascending order of level (MDS3 §3.1.4; FIDO_CERTIFIED is the legacy L1). */
export const CERTIFICATION_LEVELS = [
  'FIDO_CERTIFIED',
  'FIDO_CERTIFIED_L1',
  'FIDO_CERTIFIED_L1plus',
  'FIDO_CERTIFIED_L2',
  'FIDO_CERTIFIED_L2plus',
  'FIDO_CERTIFIED_L3',
  'FIDO_CERTIFIED_L3plus',
] as const;
const CERTIFICATION_STATUSES = new Set<string>([...CERTIFICATION_LEVELS, 'NOT_FIDO_CERTIFIED', 'SELF_ASSERTION_SUBMITTED']);

export interface StatusFinding {
  /** the AuthenticatorStatus this finding is about */
  status: string;
  severity: 'fail' | 'warn' | 'info';
  message: string;
  report: StatusReport;
}

export interface StatusEvaluation {
  verdict: 'pass' | 'warn' | 'fail';
  /** the last report in effect at `at` */
  latestStatus?: string;
  latestEffectiveDate?: string;
  /** the last certification-related report in effect (FIDO_CERTIFIED_L1…, NOT_FIDO_CERTIFIED, SELF_ASSERTION_SUBMITTED) */
  certificationLevel?: string;
  /** certificationLevel is a FIDO_CERTIFIED* level */
  certified: boolean;
  findings: StatusFinding[];
  /** reports in effect at `at`, oldest first */
  history: StatusReport[];
}

export interface EvaluateStatusOptions {
  /** the attestation certificate (leaf) of the registration being judged, for ATTESTATION_KEY_COMPROMISE */
  attestationCertificate?: CertificateInput;
  /** reports with an effectiveDate after this are not yet in effect and are ignored (default: none ignored) */
  at?: Date;
  /**
   * the authenticator's firmware version (getInfo firmwareVersion / authenticatorVersion); a report that
   * names an authenticatorVersion lower than this concerns older firmware only
   */
  authenticatorVersion?: number;
}

/**
 * Judges an MDS entry's statusReports (MDS3 §3.1.3–3.1.4) as MICROSOFT-ENTRA.md asks: the undesired
 * statuses fail; ATTESTATION_KEY_COMPROMISE fails when its `certificate` matches the attestation
 * certificate or when it names none, and warns when it names one but no attestation certificate was given;
 * UPDATE_AVAILABLE warns. The spec is silent on superseded reports: an undesired report anywhere in the
 * history counts (a later FIDO_CERTIFIED does not clear a REVOKED), except that a report naming an
 * authenticatorVersion below the caller's `authenticatorVersion` is only informational.
 */
export function evaluateStatus(entry: MetadataBlobPayloadEntry, options: EvaluateStatusOptions = {}): StatusEvaluation {
  const inEffect = entry.statusReports
    .map((report, index) => ({ report, index, t: report.effectiveDate ? Date.parse(report.effectiveDate) : NaN }))
    .filter((r) => !options.at || Number.isNaN(r.t) || r.t <= options.at.getTime())
    // oldest first; reports without a date keep their BLOB position (the service lists them in order)
    .sort((a, b) => (Number.isNaN(a.t) || Number.isNaN(b.t) ? a.index - b.index : a.t - b.t || a.index - b.index))
    .map((r) => r.report);

  let attCert;
  try {
    attCert = options.attestationCertificate ? toCertificate(options.attestationCertificate) : undefined;
  } catch {
    attCert = undefined;
  }
  const findings: StatusFinding[] = [];
  for (const report of inEffect) {
    const versionNote = report.authenticatorVersion !== undefined ? ` (authenticatorVersion ${report.authenticatorVersion})` : '';
    const date = report.effectiveDate ? ` since ${report.effectiveDate}` : '';
    const olderFirmware =
      options.authenticatorVersion !== undefined &&
      typeof report.authenticatorVersion === 'number' &&
      report.authenticatorVersion < options.authenticatorVersion;
    if ((UNDESIRED_STATUSES as readonly string[]).includes(report.status)) {
      if (olderFirmware) {
        findings.push({ status: report.status, severity: 'info', message: `${report.status}${date} concerns older firmware${versionNote}`, report });
        continue;
      }
      if (report.status === 'ATTESTATION_KEY_COMPROMISE' && report.certificate) {
        let reported;
        try {
          reported = toCertificate(report.certificate, 'statusReport.certificate');
        } catch {
          reported = undefined;
        }
        if (!attCert) {
          findings.push({
            status: report.status,
            severity: 'warn',
            message: `ATTESTATION_KEY_COMPROMISE${date} for a specific attestation certificate; none given to compare`,
            report,
          });
        } else if (reported && sameCertificate(reported, attCert)) {
          findings.push({ status: report.status, severity: 'fail', message: `ATTESTATION_KEY_COMPROMISE${date}: this attestation certificate is compromised`, report });
        } else {
          findings.push({ status: report.status, severity: 'info', message: `ATTESTATION_KEY_COMPROMISE${date} concerns another attestation certificate`, report });
        }
        continue;
      }
      findings.push({ status: report.status, severity: 'fail', message: `${report.status}${date}${versionNote}`, report });
    } else if (report.status === 'UPDATE_AVAILABLE') {
      findings.push({
        status: report.status,
        severity: olderFirmware ? 'info' : 'warn',
        message: `UPDATE_AVAILABLE${date}${versionNote}${report.url ? `: ${report.url}` : ''}`,
        report,
      });
    }
  }
  // the latest certification report; reports of the same date (FIDO_CERTIFIED_L1 next to the legacy
  // FIDO_CERTIFIED is common) are one event, and its highest level is taken
  const lastCert = [...inEffect].reverse().find((r) => CERTIFICATION_STATUSES.has(r.status));
  const certification = lastCert
    ? inEffect
        .filter((r) => CERTIFICATION_STATUSES.has(r.status) && r.effectiveDate === lastCert.effectiveDate)
        .reduce((best, r) => (certificationRank(r.status) > certificationRank(best.status) ? r : best), lastCert)
    : undefined;
  const latest = inEffect[inEffect.length - 1];
  const verdict = findings.some((f) => f.severity === 'fail') ? 'fail' : findings.some((f) => f.severity === 'warn') ? 'warn' : 'pass';
  return {
    verdict,
    ...(latest ? { latestStatus: latest.status } : {}),
    ...(latest?.effectiveDate ? { latestEffectiveDate: latest.effectiveDate } : {}),
    ...(certification ? { certificationLevel: certification.status } : {}),
    certified: !!certification && (CERTIFICATION_LEVELS as readonly string[]).includes(certification.status),
    findings,
    history: inEffect,
  };
}

/**
 * A rank for comparing certification levels: -1 when not a FIDO_CERTIFIED* level; the legacy
 * FIDO_CERTIFIED (0) ranks just below FIDO_CERTIFIED_L1 (1), so the explicit level wins beside it.
 */
export function certificationRank(status: string | undefined): number {
  return status ? CERTIFICATION_LEVELS.indexOf(status as (typeof CERTIFICATION_LEVELS)[number]) : -1;
}
