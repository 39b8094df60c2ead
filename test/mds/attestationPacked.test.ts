import 'reflect-metadata';
import { sign, webcrypto } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { aaguidToBytes } from '../../mds/aaguid.ts';
import { OID_FIDO_AAGUID } from '../../mds/attestation/certificateFields.ts';
import { packedCertificateProblems } from '../../mds/attestation/formats/verifyPacked.ts';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { generateTestKeyPair, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import {
  authDataFor,
  der,
  derOctets,
  ed25519Credential,
  es256,
  ext,
  oldVersionCertificate,
  ORIGIN,
  p256Credential,
  registration,
  RP_ID,
  rsaCredential,
  testLeaf,
  testRoot,
  toBeSigned,
  type CraftedCredential,
} from './craftAttestation.ts';

// WebAuthn L3 §8.2 (packed): self attestation (step 3) and the §8.2.1 certificate requirements of full
// attestation, each broken on its own.
const at = new Date('2026-06-01T00:00:00Z');
const AAGUID = '0c7d1e2f-3a4b-4c5d-8e6f-708192a3b4c5';
const verify = (json: RegistrationResponseJSON | Uint8Array, roots: TestCertifiedKey[] = []) =>
  verifyAttestation(json, { at, roots: roots.map((r) => r.cert), rpId: RP_ID, expectedOrigin: ORIGIN });
const only = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);
const SELF_WARNING = 'warn ATT_SELF_ATTESTATION: self attestation: signed by the credential key itself, no certificate chain, so the authenticator model cannot be trusted';

let ec: CraftedCredential;
beforeAll(async () => {
  ec = await p256Credential();
});

function self(cred: CraftedCredential, o: { alg?: unknown; sig?: Uint8Array | null; signWith?: (data: Buffer) => Uint8Array; cose?: Map<number, unknown> } = {}): RegistrationResponseJSON {
  const authData = authDataFor(o.cose ?? cred.cose, { aaguid: AAGUID });
  const data = toBeSigned(authData);
  const stmt = new Map<string, unknown>([['alg', o.alg ?? cred.cose.get(3)]]);
  if (o.sig !== null) stmt.set('sig', o.sig ?? (o.signWith ? o.signWith(data) : new Uint8Array(sign(cred.cose.get(3) === -8 ? null : 'sha256', data, cred.privateKey))));
  return registration('packed', authData, stmt);
}

