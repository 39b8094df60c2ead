import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { validateCertificateChain } from '../../mds/validateChain.ts';
import { createTestMdsBlob, type TestMdsSigner } from '../../mds/testBlob.ts';
import { verifyMdsBlob } from '../../mds/verifyMdsBlob.ts';

// Stand-ins for GlobalSign Root CA - R3 and Root R46 (same names, test keys): the real roots' keys are not
// ours, so the R46-only and "R46 cross-signed by R3" paths of docs/microsoft-entra.md are built here.
const R3_NAME = 'OU=GlobalSign Root CA - R3, O=GlobalSign, CN=GlobalSign';
const R46_NAME = 'C=BE, O=GlobalSign nv-sa, CN=GlobalSign Root R46';
const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');
const at = new Date('2027-01-01T00:00:00Z');

describe('certificate paths ending at R46 or at R3 through a cross certificate', () => {
  let r3: TestCertifiedKey;
  let r46: TestCertifiedKey;
  let r46CrossByR3: TestCertifiedKey;
  let ca: TestCertifiedKey;
  let signer: TestCertifiedKey;

  beforeAll(async () => {
    r3 = await createTestCertificate({ subject: R3_NAME, serialNumber: '03', notBefore: from, notAfter: to, ca: true });
    r46 = await createTestCertificate({ subject: R46_NAME, serialNumber: '46', notBefore: from, notAfter: to, ca: true });
    r46CrossByR3 = await createTestCertificate({
      subject: R46_NAME,
      keys: r46.keys,
      issuer: r3,
      serialNumber: '4603',
      notBefore: from,
      notAfter: new Date('2029-03-18T00:00:00Z'),
      ca: true,
    });
    ca = await createTestCertificate({ subject: 'CN=Test MDS CA 2026, O=fido-harness TEST', issuer: r46, serialNumber: '10', notBefore: from, notAfter: to, ca: true });
    signer = await createTestCertificate({ subject: 'CN=mds.test, O=fido-harness TEST', issuer: ca, serialNumber: '11', notBefore: from, notAfter: to, ca: false });
  });

  it('R46 only: signer → CA → R46', async () => {
    const r = await validateCertificateChain([signer.cert, ca.cert], { roots: [r46.cert], at });
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.root?.subject).toBe(R46_NAME);
    expect(r.path).toHaveLength(3);
  });

  it('cross-signed with only R3 trusted: signer → CA → R46 (cross) → R3', async () => {
    const r = await validateCertificateChain([signer.cert, ca.cert, r46CrossByR3.cert], { roots: [r3.cert], at });
    expect(r.valid).toBe(true);
    expect(r.path.map((c) => c.serialNumber)).toEqual(['11', '10', '4603', '03']);
    expect(r.root?.subject).toBe(R3_NAME);
  });

  it('cross-signed with both trusted: the path ends at R46, the shorter one', async () => {
    const r = await validateCertificateChain([signer.cert, ca.cert, r46CrossByR3.cert], { roots: [r46.cert, r3.cert], at });
    expect(r.valid).toBe(true);
    expect(r.root?.serialNumber).toBe('46');
  });

  it('cross-signed with only R46 trusted: the cross certificate is not needed', async () => {
    const r = await validateCertificateChain([signer.cert, ca.cert, r46CrossByR3.cert], { roots: [r46.cert], at });
    expect(r.valid).toBe(true);
    expect(r.path.map((c) => c.serialNumber)).toEqual(['11', '10', '46']);
  });

  it('without the cross certificate, R3 alone cannot end the path', async () => {
    const r = await validateCertificateChain([signer.cert, ca.cert], { roots: [r3.cert], at });
    expect(r.valid).toBe(false);
    expect(r.problems.map((p) => p.code)).toEqual(['MDS_CHAIN_UNTRUSTED']);
  });

  it('an expired cross certificate fails the R3 path with the expiry', async () => {
    const r = await validateCertificateChain([signer.cert, ca.cert, r46CrossByR3.cert], { roots: [r3.cert], at: new Date('2030-01-01T00:00:00Z') });
    expect(r.valid).toBe(false);
    expect(r.problems[0]?.code).toBe('MDS_CERT_EXPIRED');
    expect(r.problems[0]?.message).toContain('2029-03-18');
  });

  it('a BLOB signed under the cross-signed path verifies against R3 and against R46', async () => {
    const mdsSigner: TestMdsSigner = { root: r3, signer, intermediates: [ca.cert, r46CrossByR3.cert] };
    const jws = await createTestMdsBlob(mdsSigner, { no: 100, entries: [] });
    expect((await verifyMdsBlob(jws, { roots: [r3.cert], at })).rootSubject).toBe(R3_NAME);
    expect((await verifyMdsBlob(jws, { roots: [r46.cert], at })).rootSubject).toBe(R46_NAME);
  });

  it('a leaf signed by a key other than its issuer name says is untrusted', async () => {
    const impostor = await createTestCertificate({ subject: R46_NAME, serialNumber: '99', notBefore: from, notAfter: to, ca: true });
    const r = await validateCertificateChain([signer.cert, ca.cert], { roots: [impostor.cert], at });
    expect(r.valid).toBe(false);
    expect(r.problems[0]?.code).toBe('MDS_CHAIN_UNTRUSTED');
  });
});
