import 'reflect-metadata';
import { createHash, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCanonicalCbor } from '../../harness/protocol/index.ts';
import { certificateKeyIdentifier } from '../../mds/attestation/certificateFields.ts';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import type { StatusReport } from '../../mds/MdsTypes.ts';
import { createTestMds, type TestMdsEntryInput } from '../../mds/testBlob.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { authDataFor, der, u2fVerificationData, es256, ORIGIN, p256Credential, registration, RP_ID, testLeaf, testRoot, type CraftedCredential } from './craftAttestation.ts';
import { makePackedRegistration, type PackedRegistration } from './packedFixture.ts';

// verifyAttestation around the formats (WebAuthn L3 §7.1 steps 7-24): input, client data, authData flags,
// metadata lookup, trust anchors, chain and status, each shown by a registration that differs in one thing.
const AAGUID = '5e1f0c2d-7a3b-4c4d-9e5f-60718293a4b5';
const MODEL = 'fido-harness core test key';
const at = new Date('2026-06-01T00:00:00Z');
const codes = (r: AttestationResult) => r.problems.map((p) => p.code);
const lines = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

let cred: CraftedCredential;
let packed: PackedRegistration;
beforeAll(async () => {
  cred = await p256Credential();
  packed = await makePackedRegistration({ aaguid: AAGUID });
});

async function storeWith(entries: TestMdsEntryInput[]): Promise<MdsStore> {
  const { jws, roots } = await createTestMds(entries);
  return loadMdsStore(jws, { roots, at });
}

/** packed self attestation over the given clientDataJSON (and authData flags / AAGUID) */
function selfAttested(o: { clientData?: unknown; flags?: number; aaguid?: string; authData?: Uint8Array; fmt?: string } = {}): RegistrationResponseJSON {
  const authData = o.authData ?? authDataFor(cred.cose, { aaguid: o.aaguid ?? AAGUID, ...(o.flags !== undefined ? { flags: o.flags } : {}) });
  const cdj = Buffer.from(typeof o.clientData === 'string' ? o.clientData : JSON.stringify(o.clientData ?? { type: 'webauthn.create', challenge: 'dGVzdA', origin: ORIGIN }));
  const hash = createHash('sha256').update(cdj).digest();
  const sig = new Uint8Array(sign('sha256', Buffer.concat([authData, hash]), { key: cred.privateKey, dsaEncoding: 'der' }));
  const json = registration(o.fmt ?? 'packed', authData, new Map<string, unknown>([['alg', -7], ['sig', sig]]));
  return { ...json, response: { ...json.response, clientDataJSON: cdj.toString('base64url') } };
}

describe('input that is no registration', () => {
  it.each([
    ['no response', {}],
    ['a response that is text', { response: 'x' }],
    ['a null response', { response: null }],
    ['an attestationObject that is a number', { response: { attestationObject: 5 } }],
  ])('%s → one ATT_MALFORMED, nothing else claimed', async (_n, input) => {
    const r = await verifyAttestation(input as never, { at });
    expect(r).toEqual({
      format: 'unknown',
      attestationType: 'unknown',
      trustPath: [],
      chainPath: [],
      signatureValid: false,
      chainValid: false,
      aaguid: '00000000-0000-0000-0000-000000000000',
      problems: [{ code: 'ATT_MALFORMED', severity: 'fail', message: 'not a registration response: response.attestationObject missing (an assertion response?)' }],
      chainWarnings: [],
      notChecked: [],
      metadataBacked: false,
      trusted: false,
      authData: { raw: new Uint8Array(0), rpIdHash: new Uint8Array(32), flags: 0, up: false, uv: false, be: false, bs: false, at: false, ed: false, signCount: 0 },
    });
  });

  it('an attestation object in non-canonical CBOR (authData first) is read; the CBOR suite judges the encoding', async () => {
    const authData = authDataFor(cred.cose);
    const item = (v: unknown) => encodeCanonicalCbor(v as never);
    const ao = new Uint8Array(Buffer.concat([Uint8Array.of(0xa3), item('authData'), item(authData), item('fmt'), item('none'), item('attStmt'), item(new Map())]));
    const r = await verifyAttestation(ao, { at, clientDataHash: new Uint8Array(32) });
    expect(r).toMatchObject({ format: 'none', attestationType: 'none', signatureValid: true });
    expect(codes(r)).toEqual(['ATT_NO_ATTESTATION']);
  });

  it('client data problems found before the attestation object fails to parse are kept', async () => {
    const r = await verifyAttestation({ response: { attestationObject: 'oA', clientDataJSON: Buffer.from('{not json').toString('base64url') } }, { at });
    expect(lines(r)).toEqual(['fail ATT_CLIENT_DATA: clientDataJSON is not JSON', expect.stringMatching(/^fail ATT_MALFORMED: attestation object: /)]);
    expect(r.format).toBe('unknown');
  });
});

