import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { verifyAttestation, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors } from '../../mds/testBlob.ts';
import { FIXTURES, fixtureText } from './helpers.ts';
import { makePackedRegistration } from './packedFixture.ts';
import { buildAttestationObject, parseAttestationObject } from '../../harness/protocol/index.ts';
import { aaguidToBytes } from '../../mds/aaguid.ts';
import { evaluateMicrosoft, mdsUsed, registrationInput } from '../../harness/compat/index.ts';

/** The BLOB's time: serial 23 was current on 2023-01-15 (test/fixtures/mds/SOURCES.md). */
const BLOB_TIME = new Date('2023-01-15T00:00:00Z');
const load = (f: string) => JSON.parse(readFileSync(`${FIXTURES}attestation/${f}`, 'utf8')) as RegistrationResponseJSON;

// Expected format, AAGUID and model (from SOURCES.md and blob-2023-no23), and how each ends.
// trust: 'trusted' = signature + chain to the MDS entry's roots at BLOB_TIME; otherwise the code that explains it.
const TABLE: Array<[file: string, format: string, aaguid: string, model: string | undefined, trust: string[]]> = [
  ['tweag/packed-02.json', 'packed', '6d44ba9b-f6ec-2e49-b930-0c8fe920cb73', 'Security Key by Yubico with NFC', ['trusted']],
  ['tweag/packed-03.json', 'packed', 'c5ef55ff-ad9a-4b9f-b580-adebafe026d0', 'YubiKey 5 Series with Lightning', ['trusted']],
  ['tweag/with-transports.json', 'packed', '2fc0579f-8113-47ea-b116-bb5a8db9202a', 'YubiKey 5 Series with NFC', ['trusted']],
  ['fido2-net-lib/attestationResultsATKey.json', 'packed', 'e1a96183-5016-4f24-b55b-e3ae23614cc6', 'ATKey.Pro CTAP2.0', ['trusted']],
  ['tweag/packed-01.json', 'packed', '42383245-4437-3343-3846-423445354132', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['fido2-net-lib/attestationResultsPacked.json', 'packed', '42383245-4437-3343-3846-423445354132', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['fido2-net-lib/attestationResultTrustKeyT110.json', 'packed', 'da776f39-f6c8-4a89-b252-1d86137a46ba', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/without-aaguid.json', 'packed', '0fb9bcbc-a0d4-4042-bbb0-559bc1631e28', undefined, ['ATT_NO_METADATA', 'ATT_X5C_CHAIN', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/regression-150.json', 'packed', 'adce0002-35bc-c60a-648b-0b25f1f05503', undefined, ['ATT_SELF_ATTESTATION']],
  ['fido2-net-lib/attestationResultsPacked512.json', 'packed', '2388ab8d-8915-4146-93ba-d43e671d2538', undefined, ['ATT_SELF_ATTESTATION']],
  ['tweag/tpm-rs1-01.json', 'tpm', '08987058-cadc-4b81-b6e1-30de50dcbe96', 'Windows Hello Hardware Authenticator', ['trusted']],
  ['tweag/tpm-es256-01.json', 'tpm', 'a7d6d93a-8a0d-11e8-9a94-a6cf71072f73', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['fido2-net-lib/attestationTPMSHA1Response.json', 'tpm', 'f244b67e-5364-4fd5-9f90-c396227317db', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['fido2-net-lib/attestationTPMSHA256Response.json', 'tpm', 'a7d6d93a-8a0d-11e8-9a94-a6cf71072f73', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/android-safetynet-01.json', 'android-safetynet', 'b93fd961-f2e6-462f-b122-82002247de78', 'Android Authenticator with SafetyNet Attestation', ['MDS_CERT_EXPIRED']],
  ['tweag/android-key-01.json', 'android-key', '550e4b54-aa47-409f-9a95-1ab76c130131', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/android-key-02.json', 'android-key', '550e4b54-aa47-409f-9a95-1ab76c130131', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['fido2-net-lib/attestationAndroidKeyResponse.json', 'android-key', '550e4b54-aa47-409f-9a95-1ab76c130131', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/apple-01.json', 'apple', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_ZERO_AAGUID', 'ATT_NO_METADATA', 'ATT_X5C_CHAIN', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/apple-02.json', 'apple', 'f24a8e70-d0d3-f82c-2937-32523cc4de5a', undefined, ['ATT_NO_METADATA', 'ATT_X5C_CHAIN', 'ATT_NO_TRUST_ANCHOR']],
  ['fido2-net-lib/attestationAppleResponse.json', 'apple', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_ZERO_AAGUID', 'ATT_NO_METADATA', 'ATT_X5C_CHAIN', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/u2f-01.json', 'fido-u2f', '00000000-0000-0000-0000-000000000000', 'Security Key by Yubico', ['trusted']],
  ['tweag/u2f-02.json', 'fido-u2f', '00000000-0000-0000-0000-000000000000', 'Security Key by Yubico with NFC', ['trusted']],
  ['tweag/u2f-03.json', 'fido-u2f', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']],
  ['tweag/u2f-04.json', 'fido-u2f', '00000000-0000-0000-0000-000000000000', 'YK4 Series Key by Yubico', ['trusted']],
  ['tweag/u2f-05.json', 'fido-u2f', '00000000-0000-0000-0000-000000000000', 'YK4 Series Key by Yubico', ['trusted']],
  ['fido2-net-lib/attestationResultsU2F.json', 'fido-u2f', '00000000-0000-0000-0000-000000000000', 'Security Key by Yubico', ['trusted']],
  ['tweag/01-none.json', 'none', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_NO_ATTESTATION']],
  // a conditional create (WebAuthn L3 §7.1 step 14) leaves UP clear; without knowing the mediation it is flagged
  ['tweag/conditional-create.json', 'none', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_USER_PRESENCE', 'ATT_NO_ATTESTATION']],
  ['tweag/with-credprops.json', 'none', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_NO_ATTESTATION']],
  ['fido2-net-lib/attestationNoneResponse.json', 'none', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_NO_ATTESTATION']],
  ['fido2-net-lib/attestationResultsNone.json', 'none', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_NO_ATTESTATION']],
  ['fido2-net-lib/assertionNoneResponse.json', 'unknown', '00000000-0000-0000-0000-000000000000', undefined, ['ATT_MALFORMED']],
];

describe('verifyAttestation on every captured registration, against serial 23 at its time', () => {
  let store: MdsStore;
  beforeAll(async () => {
    store = await loadMdsStore(fixtureText('blob-2023-no23.jwt'), { roots: loadBundledMdsRoots(), at: BLOB_TIME });
  });

  it.each(TABLE)('%s: %s, %s, %s → %j', async (file, format, aaguid, model, trust) => {
    const r = await verifyAttestation(load(file), { store, at: BLOB_TIME });
    expect(r.format).toBe(format);
    expect(r.aaguid).toBe(aaguid);
    // the model is named only when the entry's own roots validate the chain; otherwise it is only claimed
    expect(r.model ?? r.claimedModel).toBe(model);
    expect(r.model !== undefined).toBe(trust[0] === 'trusted');
    if (trust[0] === 'trusted') {
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ signatureValid: true, chainValid: true, trusted: true, rootSource: 'metadata' });
      expect(r.chainPath.length).toBeGreaterThanOrEqual(2);
      expect(r.status?.verdict).not.toBe('fail');
    } else {
      expect(r.trusted).toBe(false);
      expect(r.problems.map((p) => p.code)).toEqual(trust);
      for (const p of r.problems) expect(p.message.length).toBeGreaterThan(20);
      // every statement the format could check was genuine: only trust is missing
      if (format !== 'unknown') expect(r.signatureValid).toBe(true);
    }
  });

  it('names the chain for the YubiKey packed attestation and the ATKey one', async () => {
    const yk = await verifyAttestation(load('tweag/with-transports.json'), { store, at: BLOB_TIME });
    expect(yk.rootSubject).toBe('CN=Yubico U2F Root CA Serial 457200631');
    expect(yk.attestationType).toBe('basic');
    expect(yk.status).toMatchObject({ certified: true });
    const at = await verifyAttestation(load('fido2-net-lib/attestationResultsATKey.json'), { store, at: BLOB_TIME });
    expect(at.rootSubject).toContain('Authentrend CA 000');
  });

  it('trusts the SafetyNet attestation at its capture time (timestampMs 1630703240057 = 2021-09-03), not before it', async () => {
    const r = await verifyAttestation(load('tweag/android-safetynet-01.json'), { store, at: new Date('2021-09-04T00:00:00Z') });
    expect(r.problems).toEqual([]);
    expect(r.trusted).toBe(true);
    expect(r.rootSubject).toContain('GTS Root R1');
    const early = await verifyAttestation(load('tweag/android-safetynet-01.json'), { store, at: new Date('2021-08-01T00:00:00Z') });
    expect(early.problems.map((p) => p.code)).toEqual(['ATT_SAFETYNET_RESPONSE']);
  });

  it('explains that a TPM chain ends at the conformance tools FAKE root', async () => {
    const r = await verifyAttestation(load('tweag/tpm-es256-01.json'), { store, at: BLOB_TIME });
    expect(r.trustPath.at(-1)!.issuer).toContain('FIDO Fake TPM Root');
    expect(r.problems.find((p) => p.code === 'ATT_NO_TRUST_ANCHOR')?.message).toContain('test root');
  });

  it("fido-u2f with a FIDO2 model's AAGUID written into authData (unsigned, WebAuthn L3 §8.6 step 5): the model comes from the key identifier, the AAGUID is not vouched for", async () => {
    const json = load('tweag/u2f-01.json');
    const parsed = parseAttestationObject(new Uint8Array(Buffer.from(json.response.attestationObject, 'base64url')), { canonical: 'report' });
    const authData = new Uint8Array(parsed.authData.raw);
    authData.set(aaguidToBytes('2fc0579f-8113-47ea-b116-bb5a8db9202a'), 37); // YubiKey 5 Series with NFC
    const forged = { ...json, response: { ...json.response, attestationObject: Buffer.from(buildAttestationObject(parsed.fmt, authData, parsed.attStmt)).toString('base64url') } };
    const r = await verifyAttestation(forged, { store, at: BLOB_TIME });
    expect(r.signatureValid).toBe(true); // the U2F signature does not cover the AAGUID
    expect(r.model).toBe('Security Key by Yubico');
    expect(r.problems.map((p) => `${p.severity}:${p.code}`)).toEqual(['warn:ATT_AAGUID_MISMATCH']);
    const listed = evaluateMicrosoft(registrationInput(r, mdsUsed(store), BLOB_TIME)).requirements.find((x) => x.id === 'MS-MDS-LISTED')!;
    expect(listed.status).not.toBe('pass');
  });

  it('refuses a packed attestation with one signature byte changed', async () => {
    const json = load('tweag/with-transports.json');
    const ao = Buffer.from(json.response.attestationObject, 'base64url');
    // the signature follows "csigX" + 1-byte length in this object; flip a byte inside it
    const at = ao.indexOf(Buffer.from('sig')) + 6;
    ao[at] = ao[at]! ^ 0x01;
    const r = await verifyAttestation({ ...json, response: { ...json.response, attestationObject: ao.toString('base64url') } }, { store, at: BLOB_TIME });
    expect(r.signatureValid).toBe(false);
    expect(r.trusted).toBe(false);
    expect(r.problems.map((p) => p.code)).toContain('ATT_SIGNATURE_INVALID');
  });

  it('refuses a changed clientDataJSON (the signature covers its hash) and checks origin and rpId when asked', async () => {
    const json = load('tweag/packed-02.json');
    const cd = JSON.parse(Buffer.from(json.response.clientDataJSON!, 'base64url').toString()) as { origin: string };
    const changed = Buffer.from(JSON.stringify({ ...cd, challenge: 'other' })).toString('base64url');
    const r = await verifyAttestation({ ...json, response: { ...json.response, clientDataJSON: changed } }, { store, at: BLOB_TIME });
    expect(r.problems.map((p) => p.code)).toContain('ATT_SIGNATURE_INVALID');
    const o = await verifyAttestation(json, { store, at: BLOB_TIME, expectedOrigin: 'https://evil.example', rpId: 'evil.example' });
    expect(o.problems.map((p) => p.code)).toEqual(['ATT_CLIENT_DATA', 'ATT_RP_ID_MISMATCH']);
    const ok = await verifyAttestation(json, { store, at: BLOB_TIME, expectedOrigin: cd.origin, rpId: new URL(cd.origin).hostname });
    expect(ok.problems).toEqual([]);
  });

  it('refuses the YubiKey chain when it is judged after the attestation root has been dropped (no store)', async () => {
    const r = await verifyAttestation(load('tweag/with-transports.json'), { at: BLOB_TIME });
    expect(r.chainValid).toBe(false);
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_TRUST_ANCHOR']);
  });

  it.each([
    ['empty object', {}],
    ['attestationObject not CBOR', { response: { attestationObject: 'AAAA' } }],
    ['null', null],
  ])('explains malformed input (%s) without throwing', async (_n, input) => {
    const r = await verifyAttestation(input as never, { store, at: BLOB_TIME });
    expect(r.trusted).toBe(false);
    expect(r.problems.at(-1)?.code).toBe('ATT_MALFORMED');
  });
});

describe('verifyAttestation with a generated packed attestation and a test MDS', () => {
  const AAGUID = '0a0b0c0d-1111-2222-3333-444455556666';
  const at = new Date('2026-01-01T00:00:00Z');

  it('trusts it when the test MDS lists its root; fails for REVOKED and for a compromised attestation key', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID });
    const signer = await createTestMdsSigner();
    const blobFor = async (statusReports: { status: string; certificate?: string }[]) =>
      loadMdsStore(
        await createTestMdsBlob(signer, { entries: [{ aaguid: AAGUID, description: 'fido-harness simulator', attestationRootCertificates: [reg.attestationRoot.pem], statusReports }] }),
        { roots: testMdsTrustAnchors(signer), at },
      );
    const good = await verifyAttestation(reg.json, { store: await blobFor([{ status: 'FIDO_CERTIFIED_L1' }]), at, rpId: 'example.test', expectedOrigin: 'https://example.test' });
    expect(good.problems).toEqual([]);
    expect(good).toMatchObject({ trusted: true, model: 'fido-harness simulator', rootSubject: reg.attestationRoot.cert.subject });

    const revoked = await verifyAttestation(reg.json, { store: await blobFor([{ status: 'FIDO_CERTIFIED_L1' }, { status: 'REVOKED' }]), at });
    expect(revoked.trusted).toBe(false);
    expect(revoked.problems).toEqual([expect.objectContaining({ code: 'ATT_STATUS', severity: 'fail' })]);

    const leafB64 = Buffer.from(reg.attestationCert.cert.rawData).toString('base64');
    const compromised = await verifyAttestation(reg.json, { store: await blobFor([{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: leafB64 }]), at });
    expect(compromised.problems.map((p) => [p.code, p.severity])).toEqual([['ATT_STATUS', 'fail']]);
  });

  it('verifies a bare attestation object with the clientDataHash (CTAP level)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID });
    const r = await verifyAttestation(reg.attestationObject, { at, clientDataHash: reg.clientDataHash, roots: [reg.attestationRoot.cert] });
    expect(r).toMatchObject({ trusted: true, rootSource: 'given', signatureValid: true });
    const noHash = await verifyAttestation(reg.attestationObject, { at, roots: [reg.attestationRoot.cert] });
    expect(noHash.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA']);
    expect(noHash.trusted).toBe(false);
  });

  it('fails an attestation certificate whose AAGUID extension differs from authData (§8.2.1)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, certAaguid: '99999999-9999-9999-9999-999999999999' });
    const r = await verifyAttestation(reg.json, { at, roots: [reg.attestationRoot.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_AAGUID_MISMATCH']);
    expect(r.trusted).toBe(false);
  });

  it('fails an attestation certificate with the wrong OU (§8.2.1), and accepts one without the AAGUID extension', async () => {
    const wrongOu = await makePackedRegistration({ aaguid: AAGUID, ou: 'Marketing' });
    const r = await verifyAttestation(wrongOu.json, { at, roots: [wrongOu.attestationRoot.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_CERT_REQUIREMENTS']);
    const noExt = await makePackedRegistration({ aaguid: AAGUID, certAaguid: null });
    expect((await verifyAttestation(noExt.json, { at, roots: [noExt.attestationRoot.cert] })).trusted).toBe(true);
  });
});
