// The remaining routes through app.request(): sign-in success paths, MDS verdicts with a test BLOB,
// reports from runs/, the simulator mode, config, security headers, the page and unknown routes.
import 'reflect-metadata';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors } from '../../mds/testBlob.ts';
import { SIMULATOR_AAGUID } from '../../authenticator-sim/index.ts';
import { createRpApp } from '../../harness/rp/index.ts';
import { rpFixture, ORIGIN } from './rpFixture.ts';
import { TestSession } from './simCeremony.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

const SIM_AAGUID = 'be7c888f-f407-45b9-bab1-f1e15cedc047';
const AT = new Date('2026-06-01T12:00:00Z');

async function testMds(statusReports?: { status: string; effectiveDate: string }[], aaguid = SIM_AAGUID, roots?: X509Certificate[]): Promise<MdsStore> {
  const signer = await createTestMdsSigner();
  const material = await sharedAttestationMaterial();
  const jws = await createTestMdsBlob(signer, {
    entries: [
      {
        aaguid,
        description: 'fido-harness simulator (test MDS)',
        attestationRootCertificates: roots ?? [new X509Certificate(new Uint8Array(material.rootCertificate))],
        ...(statusReports ? { statusReports } : {}),
      },
    ],
  });
  return loadMdsStore(jws, { roots: testMdsTrustAnchors(signer), at: AT });
}

describe('sign-in routes', () => {
  it('signs in with a username, then without one (discoverable), updating the counter each time', async () => {
    const f = await rpFixture();
    const { response: reg } = await f.register('alice', { residentKey: 'required' });
    const a = await f.authenticationAttempt({ username: 'alice' });
    expect(a.options.allowCredentials.map((c: any) => c.id)).toEqual([reg.id]);
    expect(a.options.rpId).toBe('localhost');
    expect(a.options.userVerification).toBe('preferred');
    const v = await f.session.post('/api/authentication/verify', { ceremonyId: a.ceremonyId, response: a.response });
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ status: 'ok', verified: true, username: 'alice', credentialId: reg.id, discoverable: false, userVerified: false });
    const c1 = v.json.counter;
    expect(f.state.credentials.credential(reg.id)!.counter).toBe(c1);

    const d = await f.authenticationAttempt({});
    expect(d.options.allowCredentials).toEqual([]);
    const dv = await f.session.post('/api/authentication/verify', { ceremonyId: d.ceremonyId, response: d.response });
    expect(dv.json).toMatchObject({ verified: true, username: 'alice', discoverable: true });
    expect(dv.json.counter).toBeGreaterThan(c1);
    const list = await f.session.get('/api/credentials?username=alice');
    expect(list.json.credentials[0]).toMatchObject({ signIns: 2, counter: dv.json.counter, lastUsedAt: '2026-06-01T12:00:00.000Z' });
  });
});