describe('client data (WebAuthn L3 §7.1 steps 7 and 9)', () => {
  it('the parsed clientData is returned; a bare attestation object has none', async () => {
    const r = await verifyAttestation(selfAttested(), { at, expectedOrigin: ORIGIN, rpId: RP_ID });
    expect(r.clientData).toEqual({ type: 'webauthn.create', origin: ORIGIN, challenge: 'dGVzdA' });
    expect(r.signatureValid).toBe(true);
    const bare = await verifyAttestation(packed.attestationObject, { at, clientDataHash: packed.clientDataHash });
    expect(bare).not.toHaveProperty('clientData');
  });

  it('type webauthn.get → ATT_CLIENT_DATA', async () => {
    const r = await verifyAttestation(selfAttested({ clientData: { type: 'webauthn.get', challenge: 'dGVzdA', origin: ORIGIN } }), { at });
    expect(lines(r)).toContain('fail ATT_CLIENT_DATA: clientDataJSON.type is "webauthn.get", "webauthn.create" expected');
    expect(r.signatureValid).toBe(true);
  });

  it('JSON that is not an object reads no members: the type is missing', async () => {
    const r = await verifyAttestation(selfAttested({ clientData: '"webauthn.create"' }), { at });
    expect(lines(r)).toContain('fail ATT_CLIENT_DATA: clientDataJSON.type is undefined, "webauthn.create" expected');
  });

  it('the origin must be one of the expected origins', async () => {
    const json = selfAttested();
    const ok = await verifyAttestation(json, { at, expectedOrigin: ['https://other.test', ORIGIN] });
    expect(codes(ok)).not.toContain('ATT_CLIENT_DATA');
    const bad = await verifyAttestation(json, { at, expectedOrigin: ['https://a.test', 'https://b.test'] });
    expect(lines(bad)).toContain(`fail ATT_CLIENT_DATA: clientDataJSON.origin "${ORIGIN}" is not https://a.test or https://b.test`);
    const one = await verifyAttestation(json, { at, expectedOrigin: 'https://a.test' });
    expect(lines(one)).toContain(`fail ATT_CLIENT_DATA: clientDataJSON.origin "${ORIGIN}" is not https://a.test`);
  });

  it('a response without clientDataJSON is checked with the clientDataHash given', async () => {
    const { clientDataJSON: _omit, ...response } = packed.json.response;
    const r = await verifyAttestation({ ...packed.json, response }, { at, clientDataHash: packed.clientDataHash, roots: [packed.attestationRoot.cert] });
    expect(r.problems).toEqual([]);
    expect(r.trusted).toBe(true);
  });

  it('what was not checked is named: rpIdHash without rpId, origin without expectedOrigin', async () => {
    const json = selfAttested();
    expect((await verifyAttestation(json, { at })).notChecked).toEqual(['rpIdHash', 'origin']);
    expect((await verifyAttestation(json, { at, rpId: RP_ID })).notChecked).toEqual(['origin']);
    expect((await verifyAttestation(json, { at, expectedOrigin: ORIGIN })).notChecked).toEqual(['rpIdHash']);
  });

  it('another RP ID → ATT_RP_ID_MISMATCH (§7.1 step 13)', async () => {
    const r = await verifyAttestation(selfAttested(), { at, rpId: 'evil.example' });
    expect(lines(r)).toContain('fail ATT_RP_ID_MISMATCH: authData.rpIdHash is not SHA-256("evil.example") (§7.1 step 13)');
    expect(codes(await verifyAttestation(selfAttested(), { at, rpId: RP_ID }))).not.toContain('ATT_RP_ID_MISMATCH');
  });
});

