import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateStatus, certificationRank } from '../../mds/evaluateStatus.ts';
import { buildTestMdsEntry } from '../../mds/testBlob.ts';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import type { StatusReport } from '../../mds/MdsTypes.ts';

const AAGUID = '11111111-2222-3333-4444-555555555555';
const entry = (statusReports: StatusReport[]) => buildTestMdsEntry({ aaguid: AAGUID, description: 'k', statusReports });
const b64 = (c: TestCertifiedKey) => Buffer.from(c.cert.rawData).toString('base64');

describe('evaluateStatus (MDS3 §3.1.3 StatusReport, §3.1.4 undesired statuses)', () => {
  let att: TestCertifiedKey;
  let other: TestCertifiedKey;
  beforeAll(async () => {
    const d = { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: false };
    att = await createTestCertificate({ subject: 'CN=att', serialNumber: '01', ...d });
    other = await createTestCertificate({ subject: 'CN=other', serialNumber: '02', ...d });
  });

  it('passes a certified key and gives the latest certification level', () => {
    const r = evaluateStatus(entry([
      { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' },
      { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2022-01-01' },
    ]));
    expect(r).toMatchObject({ verdict: 'pass', certificationLevel: 'FIDO_CERTIFIED_L2', certified: true, latestStatus: 'FIDO_CERTIFIED_L2' });
    expect(certificationRank(r.certificationLevel)).toBe(3);
  });

  it.each(['REVOKED', 'USER_VERIFICATION_BYPASS', 'USER_KEY_REMOTE_COMPROMISE', 'USER_KEY_PHYSICAL_COMPROMISE', 'ATTESTATION_KEY_COMPROMISE'])(
    '%s fails, even when a later certification follows',
    (status) => {
      const r = evaluateStatus(entry([{ status, effectiveDate: '2021-01-01' }, { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2022-01-01' }]));
      expect(r.verdict).toBe('fail');
      expect(r.findings[0]).toMatchObject({ status, severity: 'fail' });
    },
  );

  it('takes the highest level among same-date certification reports (L1 beside legacy FIDO_CERTIFIED)', () => {
    const r = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-05-12' }, { status: 'FIDO_CERTIFIED', effectiveDate: '2020-05-12' }]));
    expect(r.certificationLevel).toBe('FIDO_CERTIFIED_L1');
  });

  it('UPDATE_AVAILABLE warns', () => {
    const r = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1' }, { status: 'UPDATE_AVAILABLE', authenticatorVersion: 5, url: 'https://vendor/fw' }]));
    expect(r.verdict).toBe('warn');
    expect(r.findings[0]!.message).toContain('https://vendor/fw');
    expect(evaluateStatus(entry([{ status: 'UPDATE_AVAILABLE', authenticatorVersion: 5 }]), { authenticatorVersion: 6 }).verdict).toBe('pass');
  });

  it('ATTESTATION_KEY_COMPROMISE with a certificate fails only for that attestation certificate', () => {
    const e = entry([{ status: 'FIDO_CERTIFIED_L1' }, { status: 'ATTESTATION_KEY_COMPROMISE', certificate: b64(att) }]);
    expect(evaluateStatus(e, { attestationCertificate: att.cert }).verdict).toBe('fail');
    expect(evaluateStatus(e, { attestationCertificate: att.pem }).verdict).toBe('fail');
    expect(evaluateStatus(e, { attestationCertificate: other.cert }).verdict).toBe('pass');
    const unknown = evaluateStatus(e);
    expect(unknown.verdict).toBe('warn');
    expect(unknown.findings[0]!.message).toContain('no attestation certificate given');
  });

  it('ignores reports not yet in effect at `at`', () => {
    const e = entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' }, { status: 'REVOKED', effectiveDate: '2025-06-01' }]);
    expect(evaluateStatus(e, { at: new Date('2024-01-01') }).verdict).toBe('pass');
    expect(evaluateStatus(e, { at: new Date('2025-07-01') }).verdict).toBe('fail');
  });

  it('an uncertified key is not certified and has no level', () => {
    const r = evaluateStatus(entry([{ status: 'NOT_FIDO_CERTIFIED' }]));
    expect(r).toMatchObject({ verdict: 'pass', certified: false, certificationLevel: 'NOT_FIDO_CERTIFIED' });
  });

  describe('a compromise report names a certificate anywhere on the path (MDS3 §3.1.3 certificate, MDS 3.1 batchCertificate)', () => {
    let root: TestCertifiedKey;
    let batch: TestCertifiedKey;
    let leaf: TestCertifiedKey;
    let otherRoot: TestCertifiedKey;
    beforeAll(async () => {
      const d = { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01') };
      root = await createTestCertificate({ subject: 'CN=model root', serialNumber: '10', ca: true, ...d });
      batch = await createTestCertificate({ subject: 'CN=batch 7', issuer: root, serialNumber: '11', ca: true, ...d });
      leaf = await createTestCertificate({ subject: 'CN=unit', issuer: batch, serialNumber: '12', ca: false, ...d });
      otherRoot = await createTestCertificate({ subject: 'CN=model root 2', serialNumber: '13', ca: true, ...d });
    });
    const path = () => [leaf.cert, batch.cert, root.cert];

    it.each([
      ['the root in `certificate`', () => ({ certificate: b64(root) })],
      ['the intermediate in `certificate`', () => ({ certificate: b64(batch) })],
      ['the leaf in `certificate`', () => ({ certificate: b64(leaf) })],
      ['the batch certificate in `batchCertificate`', () => ({ batchCertificate: b64(batch) })],
    ])('%s → fail', (_what, named) => {
      const e = entry([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' }, { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2021-01-01', ...named() }]);
      const r = evaluateStatus(e, { attestationCertificates: path() });
      expect(r.verdict).toBe('fail');
      expect(r.findings.find((f) => f.severity === 'fail')!.message).toContain('on this attestation');
    });

    it('another root of the model → not this device; no certificate → the whole model; unreadable → the whole model', () => {
      const other = entry([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: b64(otherRoot) }, { status: 'FIDO_CERTIFIED_L1' }]);
      expect(evaluateStatus(other, { attestationCertificates: path() }).verdict).toBe('pass');
      expect(evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE' }]), { attestationCertificates: path() }).verdict).toBe('fail');
      expect(evaluateStatus(entry([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: 'not a certificate' }]), { attestationCertificates: path() }).verdict).toBe('fail');
    });
  });

  it('a self-reported firmwareVersion never clears REVOKED or a compromise (MDS3 §3.1.3 authenticatorVersion)', () => {
    for (const status of ['REVOKED', 'ATTESTATION_KEY_COMPROMISE', 'USER_KEY_PHYSICAL_COMPROMISE', 'USER_VERIFICATION_BYPASS']) {
      const r = evaluateStatus(entry([{ status: 'FIDO_CERTIFIED_L1' }, { status, authenticatorVersion: 2 }]), { authenticatorVersion: 9 });
      expect(r.verdict).toBe('fail');
      expect(r.findings.find((f) => f.status === status)!.message).toContain('does not clear it');
    }
  });

  it('a certification reported from a higher authenticatorVersion does not cover older firmware', () => {
    const e = entry([{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2020-01-01' }, { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2021-01-01', authenticatorVersion: 5 }]);
    expect(evaluateStatus(e, { authenticatorVersion: 5 })).toMatchObject({ certified: true, certificationLevel: 'FIDO_CERTIFIED_L2' });
    expect(evaluateStatus(e, { authenticatorVersion: 7 })).toMatchObject({ certified: true, certificationLevel: 'FIDO_CERTIFIED_L2' });
    expect(evaluateStatus(e, { authenticatorVersion: 4 })).toMatchObject({ certified: false, certificationLevel: 'NOT_FIDO_CERTIFIED' });
  });
});
