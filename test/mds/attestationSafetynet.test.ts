import 'reflect-metadata';
import { createHash, createHmac, KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { authDataFor, derSeq, ext, ORIGIN, p256Credential, registration, RP_ID, testLeaf, testRoot, tlv, toBeSigned, type CraftedCredential } from './craftAttestation.ts';

// WebAuthn L3 §8.5 (Android SafetyNet): a JWS signed by attest.android.com's certificate whose payload
// binds SHA-256(authData || clientDataHash) as its nonce.
const at = new Date('2026-06-01T00:00:00Z');
const AAGUID = 'b93fd961-f2e6-462f-b122-82002247de78';

let root: TestCertifiedKey;
let leaf: TestCertifiedKey;
let cred: CraftedCredential;
beforeAll(async () => {
  root = await testRoot();
  leaf = await testLeaf(root, { subject: 'CN=attest.android.com, O=Google LLC, C=US' });
  cred = await p256Credential();
});

const b64 = (c: TestCertifiedKey) => Buffer.from(c.cert.rawData).toString('base64');
const nonceOf = (authData: Uint8Array) => createHash('sha256').update(toBeSigned(authData)).digest('base64');

interface SafetynetOptions {
  signer?: TestCertifiedKey;
  header?: Record<string, unknown>;
  payload?: (nonce: string) => Record<string, unknown>;
  /** the response as given (replaces the JWS) */
  response?: Uint8Array;
  ver?: unknown;
}

async function safetynet(o: SafetynetOptions = {}): Promise<RegistrationResponseJSON> {
  const authData = authDataFor(cred.cose, { aaguid: AAGUID });
  const signer = o.signer ?? leaf;
  const payload = o.payload ? o.payload(nonceOf(authData)) : { nonce: nonceOf(authData), ctsProfileMatch: true, basicIntegrity: true, timestampMs: at.getTime() - 1000 };
  const header = o.header ?? { alg: 'ES256', x5c: [b64(signer), b64(root)] };
  const jws = await new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header as never).sign(KeyObject.from(signer.keys.privateKey));
  const stmt = new Map<string, unknown>([['response', o.response ?? new Uint8Array(Buffer.from(jws))]]);
  if (o.ver !== 'omit') stmt.set('ver', o.ver ?? '210613022');
  return registration('android-safetynet', authData, stmt);
}

