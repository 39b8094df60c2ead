import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAttestationObject, parseAuthenticatorData } from '../../harness/protocol/index.ts';
import { rpFixture, ORIGIN } from './rpFixture.ts';
import { TestSession } from './simCeremony.ts';

describe('registration routes', () => {
  it('issues options with the user choices, a 32-byte challenge and a ceremony id', async () => {
    const { session } = await rpFixture();
    const r = await session.post('/api/registration/options', {
      username: 'alice',
      displayName: 'Alice',
      attestation: 'direct',
      residentKey: 'preferred',
      userVerification: 'discouraged',
      authenticatorAttachment: 'cross-platform',
    });
    expect(r.status).toBe(200);
    const o = r.json.options;
    expect(Buffer.from(o.challenge, 'base64url')).toHaveLength(32);
    expect(o.rp).toEqual({ name: 'fido-harness', id: 'localhost' });
    expect(o.user.name).toBe('alice');
    expect(o.user.displayName).toBe('Alice');
    expect(Buffer.from(o.user.id, 'base64url')).toHaveLength(16);
    expect(o.attestation).toBe('direct');
    expect(o.authenticatorSelection).toEqual({ residentKey: 'preferred', requireResidentKey: false, userVerification: 'discouraged', authenticatorAttachment: 'cross-platform' });
    expect(o.pubKeyCredParams.map((p: any) => p.alg)).toEqual([-7, -8, -257]);
    expect(o.extensions).toEqual({ credProps: true });
    expect(r.json.ceremonyId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(r.headers.get('set-cookie')).toMatch(/^fh_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
  });

  it('uses the Entra profile: rk required, UV required, direct attestation, ES256 only; the preset overrides choices', async () => {
    const { session } = await rpFixture();
    const r = await session.post('/api/registration/options', { username: 'bob', profile: 'entra', attestation: 'none', userVerification: 'discouraged' });
    const o = r.json.options;
    expect(r.json.profile).toBe('entra');
    expect(o.attestation).toBe('direct');
    expect(o.authenticatorSelection).toMatchObject({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    expect(o.pubKeyCredParams).toEqual([{ type: 'public-key', alg: -7 }]);
  });

  it('verifies a simulator registration and returns the decoded result', async () => {
    const f = await rpFixture();
    const { result, response } = await f.register('alice', { residentKey: 'required' });
    expect(result).toMatchObject({ status: 'ok', errorMessage: '', verified: true, username: 'alice' });
    const reg = result.registration;
    const att = parseAttestationObject(new Uint8Array(Buffer.from(response.response.attestationObject, 'base64url')));
    expect(reg.fmt).toBe('packed');
    expect(reg.aaguid).toBe('be7c888f-f407-45b9-bab1-f1e15cedc047');
    expect(reg.flags).toEqual({ raw: att.authData.flags, UP: true, UV: false, BE: false, BS: false, AT: true, ED: false });
    expect(reg.signCount).toBe(att.authData.signCount);
    expect(reg.credentialId).toBe(response.id);
    expect(reg.publicKey).toMatchObject({ kty: 'EC2', alg: -7, algName: 'ES256', curve: 'P-256' });
    expect(reg.attestation.kind).toBe('x5c');
    expect(reg.attestation.chain).toHaveLength(2);
    expect(reg.attestation.chain[0].aaguidExtension).toBe(reg.aaguid);
    expect(reg.mds).toEqual({ state: 'not-loaded', message: 'no trust verdict: MDS not loaded' });
    const checks = Object.fromEntries(reg.checks.map((c: any) => [c.id, c.status]));
    // harness/compat judges one registration: no MDS, so nothing learned from metadata; no getInfo or checks
    expect(checks).toEqual({
      'EN-UV': 'fail',
      'EN-RK': 'pass',
      'EN-ES256': 'pass',
      'MS-FIDO2': 'skip',
      'MS-CERTIFIED': 'skip',
      'MS-MDS-LISTED': 'skip',
      'MS-UV': 'skip',
      'MS-RK': 'skip',
      'MS-HMAC': 'skip',
      'MS-MULTI-ACCOUNT': 'skip',
      'MS-ATTESTATION': 'skip',
      'MS-AAGUID': 'pass',
    });
    expect(f.state.credentials.credentialCount).toBe(1);
    const stored = f.state.credentials.credential(response.id)!;
    expect(stored.counter).toBe(att.authData.signCount);
    expect(Buffer.from(stored.publicKey).equals(Buffer.from(att.authData.attestedCredentialData!.credentialPublicKeyBytes))).toBe(true);
  });

  it("lists the signed-in user's credentials only, and puts existing ones in excludeCredentials", async () => {
    const f = await rpFixture();
    const first = await f.register('alice');
    const list = await f.session.get('/api/credentials');
    expect(list.status).toBe(200);
    expect(list.json.username).toBe('alice');
    expect(list.json.credentials.map((c: any) => c.id)).toEqual([first.response.id]);
    expect(list.json.credentials[0]).toMatchObject({ fmt: 'packed', algorithm: 'ES256', signIns: 0 });
    const carol = await f.register('carol');
    // the session now belongs to carol: alice's list is not readable from it, nor from a fresh session
    const mine = await f.session.get('/api/credentials');
    expect(mine.json.credentials.map((c: any) => c.id)).toEqual([carol.response.id]);
    const other = await f.session.get('/api/credentials?username=alice');
    expect(other.status).toBe(403);
    expect(other.json).toMatchObject({ status: 'failed', code: 'NOT_SIGNED_IN' });
    const stranger = await new TestSession(f.app).get('/api/credentials?username=alice');
    expect(stranger.status).toBe(401);
    expect(JSON.stringify(stranger.json)).not.toContain(first.response.id);
    const again = await f.session.post('/api/registration/options', { username: 'alice' });
    expect(again.json.options.excludeCredentials.map((c: any) => c.id)).toEqual([first.response.id]);
    expect(again.json.options.user.id).toBe(first.options.user.id);
  });

  it('gives the session a new id at registration and at sign-in; the old id is not signed in', async () => {
    const f = await rpFixture();
    const start = await f.session.get('/api/config');
    const before = start.headers.get('set-cookie')!.split(';')[0]!;
    await f.register('alice');
    const after = (await f.session.get('/api/credentials')).status;
    expect(after).toBe(200);
    const planted = await f.app.request('/api/credentials', { headers: { Cookie: before } });
    expect(planted.status).toBe(401);
    const a = await f.authenticationAttempt({ username: 'alice' });
    const signIn = await f.session.post('/api/authentication/verify', { ceremonyId: a.ceremonyId, response: a.response });
    expect(signIn.status).toBe(200);
    const rotated = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(rotated).not.toBe(before);
    expect(rotated).toMatch(/^fh_session=/);
  });

  it('refuses a ceremony started by another session and keeps it for the rightful one', async () => {
    const f = await rpFixture();
    const a = await f.registrationAttempt();
    const other = new TestSession(f.app);
    const stolen = await other.post('/api/registration/verify', { ceremonyId: a.ceremonyId, response: a.response });
    expect(stolen.status).toBe(403);
    expect(stolen.json.errorMessage).toMatch(/another session/);
    const rightful = await f.session.post('/api/registration/verify', { ceremonyId: a.ceremonyId, response: a.response });
    expect(rightful.status).toBe(200);
  });

  it('accepts a credential whose rpIdHash matches a configured RP ID other than localhost', async () => {
    const f = await rpFixture({ rpId: 'example.test', origin: 'https://example.test' });
    const o = await f.session.post('/api/registration/options', { username: 'alice', attestation: 'direct' });
    expect(o.json.options.rp.id).toBe('example.test');
    expect(o.headers.get('set-cookie')).toMatch(/; Secure/);
    const { simRegister } = await import('./simCeremony.ts');
    const response = await simRegister(f.sim, o.json.options, 'https://example.test');
    const v = await f.session.post('/api/registration/verify', { ceremonyId: o.json.ceremonyId, response });
    expect(v.status).toBe(200);
    const ad = parseAuthenticatorData(parseAttestationObject(new Uint8Array(Buffer.from(response.response.attestationObject, 'base64url'))).authData.raw);
    expect(Buffer.from(ad.rpIdHash).toString('hex')).toBe(createHash('sha256').update('example.test').digest('hex'));
    // the same response against the default origin would be refused
    expect(ORIGIN).not.toBe('https://example.test');
  });
});
