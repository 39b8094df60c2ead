import 'reflect-metadata';
import type { MetadataBlobPayloadEntry, StatusReport } from './MdsTypes.ts';
import { toCertificate, sameCertificate, type CertificateInput, type X509Certificate } from './certificates.ts';

/** AuthenticatorStatus values that make an authenticator untrustworthy (MDS3 §3.1.4). */
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
  /**
   * The certificates of the attestation being judged: its x5c and the validated path to the trust anchor
   * (leaf, intermediates, batch certificate, root). An ATTESTATION_KEY_COMPROMISE report naming any of
   * them concerns this authenticator.
   */
  attestationCertificates?: CertificateInput[];
  /** one more certificate of the attestation (its leaf), for callers that only have that */
  attestationCertificate?: CertificateInput;
  /** reports with an effectiveDate after this are not yet in effect and are ignored (default: none ignored) */
  at?: Date;
  /**
   * The authenticator's firmware version as the device itself reports it (getInfo firmwareVersion). It is
   * unauthenticated: it only decides whether an UPDATE_AVAILABLE is already applied and whether a
   * certification reported from a higher authenticatorVersion covers this firmware. It never clears an
   * undesired status.
   */
  authenticatorVersion?: number;
}

/** The certificates a statusReport names (MDS3 §3.1.3 `certificate`; MDS 3.1 `batchCertificate`). */
function namedCertificates(report: StatusReport): unknown[] {
  return [report.certificate, report.batchCertificate].filter((c) => c !== undefined);
}

/** Same certificate, or another certificate for the same key: a compromised key is compromised in both. */
function sameCertOrKey(a: X509Certificate, b: X509Certificate): boolean {
  return sameCertificate(a, b) || Buffer.from(a.publicKey.rawData).equals(Buffer.from(b.publicKey.rawData));
}

/**
 * Judges an MDS entry's statusReports (FIDO MDS3 §3.1.3 StatusReport, §3.1.4 AuthenticatorStatus):
 * - an undesired status (REVOKED, USER_VERIFICATION_BYPASS, ATTESTATION_KEY_COMPROMISE,
 *   USER_KEY_REMOTE_COMPROMISE, USER_KEY_PHYSICAL_COMPROMISE) in effect at `at` fails, wherever it stands in
 *   the history: the spec lists reports without saying that a later FIDO_CERTIFIED supersedes one, so it
 *   does not clear it;
 * - ATTESTATION_KEY_COMPROMISE with `certificate` or `batchCertificate` (MDS3 §3.1.3: "this could be an
 *   Attestation Root Certificate related to a set of compromised authenticators") fails when that
 *   certificate, or its key, is anywhere among `attestationCertificates` (leaf, intermediate, batch, root);
 *   without a certificate it concerns the whole model and fails; a certificate that cannot be read is
 *   treated as the whole model; with no attestation to compare it warns;
 * - `authenticatorVersion` of a report (MDS3 §3.1.3: "the authenticatorVersion that this status report
 *   relates to. In the case of FIDO_CERTIFIED* status values, the status applies to higher
 *   authenticatorVersions until there is a new statusReport"): a certification reported from a version
 *   above the device's firmwareVersion does not cover it; an UPDATE_AVAILABLE to a version the device
 *   already reports is information only. A device's self-reported version never clears an undesired status.
 */
