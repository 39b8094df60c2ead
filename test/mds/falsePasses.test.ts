import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import { verifyAttestation, type AttestationResult } from '../../mds/attestation/verifyAttestation.ts';
import { evaluateMicrosoft, mdsUsed, registrationInput } from '../../harness/compat/index.ts';
import { buildTestMdsEntry, createTestMds, type TestMdsEntryInput } from '../../mds/testBlob.ts';
import { Extension } from '@peculiar/x509';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { statementProblems } from '../../mds/attestation/AttestationProblem.ts';
import { validateCertificateChain } from '../../mds/validateChain.ts';
import { evaluateCompat } from '../../harness/compat/index.ts';
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

// Found by attacking the core the way outside tools do; each once came out TRUSTED / compatible / allowed.
describe('false passes found by crafted inputs', () => {
  let good: PackedRegistration;
  beforeAll(async () => {
    good = await makePackedRegistration({ aaguid: AAGUID });
  });
  const compat = (r: AttestationResult) => {
    const store = storeOf.get(r);
    return evaluateCompat(registrationInput(r, store ? mdsUsed(store) : undefined, at, true));
  };

  it('authData with BS set and BE clear → a false statement, refused, MS-ATTESTATION fails, Entra blocked (WebAuthn L3 §6.1.3)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, flags: 0x45 | 0x10 });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r.trusted).toBe(false);
    expect(statementProblems(r.problems).map((p) => p.code)).toEqual(['ATT_FLAGS']);
    const c = compat(r);
    expect(c.microsoft.requirements.find((x) => x.id === 'MS-ATTESTATION')?.status).toBe('fail');
    expect(c.entra.verdict).toBe('blocked');
    expect(c.entra.reasons.find((x) => x.id === 'EN-ATTESTATION-FORMAT')?.status).toBe('fail');
    // BE and BS both set is a backed-up passkey: valid flags (it is judged as synced elsewhere)
    const synced = await makePackedRegistration({ aaguid: AAGUID, flags: 0x45 | 0x18 });
    const rs = await verify(synced.json, { store: await storeFor(synced.attestationRoot, certified), at, ...ok });
    expect(rs.problems.map((p) => p.code)).not.toContain('ATT_FLAGS');
  });

  it('a leaf with an unrecognised critical extension → chain invalid (RFC 5280 §4.2, §6.1.5 (f))', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, leafExtensions: [new Extension('1.3.6.1.4.1.55555.1', true, Uint8Array.of(0x05, 0x00))] });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r).toMatchObject({ trusted: false, chainValid: false });
    expect(r.problems.find((p) => p.code === 'MDS_CHAIN_INVALID')?.message).toContain('1.3.6.1.4.1.55555.1');
    expect(ms(r, 'MS-ATTESTATION')).toBe('fail');
    // the same extension not critical is ignorable (RFC 5280 §4.2)
    const twin = await makePackedRegistration({ aaguid: AAGUID, leafExtensions: [new Extension('1.3.6.1.4.1.55555.1', false, Uint8Array.of(0x05, 0x00))] });
    expect((await verify(twin.json, { store: await storeFor(twin.attestationRoot, certified), at, ...ok })).trusted).toBe(true);
  });

  it('an intermediate with a critical nameConstraints (not enforced here) → chain invalid (RFC 5280 §6.1.4 (o))', async () => {
    const root = await createTestCertificate({ subject: 'CN=NC Root, O=fido-harness TEST, C=US', serialNumber: '61', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true });
    // nameConstraints { permittedSubtrees [ GeneralSubtree { dNSName "example.test" } ] }
    const nc = new Extension('2.5.29.30', true, Uint8Array.from(Buffer.from('3012a010300e820c6578616d706c652e74657374', 'hex')));
    const ca = await createTestCertificate({ subject: 'CN=NC Batch CA, O=fido-harness TEST, C=US', issuer: root, serialNumber: '62', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true, extensions: [nc] });
    const leaf = await createTestCertificate({ subject: 'CN=NC Leaf, O=fido-harness TEST, C=US', issuer: ca, serialNumber: '63', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: false });
    const chain = await validateCertificateChain([leaf.cert, ca.cert], { roots: [root.cert], at });
    expect(chain.valid).toBe(false);
    expect(chain.problems.map((p) => p.message).join()).toContain('2.5.29.30');
  });

  it('x5c with an unrelated certificate after the chain → not trusted, MS-ATTESTATION fails (WebAuthn L3 §8.2)', async () => {
    const stray = await createTestCertificate({ subject: 'CN=Unrelated CA, O=Elsewhere, C=US', serialNumber: '71', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true });
    const reg = await makePackedRegistration({ aaguid: AAGUID, intermediate: {}, extraX5c: [stray] });
    const r = await verify(reg.json, { store: await storeFor(reg.attestationRoot, certified), at, ...ok });
    expect(r.trusted).toBe(false);
    expect(codes(r)).toEqual(['ATT_X5C_CHAIN']);
    expect(ms(r, 'MS-ATTESTATION')).toBe('fail');
  });

  it('a bare attestation object (no client data): the signature is unchecked, so MS-ATTESTATION is skip, never pass', async () => {
    const r = await verify(good.attestationObject, { store: await storeFor(good.attestationRoot, certified), at });
    expect(r).toMatchObject({ signatureValid: false, trusted: false });
    expect(ms(r, 'MS-ATTESTATION')).toBe('skip');
    const withHash = await verify(good.attestationObject, { store: await storeFor(good.attestationRoot, certified), at, clientDataHash: good.clientDataHash, rpId: ok.rpId });
    expect(ms(withHash, 'MS-ATTESTATION')).toBe('pass');
  });

  it('a REVOKED duplicate entry the BLOB cannot use (a bad member, the AAGUID in braces) withholds the AAGUID: not trusted, MS-MDS-LISTED fails', async () => {
    const clean = buildTestMdsEntry({ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [good.attestationRoot.cert], statusReports: certified });
    const revoked = buildTestMdsEntry({ aaguid: AAGUID, description: 'twin', attestationRootCertificates: [good.attestationRoot.cert], statusReports: [{ status: 'REVOKED', effectiveDate: '2025-01-01' }] });
    for (const twin of [
      { ...revoked, timeOfLastStatusChange: 5 },
      { ...revoked, aaguid: `{${AAGUID.replace(/-/g, '').toUpperCase()}}` },
    ]) {
      const { jws, roots } = await createTestMds([], { payload: { no: 1, nextUpdate: '2049-12-01', entries: [clean, twin] } });
      const store = await loadMdsStore(jws, { roots, at });
      expect(store.byAaguid(AAGUID)).toBeUndefined();
      expect(store.warnings.map((w) => w.message).join()).toContain(`AAGUID ${AAGUID} is not looked up`);
      const r = await verify(good.json, { store, at, ...ok });
      expect(r.trusted).toBe(false);
      expect(codes(r)).toEqual(['ATT_STATUS']);
      expect(ms(r, 'MS-MDS-LISTED')).toBe('fail');
    }
  });
});
