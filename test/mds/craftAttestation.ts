import 'reflect-metadata';
import { createHash, generateKeyPairSync, KeyObject, sign, webcrypto } from 'node:crypto';
import { Extension } from '@peculiar/x509';
import { buildAttestationObject, buildAuthenticatorData, publicKeyToCose } from '../../harness/protocol/index.ts';
import { aaguidToBytes } from '../../mds/aaguid.ts';
import type { RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { createTestCertificate, generateTestKeyPair, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { derChildren, readDerExact } from '../../mds/der.ts';

// Building blocks for crafted attestations of every WebAuthn L3 §8 format: each test builds the honest
// statement, then changes the one thing the verifier must notice.

export const RP_ID = 'example.test';
export const ORIGIN = 'https://example.test';
export const VALID_FROM = new Date('2020-01-01T00:00:00Z');
export const VALID_TO = new Date('2040-01-01T00:00:00Z');
export const CREDENTIAL_ID = new Uint8Array(32).fill(7);

/** A credential key pair with its COSE_Key (RFC 9052 §7) as authData carries it. */
export interface CraftedCredential {
  privateKey: KeyObject;
  publicKey: KeyObject;
  cose: Map<number, unknown>;
  /** the webcrypto pair, so a certificate can be issued for this very key (apple, android-key) */
  keys?: webcrypto.CryptoKeyPair;
}

export async function p256Credential(): Promise<CraftedCredential> {
  const keys = await generateTestKeyPair();
  const publicKey = KeyObject.from(keys.publicKey);
  return { privateKey: KeyObject.from(keys.privateKey), publicKey, cose: publicKeyToCose(publicKey, -7) as Map<number, unknown>, keys };
}

export function rsaCredential(): CraftedCredential {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, cose: publicKeyToCose(publicKey, -257) as Map<number, unknown> };
}

export function ed25519Credential(): CraftedCredential {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, cose: publicKeyToCose(publicKey, -8) as Map<number, unknown> };
}

export function authDataFor(cose: Map<number, unknown>, options: { aaguid?: string; flags?: number; rpId?: string; credentialId?: Uint8Array } = {}): Uint8Array {
  return buildAuthenticatorData({
    rpIdHash: createHash('sha256').update(options.rpId ?? RP_ID).digest(),
    flags: options.flags ?? 0x45, // UP | UV | AT
    signCount: 0,
    attestedCredentialData: { aaguid: aaguidToBytes(options.aaguid ?? '00000000-0000-0000-0000-000000000000'), credentialId: options.credentialId ?? CREDENTIAL_ID, credentialPublicKey: cose as never },
  });
}

export const CLIENT_DATA_JSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'dGVzdA', origin: ORIGIN }));
export const CLIENT_DATA_HASH = new Uint8Array(createHash('sha256').update(CLIENT_DATA_JSON).digest());

/** authenticatorData || clientDataHash (WebAuthn L3 §8 attToBeSigned) */
export function toBeSigned(authData: Uint8Array): Buffer {
  return Buffer.concat([authData, CLIENT_DATA_HASH]);
}

/** The registration response JSON carrying fmt/authData/attStmt and CLIENT_DATA_JSON. */
export function registration(fmt: string, authData: Uint8Array, attStmt: Map<string, unknown>): RegistrationResponseJSON {
  const attestationObject = buildAttestationObject(fmt, authData, attStmt as never);
  const id = Buffer.from(CREDENTIAL_ID).toString('base64url');
  return { id, rawId: id, type: 'public-key', response: { clientDataJSON: CLIENT_DATA_JSON.toString('base64url'), attestationObject: Buffer.from(attestationObject).toString('base64url') } };
}

/** verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || 0x04 || x || y (§8.6 step 5) */
export function u2fVerificationData(cose: Map<number, unknown>, o: { rpId?: string; credentialId?: Uint8Array } = {}): Buffer {
  return Buffer.concat([
    Uint8Array.of(0),
    createHash('sha256').update(o.rpId ?? RP_ID).digest(),
    CLIENT_DATA_HASH,
    o.credentialId ?? CREDENTIAL_ID,
    Uint8Array.of(4),
    cose.get(-2) as Uint8Array,
    cose.get(-3) as Uint8Array,
  ]);
}

