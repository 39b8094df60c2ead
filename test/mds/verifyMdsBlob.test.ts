import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import type { X509Certificate } from '@peculiar/x509';
import { verifyMdsBlob, type VerifiedMdsBlob } from '../../mds/verifyMdsBlob.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { certificatesFromPem } from '../../mds/certificates.ts';
import { MdsError } from '../../mds/MdsError.ts';
import { fixtureText, flipJwsByte } from './helpers.ts';

const R3_SUBJECT = 'OU=GlobalSign Root CA - R3, O=GlobalSign, CN=GlobalSign';

async function refusal(p: Promise<unknown>): Promise<MdsError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MdsError);
    return err as MdsError;
  }
  throw new Error('expected verification to be refused');
}

describe('verifyMdsBlob with the real BLOBs', () => {
  let blob23: string;
  let blob9: string;
  let conformance: string;
  let roots: X509Certificate[];
  let r3Only: X509Certificate[];
  let r46Only: X509Certificate[];
  let verified23: VerifiedMdsBlob;

  beforeAll(async () => {
    blob23 = fixtureText('blob-2023-no23.jwt');
    blob9 = fixtureText('blob-2021-no9.jwt');
    conformance = fixtureText('conformance-test-blob-no42.jwt');
    roots = loadBundledMdsRoots();
    r3Only = certificatesFromPem(fixtureText('globalsign-root-ca-r3.pem'));
    r46Only = certificatesFromPem(fixtureText('globalsign-root-r46.pem'));
    verified23 = await verifyMdsBlob(blob23, { roots: r3Only, at: new Date('2023-01-15T00:00:00Z') });
  });

  it('bundles R46 and R3 as the trust anchors', () => {
    expect(roots.map((r) => r.subject)).toEqual(['C=BE, O=GlobalSign nv-sa, CN=GlobalSign Root R46', R3_SUBJECT]);
  });

  it('verifies serial 23 at 2023-01-15 against GlobalSign Root CA - R3, keeping the serial', () => {
    expect(verified23.no).toBe(23);
    expect(verified23.nextUpdate).toBe('2023-02-01');
    expect(verified23.alg).toBe('RS256');
    expect(verified23.entries).toHaveLength(148);
    expect(verified23.rejectedEntries).toEqual([]);
    expect(verified23.rootSubject).toBe(R3_SUBJECT);
    expect(verified23.path.map((c) => c.subject.split('CN=').pop())).toEqual([
      'mds.fidoalliance.org',
      'GlobalSign Extended Validation CA - SHA256 - G3',
      'GlobalSign',
    ]);
    expect(verified23.warnings.some((w) => w.code === 'MDS_NEXT_UPDATE_PASSED')).toBe(false);
  });

  it('reports that revocation was not checked when no CRL is at hand, naming the distribution points', () => {
    const crl = verified23.warnings.filter((w) => w.code === 'MDS_CRL_UNAVAILABLE');
    expect(crl).toHaveLength(2);
    expect(crl[0]!.message).toContain('http://crl.globalsign.com/gs/gsextendvalsha2g3r3.crl');
    expect(crl[1]!.message).toContain('http://crl.globalsign.com/root-r3.crl');
  });

  it('verifies with both bundled roots too', async () => {
    const v = await verifyMdsBlob(blob23, { roots, at: new Date('2023-01-15T00:00:00Z') });
    expect(v.rootSubject).toBe(R3_SUBJECT);
  });

  it('warns with the date when nextUpdate has passed but the chain is still valid', async () => {
    const v = await verifyMdsBlob(blob23, { roots, at: new Date('2023-03-01T00:00:00Z') });
    const w = v.warnings.find((x) => x.code === 'MDS_NEXT_UPDATE_PASSED');
    expect(w?.message).toContain('2023-02-01');
  });

  it('refuses serial 23 at today’s date because the signing certificate has expired', async () => {
    const err = await refusal(verifyMdsBlob(blob23, { roots, at: new Date() }));
    expect(err.code).toBe('MDS_CERT_EXPIRED');
    expect(err.message).toContain('mds.fidoalliance.org');
    expect(err.message).toContain('expired 2023-06-13T21:26:44.000Z');
  });

  it('refuses serial 23 before its signing certificate was issued', async () => {
    const err = await refusal(verifyMdsBlob(blob23, { roots, at: new Date('2022-01-01T00:00:00Z') }));
    expect(err.code).toBe('MDS_CERT_NOT_YET_VALID');
  });

  it('refuses serial 23 when only R46 is trusted', async () => {
    const err = await refusal(verifyMdsBlob(blob23, { roots: r46Only, at: new Date('2023-01-15T00:00:00Z') }));
    expect(err.code).toBe('MDS_CHAIN_UNTRUSTED');
  });

  it('verifies serial 9 at 2021-11-15', async () => {
    const v = await verifyMdsBlob(blob9, { roots, at: new Date('2021-11-15T00:00:00Z') });
    expect(v.no).toBe(9);
    expect(v.entries).toHaveLength(98);
  });

  it.each([
    ['payload, first byte', 1, 0],
    ['payload, a byte in the middle', 1, 800_000],
    ['signature, first byte', 2, 0],
    ['signature, last byte', 2, 255],
  ] as const)('refuses serial 23 with one byte changed (%s)', async (_name, part, index) => {
    const err = await refusal(verifyMdsBlob(flipJwsByte(blob23, part, index), { roots, at: new Date('2023-01-15T00:00:00Z') }));
    expect(err.code).toBe('MDS_SIGNATURE_INVALID');
  });

  it('refuses the conformance-tool test BLOB against the real roots, at its own time and now', async () => {
    for (const at of [new Date('2022-11-01T00:00:00Z'), new Date()]) {
      const err = await refusal(verifyMdsBlob(conformance, { roots, at }));
      expect(err.code).toBe('MDS_CHAIN_UNTRUSTED');
      expect(err.message).toContain('FAKE Root FAKE');
    }
  });
});
