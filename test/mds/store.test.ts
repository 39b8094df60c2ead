import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMdsStore, MdsStore } from '../../mds/MdsStore.ts';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { fetchMdsBlob } from '../../mds/fetchMdsBlob.ts';
import { MdsError } from '../../mds/MdsError.ts';
import { flipJwsByte, fixtureText } from './helpers.ts';

describe('MdsStore over serial 23', () => {
  let store: MdsStore;
  beforeAll(async () => {
    store = await loadMdsStore(fixtureText('blob-2023-no23.jwt'), { roots: loadBundledMdsRoots(), at: new Date('2023-01-15T00:00:00Z') });
  });

  it('indexes by AAGUID, in any case and as bytes', () => {
    expect(store.no).toBe(23);
    expect(store.byAaguid('2fc0579f-8113-47ea-b116-bb5a8db9202a')?.metadataStatement?.description).toBe('YubiKey 5 Series with NFC');
    expect(store.byAaguid('2FC0579F811347EAB116BB5A8DB9202A')?.aaguid).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    const bytes = new Uint8Array(Buffer.from('2fc0579f811347eab116bb5a8db9202a', 'hex'));
    expect(store.byAaguid(bytes)?.aaguid).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
  });

  it('indexes U2F entries by attestationCertificateKeyIdentifier', () => {
    const u2f = store.entries.find((e) => e.attestationCertificateKeyIdentifiers?.length);
    expect(u2f).toBeDefined();
    const kid = u2f!.attestationCertificateKeyIdentifiers![0]!;
    expect(store.byKeyIdentifier(kid)).toBe(u2f);
    expect(store.byKeyIdentifier(kid.toUpperCase())).toBe(u2f);
    expect(store.byKeyIdentifier(new Uint8Array(Buffer.from(kid, 'hex')))).toBe(u2f);
  });

  it('gives undefined for unknown or malformed identifiers', () => {
    expect(store.byAaguid('00000000-0000-0000-0000-000000000001')).toBeUndefined();
    expect(store.byAaguid('not an aaguid')).toBeUndefined();
    expect(store.byKeyIdentifier('00')).toBeUndefined();
  });

  it('indexes every entry that has an AAGUID', () => {
    const withAaguid = store.entries.filter((e) => e.aaguid);
    expect(withAaguid.length).toBeGreaterThan(0);
    for (const e of withAaguid) expect(store.byAaguid(e.aaguid!)).toBe(e);
  });
});

describe('MdsCache', () => {
  let dir: string;
  let signer: TestMdsSigner;
  const at = new Date('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mds-cache-'));
    signer = await createTestMdsSigner();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts = () => ({ roots: testMdsTrustAnchors(signer), at });

  it('defaults to ~/.cache/fido-harness/mds, or under XDG_CACHE_HOME', () => {
    expect(defaultMdsCacheDir({ HOME: '/home/u' })).toMatch(/\.cache\/fido-harness\/mds$/);
    expect(defaultMdsCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/fido-harness/mds');
  });

  it('stores a verified BLOB and refuses to replace it with a failed or older one', async () => {
    const cache = new MdsCache(join(dir, 'a'));
    expect(() => cache.readBlob()).toThrowError(expect.objectContaining({ code: 'MDS_CACHE_EMPTY' }) as Error);

    const b5 = await createTestMdsBlob(signer, { no: 5, entries: [] });
    expect((await cache.update(b5, opts())).updated).toBe(true);
    expect(cache.meta()?.no).toBe(5);
    expect(cache.readBlob()).toBe(b5);

    const b3 = await createTestMdsBlob(signer, { no: 3, entries: [] });
    await expect(cache.update(b3, opts())).rejects.toMatchObject({ code: 'MDS_SERIAL_NOT_NEWER' });
    expect(cache.readBlob()).toBe(b5);

    const b7tampered = flipJwsByte(await createTestMdsBlob(signer, { no: 7, entries: [] }), 1, 3);
    await expect(cache.update(b7tampered, opts())).rejects.toMatchObject({ code: 'MDS_SIGNATURE_INVALID' });
    expect(cache.readBlob()).toBe(b5);
    expect(cache.meta()?.no).toBe(5);

    const again = await cache.update(b5, opts());
    expect(again.updated).toBe(false);

    const b6 = await createTestMdsBlob(signer, { no: 6, entries: [] });
    const r = await cache.update(b6, opts());
    expect(r).toMatchObject({ updated: true, previousNo: 5 });
    expect(readFileSync(cache.blobPath, 'utf8')).toBe(b6);
  });
});

describe('fetchMdsBlob (network injected; tests never download)', () => {
  it('says clearly when the network is unavailable', async () => {
    const offline = (() => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND mds3.fidoalliance.org' } }))) as typeof fetch;
    const err = await fetchMdsBlob({ fetchImpl: offline }).catch((e: unknown) => e as MdsError);
    expect(err).toBeInstanceOf(MdsError);
    expect((err as MdsError).code).toBe('MDS_NETWORK_UNAVAILABLE');
    expect((err as MdsError).message).toContain('mds3.fidoalliance.org');
    expect((err as MdsError).message).toContain('--mds FILE');
  });

  it('reports HTTP errors and passes the body through on success', async () => {
    const http = (status: number, body: string) => (() => Promise.resolve(new Response(body, { status }))) as typeof fetch;
    await expect(fetchMdsBlob({ fetchImpl: http(503, '') })).rejects.toMatchObject({ code: 'MDS_FETCH_FAILED' });
    expect(await fetchMdsBlob({ fetchImpl: http(200, 'a.b.c') })).toBe('a.b.c');
  });
});