describe('MDS verdicts', () => {
  let listed: MdsStore;
  let revoked: MdsStore;
  let otherRoot: MdsStore;
  let unlisted: MdsStore;
  beforeAll(async () => {
    const foreign = await createTestMdsSigner({ name: 'unrelated' });
    [listed, revoked, otherRoot, unlisted] = await Promise.all([
      testMds(),
      testMds([
        { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' },
        { status: 'REVOKED', effectiveDate: '2025-01-01' },
      ]),
      testMds(undefined, SIM_AAGUID, [foreign.root.cert]),
      testMds(undefined, '00112233-4455-6677-8899-aabbccddeeff'),
    ]);
  });

  // the simulator's attestation certificates start a day before they were generated: judge at the real time
  const verdict = async (mds: MdsStore, now = Date.now()) => {
    const f = await rpFixture({ mds, clock: { now: () => now } });
    const { result } = await f.register('alice');
    const reg = result.registration;
    return { reg, checks: Object.fromEntries(reg.checks.map((c: any) => [c.id, c.status])) };
  };

  it('listed, certified, chain to the entry root: model shown, MS-ATTESTATION and MS-CERTIFIED pass', async () => {
    const { reg, checks } = await verdict(listed);
    expect(reg.model).toBe('fido-harness simulator (test MDS)');
    expect(reg.mds).toMatchObject({ state: 'listed', statusVerdict: 'pass', certificationLevel: 'FIDO_CERTIFIED_L1', chain: { state: 'valid' } });
    expect(checks).toMatchObject({ 'MS-ATTESTATION': 'pass', 'MS-MDS-LISTED': 'pass', 'MS-CERTIFIED': 'pass' });
  });

  it('REVOKED status fails MS-CERTIFIED', async () => {
    const { reg, checks } = await verdict(revoked);
    expect(reg.mds.statusVerdict).toBe('fail');
    expect(reg.mds.findings.join(' ')).toMatch(/REVOKED/);
    expect(checks['MS-CERTIFIED']).toBe('fail');
  });

  it('a chain judged before its certificates are valid is invalid', async () => {
    const { reg, checks } = await verdict(listed, Date.parse('2000-01-01T00:00:00Z'));
    expect(reg.mds.chain.state).toBe('invalid');
    expect(reg.mds.chain.message).toMatch(/not (yet )?valid|validity|expired|before/i);
    expect(checks['MS-ATTESTATION']).toBe('fail');
  });

  it('a chain that does not reach the entry root fails MS-ATTESTATION', async () => {
    const { reg, checks } = await verdict(otherRoot);
    expect(reg.mds.chain.state).toBe('invalid');
    expect(checks['MS-ATTESTATION']).toBe('fail');
  });

  it('an AAGUID missing from the BLOB fails MS-MDS-LISTED', async () => {
    const { reg, checks } = await verdict(unlisted);
    expect(reg.mds.state).toBe('not-listed');
    expect(reg.mds.message).toMatch(/not listed/);
    expect(checks['MS-MDS-LISTED']).toBe('fail');
  });

  it('GET /api/mds and /api/mds/:aaguid describe the loaded BLOB', async () => {
    const { app } = createRpApp({ origin: ORIGIN, mds: revoked, clock: { now: () => AT.getTime() } });
    const s = new TestSession(app);
    const info = await s.get('/api/mds');
    expect(info.json).toMatchObject({ loaded: true, no: 1, entries: 1, nextUpdate: '2049-12-01' });
    const entry = await s.get(`/api/mds/${SIM_AAGUID.toUpperCase()}`);
    expect(entry.json).toMatchObject({ description: 'fido-harness simulator (test MDS)', statusVerdict: 'fail', latestStatus: 'REVOKED' });
    expect((await s.get('/api/mds/00000000-0000-0000-0000-000000000001')).status).toBe(404);
    const bad = await s.get('/api/mds/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.json.errorMessage).toMatch(/UUID/);
    const none = await new TestSession(createRpApp({ origin: ORIGIN, mdsProblem: 'file unreadable' }).app).get('/api/mds');
    expect(none.json).toMatchObject({ loaded: false, message: 'no trust verdict: MDS not loaded (file unreadable)' });
  });
});

describe('reports from runs/', () => {
  let runs: string;
  beforeAll(async () => {
    runs = await mkdtemp(join(tmpdir(), 'fh-rp-runs-'));
    await mkdir(join(runs, 'good'));
    await writeFile(join(runs, 'good', 'report.json'), JSON.stringify({ schemaVersion: 1, startedAt: 'a', finishedAt: 'b', summary: { passed: 3, failed: 0 }, device: { transport: 'sim' }, microsoft: { verdict: 'compatible' }, checks: [] }));
    await mkdir(join(runs, 'broken'));
    await writeFile(join(runs, 'broken', 'report.json'), '{"schemaVersion":');
    await mkdir(join(runs, 'empty'));
  });
  afterAll(() => rm(runs, { recursive: true, force: true }));

  it('lists readable reports and serves one; refuses broken, missing and traversing names', async () => {
    const s = new TestSession(createRpApp({ origin: ORIGIN, runsDir: runs }).app);
    const list = await s.get('/api/reports');
    expect(list.json.runs).toEqual([{ run: 'good', startedAt: 'a', finishedAt: 'b', summary: { passed: 3, failed: 0 }, transport: 'sim', microsoft: 'compatible' }]);
    const one = await s.get('/api/reports/good');
    expect(one.json.report.microsoft.verdict).toBe('compatible');
    const broken = await s.get('/api/reports/broken');
    expect(broken.status).toBe(422);
    expect(broken.json.errorMessage).toMatch(/runs\/broken\/report.json is not a JSON object of a report/);
    expect((await s.get('/api/reports/empty')).status).toBe(404);
    const dots = await s.get('/api/reports/..');
    expect(dots.status).toBeGreaterThanOrEqual(400);
    expect(dots.status).toBeLessThan(500);
    const traversal = await s.get('/api/reports/..%2F..%2Fetc');
    expect(traversal.status).toBeGreaterThanOrEqual(400);
    expect(traversal.status).toBeLessThan(500);
    const missingDir = await new TestSession(createRpApp({ origin: ORIGIN, runsDir: join(runs, 'nope') }).app).get('/api/reports');
    expect(missingDir.json.runs).toEqual([]);
  });
});

describe('simulator mode', () => {
  it('registers with the Entra profile through the harness client (PIN token → UV) and signs in discoverably', async () => {
    const rp = createRpApp({ origin: ORIGIN });
    try {
      const s = new TestSession(rp.app);
      expect((await s.get('/api/sim')).json).toMatchObject({ available: true });
      const r = await s.post('/api/sim/register', { username: 'sim-user', profile: 'entra' });
      expect(r.status).toBe(200);
      expect(r.json.registration).toMatchObject({ aaguid: SIM_AAGUID, fmt: 'packed', flags: { UV: true, UP: true }, residentKey: true });
      expect(r.json.simulator.userVerification).toBe('pinUvAuthToken');
      const a = await s.post('/api/sim/authenticate', { userVerification: 'required' });
      expect(a.json).toMatchObject({ verified: true, username: 'sim-user', discoverable: true, userVerified: true });
      // the simulator refuses a second credential for the same user (excludeCredentials): a 4xx outcome
      const dup = await s.post('/api/sim/register', { username: 'sim-user' });
      expect(dup.status).toBe(409);
      expect(dup.json).toMatchObject({ status: 'failed', code: 'SIMULATOR_REFUSED' });
      expect(dup.json.errorMessage).toMatch(/CTAP2_ERR_CREDENTIAL_EXCLUDED/);
      expect(rp.state.credentials.credentialsOf('sim-user')).toHaveLength(1);
      // another session has its own simulator, which holds no credential for this user
      const other = new TestSession(rp.app);
      const miss = await other.post('/api/sim/authenticate', {});
      expect(miss.status).toBe(409);
      expect(miss.json.errorMessage).toMatch(/CTAP2_ERR_NO_CREDENTIALS/);
      expect(rp.simulators.size).toBe(2);
      const bad = await s.post('/api/sim/register', { username: 5 });
      expect(bad.status).toBe(400);
    } finally {
      await rp.close();
    }
  });
});

describe('config, headers, page, unknown routes', () => {
  let web: string;
  beforeAll(async () => {
    web = await mkdtemp(join(tmpdir(), 'fh-rp-web-'));
    await mkdir(join(web, 'assets'));
    await writeFile(join(web, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(web, 'assets', 'app.js'), 'console.log(1)');
  });
  afterAll(() => rm(web, { recursive: true, force: true }));

  it('serves config and sets security headers', async () => {
    const { app } = createRpApp({ origin: 'http://localhost:9000', rpId: 'localhost' });
    const res = await app.request('/api/config');
    expect(await res.json()).toMatchObject({ origin: 'http://localhost:9000', rpId: 'localhost', mdsLoaded: false });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('serves the page and its assets, nothing outside the folder', async () => {
    const { app } = createRpApp({ origin: ORIGIN, webRoot: web });
    const index = await app.request('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>t</title>');
    const js = await app.request('/assets/app.js');
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fetc/passwd', '/nope.js']) {
      const r = await app.request(path);
      expect(r.status, path).toBe(404);
    }
  });

  it('answers unknown routes and methods with the failure shape', async () => {
    const { app } = createRpApp({ origin: ORIGIN });
    const r = await app.request('/api/nothing');
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ status: 'failed', code: 'NOT_FOUND' });
    const get = await app.request('/api/registration/options');
    expect(get.status).toBe(404);
  });

  it('starts a new session when the cookie signature is forged', async () => {
    const f = await rpFixture();
    const a = await f.registrationAttempt();
    const forged = await f.app.request('/api/registration/verify', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: 'fh_session=AAAAAAAAAAAAAAAAAAAAAAAA.forged' },
      body: JSON.stringify({ ceremonyId: a.ceremonyId, response: a.response }),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toMatch(/^fh_session=/);
  });

  it("drops a session's oldest ceremony when it starts more than its budget; the newest still verify", async () => {
    const f = await rpFixture({ maxCeremoniesPerSession: 3 });
    const first = await f.registrationAttempt({ username: 'u0' });
    for (let i = 1; i < 3; i++) await f.registrationAttempt({ username: `u${i}` });
    const last = await f.registrationAttempt({ username: 'u3' });
    const dropped = await f.session.post('/api/registration/verify', { ceremonyId: first.ceremonyId, response: first.response });
    expect(dropped.json.code).toBe('CEREMONY_UNKNOWN');
    const ok = await f.session.post('/api/registration/verify', { ceremonyId: last.ceremonyId, response: last.response });
    expect(ok.status).toBe(200);
  });

  it('refuses a peer over its ceremony budget (429) and frees expired ones; the page and the conformance API are counted apart', async () => {
    const f = await rpFixture({ maxCeremoniesPerPeer: 3 });
    const conf = (name: string) => f.app.request('/conformance/attestation/options', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, displayName: name }) });
    for (let i = 0; i < 3; i++) expect((await conf(`c${i}`)).status).toBe(200);
    const full = await conf('c3');
    expect(full.status).toBe(429);
    expect(full.headers.get('x-error-code')).toBe('LIMIT_REACHED');
    // the page's ceremonies from the same address still start and finish
    await f.register('alice');
    f.clock.advance(120_001);
    expect((await conf('c4')).status).toBe(200);
  });

  it('when the store is full in total, the peer holding the most loses its oldest, and others still start', async () => {
    const f = await rpFixture({ maxCeremonies: 4 });
    const conf = (name: string) => f.app.request('/conformance/attestation/options', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, displayName: name }) });
    for (let i = 0; i < 4; i++) expect((await conf(`c${i}`)).status).toBe(200);
    await f.register('alice');
    expect(f.state.ceremonies.size).toBe(3);
  });
});