describe('authData flags', () => {
  it('AT clear: no attested credential data → ATT_MALFORMED, zero AAGUID', async () => {
    const authData = new Uint8Array(authDataFor(cred.cose).subarray(0, 37));
    authData[32] = 0x05;
    const r = await verifyAttestation(selfAttested({ authData }), { at });
    expect(lines(r)).toContain('fail ATT_MALFORMED: authData has no attested credential data (AT flag clear)');
    expect(r.aaguid).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('UP clear → ATT_USER_PRESENCE (§7.1 step 14)', async () => {
    const r = await verifyAttestation(selfAttested({ flags: 0x44 }), { at });
    expect(lines(r)).toContain('fail ATT_USER_PRESENCE: authData UP flag is clear: no user presence (WebAuthn L3 §7.1 step 14; only a conditional create may leave it clear)');
    expect(codes(await verifyAttestation(selfAttested({ flags: 0x41 }), { at }))).not.toContain('ATT_USER_PRESENCE');
  });

  it('BS without BE → ATT_FLAGS (§6.1.3); BE alone and BE with BS are valid', async () => {
    const r = await verifyAttestation(selfAttested({ flags: 0x45 | 0x10 }), { at });
    expect(lines(r)).toContain('fail ATT_FLAGS: authData BS (backed up) is set while BE (backup eligible) is clear: an invalid flag combination (WebAuthn L3 §6.1.3)');
    for (const flags of [0x45 | 0x08, 0x45 | 0x18]) expect(codes(await verifyAttestation(selfAttested({ flags }), { at }))).toEqual(['ATT_SELF_ATTESTATION']);
  });
});

describe('formats', () => {
  it('an unknown fmt → ATT_FORMAT_UNSUPPORTED', async () => {
    const r = await verifyAttestation(selfAttested({ fmt: 'made-up' }), { at });
    expect(lines(r)).toEqual(['fail ATT_FORMAT_UNSUPPORTED: attestation format "made-up" is not supported']);
    expect(r).toMatchObject({ format: 'made-up', attestationType: 'unknown', signatureValid: false, trustPath: [] });
  });

  it('a format verifier that throws → ATT_MALFORMED naming the format', async () => {
    // a fido-u2f certificate whose key node:crypto cannot load (an unknown SubjectPublicKeyInfo algorithm)
    const { oldVersionCertificate, derSeq, derOidBytes, tlv } = await import('./craftAttestation.ts');
    const root = await testRoot();
    const odd = oldVersionCertificate(root, undefined, 1, derSeq(derSeq(derOidBytes('1.2.3.4.5')), tlv(0x03, Uint8Array.of(0, 1, 2, 3))));
    const authData = authDataFor(cred.cose);
    const r = await verifyAttestation(registration('fido-u2f', authData, new Map<string, unknown>([['x5c', [odd]], ['sig', new Uint8Array(8)]])), { at });
    expect(lines(r)).toEqual([expect.stringMatching(/^fail ATT_MALFORMED: fido-u2f: .*decode error/)]);
    expect(r).toMatchObject({ format: 'fido-u2f', attestationType: 'unknown', trustPath: [], trusted: false, signatureValid: false });
  });
});

describe('metadata lookup (MDS3 §3.1.1)', () => {
  it('an all-zero AAGUID in a packed statement → ATT_ZERO_AAGUID (warn); none and fido-u2f carry zeros by design', async () => {
    const r = await verifyAttestation(selfAttested({ aaguid: '00000000-0000-0000-0000-000000000000' }), { at });
    expect(lines(r)).toContain('warn ATT_ZERO_AAGUID: authData AAGUID is all zeros: the model cannot be looked up');
    const none = await verifyAttestation(registration('none', authDataFor(cred.cose), new Map()), { at });
    expect(codes(none)).toEqual(['ATT_NO_ATTESTATION']);
  });

  it('a packed full attestation with a zero AAGUID is not looked up by its certificate (that is fido-u2f only)', async () => {
    const zero = await makePackedRegistration({ aaguid: '00000000-0000-0000-0000-000000000000', certAaguid: null });
    const keyId = certificateKeyIdentifier(zero.attestationCert.cert);
    const store = await storeWith([{ attestationCertificateKeyIdentifiers: [keyId], description: 'U2F model', attestationRootCertificates: [zero.attestationRoot.cert] }]);
    const r = await verifyAttestation(zero.json, { at, store });
    expect(codes(r)).toEqual(['ATT_ZERO_AAGUID', 'ATT_NO_METADATA', 'ATT_NO_TRUST_ANCHOR']);
    expect(r).not.toHaveProperty('keyIdentifier');
    expect(r).not.toHaveProperty('mdsEntry');
  });

  it('an unsupported format with a listed AAGUID is not judged against the statement attestationTypes', async () => {
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationTypes: ['basic_full'] }]);
    const r = await verifyAttestation(selfAttested({ fmt: 'made-up' }), { at, store });
    expect(codes(r)).toEqual(['ATT_FORMAT_UNSUPPORTED']);
    expect(r.mdsEntry?.aaguid).toBe(AAGUID);
  });

  it('an AAGUID the MDS does not list → ATT_NO_METADATA naming it; not for self or none', async () => {
    const store = await storeWith([{ aaguid: '11111111-2222-4333-8444-555555555555', description: 'another key' }]);
    const r = await verifyAttestation(packed.json, { at, store, roots: [packed.attestationRoot.cert] });
    expect(lines(r)).toEqual([`warn ATT_NO_METADATA: no MDS entry for AAGUID ${AAGUID}`]);
    expect(r.trusted).toBe(true);
    expect(codes(await verifyAttestation(selfAttested(), { at, store }))).toEqual(['ATT_SELF_ATTESTATION']);
    expect(codes(await verifyAttestation(registration('none', authDataFor(cred.cose, { aaguid: AAGUID }), new Map()), { at, store }))).toEqual(['ATT_NO_ATTESTATION']);
  });

  it('fido-u2f is looked up by the key identifier and says so when it is not listed', async () => {
    const root = await testRoot();
    const leaf = await testLeaf(root, { subject: 'CN=U2F key' });
    const authData = authDataFor(cred.cose);
    const json = registration('fido-u2f', authData, new Map<string, unknown>([['x5c', [der(leaf)]], ['sig', es256(leaf, u2fVerificationData(cred.cose))]]));
    const keyId = certificateKeyIdentifier(leaf.cert);
    const unlisted = await verifyAttestation(json, { at, store: await storeWith([{ aaguid: AAGUID, description: 'x' }]), roots: [root.cert] });
    expect(lines(unlisted)).toEqual([`warn ATT_NO_METADATA: no MDS entry for attestation certificate key identifier ${keyId}`]);
    expect(unlisted.keyIdentifier).toBe(keyId);
    const listed = await verifyAttestation(json, { at, store: await storeWith([{ attestationCertificateKeyIdentifiers: [keyId], description: 'U2F model', attestationRootCertificates: [root.cert] }]) });
    expect(listed).toMatchObject({ trusted: true, model: 'U2F model', keyIdentifier: keyId, rootSource: 'metadata', metadataBacked: true });
    expect(listed.problems).toEqual([]);
    const packedResult = await verifyAttestation(packed.json, { at });
    expect(packedResult).not.toHaveProperty('keyIdentifier');
  });

  it('a key identifier named by an entry the BLOB cannot use is withheld: ATT_STATUS naming the key identifier', async () => {
    const { buildTestMdsEntry } = await import('../../mds/testBlob.ts');
    const root = await testRoot();
    const leaf = await testLeaf(root, { subject: 'CN=U2F key' });
    const keyId = certificateKeyIdentifier(leaf.cert);
    const bad = { ...buildTestMdsEntry({ attestationCertificateKeyIdentifiers: [keyId], description: 'U2F twin' }), timeOfLastStatusChange: 5 };
    const { jws, roots } = await createTestMds([], { payload: { no: 1, nextUpdate: '2049-12-01', entries: [bad] } } as never);
    const store = await loadMdsStore(jws, { roots, at });
    const authData = authDataFor(cred.cose);
    const json = registration('fido-u2f', authData, new Map<string, unknown>([['x5c', [der(leaf)]], ['sig', new Uint8Array(8)]]));
    const r = await verifyAttestation(json, { at, store });
    const status = r.problems.filter((p) => p.code === 'ATT_STATUS');
    expect(status).toHaveLength(1);
    expect(status[0]!.severity).toBe('fail');
    expect(status[0]!.message.startsWith(`key identifier ${keyId}: `)).toBe(true);
    expect(codes(r)).not.toContain('ATT_NO_METADATA');
  });

  it('an AAGUID named by an entry the BLOB cannot use is withheld: ATT_STATUS naming the AAGUID', async () => {
    const { buildTestMdsEntry } = await import('../../mds/testBlob.ts');
    const bad = { ...buildTestMdsEntry({ aaguid: AAGUID, description: 'twin' }), timeOfLastStatusChange: 5 };
    const { jws, roots } = await createTestMds([], { payload: { no: 1, nextUpdate: '2049-12-01', entries: [bad] } } as never);
    const r = await verifyAttestation(packed.json, { at, store: await loadMdsStore(jws, { roots, at }) });
    const status = r.problems.filter((p) => p.code === 'ATT_STATUS');
    expect(status.map((p) => p.severity)).toEqual(['fail']);
    expect(status[0]!.message.startsWith(`AAGUID ${AAGUID}: `)).toBe(true);
  });

  it('an entry without a metadataStatement (MDS3 §3.1.1 makes it optional): found, no roots, no model, no statement checks', async () => {
    const { buildTestMdsEntry } = await import('../../mds/testBlob.ts');
    const { metadataStatement: _statement, ...bare } = buildTestMdsEntry({ aaguid: AAGUID, description: MODEL });
    const { jws, roots } = await createTestMds([], { payload: { no: 1, nextUpdate: '2049-12-01', entries: [bare] } } as never);
    const r = await verifyAttestation(packed.json, { at, store: await loadMdsStore(jws, { roots, at }), roots: [packed.attestationRoot.cert] });
    expect(r.mdsEntry).toBeUndefined(); // the operator root made the chain valid: the entry does not back it
    expect(r).not.toHaveProperty('claimedModel');
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_METADATA_NOT_BACKING']);
    const unanchored = await verifyAttestation(packed.json, { at, store: await loadMdsStore(jws, { roots, at }) });
    expect(unanchored.mdsEntry?.aaguid).toBe(AAGUID);
    expect(codes(unanchored)).toEqual(['ATT_NO_TRUST_ANCHOR']);
  });

  it('fido-u2f with an AAGUID in authData says the signature does not cover it', async () => {
    const root = await testRoot();
    const leaf = await testLeaf(root, { subject: 'CN=U2F key' });
    const authData = authDataFor(cred.cose, { aaguid: AAGUID });
    const r = await verifyAttestation(registration('fido-u2f', authData, new Map<string, unknown>([['x5c', [der(leaf)]], ['sig', es256(leaf, u2fVerificationData(cred.cose))]])), { at, roots: [root.cert] });
    expect(lines(r)).toEqual([`warn ATT_AAGUID_MISMATCH: fido-u2f authData carries AAGUID ${AAGUID}, which the U2F signature does not cover: it is ignored (the model is looked up by the certificate's key identifier)`]);
  });

  it('an unreadable root in the metadata entry or among the given roots → ATT_NO_TRUST_ANCHOR (warn) naming it; the others still anchor', async () => {
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [], metadataStatement: { attestationRootCertificates: ['AAAA', Buffer.from(packed.attestationRoot.cert.rawData).toString('base64')] } }]);
    const r = await verifyAttestation(packed.json, { at, store, roots: ['@@', packed.attestationRoot.cert] });
    expect(lines(r)).toEqual([
      expect.stringMatching(/^warn ATT_NO_TRUST_ANCHOR: attestationRootCertificates\[0\] is not an X\.509 certificate/),
      expect.stringMatching(/^warn ATT_NO_TRUST_ANCHOR: given root #1 is not an X\.509 certificate/),
    ]);
    expect(r).toMatchObject({ trusted: true, rootSource: 'metadata', model: MODEL });
  });
});