export function evaluateStatus(entry: MetadataBlobPayloadEntry, options: EvaluateStatusOptions = {}): StatusEvaluation {
  const inEffect = entry.statusReports
    .map((report, index) => ({ report, index, t: report.effectiveDate ? Date.parse(report.effectiveDate) : NaN }))
    // MDS3 §3.1.3 effectiveDate: a report without one is in effect while present
    .filter((r) => !options.at || Number.isNaN(r.t) || r.t <= options.at.getTime())
    // oldest first; reports without a date keep their BLOB position (the service lists them in order): a
    // NaN difference, like a tie, falls to the BLOB index
    // Stryker disable next-line ArithmeticOperator: on a tie, index + index (never negative) keeps the BLOB order as well (the sort is stable)
    .sort((a, b) => a.t - b.t || a.index - b.index)
    .map((r) => r.report);

  const ours: X509Certificate[] = [];
  // Stryker disable next-line ArrayDeclaration: a stand-in entry does not parse and is skipped like any unreadable certificate
  for (const c of [...(options.attestationCertificates ?? []), ...(options.attestationCertificate ? [options.attestationCertificate] : [])]) {
    try {
      ours.push(toCertificate(c));
    } catch {
      // an unreadable certificate of the attestation cannot match; the chain check refuses it
    }
  }
  const firmware = options.authenticatorVersion;
  const findings: StatusFinding[] = [];
  for (const report of inEffect) {
    const versionNote = report.authenticatorVersion !== undefined ? ` (authenticatorVersion ${report.authenticatorVersion})` : '';
    const date = report.effectiveDate ? ` since ${report.effectiveDate}` : '';
    if ((UNDESIRED_STATUSES as readonly string[]).includes(report.status)) {
      const firmwareNote =
        // Stryker disable next-line ConditionalExpression: with no firmware, `version < undefined` is false anyway
        firmware !== undefined && typeof report.authenticatorVersion === 'number' && report.authenticatorVersion < firmware
          ? `; the device reports firmwareVersion ${firmware}, which is self-reported and does not clear it`
          : '';
      const named = namedCertificates(report);
      if (report.status === 'ATTESTATION_KEY_COMPROMISE' && named.length > 0) {
        const parsed: X509Certificate[] = [];
        let unreadable = false;
        for (const c of named) {
          try {
            parsed.push(toCertificate(c as CertificateInput));
          } catch {
            unreadable = true;
          }
        }
        const hit = parsed.find((p) => ours.some((o) => sameCertOrKey(p, o)));
        if (unreadable && !hit) {
          findings.push({ status: report.status, severity: 'fail', message: `ATTESTATION_KEY_COMPROMISE${date} names a certificate that cannot be read: taken as the whole model${firmwareNote}`, report });
        } else if (hit) {
          findings.push({ status: report.status, severity: 'fail', message: `ATTESTATION_KEY_COMPROMISE${date}: "${hit.subject}" on this attestation's certificate path is compromised${firmwareNote}`, report });
        } else if (ours.length === 0) {
          findings.push({
            status: report.status,
            severity: 'warn',
            message: `ATTESTATION_KEY_COMPROMISE${date} for the certificate "${parsed.map((p) => p.subject).join('", "')}"; no attestation certificate given to compare`,
            report,
          });
        } else {
          findings.push({ status: report.status, severity: 'info', message: `ATTESTATION_KEY_COMPROMISE${date} concerns another certificate ("${parsed.map((p) => p.subject).join('", "')}")`, report });
        }
        continue;
      }
      findings.push({ status: report.status, severity: 'fail', message: `${report.status}${date}${versionNote}${firmwareNote}`, report });
    } else if (report.status === 'UPDATE_AVAILABLE') {
      // Stryker disable next-line ConditionalExpression: with no firmware, `version <= undefined` is false anyway
      const applied = firmware !== undefined && typeof report.authenticatorVersion === 'number' && report.authenticatorVersion <= firmware;
      findings.push({
        status: report.status,
        severity: applied ? 'info' : 'warn',
        message: `UPDATE_AVAILABLE${date}${versionNote}${applied ? ` (the device reports firmwareVersion ${firmware})` : ''}${report.url ? `: ${report.url}` : ''}`,
        report,
      });
    }
  }
  // the latest certification report that covers this firmware; reports of the same date (FIDO_CERTIFIED_L1
  // next to the legacy FIDO_CERTIFIED is common) are one event, and its highest level is taken
  const covers = (r: StatusReport) => firmware === undefined || typeof r.authenticatorVersion !== 'number' || r.authenticatorVersion <= firmware;
  const certReports = inEffect.filter((r) => CERTIFICATION_STATUSES.has(r.status));
  for (const r of certReports) {
    if (!covers(r)) {
      findings.push({ status: r.status, severity: 'info', message: `${r.status} applies from authenticatorVersion ${r.authenticatorVersion}; the device reports firmwareVersion ${firmware}`, report: r });
    }
  }
  const applicable = certReports.filter(covers);
  const lastCert = applicable[applicable.length - 1];
  const certification = lastCert
    ? applicable
        .filter((r) => r.effectiveDate === lastCert.effectiveDate)
        // Stryker disable next-line EqualityOperator: lastCert is the list's last element, so on equal ranks >= also ends at it
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
