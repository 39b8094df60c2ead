import 'reflect-metadata';
import { KeyObject, sign, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import {
  authDataFor,
  der,
  u2fVerificationData,
  es256,
  ORIGIN,
  p256Credential,
  registration,
  RP_ID,
  rsaCredential,
  testLeaf,
  testRoot,
  type CraftedCredential,
} from './craftAttestation.ts';

// WebAuthn L3 §8.6 (FIDO U2F) and §8.7 (none).
const at = new Date('2026-06-01T00:00:00Z');

let root: TestCertifiedKey;
let leaf: TestCertifiedKey;
let cred: CraftedCredential;
beforeAll(async () => {
  root = await testRoot();
  leaf = await testLeaf(root, { subject: 'CN=Crafted U2F Attestation' });
  cred = await p256Credential();
});

function u2f(o: { x5c?: TestCertifiedKey[]; sig?: Uint8Array | null; cose?: Map<number, unknown>; flags?: number } = {}): RegistrationResponseJSON {
  const cose = o.cose ?? cred.cose;
  const authData = authDataFor(cose, o.flags !== undefined ? { flags: o.flags } : {});
  const stmt = new Map<string, unknown>([['x5c', (o.x5c ?? [leaf]).map(der)]]);
  if (o.sig !== null) stmt.set('sig', o.sig ?? es256(leaf, u2fVerificationData(cred.cose)));
  return registration('fido-u2f', authData, stmt);
}

const verify = (json: RegistrationResponseJSON | Uint8Array) => verifyAttestation(json, { at, roots: [root.cert], rpId: RP_ID, expectedOrigin: ORIGIN });
const only = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('fido-u2f (WebAuthn L3 §8.6)', () => {
  it('the honest statement is trusted; the key identifier names the certificate', async () => {
    const r = await verify(u2f());
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'fido-u2f', attestationType: 'basic', signatureValid: true, chainValid: true, trusted: true });
  });

  it('x5c with two certificates → ATT_MALFORMED (§8.6 step 2), even with a good signature', async () => {
    const r = await verify(u2f({ x5c: [leaf, root] }));
    expect(only(r)).toContain('fail ATT_MALFORMED: fido-u2f x5c must hold exactly one certificate, has 2 (§8.6 step 2)');
    expect(r.signatureValid).toBe(true);
    expect(r.trusted).toBe(false);
  });

  it('no x5c certificate, no sig → ATT_MALFORMED', async () => {
    const noCert = await verify(u2f({ x5c: [] }));
    expect(noCert.problems.map((p) => p.code)).toEqual(['ATT_MALFORMED', 'ATT_MALFORMED']);
    expect(noCert.signatureValid).toBe(false);
    const noSig = await verify(u2f({ sig: null }));
    expect(only(noSig)).toEqual(['fail ATT_MALFORMED: fido-u2f attStmt.sig missing']);
    expect(noSig).toMatchObject({ signatureValid: false, trustPath: [expect.anything()] });
  });

  it('an attestation certificate with a P-384 key → ATT_CERT_REQUIREMENTS (§8.6 step 2)', async () => {
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const p384 = await testLeaf(root, { subject: 'CN=P-384 U2F', keys });
    const sig = new Uint8Array(sign('sha256', u2fVerificationData(cred.cose), { key: KeyObject.from(keys.privateKey), dsaEncoding: 'der' }));
    const r = await verify(u2f({ x5c: [p384], sig }));
    expect(r.problems.map((p) => p.code)).toContain('ATT_CERT_REQUIREMENTS');
    expect(r.problems.find((p) => p.code === 'ATT_CERT_REQUIREMENTS')!.message).toBe('fido-u2f attestation certificate key is not EC P-256 (§8.6 step 2)');
    expect(r.trusted).toBe(false);
  });

  it.each([
    ['an RSA credential key', () => rsaCredential().cose],
    ['a P-384 curve label', () => new Map(cred.cose).set(-1, 2)],
    ['an OKP key type', () => new Map(cred.cose).set(1, 1)],
    ['a 31-byte x', () => new Map(cred.cose).set(-2, (cred.cose.get(-2) as Uint8Array).subarray(1))],
    ['a 31-byte y', () => new Map(cred.cose).set(-3, (cred.cose.get(-3) as Uint8Array).subarray(1))],
    ['x as text', () => new Map(cred.cose).set(-2, 'x')],
    ['y as text', () => new Map(cred.cose).set(-3, 'y')],
  ])('%s → ATT_MALFORMED (§8.6 step 3)', async (_n, cose) => {
    const r = await verify(u2f({ cose: cose() as Map<number, unknown> }));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: fido-u2f needs an EC2 P-256 credential public key with 32-byte x and y (§8.6 step 3)']);
    expect(r.signatureValid).toBe(false);
  });

  it('authData without attested credential data → ATT_MALFORMED (§8.6 step 3)', async () => {
    const authData = new Uint8Array(authDataFor(cred.cose).subarray(0, 37));
    authData[32] = 0x01;
    const r = await verify(registration('fido-u2f', authData, new Map<string, unknown>([['x5c', [der(leaf)]], ['sig', new Uint8Array(8)]])));
    expect(only(r)).toContain('fail ATT_MALFORMED: fido-u2f needs an EC2 P-256 credential public key with 32-byte x and y (§8.6 step 3)');
    expect(r.signatureValid).toBe(false);
  });

  it('without clientDataHash: ATT_NO_CLIENT_DATA, not valid', async () => {
    const ao = Buffer.from(u2f().response.attestationObject, 'base64url');
    const r = await verifyAttestation(new Uint8Array(ao), { at, roots: [root.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['another RP', { rpId: 'evil.example' }],
    ['another credential id', { credentialId: new Uint8Array(32).fill(8) }],
  ])('a signature over %s → ATT_SIGNATURE_INVALID (§8.6 step 6)', async (_n, o) => {
    const r = await verify(u2f({ sig: es256(leaf, u2fVerificationData(cred.cose, o)) }));
    expect(only(r)).toEqual(['fail ATT_SIGNATURE_INVALID: fido-u2f signature does not verify with the attestation certificate (§8.6 step 6)']);
    expect(r.signatureValid).toBe(false);
  });
});

describe('none (WebAuthn L3 §8.7)', () => {
  const none = (stmt: Map<string, unknown>) => registration('none', authDataFor(cred.cose), stmt);

  it('an empty attStmt: nothing to trust, the statement itself is sound', async () => {
    const r = await verify(none(new Map()));
    expect(only(r)).toEqual(['warn ATT_NO_ATTESTATION: attestation "none": the client or authenticator gave no attestation, so the model cannot be verified (ask for attestation "direct")']);
    expect(r.problems[0]!.severity).toBe('warn');
    expect(r).toMatchObject({ attestationType: 'none', signatureValid: true, trusted: false, trustPath: [] });
  });

  it('a "none" attStmt with members → ATT_MALFORMED', async () => {
    const r = await verify(none(new Map<string, unknown>([['sig', new Uint8Array(8)]])));
    expect(only(r)[0]).toBe('fail ATT_MALFORMED: "none" attStmt must be empty, has 1 member(s)');
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_MALFORMED', 'ATT_NO_ATTESTATION']);
    expect(r.signatureValid).toBe(false);
  });
});