describe('packed self attestation (WebAuthn L3 §8.2 step 3)', () => {
  it.each([
    ['ES256, P-256', () => ec],
    ['EdDSA, Ed25519', ed25519Credential],
    ['RS256, RSA', rsaCredential],
  ])('%s: a valid signature by the credential key, never trusted', async (_n, make) => {
    const r = await verify(self(await make()));
    expect(only(r)).toEqual([SELF_WARNING]);
    expect(r).toMatchObject({ attestationType: 'self', signatureValid: true, trusted: false, trustPath: [], chainValid: false });
  });

  it('PS256 with an RSA credential key declared PS256', async () => {
    const rsa = rsaCredential();
    const cose = new Map(rsa.cose).set(3, -37);
    const signWith = (data: Buffer) => new Uint8Array(sign('sha256', data, { key: rsa.privateKey, padding: 6, saltLength: 32 }));
    const r = await verify(self({ ...rsa, cose }, { cose, alg: -37, signWith }));
    expect(only(r)).toEqual([SELF_WARNING]);
    expect(r.signatureValid).toBe(true);
  });

  it('an alg other than the credential key alg → ATT_ALG_UNSUPPORTED (§8.2 step 3)', async () => {
    const r = await verify(self(ec, { alg: -35 }));
    expect(only(r)).toEqual([
      'fail ATT_ALG_UNSUPPORTED: self attestation alg -35 differs from the credential key alg -7 (§8.2 step 3)',
      'fail ATT_ALG_MISMATCH: alg -35 (ES384) needs an EC secp384r1 key, the key is ec prime256v1: alg does not fit the credential key (§8.2 step 3)',
      'fail ATT_SIGNATURE_INVALID: packed self-attestation signature does not verify with the credential key',
      SELF_WARNING,
    ]);
    expect(r.signatureValid).toBe(false);
  });

  it('a signature of other data → ATT_SIGNATURE_INVALID', async () => {
    const r = await verify(self(ec, { signWith: () => es256(ec.privateKey, Uint8Array.of(1)) }));
    expect(only(r)).toEqual(['fail ATT_SIGNATURE_INVALID: packed self-attestation signature does not verify with the credential key', SELF_WARNING]);
    expect(r.signatureValid).toBe(false);
  });

  it('a credential key node:crypto cannot use → ATT_MALFORMED', async () => {
    const cose = new Map(ec.cose).set(-1, 42);
    const r = await verify(self(ec, { cose }));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: credential public key unusable: COSE EC2 curve 42 not supported', 'fail ATT_SIGNATURE_INVALID: packed self-attestation signature does not verify with the credential key', SELF_WARNING]);
  });

  it('authData without attested credential data → ATT_MALFORMED from the format too', async () => {
    const authData = new Uint8Array(authDataFor(ec.cose).subarray(0, 37));
    authData[32] = 0x01;
    const r = await verify(registration('packed', authData, new Map<string, unknown>([['alg', -7], ['sig', new Uint8Array(8)]])));
    expect(only(r)).toContain('fail ATT_MALFORMED: no attested credential data in authData');
    expect(r).toMatchObject({ attestationType: 'self', signatureValid: false });
  });

  it('without clientDataHash: ATT_NO_CLIENT_DATA, not valid', async () => {
    const ao = Buffer.from(self(ec).response.attestationObject, 'base64url');
    const r = await verifyAttestation(new Uint8Array(ao), { at });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA', 'ATT_SELF_ATTESTATION']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['no alg', { alg: 'omit' }, 'fail ATT_MALFORMED: packed attStmt needs alg (int) and sig (bytes)'],
    ['alg as text', { alg: '-7' }, 'fail ATT_MALFORMED: packed attStmt needs alg (int) and sig (bytes)'],
    ['no sig', { sig: null }, 'fail ATT_MALFORMED: packed attStmt needs alg (int) and sig (bytes)'],
    ['an unknown alg', { alg: 4242 }, 'fail ATT_ALG_UNSUPPORTED: packed alg 4242 is not supported'],
  ] as const)('%s → %s', async (_n, o, problem) => {
    const json = 'alg' in o && o.alg === 'omit' ? registration('packed', authDataFor(ec.cose, { aaguid: AAGUID }), new Map<string, unknown>([['sig', new Uint8Array(8)]])) : self(ec, o as never);
    const r = await verify(json);
    expect(only(r)).toEqual([problem]);
    expect(r).toMatchObject({ attestationType: 'self', signatureValid: false });
  });
});

