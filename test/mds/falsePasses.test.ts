import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import { verifyAttestation, type AttestationResult } from '../../mds/attestation/verifyAttestation.ts';
import { evaluateMicrosoft, mdsUsed, registrationInput } from '../../harness/compat/index.ts';
import { createTestMds, type TestMdsEntryInput } from '../../mds/testBlob.ts';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import type { StatusReport } from '../../mds/MdsTypes.ts';
import { makePackedRegistration, type PackedRegistration } from './packedFixture.ts';

// Registrations that a careful relying party must refuse, each built here with its own PKI and judged
// against a BLOB signed by a test root. Every one of them once came out TRUSTED.
const AAGUID = '4d0d5e55-7a11-4c0d-9e55-0123456789ab';
const MODEL = 'fido-harness crafted key';
const at = new Date('2026-06-01T00:00:00Z');
const ok = { rpId: 'example.test', expectedOrigin: 'https://example.test' };
const b64 = (c: TestCertifiedKey) => Buffer.from(c.cert.rawData).toString('base64');

async function storeFor(root: TestCertifiedKey, statusReports: StatusReport[], extra: TestMdsEntryInput[] = [], nextUpdate?: string): Promise<MdsStore> {
  const entry = { aaguid: AAGUID, description: MODEL, attestationRootCertificates: [root.cert], statusReports };
  const { jws, roots } = await createTestMds([entry, ...extra], nextUpdate ? { nextUpdate } : {});
  return loadMdsStore(jws, { roots, at });
}

const certified: StatusReport[] = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }];
const codes = (r: AttestationResult) => r.problems.filter((p) => p.severity === 'fail').map((p) => p.code);
/** the store each result was verified against, so the one Microsoft evaluator (harness/compat) sees the same MDS */
const storeOf = new WeakMap<AttestationResult, MdsStore>();
async function verify(json: Parameters<typeof verifyAttestation>[0], options: Parameters<typeof verifyAttestation>[1]): Promise<AttestationResult> {
  const r = await verifyAttestation(json, options);
  if (options.store) storeOf.set(r, options.store);
  return r;
}
const ms = (r: AttestationResult, id: string) => {
  const store = storeOf.get(r);
  return evaluateMicrosoft(registrationInput(r, store ? mdsUsed(store) : undefined, at)).requirements.find((m) => m.id === id)?.status;
};