describe('trust anchors and the chain (WebAuthn L3 §7.1 steps 22-23)', () => {
  it('no anchor: ATT_NO_TRUST_ANCHOR names the issuer, and a test root as one', async () => {
    const r = await verifyAttestation(packed.json, { at });
    expect(lines(r)).toEqual([
      `warn ATT_NO_TRUST_ANCHOR: no trust anchor for "${packed.attestationRoot.cert.subject}": no metadata roots for this authenticator and no --attestation-root given (the issuer is a test root, e.g. of the FIDO conformance tools; never trusted in production)`,
    ]);
    expect(r).toMatchObject({ chainValid: false, chainPath: [], trusted: false, signatureValid: true });
    expect(r).not.toHaveProperty('rootSubject');
    expect(r).not.toHaveProperty('rootSource');
    const plainRoot = await testRoot('CN=Vendor Attestation Root, O=Vendor, C=US');
    const plain = await makePackedRegistration({ aaguid: AAGUID, root: plainRoot });
    expect(lines(await verifyAttestation(plain.json, { at }))).toEqual([
      'warn ATT_NO_TRUST_ANCHOR: no trust anchor for "CN=Vendor Attestation Root, O=Vendor, C=US": no metadata roots for this authenticator and no --attestation-root given',
    ]);
    // FAKE or TEST as whole words only: neither ends nor starts another word
    const words = await makePackedRegistration({ aaguid: AAGUID, root: await testRoot('CN=Testarossa Protest Root, O=Vendor, C=US') });
    expect((await verifyAttestation(words.json, { at })).problems[0]!.message).not.toContain('test root');
  });

  it('certificates out of validity: a warning without an anchor, the path validation fails them with one', async () => {
    const late = new Date('2041-01-01T00:00:00Z');
    const unanchored = await verifyAttestation(packed.json, { at: late });
    expect(unanchored.problems.filter((p) => p.code === 'ATT_X5C_CHAIN').map((p) => p.severity)).toEqual(['warn']);
    expect(unanchored.problems.find((p) => p.code === 'ATT_X5C_CHAIN')!.message).toMatch(/^attestation x5c: /);
    const early = await verifyAttestation(packed.json, { at: new Date('2019-01-01T00:00:00Z') });
    expect(early.problems.filter((p) => p.code === 'ATT_X5C_CHAIN').map((p) => p.severity)).toEqual(['warn']);
    const anchored = await verifyAttestation(packed.json, { at: late, roots: [packed.attestationRoot.cert] });
    expect(codes(anchored)).not.toContain('ATT_X5C_CHAIN');
    expect(anchored.problems.filter((p) => p.severity === 'fail').map((p) => p.code)).toContain('MDS_CERT_EXPIRED');
    expect(anchored.problems.find((p) => p.code === 'MDS_CERT_EXPIRED')!.message).toMatch(/^attestation chain: /);
    expect(anchored).toMatchObject({ chainValid: false, trusted: false, rootSource: 'given', rootSubject: packed.attestationRoot.cert.subject });
    expect(anchored.chainPath.length).toBeGreaterThan(0);
  });

  it("the entry's root reaches the chain but the path is refused: rootSource metadata, not valid, the model only claimed", async () => {
    const { Extension } = await import('@peculiar/x509');
    const reg = await makePackedRegistration({ aaguid: AAGUID, leafExtensions: [new Extension('1.3.6.1.4.1.99999.1', true, Uint8Array.of(5, 0))] });
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [reg.attestationRoot.cert] }]);
    const r = await verifyAttestation(reg.json, { at, store });
    expect(r).toMatchObject({ chainValid: false, trusted: false, rootSource: 'metadata', rootSubject: reg.attestationRoot.cert.subject, metadataBacked: false, claimedModel: MODEL });
    expect(r.chainPath.length).toBeGreaterThan(0);
    expect(r).not.toHaveProperty('model');
  });

  it("the entry's root reaches a refused path and an unrelated operator root reaches nothing: the anchor stays the entry's", async () => {
    const { Extension } = await import('@peculiar/x509');
    const reg = await makePackedRegistration({ aaguid: AAGUID, leafExtensions: [new Extension('1.3.6.1.4.1.99999.1', true, Uint8Array.of(5, 0))] });
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [reg.attestationRoot.cert] }]);
    const unrelated = await testRoot('CN=Unrelated Operator Root, O=Vendor, C=US');
    const r = await verifyAttestation(reg.json, { at, store, roots: [unrelated.cert] });
    expect(r).toMatchObject({ chainValid: false, rootSource: 'metadata', rootSubject: reg.attestationRoot.cert.subject });
  });

  it("only an operator root validates: rootSource given, ATT_METADATA_NOT_BACKING, the entry's model only claimed", async () => {
    const otherRoot = await testRoot('CN=Other Vendor Root, O=fido-harness TEST, C=US');
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [otherRoot.cert], statusReports: [{ status: 'REVOKED' }] }]);
    const r = await verifyAttestation(packed.json, { at, store, roots: [packed.attestationRoot.cert] });
    expect(lines(r)).toEqual([
      `warn ATT_METADATA_NOT_BACKING: chain valid to the operator root "${packed.attestationRoot.cert.subject}", which is not among the attestationRootCertificates of the MDS entry for ${AAGUID} ("${MODEL}"): that entry's model, status and certification are not claimed for this authenticator`,
    ]);
    expect(r).toMatchObject({ trusted: true, rootSource: 'given', metadataBacked: false, claimedModel: MODEL, chainValid: true });
    expect(r).not.toHaveProperty('model');
    expect(r).not.toHaveProperty('mdsEntry');
    expect(r).not.toHaveProperty('status');
  });

  it('ATT_METADATA_NOT_BACKING without a description names only the AAGUID', async () => {
    const otherRoot = await testRoot('CN=Other Vendor Root, O=fido-harness TEST, C=US');
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [otherRoot.cert], metadataStatement: { description: '' } }]);
    const r = await verifyAttestation(packed.json, { at, store, roots: [packed.attestationRoot.cert] });
    expect(r.problems.map((p) => p.message)).toEqual([
      `chain valid to the operator root "${packed.attestationRoot.cert.subject}", which is not among the attestationRootCertificates of the MDS entry for ${AAGUID}: that entry's model, status and certification are not claimed for this authenticator`,
    ]);
    expect(r).not.toHaveProperty('claimedModel');
  });

  it("the entry's roots do not validate and no operator root is given: the chain fails against the entry's roots", async () => {
    const otherRoot = await testRoot('CN=Other Vendor Root, O=fido-harness TEST, C=US');
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [otherRoot.cert] }]);
    const r = await verifyAttestation(packed.json, { at, store });
    expect(r).toMatchObject({ chainValid: false, trusted: false, chainPath: [], metadataBacked: false, claimedModel: MODEL });
    expect(r).not.toHaveProperty('rootSource');
    expect(r.problems.filter((p) => p.severity === 'fail').every((p) => p.message.startsWith('attestation chain: '))).toBe(true);
    expect(r.problems.some((p) => p.severity === 'fail')).toBe(true);
    // neither the entry's nor the operator's roots validate it
    const both = await verifyAttestation(packed.json, { at, store, roots: [otherRoot.cert] });
    expect(both).toMatchObject({ chainValid: false, trusted: false });
    expect(both).not.toHaveProperty('rootSource');
  });

  it('the metadata root is preferred to an operator root that also validates', async () => {
    const store = await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [packed.attestationRoot.cert] }]);
    const r = await verifyAttestation(packed.json, { at, store, roots: [packed.attestationRoot.cert] });
    expect(r).toMatchObject({ rootSource: 'metadata', metadataBacked: true, model: MODEL, trusted: true });
    expect(r.problems).toEqual([]);
    // no CRL was supplied: the path's revocation is unknown, which the result carries as a warning
    expect(r.chainWarnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE']);
    expect(r.chainPath.map((c) => c.subject)).toEqual([packed.attestationCert.cert.subject, packed.attestationRoot.cert.subject]);
  });
});

