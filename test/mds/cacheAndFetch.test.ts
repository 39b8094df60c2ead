import 'reflect-metadata';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { fetchMdsBlob, MDS3_URL } from '../../mds/fetchMdsBlob.ts';
import { mdsRefusal } from './helpers.ts';

describe('MdsCache: verify first, never go back to an older serial (MDS3 §3.2 step 5)', () => {
  let dir: string;
  let signer: TestMdsSigner;
  const at = new Date('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mds-cache-rules-'));
    signer = await createTestMdsSigner();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts = (source?: string) => ({ roots: testMdsTrustAnchors(signer), at, ...(source ? { source } : {}) });

  it('only an absolute XDG_CACHE_HOME is used (XDG Base Directory: relative paths are invalid)', () => {
    expect(defaultMdsCacheDir({ XDG_CACHE_HOME: 'relative/cache' })).toBe(join(homedir(), '.cache', 'fido-harness', 'mds'));
    expect(defaultMdsCacheDir({ XDG_CACHE_HOME: '' })).toBe(join(homedir(), '.cache', 'fido-harness', 'mds'));
    expect(defaultMdsCacheDir({})).toBe(join(homedir(), '.cache', 'fido-harness', 'mds'));
  });

  it('an empty cache says where it looked; unreadable or serial-less meta.json counts as no cache', () => {
    const cache = new MdsCache(join(dir, 'empty'));
    expect(cache.meta()).toBeUndefined();
    expect(() => cache.readBlob()).toThrowError(`no cached MDS BLOB in ${join(dir, 'empty')} (run \`fido-harness mds fetch\`)`);
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(cache.metaPath, '{not json');
    expect(cache.meta()).toBeUndefined();
    writeFileSync(cache.metaPath, JSON.stringify({ no: '5', nextUpdate: '2049-01-01' }));
    expect(cache.meta()).toBeUndefined();
    writeFileSync(cache.metaPath, JSON.stringify({ no: 5, nextUpdate: '2049-01-01' }));
    expect(cache.meta()).toEqual({ no: 5, nextUpdate: '2049-01-01' });
  });

  it('writes the BLOB as given and a meta.json with its serial, dates, root and source; no temporary file is left', async () => {
    // the cache directory and its parents are created on first use
    const cache = new MdsCache(join(dir, 'meta', 'fido-harness', 'mds'));
    const jws = await createTestMdsBlob(signer, { no: 4, nextUpdate: '2049-02-01', entries: [] });
    const before = Date.now();
    const r = await cache.update(jws, opts('https://mds.example/'));
    expect(r).toEqual({ updated: true, blob: r.blob });
    expect(r.blob.no).toBe(4);
    const meta = JSON.parse(readFileSync(cache.metaPath, 'utf8')) as Record<string, unknown>;
    expect(meta).toEqual({ no: 4, nextUpdate: '2049-02-01', rootSubject: signer.root.cert.subject, savedAt: meta.savedAt, source: 'https://mds.example/' });
    expect(Date.parse(meta.savedAt as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(readFileSync(cache.metaPath, 'utf8').endsWith('}\n')).toBe(true);
    expect(readdirSync(cache.dir).sort()).toEqual(['blob.jwt', 'meta.json']);
    expect(cache.readBlob()).toBe(jws);

    const same = await cache.update(jws, opts());
    expect(same).toMatchObject({ updated: false, reason: 'serial 4 is already cached' });

    const newer = await createTestMdsBlob(signer, { no: 9, entries: [] });
    expect(await cache.update(newer, opts())).toMatchObject({ updated: true, previousNo: 4 });
    expect(cache.meta()).not.toHaveProperty('source');
    expect(readdirSync(cache.dir).sort()).toEqual(['blob.jwt', 'meta.json']);

    const older = await createTestMdsBlob(signer, { no: 8, entries: [] });
    const err = await mdsRefusal(cache.update(older, opts()));
    expect(err.code).toBe('MDS_SERIAL_NOT_NEWER');
    expect(err.message).toBe('BLOB serial 8 is lower than the cached serial 9; cache kept');
    expect(cache.meta()?.no).toBe(9);
  });

  it('the same serial is written again when the BLOB file itself is gone', async () => {
    const cache = new MdsCache(join(dir, 'lost'));
    const jws = await createTestMdsBlob(signer, { no: 2, entries: [] });
    await cache.update(jws, opts());
    rmSync(cache.blobPath);
    expect(await cache.update(jws, opts())).toMatchObject({ updated: true, previousNo: 2 });
    expect(cache.readBlob()).toBe(jws);
  });
});

describe('fetchMdsBlob: typed errors for every way a download fails (network injected)', () => {
  const failing = (err: unknown) => (() => Promise.reject(err)) as typeof fetch;

  it('asks the MDS3 URL by default, following redirects, under a timeout signal', async () => {
    let seen: { url: unknown; init: RequestInit | undefined } | undefined;
    const spy = ((url: unknown, init?: RequestInit) => {
      seen = { url, init };
      return Promise.resolve(new Response('h.p.s'));
    }) as typeof fetch;
    expect(await fetchMdsBlob({ fetchImpl: spy })).toBe('h.p.s');
    expect(seen?.url).toBe(MDS3_URL);
    expect(MDS3_URL).toBe('https://mds3.fidoalliance.org/');
    expect(seen?.init?.redirect).toBe('follow');
    expect(seen?.init?.signal).toBeInstanceOf(AbortSignal);
    expect(seen?.init?.signal?.aborted).toBe(false);
    await fetchMdsBlob({ fetchImpl: spy, url: 'https://mirror.example/blob' });
    expect(seen?.url).toBe('https://mirror.example/blob');
  });

  it('a server that never answers is cut off at timeoutMs: MDS_FETCH_FAILED naming the limit', async () => {
    const hang = ((_url: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch;
    const err = await mdsRefusal(fetchMdsBlob({ fetchImpl: hang, timeoutMs: 50 }));
    expect(err.code).toBe('MDS_FETCH_FAILED');
    expect(err.message).toBe(`no answer from ${MDS3_URL} within 50 ms (network slow or unavailable)`);
    const aborted = await mdsRefusal(fetchMdsBlob({ fetchImpl: failing(new DOMException('stopped', 'AbortError')) }));
    expect(aborted.code).toBe('MDS_FETCH_FAILED');
    expect(aborted.message).toContain('within 30000 ms');
  });

  it('no network: MDS_NETWORK_UNAVAILABLE with the cause; the --mds hint only for a known network code', async () => {
    const known = await mdsRefusal(fetchMdsBlob({ fetchImpl: failing(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect  ECONNREFUSED\n127.0.0.1:443' } })) }));
    expect(known.code).toBe('MDS_NETWORK_UNAVAILABLE');
    expect(known.message).toBe(`cannot reach ${MDS3_URL}: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:443 (no network here? use --mds FILE with a BLOB downloaded elsewhere)`);
    const other = await mdsRefusal(fetchMdsBlob({ fetchImpl: failing(Object.assign(new TypeError('fetch failed'), { cause: { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' } })) }));
    expect(other.code).toBe('MDS_NETWORK_UNAVAILABLE');
    expect(other.message).toBe(`cannot reach ${MDS3_URL}: CERT_HAS_EXPIRED certificate has expired`);
    const bare = await mdsRefusal(fetchMdsBlob({ fetchImpl: failing(new TypeError('fetch failed')) }));
    expect(bare.message).toBe(`cannot reach ${MDS3_URL}: fetch failed`);
    const trailing = await mdsRefusal(fetchMdsBlob({ fetchImpl: failing(Object.assign(new TypeError('fetch failed'), { cause: { message: 'socket hang up \n' } })) }));
    expect(trailing.message).toBe(`cannot reach ${MDS3_URL}: socket hang up`);
    expect(trailing.name).toBe('MdsError');
    expect(trailing.problems).toEqual([]);
  });

  it('HTTP errors name the status; a body over maxBytes is MDS_TOO_LARGE, one at the limit is taken', async () => {
    const answer = (body: string, init: ResponseInit = {}) => (() => Promise.resolve(new Response(body, init))) as typeof fetch;
    const err = await mdsRefusal(fetchMdsBlob({ fetchImpl: answer('gone', { status: 404, statusText: 'Not Found' }) }));
    expect(err).toMatchObject({ code: 'MDS_FETCH_FAILED', message: `${MDS3_URL} answered HTTP 404 Not Found` });
    expect(await fetchMdsBlob({ fetchImpl: answer('a.b.c'), maxBytes: 5 })).toBe('a.b.c');
    const huge = await mdsRefusal(fetchMdsBlob({ fetchImpl: answer('a'.repeat(64 * 1024 * 1024 + 1)) }));
    expect(huge.message).toBe(`${MDS3_URL} sent 67108865 bytes, over the 67108864-byte limit`);
    const big = await mdsRefusal(fetchMdsBlob({ fetchImpl: answer('a.b.cd'), maxBytes: 5 }));
    expect(big).toMatchObject({ code: 'MDS_TOO_LARGE', message: `${MDS3_URL} sent 6 bytes, over the 5-byte limit` });
  });
});