describe('false passes: each crafted case is refused, and the honest twin is trusted', () => {
  let good: PackedRegistration;
  let chained: PackedRegistration;
  beforeAll(async () => {
    good = await makePackedRegistration({ aaguid: AAGUID });
    chained = await makePackedRegistration({ aaguid: AAGUID, intermediate: {} });
  });

  it('the honest registrations (direct and through a batch CA) are trusted and named', async () => {
    for (const reg of [good, chained]) {
      const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ trusted: true, model: MODEL, rootSource: 'metadata', metadataBacked: true, notChecked: [] });
      expect(ms(r, 'MS-CERTIFIED')).toBe('pass');
    }
  });

  it('ATTESTATION_KEY_COMPROMISE naming the attestation root → not trusted, MS-CERTIFIED fails', async () => {
    const store = await storeFor(chained.attestationRoot, [...certified, { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-01-01', certificate: b64(chained.attestationRoot) }]);
    const r = await verify(chained.json, { store, at, ...ok });
    expect(r.trusted).toBe(false);
    expect(codes(r)).toEqual(['ATT_STATUS']);
    expect(ms(r, 'MS-CERTIFIED')).toBe('fail');
  });

  it('ATTESTATION_KEY_COMPROMISE naming the intermediate, as certificate or as MDS 3.1 batchCertificate → not trusted', async () => {
    for (const named of [{ certificate: b64(chained.intermediate!) }, { batchCertificate: b64(chained.intermediate!) }]) {
      const store = await storeFor(chained.attestationRoot, [...certified, { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-01-01', ...named }]);
      const r = await verify(chained.json, { store, at, ...ok });
      expect(r.trusted).toBe(false);
      expect(r.status?.findings.find((f) => f.severity === 'fail')?.message).toContain('Batch CA');
    }
  });

  it('authData with the UP flag clear → not trusted (WebAuthn L3 §7.1 step 14)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, flags: 0x44 });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r.trusted).toBe(false);
    expect(codes(r)).toEqual(['ATT_USER_PRESENCE']);
  });

  it('a leaf without basicConstraints → not trusted (WebAuthn L3 §8.2.1)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, leafWithoutBasicConstraints: true });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r.trusted).toBe(false);
    expect(codes(r)).toEqual(['ATT_CERT_REQUIREMENTS']);
    expect(r.problems[0]!.message).toContain('Basic Constraints extension is absent');
  });

  it('an intermediate without basicConstraints is no CA → chain invalid (RFC 5280 §6.1.4 (k))', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, intermediate: { withoutBasicConstraints: true } });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r.trusted).toBe(false);
    expect(r.chainValid).toBe(false);
    expect(codes(r)).toContain('MDS_CHAIN_INVALID');
    expect(r.model).toBeUndefined();
    expect(ms(r, 'MS-ATTESTATION')).toBe('fail');
  });

  it('packed alg -257 (RS256) over an ECDSA signature from an EC key → signature not valid (WebAuthn L3 §8.2 step 2)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, alg: -257 });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r.signatureValid).toBe(false);
    expect(r.trusted).toBe(false);
    expect(codes(r)).toEqual(['ATT_ALG_MISMATCH', 'ATT_SIGNATURE_INVALID']);
  });

  it('two entries for one AAGUID, the second REVOKED → a warning and the REVOKED wins', async () => {
    const store = await storeFor(good.attestationRoot, certified, [
      { aaguid: AAGUID, description: 'the same AAGUID again', attestationRootCertificates: [good.attestationRoot.cert], statusReports: [{ status: 'REVOKED', effectiveDate: '2025-01-01' }] },
    ]);
    expect(store.warnings.map((w) => w.code)).toContain('MDS_DUPLICATE_ENTRY');
    const r = await verify(good.json, { store, at, ...ok });
    expect(r.trusted).toBe(false);
    expect(r.status?.verdict).toBe('fail');
    expect(ms(r, 'MS-CERTIFIED')).toBe('fail');
  });

  it("a forged leaf with a listed model's AAGUID, chained to an --attestation-root: the chain is valid, the model is not claimed", async () => {
    const vendorRoot = await createTestCertificate({ subject: 'CN=Real Vendor Root, O=Vendor, C=US', serialNumber: '41', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true });
    const operatorRoot = await createTestCertificate({ subject: 'CN=Operator Root, O=Operator, C=US', serialNumber: '42', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true });
    const forged = await makePackedRegistration({ aaguid: AAGUID, root: operatorRoot });
    const store = await storeFor(vendorRoot, certified);
    const r = await verify(forged.json, { store, at, roots: [operatorRoot.cert], ...ok });
    expect(r).toMatchObject({ chainValid: true, rootSource: 'given', rootSubject: operatorRoot.cert.subject, metadataBacked: false, claimedModel: MODEL });
    expect(r.model).toBeUndefined();
    expect(r.mdsEntry).toBeUndefined();
    expect(r.problems.map((p) => p.code)).toContain('ATT_METADATA_NOT_BACKING');
    expect(ms(r, 'MS-ATTESTATION')).toBe('fail');
    expect(ms(r, 'MS-MDS-LISTED')).toBe('fail');
    // the vendor's real root still backs the model for a registration that chains to it
    const real = await makePackedRegistration({ aaguid: AAGUID, root: vendorRoot });
    const rr = await verify(real.json, { store, at, roots: [operatorRoot.cert], ...ok });
    expect(rr).toMatchObject({ trusted: true, model: MODEL, rootSource: 'metadata' });
  });

  it('a BLOB past nextUpdate at `at` carries MDS_NEXT_UPDATE_PASSED; without rpId/origin the result says what was not checked', async () => {
    const store = await storeFor(good.attestationRoot, certified, [], '2026-05-01');
    expect(store.warnings.map((w) => w.code)).toContain('MDS_NEXT_UPDATE_PASSED');
    const r = await verify(good.json, { store, at });
    expect(r.notChecked).toEqual(['rpIdHash', 'origin']);
  });
});