const verify = (json: RegistrationResponseJSON | Uint8Array) => verifyAttestation(json, { at, roots: [root.cert], rpId: RP_ID, expectedOrigin: ORIGIN });
const only = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('android-safetynet (WebAuthn L3 §8.5)', () => {
  it('the honest response is trusted (basic attestation)', async () => {
    const r = await verify(await safetynet());
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'android-safetynet', attestationType: 'basic', signatureValid: true, chainValid: true, trusted: true });
    expect(r.trustPath.map((c) => c.subject)).toEqual([leaf.cert.subject, root.cert.subject]);
  });

  it.each([
    ['no ver', { ver: 'omit' }],
    ['an empty ver', { ver: '' }],
    ['ver as a number', { ver: 2 }],
  ])('%s → ATT_MALFORMED', async (_n, o) => {
    const r = await verify(await safetynet(o));
    expect(only(r)).toEqual(['fail ATT_MALFORMED: android-safetynet attStmt needs ver (text) and response (bytes)']);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trustPath: [] });
  });

  it('a response that is text, not bytes → ATT_MALFORMED', async () => {
    const authData = authDataFor(cred.cose, { aaguid: AAGUID });
    const r = await verify(registration('android-safetynet', authData, new Map<string, unknown>([['ver', '1'], ['response', 'eyJ']])));
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_MALFORMED']);
  });

  it.each([
    ['a header that is not JSON', () => new Uint8Array(Buffer.from('bm90IGpzb24.e30.AA')), 'SafetyNet response JWS: '],
    ['no JWS header x5c', () => undefined, 'SafetyNet response JWS: JWS header x5c missing'],
    ['an empty JWS header x5c', () => undefined, 'SafetyNet response JWS: JWS header x5c missing'],
    ['an x5c entry that is no certificate', () => undefined, 'SafetyNet response JWS: response x5c[0] is not an X.509 certificate'],
  ])('%s → ATT_MALFORMED', async (name, response, message) => {
    const header = name.includes('no JWS') ? { alg: 'ES256' } : name.includes('empty') ? { alg: 'ES256', x5c: [] } : name.includes('no certificate') ? { alg: 'ES256', x5c: ['AAAA'] } : undefined;
    const r = await verify(await safetynet({ ...(response() ? { response: response()! } : {}), ...(header ? { header } : {}) }));
    expect(r.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['fail ATT_MALFORMED']);
    expect(r.problems[0]!.message.startsWith(message)).toBe(true);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trustPath: [] });
  });

  it('a response signed by another certificate than its x5c leaf → ATT_SIGNATURE_INVALID', async () => {
    const other = await testLeaf(root, { subject: 'CN=attest.android.com' });
    const r = await verify(await safetynet({ signer: other, header: { alg: 'ES256', x5c: [b64(leaf), b64(root)] } }));
    expect(r.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['fail ATT_SIGNATURE_INVALID']);
    expect(r.problems[0]!.message).toContain('SafetyNet response signature does not verify: ');
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trusted: false });
    expect(r.trustPath).toHaveLength(2);
  });

  it('a header alg naming another algorithm than the key signs with → ATT_SIGNATURE_INVALID', async () => {
    const jws = await new CompactSign(Buffer.from('{}')).setProtectedHeader({ alg: 'ES256', x5c: [b64(leaf)] }).sign(KeyObject.from(leaf.keys.privateKey));
    const [, payload, signature] = jws.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', x5c: [b64(leaf)] })).toString('base64url');
    const r = await verify(await safetynet({ response: new Uint8Array(Buffer.from(`${header}.${payload}.${signature}`)) }));
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_SIGNATURE_INVALID']);
  });

  // the header names the algorithm; one the certificate's key cannot verify with is refused, not skipped
  it.each([
    ['none, with no signature', 'none', () => new Uint8Array(0)],
    ['HS256 keyed with the certificate (key confusion)', 'HS256', (input: string) => new Uint8Array(createHmac('sha256', Buffer.from(leaf.cert.rawData)).update(input).digest())],
  ])('a header alg %s → ATT_SIGNATURE_INVALID', async (_n, alg, mac) => {
    const authData = authDataFor(cred.cose, { aaguid: AAGUID });
    const header = Buffer.from(JSON.stringify({ alg, x5c: [b64(leaf), b64(root)] })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ nonce: nonceOf(authData), ctsProfileMatch: true, timestampMs: at.getTime() - 1000 })).toString('base64url');
    const jws = `${header}.${payload}.${Buffer.from(mac(`${header}.${payload}`)).toString('base64url')}`;
    const r = await verify(registration('android-safetynet', authData, new Map<string, unknown>([['ver', '1'], ['response', new Uint8Array(Buffer.from(jws))]])));
    expect(r.problems.map((p) => `${p.severity} ${p.code}`)).toEqual(['fail ATT_SIGNATURE_INVALID']);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trusted: false });
  });

  it('a certificate issued to another host → ATT_CERT_REQUIREMENTS (§8.5 step 4)', async () => {
    const other = await testLeaf(root, { subject: 'CN=attest.example.com' });
    const r = await verify(await safetynet({ signer: other }));
    expect(only(r)).toEqual(['fail ATT_CERT_REQUIREMENTS: SafetyNet certificate is issued to "attest.example.com", not attest.android.com (§8.5 step 4)']);
    expect(r.signatureValid).toBe(false);
  });

  const sanCertificate = (names: Uint8Array[]) => testLeaf(root, { subject: 'CN=Google SafetyNet', extensions: [ext('2.5.29.17', derSeq(...names))] });
  const dnsName = (name: string) => tlv(0x82, Buffer.from(name));

  it('a certificate whose subjectAltName dNSName is attest.android.com is issued to it', async () => {
    const r = await verify(await safetynet({ signer: await sanCertificate([dnsName('www.example.com'), dnsName('attest.android.com')]) }));
    expect(r.problems).toEqual([]);
    expect(r.trusted).toBe(true);
  });

  it.each([
    ['a dNSName that only contains the host', [dnsName('attest.android.com.evil.example')]],
    ['the host as an rfc822Name [1]', [tlv(0x81, Buffer.from('attest.android.com'))]],
    ['the host under a universal tag 2 (an INTEGER, not the context tag [2])', [tlv(0x02, Buffer.from('attest.android.com'))]],
    ['a subjectAltName that is not DER', null],
  ])('%s is not attest.android.com → ATT_CERT_REQUIREMENTS', async (_n, names) => {
    const signer = names ? await sanCertificate(names) : await testLeaf(root, { subject: 'CN=Google SafetyNet', extensions: [ext('2.5.29.17', Uint8Array.of(0x30, 0x05, 0x82))] });
    const r = await verify(await safetynet({ signer }));
    expect(only(r)).toEqual(['fail ATT_CERT_REQUIREMENTS: SafetyNet certificate is issued to "Google SafetyNet", not attest.android.com (§8.5 step 4)']);
  });

  it('a nonce of other data → ATT_NONCE_MISMATCH (§8.5 step 3)', async () => {
    const r = await verify(await safetynet({ payload: () => ({ nonce: Buffer.alloc(32).toString('base64'), ctsProfileMatch: true, timestampMs: at.getTime() }) }));
    expect(only(r)).toEqual(['fail ATT_NONCE_MISMATCH: SafetyNet nonce is not base64(SHA-256(authData || clientDataHash)) (§8.5 step 3)']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['null', null, 'null'],
    ['a number', 5, 'a number'],
    ['text', 'ok', 'a string'],
  ])('a signed payload that is %s, not a JSON object → ATT_SAFETYNET_RESPONSE, the trust path kept', async (_n, payload, what) => {
    const r = await verify(await safetynet({ payload: () => payload as never }));
    expect(only(r)).toEqual([`fail ATT_SAFETYNET_RESPONSE: SafetyNet response payload is ${what}, not a JSON object (§8.5 step 2)`]);
    expect(r).toMatchObject({ attestationType: 'basic', signatureValid: false, trusted: false });
    expect(r.trustPath).toHaveLength(2);
  });

  it('without clientDataHash the nonce cannot be checked: ATT_NO_CLIENT_DATA, not valid', async () => {
    const ao = Buffer.from((await safetynet()).response.attestationObject, 'base64url');
    const r = await verifyAttestation(new Uint8Array(ao), { at, roots: [root.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA']);
    expect(r.signatureValid).toBe(false);
  });

  it.each([
    ['false', false],
    ['"true" (text)', 'true'],
    ['absent', undefined],
  ])('ctsProfileMatch %s → ATT_SAFETYNET_RESPONSE (§8.5 step 2)', async (_n, cts) => {
    const r = await verify(await safetynet({ payload: (nonce) => ({ nonce, ctsProfileMatch: cts, timestampMs: at.getTime() }) }));
    expect(only(r)).toEqual(['fail ATT_SAFETYNET_RESPONSE: SafetyNet ctsProfileMatch is not true (§8.5 step 2, as the SafetyNet documentation asks)']);
    expect(r.signatureValid).toBe(false);
  });

  it('timestampMs absent, or more than a minute after the verification time → ATT_SAFETYNET_RESPONSE; a minute after is accepted', async () => {
    const withTime = (timestampMs: unknown) => safetynet({ payload: (nonce) => ({ nonce, ctsProfileMatch: true, timestampMs }) });
    const none = await verify(await withTime(undefined));
    expect(only(none)).toEqual([`fail ATT_SAFETYNET_RESPONSE: SafetyNet timestampMs undefined is missing or after the verification time ${at.toISOString()}`]);
    const text = await verify(await withTime(String(at.getTime())));
    expect(text.problems.map((p) => p.code)).toEqual(['ATT_SAFETYNET_RESPONSE']);
    const late = await verify(await withTime(at.getTime() + 60_001));
    expect(late.problems.map((p) => p.code)).toEqual(['ATT_SAFETYNET_RESPONSE']);
    expect(late.signatureValid).toBe(false);
    const skew = await verify(await withTime(at.getTime() + 60_000));
    expect(skew.problems).toEqual([]);
  });
});