describe('packed full attestation (WebAuthn L3 §8.2 step 2, §8.2.1)', () => {
  let root: TestCertifiedKey;
  beforeAll(async () => {
    root = await testRoot();
  });
  const aaguidExt = (aaguid = AAGUID, critical = false) => ext(OID_FIDO_AAGUID, derOctets(aaguidToBytes(aaguid)), critical);

  function full(leaf: TestCertifiedKey | { cert: X509Certificate; keys: webcrypto.CryptoKeyPair }, o: { alg?: unknown; sig?: Uint8Array | null; flags?: number } = {}): RegistrationResponseJSON {
    const authData = authDataFor(ec.cose, { aaguid: AAGUID, ...(o.flags !== undefined ? { flags: o.flags } : {}) });
    const stmt = new Map<string, unknown>([['alg', o.alg ?? -7], ['x5c', [new Uint8Array(leaf.cert.rawData), der(root)]]]);
    if (o.alg === 'omit') stmt.delete('alg');
    if (o.sig !== null) stmt.set('sig', o.sig ?? es256(leaf as TestCertifiedKey, toBeSigned(authData)));
    return registration('packed', authData, stmt);
  }
  const withSubject = async (subject: string) => verify(full(await testLeaf(root, { subject, extensions: [aaguidExt()] })), [root]);

  it('the honest statement is trusted (basic)', async () => {
    const r = await verify(full(await testLeaf(root, { extensions: [aaguidExt()] })), [root]);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: true, trusted: true });
  });

  it.each([
    ['no alg', { alg: 'omit' }, 'fail ATT_MALFORMED: packed attStmt needs alg (int) and sig (bytes)'],
    ['no sig', { sig: null }, 'fail ATT_MALFORMED: packed attStmt needs alg (int) and sig (bytes)'],
    ['an unknown alg', { alg: 4242 }, 'fail ATT_ALG_UNSUPPORTED: packed alg 4242 is not supported'],
  ] as const)('%s → %s, typed basic', async (_n, o, problem) => {
    const leaf = await testLeaf(root, { extensions: [aaguidExt()] });
    const r = await verify(full(leaf, o as never), [root]);
    expect(r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`)).toEqual([problem]);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trustPath: [expect.anything(), expect.anything()] });
  });

  it('an x5c that cannot be read → only its ATT_MALFORMED, typed basic, no signature', async () => {
    const authData = authDataFor(ec.cose, { aaguid: AAGUID });
    const r = await verify(registration('packed', authData, new Map<string, unknown>([['alg', -7], ['sig', new Uint8Array(8)], ['x5c', []]])), [root]);
    expect(only(r)).toEqual(['fail ATT_MALFORMED: attStmt.x5c is not a non-empty array of byte strings']);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trustPath: [] });
  });

  it('ES384 declared for a P-256 attestation key → ATT_ALG_MISMATCH and the signature is not valid', async () => {
    const r = await verify(full(await testLeaf(root, { extensions: [aaguidExt()] }), { alg: -35 }), [root]);
    expect(only(r)).toEqual([
      "fail ATT_ALG_MISMATCH: alg -35 (ES384) needs an EC secp384r1 key, the key is ec prime256v1: alg does not fit the attestation certificate's key (§8.2 step 2)",
      'fail ATT_SIGNATURE_INVALID: packed signature (ES384) does not verify with the x5c leaf',
    ]);
  });

  it('without clientDataHash: ATT_NO_CLIENT_DATA, the certificate is still checked', async () => {
    const json = full(await testLeaf(root, { subject: 'C=US, O=x, CN=y', extensions: [aaguidExt()] }));
    const r = await verifyAttestation(new Uint8Array(Buffer.from(json.response.attestationObject, 'base64url')), { at, roots: [root.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA', 'ATT_CERT_REQUIREMENTS']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['C=us, O=fido-harness TEST, OU=Authenticator Attestation, CN=x', 'subject C "us" is not an ISO 3166 two-letter code (§8.2.1)'],
    ['C=USA, O=fido-harness TEST, OU=Authenticator Attestation, CN=x', 'subject C "USA" is not an ISO 3166 two-letter code (§8.2.1)'],
    ['O=fido-harness TEST, OU=Authenticator Attestation, CN=x', 'subject C undefined is not an ISO 3166 two-letter code (§8.2.1)'],
    ['C=US, OU=Authenticator Attestation, CN=x', 'subject O (vendor) missing (§8.2.1)'],
    ['C=US, O=fido-harness TEST, CN=x', 'subject OU is undefined, "Authenticator Attestation" required (§8.2.1)'],
    ['C=US, O=fido-harness TEST, OU=Authenticator Attestation', 'subject CN missing (§8.2.1)'],
  ])('subject %s → ATT_CERT_REQUIREMENTS', async (subject, message) => {
    const r = await withSubject(subject);
    expect(only(r)).toEqual([`fail ATT_CERT_REQUIREMENTS: ${message}`]);
    expect(r.trusted).toBe(false);
  });

  it('Basic Constraints CA true → ATT_CERT_REQUIREMENTS naming cA', async () => {
    const r = await verify(full(await testLeaf(root, { ca: true, extensions: [aaguidExt()] })), [root]);
    expect(only(r)).toContain('fail ATT_CERT_REQUIREMENTS: Basic Constraints cA is not false; it must be present with CA false (§8.2.1)');
  });

  it('Basic Constraints absent → ATT_CERT_REQUIREMENTS naming its absence', async () => {
    const r = await verify(full(await testLeaf(root, { omitBasicConstraints: true, extensions: [aaguidExt()] })), [root]);
    expect(only(r)).toEqual(['fail ATT_CERT_REQUIREMENTS: Basic Constraints extension is absent; it must be present with CA false (§8.2.1)']);
  });

  it('a Basic Constraints value that is not DER → ATT_CERT_REQUIREMENTS (cannot show CA false)', async () => {
    const leaf = await testLeaf(root, { omitBasicConstraints: true, extensions: [aaguidExt(), ext('2.5.29.19', Uint8Array.of(0x30, 0x03, 0x01))] });
    const r = await verify(full(leaf), [root]);
    expect(only(r)).toContain('fail ATT_CERT_REQUIREMENTS: Basic Constraints cA is not false; it must be present with CA false (§8.2.1)');
  });

  it('an attestation certificate of X.509 version 1 → ATT_CERT_REQUIREMENTS', async () => {
    const keys = await generateTestKeyPair();
    const cert = new X509Certificate(oldVersionCertificate(root, keys, 1));
    const problems = packedCertificateProblems(cert, aaguidToBytes(AAGUID)).map((p) => p.message);
    expect(problems).toContain('attestation certificate is X.509 version 1, version 3 required (§8.2.1)');
    const v2 = packedCertificateProblems(new X509Certificate(oldVersionCertificate(root, keys, 2)), undefined).map((p) => p.message);
    expect(v2).toContain('attestation certificate is X.509 version 2, version 3 required (§8.2.1)');
    const r = await verify(full({ cert, keys }), [root]);
    expect(r.trusted).toBe(false);
  });

  it('a certificate that is not DER inside → its version is unreadable', () => {
    const fake = { rawData: Uint8Array.of(0x30, 0x03, 0x30, 0x01, 0x02).buffer, subjectName: { getField: () => ['x'] } } as unknown as X509Certificate;
    const problems = packedCertificateProblems(fake, undefined).map((p) => p.message);
    expect(problems[0]).toMatch(/^attestation certificate version unreadable: DER truncated/);
  });

  it('an id-fido-gen-ce-aaguid extension marked critical → ATT_AAGUID_MISMATCH', async () => {
    const r = await verify(full(await testLeaf(root, { extensions: [aaguidExt(AAGUID, true)] })), [root]);
    expect(only(r)).toContain('fail ATT_AAGUID_MISMATCH: id-fido-gen-ce-aaguid extension is marked critical; it must not be (§8.2.1)');
    expect(r.trusted).toBe(false);
  });

  it('an id-fido-gen-ce-aaguid extension that is not an OCTET STRING of 16 bytes → ATT_AAGUID_MISMATCH', async () => {
    for (const value of [derOctets(new Uint8Array(17)), Uint8Array.of(0x02, 0x01, 0x01), Uint8Array.of(0x04, 0x10)]) {
      const r = await verify(full(await testLeaf(root, { extensions: [ext(OID_FIDO_AAGUID, value)] })), [root]);
      expect(r.problems.map((p) => p.code)).toEqual(['ATT_AAGUID_MISMATCH']);
      expect(r.problems[0]!.message).toMatch(/^id-fido-gen-ce-aaguid extension malformed: /);
    }
  });

  it('a certificate AAGUID other than authData\'s → ATT_AAGUID_MISMATCH naming both in hex (§8.2 step 2)', async () => {
    const r = await verify(full(await testLeaf(root, { extensions: [aaguidExt('99999999-9999-4999-8999-999999999999')] })), [root]);
    expect(only(r)).toEqual([
      `fail ATT_AAGUID_MISMATCH: certificate AAGUID 99999999999949998999999999999999 differs from authData AAGUID ${AAGUID.replaceAll('-', '')} (§8.2 step 2)`,
    ]);
    expect(r).toMatchObject({ signatureValid: true, trusted: false });
  });

  it('an x5c statement over authData without attested credential data: still typed basic, the certificate checked, never trusted', async () => {
    const authData = new Uint8Array(authDataFor(ec.cose).subarray(0, 37));
    authData[32] = 0x01; // UP, no AT
    const leaf = await testLeaf(root, { subject: 'C=US, O=x, CN=y', extensions: [aaguidExt()] });
    const stmt = new Map<string, unknown>([['alg', -7], ['sig', es256(leaf, toBeSigned(authData))], ['x5c', [der(leaf), der(root)]]]);
    const r = await verify(registration('packed', authData, stmt), [root]);
    expect(only(r)).toEqual([
      'fail ATT_MALFORMED: authData has no attested credential data (AT flag clear)',
      'fail ATT_CERT_REQUIREMENTS: subject OU is undefined, "Authenticator Attestation" required (§8.2.1)',
      'warn ATT_ZERO_AAGUID: authData AAGUID is all zeros: the model cannot be looked up',
    ]);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: true, trusted: false });
    expect(r.trustPath).toHaveLength(2);
  });

  it('a certificate AAGUID is compared only when authData has one', () => {
    return testLeaf(root, { extensions: [aaguidExt('99999999-9999-4999-8999-999999999999')] }).then((leaf) => {
      expect(packedCertificateProblems(leaf.cert, undefined)).toEqual([]);
      expect(packedCertificateProblems(leaf.cert, aaguidToBytes(AAGUID)).map((p) => p.code)).toEqual(['ATT_AAGUID_MISMATCH']);
    });
  });
});

