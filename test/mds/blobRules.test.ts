import 'reflect-metadata';
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, webcrypto } from 'node:crypto';
import { PublicKey, X509CertificateGenerator } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompactSign } from 'jose';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { createTestCertificate } from '../../mds/testCertificates.ts';
import { verifyMdsBlob, type VerifyMdsBlobOptions } from '../../mds/verifyMdsBlob.ts';
import type { MdsErrorCode } from '../../mds/MdsError.ts';
import { fixtureText, mdsRefusal } from './helpers.ts';

// MDS3 §3.2 BLOB processing and RFC 7515 compact JWS, one rule at a time, each next to an accepted twin.
const at = new Date('2026-01-01T00:00:00Z');
const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const der64 = (s: TestMdsSigner) => Buffer.from(s.signer.cert.rawData).toString('base64');

describe('verifyMdsBlob, rule by rule (MDS3 §3.2, RFC 7515)', () => {
  let signer: TestMdsSigner;
  let good: string;
  const opts = (extra: Partial<VerifyMdsBlobOptions> = {}): VerifyMdsBlobOptions => ({ roots: testMdsTrustAnchors(signer), at, ...extra });
  /** a JWS signed by the test signer with any protected header and payload text */
  const signed = (header: Record<string, unknown>, payload: string) => new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader(header as { alg: string }).sign(signer.signer.keys.privateKey);
  const payload = (extra: Record<string, unknown> = {}) => JSON.stringify({ no: 1, nextUpdate: '2049-01-01', entries: [], ...extra });

  beforeAll(async () => {
    signer = await createTestMdsSigner();
    good = await createTestMdsBlob(signer, { no: 5, nextUpdate: '2049-02-01', legalHeader: 'the legal header', entries: [] });
  });

  it('returns what the payload and the chain say', async () => {
    const v = await verifyMdsBlob(good, opts());
    expect(v).toMatchObject({ no: 5, nextUpdate: '2049-02-01', legalHeader: 'the legal header', entries: [], rejectedEntries: [], alg: 'ES256', rootSubject: signer.root.cert.subject, verifiedAt: at });
    expect(v.path.map((c) => c.subject)).toEqual([signer.signer.cert.subject, signer.root.cert.subject]);
    expect(v.warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE']);
    const noLegal = await verifyMdsBlob(await signed({ alg: 'ES256', x5c: [der64(signer)] }, payload({ legalHeader: 7 })), opts());
    expect(noLegal).not.toHaveProperty('legalHeader');
  });

  it('takes the BLOB as bytes, and with surrounding white space (a file with a final newline)', async () => {
    expect((await verifyMdsBlob(new TextEncoder().encode(good), opts())).no).toBe(5);
    expect((await verifyMdsBlob(`\n ${good}\r\n`, opts())).no).toBe(5);
  });

  it('maxBytes: a BLOB of exactly the limit goes on, one byte more is MDS_TOO_LARGE', async () => {
    expect((await verifyMdsBlob(good, opts({ maxBytes: good.length }))).no).toBe(5);
    const err = await mdsRefusal(verifyMdsBlob(good, opts({ maxBytes: good.length - 1 })));
    expect(err).toMatchObject({ code: 'MDS_TOO_LARGE', message: `BLOB is ${good.length} bytes, over the ${good.length - 1}-byte limit` });
    expect((await mdsRefusal(verifyMdsBlob(new TextEncoder().encode(good), opts({ maxBytes: 10 })))).code).toBe('MDS_TOO_LARGE');
  });

  it('maxDepth bounds the payload nesting (default 32)', async () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    // the payload object is one level; x adds n
    expect((await verifyMdsBlob(await signed({ alg: 'ES256', x5c: [der64(signer)] }, payload().replace('"entries"', `"x":${nest(31)},"entries"`)), opts())).no).toBe(1);
    const deep = await signed({ alg: 'ES256', x5c: [der64(signer)] }, payload().replace('"entries"', `"x":${nest(32)},"entries"`));
    expect(await mdsRefusal(verifyMdsBlob(deep, opts()))).toMatchObject({ code: 'MDS_TOO_DEEP', message: 'BLOB payload nests deeper than 32 levels' });
    expect((await verifyMdsBlob(deep, opts({ maxDepth: 33 }))).no).toBe(1);
  });

  it('the header: base64url JSON, nested at most 4 deep, understood by jose', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(await mdsRefusal(verifyMdsBlob(`${h}+.${p}.${s}`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'JWS header is not base64url' });
    const deepHeader = b64u({ alg: 'ES256', x: { a: { b: { c: {} } } } });
    expect(await mdsRefusal(verifyMdsBlob(`${deepHeader}.${p}.${s}`, opts()))).toMatchObject({ code: 'MDS_TOO_DEEP', message: 'JWS header nests deeper than 4 levels' });
    // four levels are fine (and then the changed header no longer matches the signature)
    const fourDeep = await signed({ alg: 'ES256', x5c: [der64(signer)], x: { a: { b: {} } } }, payload());
    expect((await verifyMdsBlob(fourDeep, opts())).no).toBe(1);
    const crit = `${b64u({ alg: 'ES256', x5c: [der64(signer)], crit: ['exp'], exp: 1 })}.${p}.${s}`;
    expect((await mdsRefusal(verifyMdsBlob(crit, opts()))).message).toMatch(/^BLOB is not a valid compact JWS: /);
    const noAlg = `${b64u({ x5c: [der64(signer)] })}.${p}.${s}`;
    expect(await mdsRefusal(verifyMdsBlob(noAlg, opts()))).toMatchObject({ code: 'MDS_MALFORMED' });
  });

  it('three parts, the signature non-empty base64url', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${p}.${s}.${s}`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'BLOB is not a compact JWS (4 part(s), 3 expected)' });
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${p}`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'BLOB is not a compact JWS (2 part(s), 3 expected)' });
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${p}.`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'JWS signature is empty or not base64url' });
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${p}.${s.slice(0, -1)}/`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'JWS signature is empty or not base64url' });
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${p}.=${s}`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'JWS signature is empty or not base64url' });
  });

  it('the payload must be canonical base64url: padding or a standard-base64 character is refused before its signature is checked', async () => {
    // '~~~' is "fn5+" in base64: the base64url payload carries a '-'
    const tilde = await signed({ alg: 'ES256', x5c: [der64(signer)] }, payload({ legalHeader: '~'.repeat(12) }));
    expect((await verifyMdsBlob(tilde, opts())).legalHeader).toBe('~'.repeat(12));
    const [h, p, s] = tilde.split('.') as [string, string, string];
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${p}=.${s}`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'JWS payload is not base64url' });
    const i = p.search(/[-_]/);
    expect(i).toBeGreaterThanOrEqual(0);
    const std = p.slice(0, i) + (p[i] === '-' ? '+' : '/') + p.slice(i + 1);
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${std}.${s}`, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: 'JWS payload is not base64url' });
  });

  it('x5c: one to eight base64 DER certificates', async () => {
    const one = der64(signer);
    const withX5c = (x5c: unknown) => signed({ alg: 'ES256', x5c }, payload());
    const message = 'JWS header x5c missing, empty, over 8 certificates, or not strings';
    for (const x5c of [undefined, [], 'MIIB', [one, 7], Array(9).fill(one)]) {
      expect(await mdsRefusal(verifyMdsBlob(await withX5c(x5c), opts()))).toMatchObject({ code: 'MDS_MALFORMED', message });
    }
    // eight are read (and then the repeats are refused)
    expect((await mdsRefusal(verifyMdsBlob(await withX5c(Array(8).fill(one)), opts()))).code).toBe('MDS_DUPLICATE_CERT');
    expect(await mdsRefusal(verifyMdsBlob(await withX5c([one, Buffer.from(signer.root.cert.rawData).toString('base64url')]), opts()))).toMatchObject({ code: 'MDS_CERT_MALFORMED', message: 'x5c[1] is not base64' });
    expect((await mdsRefusal(verifyMdsBlob(await withX5c([one, 'AAAA']), opts()))).message).toMatch(/^x5c\[1\] is not an X\.509 certificate: /);
  });

  it('a refused chain carries every problem, the first one as its code', async () => {
    const stranger = await createTestMdsSigner({ name: 'stranger' });
    const err = await mdsRefusal(verifyMdsBlob(good, { roots: testMdsTrustAnchors(stranger), at }));
    expect(err.code).toBe('MDS_CHAIN_UNTRUSTED');
    expect(err.message).toMatch(/^BLOB certificate chain refused: no path from "CN=fido-harness test MDS BLOB Signer/);
    expect(err.problems.map((p) => p.code)).toEqual(['MDS_CHAIN_UNTRUSTED']);
  });

  it.each<[string, Record<string, unknown> | string, string]>([
    ['no 0 is a serial', { no: 0 }, 'ok'],
    ['no 2^53-1 is a serial', { no: Number.MAX_SAFE_INTEGER }, 'ok'],
    ['a fractional no', { no: 1.5 }, 'payload `no` missing or not a non-negative integer'],
    ['a no past 2^53', { no: 2 ** 53 }, 'payload `no` missing or not a non-negative integer'],
    ['nextUpdate with a time', { nextUpdate: '2049-01-01T10:00:00Z' }, 'ok'],
    ['nextUpdate without leading zeros', { nextUpdate: '2049-1-1' }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['nextUpdate a month 13', { nextUpdate: '2049-13-01' }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['nextUpdate a number', { nextUpdate: 20490101 }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['nextUpdate after text', { nextUpdate: 'x2049-01-01' }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['nextUpdate after a space (Date.parse would take it)', { nextUpdate: ' 2049-01-01' }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['nextUpdate with a one-digit day (Date.parse would take it)', { nextUpdate: '2049-01-1' }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['nextUpdate in an array', { nextUpdate: ['2049-01-01'] }, 'payload nextUpdate missing or not a date (YYYY-MM-DD)'],
    ['entries an object', { entries: {} }, 'payload entries missing or not an array'],
    ['a null payload', 'null', 'BLOB payload is not an object'],
    ['a number payload', '5', 'BLOB payload is not an object'],
  ])('%s', async (_name, change, outcome) => {
    const text = typeof change === 'string' ? change : payload(change);
    const jws = await signed({ alg: 'ES256', x5c: [der64(signer)] }, text);
    if (outcome === 'ok') {
      expect((await verifyMdsBlob(jws, opts())).no).toBe(typeof change === 'object' && typeof change.no === 'number' ? change.no : 1);
      return;
    }
    expect(await mdsRefusal(verifyMdsBlob(jws, opts()))).toMatchObject({ code: 'MDS_MALFORMED', message: outcome });
  });

  it('a payload that is not JSON is refused as such, with the parser’s reason', async () => {
    const jws = await signed({ alg: 'ES256', x5c: [der64(signer)] }, '{"no":1,');
    const err = await mdsRefusal(verifyMdsBlob(jws, opts()));
    expect(err.code).toBe('MDS_MALFORMED');
    expect(err.message).toMatch(/^BLOB payload is not JSON: ./);
  });

  it('nextUpdate passed: a warning from the first instant after it, not at it', async () => {
    const jws = await signed({ alg: 'ES256', x5c: [der64(signer)] }, payload({ nextUpdate: '2026-01-01' }));
    expect((await verifyMdsBlob(jws, opts())).warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE']);
    const later = new Date(at.getTime() + 1);
    expect((await verifyMdsBlob(jws, opts({ at: later }))).warnings).toEqual([
      expect.objectContaining({ code: 'MDS_CRL_UNAVAILABLE' }),
      { code: 'MDS_NEXT_UPDATE_PASSED', message: 'nextUpdate 2026-01-01 is before the verification time 2026-01-01T00:00:00.001Z: a newer BLOB should exist' },
    ]);
  });

  it('the signature covers header and payload as sent: one byte of either changed is MDS_SIGNATURE_INVALID', async () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    const otherPayload = b64u(payload({ no: 6 }));
    expect(await mdsRefusal(verifyMdsBlob(`${h}.${otherPayload}.${s}`, opts()))).toMatchObject({ code: 'MDS_SIGNATURE_INVALID', message: 'JWS signature does not verify with the x5c leaf certificate' });
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    expect((await mdsRefusal(verifyMdsBlob(`${b64u({ ...header, typ: 'JOSE' })}.${p}.${s}`, opts()))).code).toBe('MDS_SIGNATURE_INVALID');
    expect((await mdsRefusal(verifyMdsBlob(`${h}.${p}.${s.slice(0, 20)}`, opts()))).code).toBe('MDS_SIGNATURE_INVALID');
  });

  it('the alg must fit the leaf key: ES384 over a P-256 key, and the allow-list refuses HS256 as MDS_ALG_UNSUPPORTED', async () => {
    const [, p, s] = good.split('.') as [string, string, string];
    const es384 = `${b64u({ alg: 'ES384', x5c: [der64(signer)] })}.${p}.${s}`;
    expect((await mdsRefusal(verifyMdsBlob(es384, opts()))).message).toMatch(/^JWS alg ES384 does not fit the x5c leaf key: /);
    const hs = await mdsRefusal(verifyMdsBlob(`${b64u({ alg: 'HS256', x5c: [der64(signer)] })}.${p}.${s}`, opts()));
    expect(hs.code).toBe('MDS_ALG_UNSUPPORTED');
    expect(hs.message).toMatch(/^JWS alg is not accepted \(one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA\): /);
  });

  describe('RSA signers (RFC 7518 §3.3: 2048 bits at least)', () => {
    const rsaSigner = async (bits: number): Promise<TestMdsSigner> => {
      // fixed keys (test/fixtures/mds/SOURCES.md): generating RSA keys takes seconds here
      const pem = fixtureText(`rsa-${bits}-test-key.pem`);
      const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      const keys: webcrypto.CryptoKeyPair = {
        privateKey: await webcrypto.subtle.importKey('pkcs8', createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }), rsa, true, ['sign']),
        publicKey: await webcrypto.subtle.importKey('spki', createPublicKey(pem).export({ type: 'spki', format: 'der' }), rsa, true, ['verify']),
      };
      const cert = await createTestCertificate({ subject: `CN=RSA ${bits} BLOB Signer, O=fido-harness TEST`, issuer: signer.root, keys, serialNumber: '2a', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: false });
      return { root: signer.root, signer: cert, intermediates: [] };
    };

    it('a 2048-bit RS256 signer is accepted; a 1024-bit one is refused even with a valid signature', async () => {
      const s2048 = await rsaSigner(2048);
      const ok = await createTestMdsBlob(s2048, { entries: [], alg: 'RS256' });
      expect((await verifyMdsBlob(ok, opts())).alg).toBe('RS256');

      const s1024 = await rsaSigner(1024);
      const input = `${b64u({ alg: 'RS256', x5c: [der64(s1024)] })}.${b64u(payload())}`;
      const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', s1024.signer.keys.privateKey));
      const sig = nodeSign('sha256', Buffer.from(input), createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
      const err = await mdsRefusal(verifyMdsBlob(`${input}.${sig.toString('base64url')}`, opts()));
      expect(err).toMatchObject({ code: 'MDS_SIGNATURE_INVALID' as MdsErrorCode, message: 'JWS RS256 key is 1024 bits, 2048 required (RFC 7518 §3.3, §3.5)' });
    });

    it('a 1024-bit RSASSA-PSS key (SPKI id-RSASSA-PSS) is refused for PS256 too', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
      const cert = await X509CertificateGenerator.create(
        {
          serialNumber: '2b',
          subject: 'CN=PSS 1024 BLOB Signer, O=fido-harness TEST',
          issuer: signer.root.cert.subject,
          notBefore: new Date('2020-01-01'),
          notAfter: new Date('2040-01-01'),
          signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
          publicKey: new PublicKey(publicKey.export({ type: 'spki', format: 'der' })),
          signingKey: signer.root.keys.privateKey,
        },
        webcrypto as unknown as Crypto,
      );
      const input = `${b64u({ alg: 'PS256', x5c: [Buffer.from(cert.rawData).toString('base64')] })}.${b64u(payload())}`;
      const sig = nodeSign('sha256', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      const err = await mdsRefusal(verifyMdsBlob(`${input}.${sig.toString('base64url')}`, opts()));
      expect(err).toMatchObject({ code: 'MDS_SIGNATURE_INVALID', message: 'JWS PS256 key is 1024 bits, 2048 required (RFC 7518 §3.3, §3.5)' });
    });
  });
});