describe('status and attestation types (MDS3 §3.1.3, Metadata Statement attestationTypes)', () => {
  const verifyWith = async (entry: Partial<TestMdsEntryInput>, firmwareVersion?: number) =>
    verifyAttestation(packed.json, {
      at,
      store: await storeWith([{ aaguid: AAGUID, description: MODEL, attestationRootCertificates: [packed.attestationRoot.cert], ...entry }]),
      ...(firmwareVersion !== undefined ? { firmwareVersion } : {}),
    });
  const update: StatusReport[] = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'UPDATE_AVAILABLE', effectiveDate: '2025-01-01', authenticatorVersion: 5 }];

  it('UPDATE_AVAILABLE is a warning (still trusted); a device reporting that firmware has applied it', async () => {
    const r = await verifyWith({ statusReports: update });
    expect(lines(r)).toEqual(['warn ATT_STATUS: MDS status UPDATE_AVAILABLE since 2025-01-01 (authenticatorVersion 5)']);
    expect(r.trusted).toBe(true);
    expect((await verifyWith({ statusReports: update }, 5)).problems).toEqual([]);
  });

  it('attestation type basic not among the statement attestationTypes → ATT_TYPE_NOT_IN_METADATA (warn)', async () => {
    const r = await verifyWith({ attestationTypes: ['basic_surrogate', 'anonca'] });
    expect(lines(r)).toEqual(["warn ATT_TYPE_NOT_IN_METADATA: attestation type basic is not among the statement's attestationTypes (basic_surrogate, anonca)"]);
    expect((await verifyWith({ attestationTypes: ['attca', 'basic_full'] })).problems).toEqual([]);
  });

  it("a compromise report naming another root of the entry, not on this attestation's validated path, does not fail it", async () => {
    const otherRoot = await testRoot('CN=Other Vendor Root, O=fido-harness TEST, C=US');
    const r = await verifyWith({
      attestationRootCertificates: [packed.attestationRoot.cert, otherRoot.cert],
      statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'ATTESTATION_KEY_COMPROMISE', certificate: Buffer.from(otherRoot.cert.rawData).toString('base64') }],
    });
    expect(r.problems.filter((p) => p.severity === 'fail')).toEqual([]);
    expect(r.trusted).toBe(true);
  });

  it('a compromise report naming a root of the entry counts when no path could be validated', async () => {
    const otherRoot = await testRoot('CN=Other Vendor Root, O=fido-harness TEST, C=US');
    const r = await verifyWith({
      attestationRootCertificates: [otherRoot.cert],
      statusReports: [{ status: 'ATTESTATION_KEY_COMPROMISE', certificate: Buffer.from(otherRoot.cert.rawData).toString('base64') }],
    });
    expect(r.problems.filter((p) => p.code === 'ATT_STATUS').map((p) => p.severity)).toEqual(['fail']);
  });
});
