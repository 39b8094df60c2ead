import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID_APPLE_NONCE } from '../../mds/attestation/formats/verifyApple.ts';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { authDataFor, der, derOctets, derSeq, ext, ORIGIN, p256Credential, registration, RP_ID, testLeaf, testRoot, tlv, toBeSigned, type CraftedCredential } from './craftAttestation.ts';

// WebAuthn L3 §8.8 (Apple Anonymous Attestation): no signature; the credential certificate binds the
// key (step 5) and the nonce SHA-256(authData || clientDataHash) (steps 2-4).
const at = new Date('2026-06-01T00:00:00Z');
const AAGUID = 'f24a8e70-d0d3-f82c-2937-32523cc4de5a';

let root: TestCertifiedKey;
let cred: CraftedCredential;
beforeAll(async () => {
  root = await testRoot();
  cred = await p256Credential();
});

/** extnValue SEQUENCE { [1] EXPLICIT OCTET STRING nonce } (WebAuthn L3 §8.8 step 4) */
const nonceExtension = (nonce: Uint8Array, tag = 0xa1) => ext(OID_APPLE_NONCE, derSeq(tlv(tag, derOctets(nonce))));
const nonceOf = (authData: Uint8Array) => new Uint8Array(createHash('sha256').update(toBeSigned(authData)).digest());

async function apple(o: { nonce?: (authData: Uint8Array) => ReturnType<typeof ext> | null; keys?: CraftedCredential; cose?: Map<number, unknown>; x5c?: 'omit' | 'empty' } = {}): Promise<RegistrationResponseJSON> {
  const authData = authDataFor(o.cose ?? cred.cose, { aaguid: AAGUID });
  const extension = o.nonce ? o.nonce(authData) : nonceExtension(nonceOf(authData));
  const leaf = await testLeaf(root, { subject: 'CN=Apple WebAuthn credential', keys: (o.keys ?? cred).keys!, extensions: extension ? [extension] : [] });
  const stmt = new Map<string, unknown>();
  if (o.x5c !== 'omit') stmt.set('x5c', o.x5c === 'empty' ? [] : [der(leaf), der(root)]);
  return registration('apple', authData, stmt);
}

const verify = (json: RegistrationResponseJSON | Uint8Array) => verifyAttestation(json, { at, roots: [root.cert], rpId: RP_ID, expectedOrigin: ORIGIN });
const only = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('apple (WebAuthn L3 §8.8)', () => {
  it('the honest statement is trusted (anonymization CA)', async () => {
    const r = await verify(await apple());
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'apple', attestationType: 'anonca', signatureValid: true, chainValid: true, trusted: true });
  });

  it('no x5c, or an empty one → ATT_MALFORMED', async () => {
    const r = await verify(await apple({ x5c: 'omit' }));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: apple attStmt.x5c missing']);
    expect(r).toMatchObject({ attestationType: 'anonca', signatureValid: false });
    const empty = await verify(await apple({ x5c: 'empty' }));
    expect(empty.problems.map((p) => p.code)).toEqual(['ATT_MALFORMED', 'ATT_MALFORMED']);
  });

  it('a credential certificate for another key → ATT_PUBKEY_MISMATCH (§8.8 step 5)', async () => {
    const r = await verify(await apple({ keys: await p256Credential() }));
    expect(only(r)).toEqual(['fail ATT_PUBKEY_MISMATCH: credCert public key differs from the credential public key (§8.8 step 5)']);
    expect(r.signatureValid).toBe(false);
  });

  it('a credential key node:crypto cannot use → ATT_MALFORMED', async () => {
    const cose = new Map(cred.cose);
    cose.set(1, 9);
    const r = await verify(await apple({ cose }));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: credential public key unusable: COSE kty 9 not supported']);
    expect(r.signatureValid).toBe(false);
  });

  it('a nonce of other data → ATT_NONCE_MISMATCH (§8.8 step 4)', async () => {
    const r = await verify(await apple({ nonce: () => nonceExtension(new Uint8Array(32).fill(1)) }));
    expect(only(r)).toEqual(['fail ATT_NONCE_MISMATCH: apple nonce extension does not equal SHA-256(authData || clientDataHash) (§8.8 step 4)']);
    expect(r.signatureValid).toBe(false);
  });

  it('the right nonce under tag [0] instead of [1] → ATT_NONCE_MISMATCH', async () => {
    const r = await verify(await apple({ nonce: (a) => nonceExtension(nonceOf(a), 0xa0) }));
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NONCE_MISMATCH']);
  });

  it('the right nonce under a universal constructed tag 1 (not the context tag [1]) → ATT_NONCE_MISMATCH', async () => {
    const r = await verify(await apple({ nonce: (a) => nonceExtension(nonceOf(a), 0x21) }));
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NONCE_MISMATCH']);
  });

  it('an empty [1] → ATT_NONCE_MISMATCH', async () => {
    const r = await verify(await apple({ nonce: () => ext(OID_APPLE_NONCE, derSeq(tlv(0xa1))) }));
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NONCE_MISMATCH']);
  });

  it('no nonce extension, or one that is not DER → ATT_NONCE_MISMATCH naming it', async () => {
    const r = await verify(await apple({ nonce: () => null }));
    expect(only(r)).toEqual(['fail ATT_NONCE_MISMATCH: nonce extension 1.2.840.113635.100.8.2 missing']);
    const bad = await verify(await apple({ nonce: () => ext(OID_APPLE_NONCE, Uint8Array.of(0x30, 0x09)) }));
    expect(bad.problems.map((p) => p.code)).toEqual(['ATT_NONCE_MISMATCH']);
    expect(bad.problems[0]!.message).toContain('DER truncated');
    expect(bad.signatureValid).toBe(false);
  });

  it('without clientDataHash the nonce cannot be checked: ATT_NO_CLIENT_DATA, not valid', async () => {
    const ao = Buffer.from((await apple()).response.attestationObject, 'base64url');
    const r = await verifyAttestation(new Uint8Array(ao), { at, roots: [root.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA']);
    expect(r).toMatchObject({ signatureValid: false, trusted: false, attestationType: 'anonca' });
  });
});
