import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import type { X509Crl } from '@peculiar/x509';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { verifyMdsBlob } from '../../mds/verifyMdsBlob.ts';
import { MdsError } from '../../mds/MdsError.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { revokedAt, testCrl } from './helpers.ts';

const at = new Date('2026-01-01T00:00:00Z');

const crlOf = (issuer: TestCertifiedKey, serials: string[], revocationDate = new Date('2025-06-01T00:00:00Z')): Promise<X509Crl> =>
  testCrl(issuer, revokedAt(serials, revocationDate), { thisUpdate: new Date('2025-12-01T00:00:00Z'), nextUpdate: new Date('2026-02-01T00:00:00Z') });

describe('revocation against CRLs held locally (MDS3 §3.2)', () => {
  let signer: TestMdsSigner;
  let jws: string;
  beforeAll(async () => {
    signer = await createTestMdsSigner();
    jws = await createTestMdsBlob(signer, { entries: [] });
  });
  const verify = (crls: X509Crl[], when = at) => verifyMdsBlob(jws, { roots: testMdsTrustAnchors(signer), at: when, crls });

  it('without a CRL the BLOB verifies and the absence is reported', async () => {
    const v = await verify([]);
    expect(v.warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE']);
    expect(v.warnings[0]!.message).toContain('not checked');
  });

  it('with a CRL of the root that does not list the signer: checked, no warning', async () => {
    const v = await verify([await crlOf(signer.root, ['7f'])]);
    expect(v.warnings).toEqual([]);
  });

  it('with a CRL listing the signer: MDS_CERT_REVOKED, from the revocation date on', async () => {
    const crl = await crlOf(signer.root, [signer.signer.cert.serialNumber]);
    const err = await verify([crl]).catch((e: unknown) => e as MdsError);
    expect(err).toBeInstanceOf(MdsError);
    expect((err as MdsError).code).toBe('MDS_CERT_REVOKED');
    expect((err as MdsError).message).toContain('2025-06-01');
    expect((await verify([crl], new Date('2025-01-01T00:00:00Z'))).no).toBe(1);
  });

  it('a stale CRL (nextUpdate before `at`) still revokes what it lists, but does not count as checked (RFC 5280 §6.3.3 (a)(2))', async () => {
    const later = new Date('2026-03-01T00:00:00Z');
    const v = await verify([await crlOf(signer.root, ['7f'])], later);
    expect(v.warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE', 'MDS_CRL_UNAVAILABLE']);
    expect(v.warnings[0]!.message).toContain('stale');
    const err = await verify([await crlOf(signer.root, [signer.signer.cert.serialNumber])], later).catch((e: unknown) => e as MdsError);
    expect((err as MdsError).code).toBe('MDS_CERT_REVOKED');
  });

  it('a CRL signed by another key is ignored and reported', async () => {
    const other = await createTestMdsSigner();
    const forged = await crlOf({ ...other.root, cert: signer.root.cert }, [signer.signer.cert.serialNumber]);
    const v = await verify([forged]);
    expect(v.warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE', 'MDS_CRL_UNAVAILABLE']);
    expect(v.warnings[0]!.message).toContain('bad signature');
  });
});

describe('createTestMds (the one-call test MDS for npm start and the mds-revoked quirk)', () => {
  it('lists the given entry with its status and verifies with its own roots only', async () => {
    const { loadMdsStore } = await import('../../mds/MdsStore.ts');
    const { evaluateStatus } = await import('../../mds/evaluateStatus.ts');
    const { loadBundledMdsRoots } = await import('../../mds/bundledRoots.ts');
    const { createTestMds } = await import('../../mds/testBlob.ts');
    const aaguid = '0a0b0c0d-1111-2222-3333-444455556666';
    const t0 = performance.now();
    const mds = await createTestMds([{ aaguid, description: 'fido-harness simulator', statusReports: [{ status: 'FIDO_CERTIFIED_L1' }, { status: 'REVOKED' }] }], { no: 2 });
    expect(performance.now() - t0).toBeLessThan(500);
    const store = await loadMdsStore(mds.jws, { roots: mds.roots, at });
    expect(store.no).toBe(2);
    expect(evaluateStatus(store.byAaguid(aaguid)!).verdict).toBe('fail');
    await expect(loadMdsStore(mds.jws, { roots: loadBundledMdsRoots(), at })).rejects.toMatchObject({ code: 'MDS_CHAIN_UNTRUSTED' });
  });
});
