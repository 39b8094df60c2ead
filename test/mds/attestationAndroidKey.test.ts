import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID_ANDROID_KEY_DESCRIPTION } from '../../mds/attestation/formats/verifyAndroidKey.ts';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import {
  authDataFor,
  CLIENT_DATA_HASH,
  der,
  derInt,
  derOctets,
  derSeq,
  derSet,
  es256,
  ext,
  ORIGIN,
  p256Credential,
  registration,
  RP_ID,
  testLeaf,
  testRoot,
  tlv,
  toBeSigned,
  type CraftedCredential,
} from './craftAttestation.ts';

// WebAuthn L3 §8.4 (Android Key Attestation): the credential key's own certificate carries the
// KeyDescription extension; each crafted statement breaks one step of the verification procedure.
const AAGUID = '550e4b54-aa47-409f-9a95-1ab76c130131';
const at = new Date('2026-06-01T00:00:00Z');

/** AuthorizationList members (Android Keymaster tags), each [tag] EXPLICIT */
interface AuthorizationList {
  /** a universal BOOLEAN TRUE first, which is no AuthorizationList member (they are all context-tagged) */
  universalFirst?: boolean;
  purpose?: number[] | 'not-a-set';
  origin?: number;
  allApplications?: boolean;
}
const explicit = (tag: number, content: Uint8Array) => (tag < 31 ? tlv(0xa0 | tag, content) : tlv([0xbf, 0x80 | (tag >> 7), tag & 0x7f], content));
function authorizationList(a: AuthorizationList): Uint8Array {
  return derSeq(
    ...(a.universalFirst ? [tlv(0x01, Uint8Array.of(0xff))] : []),
    ...(a.purpose === 'not-a-set' ? [explicit(1, derInt(2))] : a.purpose ? [explicit(1, derSet(...a.purpose.map(derInt)))] : []),
    ...(a.allApplications ? [explicit(600, Uint8Array.of(0x05, 0x00))] : []),
    ...(a.origin !== undefined ? [explicit(702, derInt(a.origin))] : []),
  );
}

interface KeyDescriptionOptions {
  challenge?: Uint8Array | 'integer';
  software?: AuthorizationList;
  tee?: AuthorizationList;
  /** keep only the first n members of KeyDescription */
  members?: number;
}
const GENERATED_SIGNING: AuthorizationList = { purpose: [2], origin: 0 };
function keyDescription(o: KeyDescriptionOptions): Uint8Array {
  const challenge = o.challenge === 'integer' ? derInt(1) : derOctets(o.challenge ?? CLIENT_DATA_HASH);
  const members = [derInt(3), tlv(0x0a, Uint8Array.of(1)), derInt(4), tlv(0x0a, Uint8Array.of(1)), challenge, derOctets(new Uint8Array(0)), authorizationList(o.software ?? {}), authorizationList(o.tee ?? GENERATED_SIGNING)];
  return derSeq(...members.slice(0, o.members ?? members.length));
}

let root: TestCertifiedKey;
let cred: CraftedCredential;
let leaf: TestCertifiedKey;
beforeAll(async () => {
  root = await testRoot();
  cred = await p256Credential();
  leaf = await androidLeaf({});
});

async function androidLeaf(o: KeyDescriptionOptions & { noExtension?: boolean; keys?: CraftedCredential }): Promise<TestCertifiedKey> {
  return testLeaf(root, { subject: 'CN=Android Keystore Key', keys: (o.keys ?? cred).keys!, extensions: o.noExtension ? [] : [ext(OID_ANDROID_KEY_DESCRIPTION, keyDescription(o))] });
}