void SIMULATOR_AAGUID;

describe('streamed bodies and duplicate credentials', () => {
  it('refuses a chunked body over the limit while reading it (no Content-Length)', async () => {
    const { app } = createRpApp({ origin: ORIGIN, maxBodyBytes: 1024 });
    const chunk = new TextEncoder().encode('x'.repeat(512));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // bounded: at most 64 chunks (32 KiB) even if the limit were ignored
        if (sent++ >= 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await app.request('/api/registration/options', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 'failed', code: 'BODY_TOO_LARGE' });
    expect(sent).toBeLessThan(64);
  });

  it('refuses a credential id that is already registered (WebAuthn L3 §7.1 step 26)', async () => {
    const { verifyRegistration } = await import('../../harness/rp/ceremony/verifyRegistration.ts');
    const f = await rpFixture();
    const a = await f.registrationAttempt();
    const ceremony = { id: a.ceremonyId, kind: 'registration' as const, sessionId: undefined, challenge: a.options.challenge, expiresAt: Infinity, username: 'dave', userVerification: 'preferred' as const, algorithms: [-7] };
    const expected = { origin: ORIGIN, rpId: 'localhost', maxPublicKeyBytes: 1024 };
    const seen: string[] = [];
    await expect(verifyRegistration(a.response, ceremony, { ...expected, isRegistered: (id) => (seen.push(id), true) })).rejects.toMatchObject({ code: 'CREDENTIAL_EXISTS', status: 409 });
    expect(seen).toEqual([a.response.id]);
    const ok = await verifyRegistration(a.response, ceremony, { ...expected, isRegistered: () => false });
    expect(ok.credentialId).toBe(a.response.id);
  });
});
