import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { certificationRank, evaluateStatus } from '../../mds/evaluateStatus.ts';
import { buildTestMdsEntry } from '../../mds/testBlob.ts';
import type { StatusReport } from '../../mds/MdsTypes.ts';
import { createTestCertificate } from '../../mds/testCertificates.ts';

const entry = (statusReports: StatusReport[]) => buildTestMdsEntry({ aaguid: '11111111-2222-3333-4444-555555555555', description: 'k', statusReports });

/** What evaluateStatus says, not only its verdict: the finding lines a report prints, the history, the latest report. */
describe('evaluateStatus findings and history (MDS3 §3.1.3)', () => {
  it('names the status, its date and version, and says a self-reported newer firmware does not clear it', () => {
    const e = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'REVOKED', effectiveDate: '2025-01-01', authenticatorVersion: 3 }]), { authenticatorVersion: 5 });
    expect(e.verdict).toBe('fail');
    expect(e.findings.map((f) => [f.severity, f.message])).toEqual([['fail', 'REVOKED since 2025-01-01 (authenticatorVersion 3); the device reports firmwareVersion 5, which is self-reported and does not clear it']]);
    const same = evaluateStatus(entry([{ status: 'REVOKED', effectiveDate: '2025-01-01', authenticatorVersion: 5 }]), { authenticatorVersion: 5 });
    expect(same.findings[0]!.message).toBe('REVOKED since 2025-01-01 (authenticatorVersion 5)');
    expect(evaluateStatus(entry([{ status: 'REVOKED' }])).findings[0]!.message).toBe('REVOKED');
  });

  it('UPDATE_AVAILABLE warns until the device reports that version, then is information with the firmware named', () => {
    const reports: StatusReport[] = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-06-01', authenticatorVersion: 7, url: 'https://vendor.example/fw' }];
    const old = evaluateStatus(entry(reports), { authenticatorVersion: 6 });
    expect(old.verdict).toBe('warn');
    expect(old.findings.map((f) => [f.severity, f.message])).toEqual([['warn', 'UPDATE_AVAILABLE since 2024-06-01 (authenticatorVersion 7): https://vendor.example/fw']]);
    for (const fw of [7, 8]) {
      const applied = evaluateStatus(entry(reports), { authenticatorVersion: fw });
      expect(applied.verdict).toBe('pass');
      expect(applied.findings.map((f) => [f.severity, f.message])).toEqual([['info', `UPDATE_AVAILABLE since 2024-06-01 (authenticatorVersion 7) (the device reports firmwareVersion ${fw}): https://vendor.example/fw`]]);
    }
    expect(evaluateStatus(entry(reports)).verdict).toBe('warn');
  });

  it('a certification from a higher version is information and leaves the device at the level that covers it', () => {
    const e = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2023-01-01', authenticatorVersion: 1 }, { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2024-01-01', authenticatorVersion: 4 }]), { authenticatorVersion: 3 });
    expect(e.certificationLevel).toBe('FIDO_CERTIFIED_L1');
    expect(e.certified).toBe(true);
    expect(e.verdict).toBe('pass');
    expect(e.findings.map((f) => [f.severity, f.message])).toEqual([['info', 'FIDO_CERTIFIED_L2 applies from authenticatorVersion 4; the device reports firmwareVersion 3']]);
    const at4 = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2023-01-01', authenticatorVersion: 1 }, { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2024-01-01', authenticatorVersion: 4 }]), { authenticatorVersion: 4 });
    expect(at4.certificationLevel).toBe('FIDO_CERTIFIED_L2');
    expect(at4.findings).toEqual([]);
  });

  it('orders the history by date (undated reports keep their place), and names the latest report in effect', () => {
    const r1: StatusReport = { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-03-01' };
    const r2: StatusReport = { status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2023-01-01' };
    const r3: StatusReport = { status: 'UPDATE_AVAILABLE', effectiveDate: '2026-01-01' };
    const e = evaluateStatus(entry([r1, r2, r3]), { at: new Date('2025-01-01') });
    expect(e.history).toEqual([r2, r1]);
    expect(e.latestStatus).toBe('FIDO_CERTIFIED_L1');
    expect(e.latestEffectiveDate).toBe('2024-03-01');
    expect(e.certificationLevel).toBe('FIDO_CERTIFIED_L1');
    const undated = evaluateStatus(entry([{ status: 'NOT_FIDO_CERTIFIED' }, { status: 'FIDO_CERTIFIED_L2' }]));
    expect(undated.history.map((r) => r.status)).toEqual(['NOT_FIDO_CERTIFIED', 'FIDO_CERTIFIED_L2']);
    expect(undated.latestStatus).toBe('FIDO_CERTIFIED_L2');
    expect(undated.latestEffectiveDate).toBeUndefined();
    const none = evaluateStatus(entry([]));
    expect(none).toEqual({ verdict: 'pass', certified: false, findings: [], history: [] });
  });

  it('SELF_ASSERTION_SUBMITTED is a certification status but not a FIDO certification', () => {
    const e = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2023-01-01' }, { status: 'SELF_ASSERTION_SUBMITTED', effectiveDate: '2024-01-01' }]));
    expect(e.certificationLevel).toBe('SELF_ASSERTION_SUBMITTED');
    expect(e.certified).toBe(false);
  });

  it('a report is in effect from its effectiveDate on (the day itself included)', () => {
    const e = evaluateStatus(entry([{ status: 'REVOKED', effectiveDate: '2025-01-01' }]), { at: new Date('2025-01-01T00:00:00Z') });
    expect(e.verdict).toBe('fail');
    expect(evaluateStatus(entry([{ status: 'REVOKED', effectiveDate: '2025-01-01' }]), { at: new Date('2024-12-31T23:59:59Z') }).verdict).toBe('pass');
  });

  it('ranks only FIDO_CERTIFIED* levels; anything else and no status rank below them', () => {
    expect(certificationRank(undefined)).toBe(-1);
    expect(certificationRank('NOT_FIDO_CERTIFIED')).toBe(-1);
    expect(certificationRank('FIDO_CERTIFIED')).toBe(0);
    expect(certificationRank('FIDO_CERTIFIED_L1')).toBe(1);
  });

  it('ATTESTATION_KEY_COMPROMISE naming another certificate of the same key concerns this attestation (a key, not a certificate, is compromised)', async () => {
    const d = { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: false };
    const first = await createTestCertificate({ subject: 'CN=batch 2024', serialNumber: '0a', ...d });
    const reissued = await createTestCertificate({ subject: 'CN=batch 2025', serialNumber: '0b', keys: first.keys, ...d });
    const named = Buffer.from(reissued.cert.rawData).toString('base64');
    const e = evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-01-01', certificate: named }]), { attestationCertificates: [Buffer.from(first.cert.rawData)] });
    expect(e.verdict).toBe('fail');
    expect(e.findings[0]!.message).toBe('ATTESTATION_KEY_COMPROMISE since 2025-01-01: "CN=batch 2025" on this attestation\'s certificate path is compromised');
  });
});