export function der(cert: TestCertifiedKey): Uint8Array {
  return new Uint8Array(cert.cert.rawData);
}

/** ECDSA P-256 / SHA-256 signature, ASN.1 DER (WebAuthn L3 §6.5.6), by a certified key or a key object. */
export function es256(signer: TestCertifiedKey | KeyObject, data: Uint8Array): Uint8Array {
  const key = signer instanceof KeyObject ? signer : KeyObject.from(signer.keys.privateKey);
  return new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'der' }));
}

export async function testRoot(subject = 'CN=Crafted Attestation Root, O=fido-harness TEST, C=US'): Promise<TestCertifiedKey> {
  return createTestCertificate({ subject, serialNumber: '41', notBefore: VALID_FROM, notAfter: VALID_TO, ca: true });
}

export async function testLeaf(issuer: TestCertifiedKey, options: { subject?: string; extensions?: Extension[]; keys?: webcrypto.CryptoKeyPair; omitBasicConstraints?: boolean; ca?: boolean } = {}): Promise<TestCertifiedKey> {
  return createTestCertificate({
    subject: options.subject ?? 'C=US, O=fido-harness TEST, OU=Authenticator Attestation, CN=Crafted Attestation',
    issuer,
    serialNumber: '42',
    notBefore: VALID_FROM,
    notAfter: VALID_TO,
    ca: options.ca ?? false,
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.omitBasicConstraints ? { omitBasicConstraints: true } : {}),
    extensions: options.extensions ?? [],
  });
}

/** A DER TLV (X.690 §8.1): identifier octets, definite length, contents. */
export function tlv(identifier: number | number[], ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  const id = typeof identifier === 'number' ? [identifier] : identifier;
  const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return new Uint8Array(Buffer.concat([Uint8Array.from(id), Uint8Array.from(len), body]));
}

export const derInt = (n: number): Uint8Array => tlv(0x02, n < 0x80 ? Uint8Array.of(n) : Uint8Array.of(n >> 8, n & 0xff));
export const derOctets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const derSeq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
export const derSet = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...c);

/** A DER OBJECT IDENTIFIER (X.690 §8.19) from dotted text. */
export function derOidBytes(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const groups = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

export function ext(oid: string, value: Uint8Array, critical = false): Extension {
  return new Extension(oid, critical, new Uint8Array(value));
}

/** The DER of a Name as the certificate carries it (RFC 5280 §4.1.2.4), re-encoded from its subject. */
function subjectNameDer(cert: TestCertifiedKey): Uint8Array {
  const tbs = derChildren(readDerExact(new Uint8Array(cert.cert.rawData)))[0]!;
  return derSeq(derChildren(tbs)[5]!.value);
}

/**
 * An X.509 certificate of version 1 (no version field, no extensions) or 2 (RFC 5280 §4.1.2.1) for `keys`,
 * issued by `issuer` with ecdsa-with-SHA256: what §8.2.1 and §8.3.1 ("Version MUST be set to 3") refuse.
 * `spkiDer` replaces the key's SubjectPublicKeyInfo (e.g. one of an algorithm nobody knows).
 */
export function oldVersionCertificate(issuer: TestCertifiedKey, keys: webcrypto.CryptoKeyPair | undefined, version: 1 | 2, spkiDer?: Uint8Array): Uint8Array<ArrayBuffer> {
  const ecdsaSha256 = derSeq(derOidBytes('1.2.840.10045.4.3.2'));
  const time = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));
  const spki = spkiDer ?? new Uint8Array(KeyObject.from(keys!.publicKey).export({ format: 'der', type: 'spki' }));
  const tbs = derSeq(
    ...(version === 2 ? [tlv(0xa0, derInt(1))] : []),
    derInt(0x51),
    ecdsaSha256,
    subjectNameDer(issuer),
    derSeq(time(VALID_FROM), time(VALID_TO)),
    derSeq(derSet(derSeq(derOidBytes('2.5.4.3'), tlv(0x0c, Buffer.from('Old Version Certificate'))))),
    spki,
  );
  const signature = es256(issuer, tbs);
  return new Uint8Array(derSeq(tbs, ecdsaSha256, tlv(0x03, Uint8Array.of(0), signature)));
}