function androidKey(certificate: TestCertifiedKey, o: { alg?: unknown; sig?: Uint8Array | null; x5c?: null; cose?: Map<number, unknown>; flags?: number } = {}): RegistrationResponseJSON {
  const authData = authDataFor(o.cose ?? cred.cose, { aaguid: AAGUID, ...(o.flags !== undefined ? { flags: o.flags } : {}) });
  const stmt = new Map<string, unknown>(o.alg === 'omit' ? [] : [['alg', o.alg ?? -7]]);
  if (o.sig !== null) stmt.set('sig', o.sig ?? es256(cred.privateKey, toBeSigned(authData)));
  if (o.x5c !== null) stmt.set('x5c', [der(certificate), der(root)]);
  return registration('android-key', authData, stmt);
}

const verify = (json: RegistrationResponseJSON | Uint8Array) => verifyAttestation(json, { at, roots: [root.cert], rpId: RP_ID, expectedOrigin: ORIGIN });
const only = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('android-key (WebAuthn L3 §8.4)', () => {
  it('the honest statement is trusted (basic attestation)', async () => {
    const r = await verify(androidKey(leaf));
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'android-key', attestationType: 'basic', signatureValid: true, chainValid: true, trusted: true });
  });

  it('origin and purpose in softwareEnforced only are accepted (the union of both lists)', async () => {
    const r = await verify(androidKey(await androidLeaf({ software: GENERATED_SIGNING, tee: {} })));
    expect(only(r)).toEqual([]);
    expect(r.trusted).toBe(true);
  });

  it('members other than context-tagged ones are not read as authorizations', async () => {
    const r = await verify(androidKey(await androidLeaf({ tee: { universalFirst: true, purpose: [2], origin: 0 } })));
    expect(r.problems).toEqual([]);
    expect(r.trusted).toBe(true);
  });

  it.each([
    ['no alg', { alg: 'omit' }],
    ['alg as text', { alg: '-7' }],
    ['an unknown alg', { alg: 4242 }],
    ['no sig', { sig: null }],
    ['no x5c', { x5c: null }],
  ] as const)('%s → ATT_MALFORMED', async (_n, o) => {
    const r = await verify(androidKey(leaf, o as never));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: android-key attStmt needs a supported alg, sig and x5c']);
    expect(r).toMatchObject({ signatureValid: false, attestationType: 'basic' });
  });

  it('without clientDataHash: ATT_NO_CLIENT_DATA, signature not valid', async () => {
    const ao = Buffer.from(androidKey(leaf).response.attestationObject, 'base64url');
    const r = await verifyAttestation(new Uint8Array(ao), { at, roots: [root.cert] });
    expect(only(r)).toEqual(['warn ATT_NO_CLIENT_DATA: no clientDataJSON or clientDataHash given: the attestation signature could not be checked']);
    expect(r).toMatchObject({ signatureValid: false, attestationType: 'basic', trustPath: [expect.anything(), expect.anything()] });
  });

  it('a signature by another key → ATT_SIGNATURE_INVALID (§8.4 step 2)', async () => {
    const other = await p256Credential();
    const r = await verify(androidKey(leaf, { sig: es256(other.privateKey, Uint8Array.of(1)) }));
    expect(only(r)).toEqual(['fail ATT_SIGNATURE_INVALID: android-key signature (ES256) does not verify with the x5c leaf (§8.4 step 2)']);
    expect(r.signatureValid).toBe(false);
  });

  it('a leaf certifying another key than the credential key → ATT_PUBKEY_MISMATCH (§8.4 step 3)', async () => {
    const other = await p256Credential();
    const otherLeaf = await androidLeaf({ keys: other });
    const authData = authDataFor(cred.cose, { aaguid: AAGUID });
    const json = registration('android-key', authData, new Map<string, unknown>([['alg', -7], ['sig', es256(other.privateKey, toBeSigned(authData))], ['x5c', [der(otherLeaf), der(root)]]]));
    const r = await verify(json);
    expect(only(r)).toEqual(['fail ATT_PUBKEY_MISMATCH: x5c leaf public key differs from the credential public key (§8.4 step 3)']);
    expect(r.signatureValid).toBe(false);
  });

  it('a credential public key node:crypto cannot use → ATT_MALFORMED', async () => {
    const cose = new Map(cred.cose);
    cose.set(-1, 99);
    const r = await verify(androidKey(leaf, { cose }));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: credential public key unusable: COSE EC2 curve 99 not supported']);
    expect(r.signatureValid).toBe(false);
  });

  it('no KeyDescription extension → ATT_ANDROID_AUTHORIZATION', async () => {
    const r = await verify(androidKey(await androidLeaf({ noExtension: true })));
    expect(only(r)).toEqual(['fail ATT_ANDROID_AUTHORIZATION: KeyDescription: KeyDescription extension 1.3.6.1.4.1.11129.2.1.17 missing']);
    expect(r.signatureValid).toBe(false);
  });

  it('attestationChallenge other than clientDataHash → ATT_NONCE_MISMATCH (§8.4 step 4)', async () => {
    const r = await verify(androidKey(await androidLeaf({ challenge: new Uint8Array(32) })));
    expect(only(r)).toEqual(['fail ATT_NONCE_MISMATCH: attestationChallenge is not clientDataHash (§8.4 step 4)']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['not an OCTET STRING', { challenge: 'integer' }],
    ['absent (KeyDescription cut short)', { members: 4 }],
  ] as const)('attestationChallenge %s → ATT_ANDROID_AUTHORIZATION', async (_n, o) => {
    const r = await verify(androidKey(await androidLeaf(o)));
    expect(only(r)).toEqual(['fail ATT_ANDROID_AUTHORIZATION: KeyDescription: KeyDescription.attestationChallenge missing']);
  });

  it('KeyDescription without the authorization lists → ATT_ANDROID_AUTHORIZATION', async () => {
    const r = await verify(androidKey(await androidLeaf({ members: 6 })));
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_ANDROID_AUTHORIZATION']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['softwareEnforced', { software: { allApplications: true } }],
    ['teeEnforced', { tee: { ...GENERATED_SIGNING, allApplications: true } }],
  ])('allApplications in %s → ATT_ANDROID_AUTHORIZATION (§8.4 step 4)', async (_n, o) => {
    const r = await verify(androidKey(await androidLeaf(o)));
    expect(only(r)).toEqual(['fail ATT_ANDROID_AUTHORIZATION: allApplications is present: the key is not scoped to the RP (§8.4 step 4)']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['imported (KM_ORIGIN_IMPORTED)', { tee: { purpose: [2], origin: 2 } }],
    ['absent', { tee: { purpose: [2] } }],
    ['generated in softwareEnforced but imported in teeEnforced', { software: { origin: 0 }, tee: { purpose: [2], origin: 2 } }],
  ])('origin %s → ATT_ANDROID_AUTHORIZATION', async (_n, o) => {
    const r = await verify(androidKey(await androidLeaf(o)));
    expect(only(r)).toEqual(['fail ATT_ANDROID_AUTHORIZATION: origin is not KM_ORIGIN_GENERATED (§8.4 step 4)']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['encrypt/decrypt only', { tee: { purpose: [0, 1], origin: 0 } }],
    ['absent', { tee: { origin: 0 } }],
    ['not a SET', { tee: { purpose: 'not-a-set', origin: 0 } }],
    ['sign in softwareEnforced but verify only in teeEnforced', { software: { purpose: [2] }, tee: { purpose: [3], origin: 0 } }],
  ] as const)('purpose %s → ATT_ANDROID_AUTHORIZATION', async (_n, o) => {
    const r = await verify(androidKey(await androidLeaf(o as KeyDescriptionOptions)));
    expect(only(r)).toEqual(['fail ATT_ANDROID_AUTHORIZATION: purpose does not include KM_PURPOSE_SIGN (§8.4 step 4)']);
    expect(r.signatureValid).toBe(false);
  });
});