describe('evaluateStatus edge cases (MDS3 §3.1.3)', () => {
  it('a report without effectiveDate is in effect at any `at`', () => {
    expect(evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' }, { status: 'REVOKED' }]), { at: new Date('2021-01-01T00:00:00Z') }).verdict).toBe('fail');
  });

  it('an authenticatorVersion that is not a number neither marks an update applied nor adds a firmware note', () => {
    const bad = '3' as unknown as number;
    const update = evaluateStatus(entry([{ status: 'UPDATE_AVAILABLE', effectiveDate: '2024-01-01', authenticatorVersion: bad }]), { authenticatorVersion: 5 });
    expect(update.verdict).toBe('warn');
    expect(update.findings[0]!.severity).toBe('warn');
    const revoked = evaluateStatus(entry([{ status: 'REVOKED', effectiveDate: '2024-01-01', authenticatorVersion: bad }]), { authenticatorVersion: 5 });
    expect(revoked.findings[0]!.message).toBe('REVOKED since 2024-01-01 (authenticatorVersion 3)');
    // and does not restrict a certification to higher firmware
    expect(evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L2', authenticatorVersion: '9' as unknown as number }]), { authenticatorVersion: 5 })).toMatchObject({ certified: true, certificationLevel: 'FIDO_CERTIFIED_L2' });
  });

  it('ATTESTATION_KEY_COMPROMISE naming an unreadable certificate and ours: ours is named; naming two others lists both', async () => {
    const d = { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: false };
    const ours = await createTestCertificate({ subject: 'CN=ours', serialNumber: '21', ...d });
    const a = await createTestCertificate({ subject: 'CN=other a', serialNumber: '22', ...d });
    const b = await createTestCertificate({ subject: 'CN=other b', serialNumber: '23', ...d });
    const b64 = (c: typeof ours) => Buffer.from(c.cert.rawData).toString('base64');
    const mixed = evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-01-01', certificate: 'not a certificate', batchCertificate: b64(ours) }]), { attestationCertificates: [ours.cert] });
    expect(mixed.findings.map((f) => [f.severity, f.message])).toEqual([['fail', 'ATTESTATION_KEY_COMPROMISE since 2025-01-01: "CN=ours" on this attestation\'s certificate path is compromised']]);
    const unreadable = evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: 'not a certificate', batchCertificate: b64(a) }]), { attestationCertificates: [ours.cert] });
    expect(unreadable.findings.map((f) => [f.severity, f.message])).toEqual([['fail', 'ATTESTATION_KEY_COMPROMISE names a certificate that cannot be read: taken as the whole model']]);
    const others = evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: b64(a), batchCertificate: b64(b) }]), { attestationCertificates: [ours.cert] });
    expect(others.findings.map((f) => [f.severity, f.message])).toEqual([['info', 'ATTESTATION_KEY_COMPROMISE concerns another certificate ("CN=other a", "CN=other b")']]);
    expect(others.verdict).toBe('pass');
    const noAttestation = evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: b64(a), batchCertificate: b64(b) }]));
    expect(noAttestation.findings.map((f) => [f.severity, f.message])).toEqual([['warn', 'ATTESTATION_KEY_COMPROMISE for the certificate "CN=other a", "CN=other b"; no attestation certificate given to compare']]);
    // an unreadable certificate of the attestation itself matches nothing
    expect(evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: b64(a) }]), { attestationCertificates: ['not a certificate', ours.cert] }).verdict).toBe('pass');
  });

  it('a later, lower certification report replaces an earlier higher one', () => {
    const e = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L2', effectiveDate: '2020-01-01' }, { status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2023-01-01' }]));
    expect(e).toMatchObject({ certified: false, certificationLevel: 'NOT_FIDO_CERTIFIED', latestStatus: 'NOT_FIDO_CERTIFIED' });
  });

  it('reports of one date keep their BLOB order in the history; the last of them is the latest', () => {
    const reports: StatusReport[] = [
      { status: 'FIDO_CERTIFIED', effectiveDate: '2020-05-12' },
      { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-05-12' },
      { status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2020-05-12' },
      { status: 'UPDATE_AVAILABLE', effectiveDate: '2020-05-12' },
    ];
    const e = evaluateStatus(entry(reports));
    expect(e.history).toEqual(reports);
    expect(e.latestStatus).toBe('UPDATE_AVAILABLE');
    const undated: StatusReport[] = [{ status: 'FIDO_CERTIFIED' }, { status: 'FIDO_CERTIFIED_L1' }, { status: 'NOT_FIDO_CERTIFIED' }, { status: 'UPDATE_AVAILABLE' }];
    expect(evaluateStatus(entry(undated)).history).toEqual(undated);
  });

  it('a REVOKED report that names a certificate is about the whole model: it fails whatever certificate it names', async () => {
    const d = { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: false };
    const ours = await createTestCertificate({ subject: 'CN=ours r', serialNumber: '31', ...d });
    const other = await createTestCertificate({ subject: 'CN=other r', serialNumber: '32', ...d });
    const e = evaluateStatus(entry([{ status: 'REVOKED', effectiveDate: '2025-01-01', certificate: Buffer.from(other.cert.rawData).toString('base64') }]), { attestationCertificates: [ours.cert] });
    expect(e.verdict).toBe('fail');
    expect(e.findings.map((f) => [f.severity, f.message])).toEqual([['fail', 'REVOKED since 2025-01-01']]);
  });

  it('without a firmware version, a certification from any authenticatorVersion applies, with no note', () => {
    const e = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L2', effectiveDate: '2024-01-01', authenticatorVersion: 5 }]));
    expect(e).toMatchObject({ certified: true, certificationLevel: 'FIDO_CERTIFIED_L2', findings: [] });
    expect(evaluateStatus(entry([{ status: 'REVOKED', authenticatorVersion: 3 }])).findings[0]!.message).toBe('REVOKED (authenticatorVersion 3)');
  });
});
