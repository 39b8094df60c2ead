import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { verifyMdsBlob } from '../../mds/verifyMdsBlob.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { MdsError, type MdsErrorCode } from '../../mds/MdsError.ts';
import { fixtureText, flipJwsByte, replaceJwsParts } from './helpers.ts';

const at = new Date('2026-01-01T00:00:00Z');
const AAGUID = '11111111-2222-3333-4444-555555555555';

async function codeOf(p: Promise<unknown>): Promise<MdsErrorCode | 'accepted'> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    if (!(err instanceof MdsError)) throw err; // a crash, not a refusal
    expect(err.message.length).toBeGreaterThan(10);
    return err.code;
  }
}

describe('bad BLOBs are refused with a stable code and a reason', () => {
  let signer: TestMdsSigner;
  let good: string;
  let blob23: string;

  beforeAll(async () => {
    signer = await createTestMdsSigner();
    good = await createTestMdsBlob(signer, { no: 7, entries: [{ aaguid: AAGUID, description: 'Test key' }] });
    blob23 = fixtureText('blob-2023-no23.jwt');
  });
  const verify = (jws: string | Uint8Array, extra: Partial<Parameters<typeof verifyMdsBlob>[1]> = {}) =>
    verifyMdsBlob(jws, { roots: testMdsTrustAnchors(signer), at, ...extra });

  it('the untouched test BLOB verifies (the baseline for every row below)', async () => {
    const v = await verify(good);
    expect(v.no).toBe(7);
    expect(v.entries[0]?.aaguid).toBe(AAGUID);
  });

  it.each<[string, () => string | Uint8Array, MdsErrorCode]>([
    ['empty input', () => '', 'MDS_MALFORMED'],
    ['truncated inside the header', () => blob23.slice(0, 1000), 'MDS_MALFORMED'],
    ['truncated inside the payload', () => blob23.slice(0, 1_000_000), 'MDS_MALFORMED'],
    ['truncated signature', () => good.slice(0, -10), 'MDS_SIGNATURE_INVALID'],
    ['signature removed', () => good.slice(0, good.lastIndexOf('.') + 1), 'MDS_MALFORMED'],
    ['four parts', () => good + '.AAAA', 'MDS_MALFORMED'],
    ['header is not JSON', () => 'bm90IGpzb24.' + good.split('.').slice(1).join('.'), 'MDS_MALFORMED'],
    ['payload byte flipped', () => flipJwsByte(good, 1, 5), 'MDS_SIGNATURE_INVALID'],
    ['signature byte flipped', () => flipJwsByte(good, 2, 10), 'MDS_SIGNATURE_INVALID'],
    ['alg "none"', () => replaceJwsParts(good, { ...hdr(good), alg: 'none' }), 'MDS_ALG_UNSUPPORTED'],
    ['alg HS256 (symmetric)', () => replaceJwsParts(good, { ...hdr(good), alg: 'HS256' }), 'MDS_ALG_UNSUPPORTED'],
    ['alg RS256 over an EC key', () => replaceJwsParts(good, { ...hdr(good), alg: 'RS256' }), 'MDS_SIGNATURE_INVALID'],
    ['x5c missing', () => replaceJwsParts(good, { alg: 'ES256' }), 'MDS_MALFORMED'],
    ['x5c entry is not a certificate', () => replaceJwsParts(good, { alg: 'ES256', x5c: ['AAAA'] }), 'MDS_CERT_MALFORMED'],
    ['x5c entry is not base64', () => replaceJwsParts(good, { alg: 'ES256', x5c: ['%%%'] }), 'MDS_CERT_MALFORMED'],
    ['duplicate certificates in x5c', () => replaceJwsParts(good, { ...hdr(good), x5c: [hdr(good).x5c[0], hdr(good).x5c[0]] }), 'MDS_DUPLICATE_CERT'],
    ['a real BLOB, chain to roots that are not trusted here', () => blob23, 'MDS_CHAIN_UNTRUSTED'],
    ['the conformance BLOB (FAKE root)', () => fixtureText('conformance-test-blob-no42.jwt'), 'MDS_CHAIN_UNTRUSTED'],
    ['huge input (over 64 MiB)', () => 'a'.repeat(64 * 1024 * 1024 + 1), 'MDS_TOO_LARGE'],
    ['huge input as bytes', () => new Uint8Array(64 * 1024 * 1024 + 1), 'MDS_TOO_LARGE'],
  ])('%s → %s', async (_name, input, code) => {
    expect(await codeOf(verify(input()))).toBe(code);
  });

  it('refuses the real BLOB against the test root, and the test BLOB against the real roots', async () => {
    expect(await codeOf(verifyMdsBlob(good, { roots: loadBundledMdsRoots(), at }))).toBe('MDS_CHAIN_UNTRUSTED');
  });

  it('refuses a BLOB whose signer certificate has expired, naming the date', async () => {
    const old = await createTestMdsSigner({ notBefore: new Date('2019-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const jws = await createTestMdsBlob(old, { entries: [] });
    const err = await verifyMdsBlob(jws, { roots: testMdsTrustAnchors(old), at }).catch((e: unknown) => e as MdsError);
    expect((err as MdsError).code).toBe('MDS_CERT_EXPIRED');
    expect((err as MdsError).message).toContain('2021-01-01');
    // the same BLOB at a time inside the validity period verifies
    expect((await verifyMdsBlob(jws, { roots: testMdsTrustAnchors(old), at: new Date('2020-06-01T00:00:00Z') })).no).toBe(1);
  });

  it('refuses deeply nested JSON before parsing it', async () => {
    const deep = '{"no":1,"nextUpdate":"2049-01-01","entries":[],"x":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    const jws = await createTestMdsBlob(signer, { entries: [], payloadText: deep });
    expect(await codeOf(verify(jws))).toBe('MDS_TOO_DEEP');
  });

  it.each<[string, unknown]>([
    ['payload not JSON', 'not json'],
    ['payload an array', []],
    ['no serial', { nextUpdate: '2049-01-01', entries: [] }],
    ['negative serial', { no: -1, nextUpdate: '2049-01-01', entries: [] }],
    ['serial a string', { no: '23', nextUpdate: '2049-01-01', entries: [] }],
    ['nextUpdate not a date', { no: 1, nextUpdate: 'soon', entries: [] }],
    ['entries missing', { no: 1, nextUpdate: '2049-01-01' }],
  ])('refuses a signed payload with %s as MDS_MALFORMED', async (_name, payload) => {
    const jws = await createTestMdsBlob(signer, { entries: [], ...(typeof payload === 'string' ? { payloadText: payload } : { payload }) });
    expect(await codeOf(verify(jws))).toBe('MDS_MALFORMED');
  });

  it('leaves out entries with missing fields, says why, and keeps the good ones', async () => {
    const ok = { aaguid: AAGUID, statusReports: [{ status: 'FIDO_CERTIFIED_L1' }], timeOfLastStatusChange: '2024-01-01' };
    const jws = await createTestMdsBlob(signer, {
      entries: [],
      payload: {
        no: 3,
        nextUpdate: '2049-01-01',
        entries: [
          { aaguid: AAGUID, timeOfLastStatusChange: '2024-01-01' },
          ok,
          { ...ok, statusReports: [{}] },
          { ...ok, timeOfLastStatusChange: undefined },
          { ...ok, aaguid: 'not-a-uuid' },
          { ...ok, aaguid: undefined },
          { ...ok, attestationCertificateKeyIdentifiers: ['xyz'] },
          { ...ok, metadataStatement: 'text' },
          null,
        ],
      },
    });
    const v = await verify(jws);
    expect(v.entries).toHaveLength(1);
    expect(v.rejectedEntries.map((r) => r.index)).toEqual([0, 2, 3, 4, 5, 6, 7, 8]);
    expect(v.rejectedEntries[0]!.reason).toContain('statusReports');
    expect(v.rejectedEntries[1]!.reason).toContain('statusReports[0].status');
    expect(v.rejectedEntries[2]!.reason).toContain('timeOfLastStatusChange');
    expect(v.warnings.filter((w) => w.code === 'MDS_ENTRY_REJECTED')).toHaveLength(8);
  });
});

function hdr(jws: string): { alg: string; x5c: string[] } {
  return JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as { alg: string; x5c: string[] };
}
