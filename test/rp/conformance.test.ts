// The FIDO conformance server API (FIDO2 Server conformance test API): exact shapes, and a full register/authenticate round trip
// driven by the harness client (harness/client) against the simulator over the in-process host stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorDevice } from '../../authenticator-sim/ctaphid/createSimulatorDevice.ts';
import { ClientPin, PinUvAuthProtocolTwo, WebAuthnClient } from '../../harness/client/index.ts';
import { openDevice, type OpenedDevice } from '../../harness/ctap/index.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import { createRpApp } from '../../harness/rp/index.ts';
import { TestSession } from './simCeremony.ts';
import { ORIGIN } from './rpFixture.ts';

const PIN = '4321';

describe('FIDO conformance API', () => {
  let device: OpenedDevice;
  let closeSim: () => void;
  let client: WebAuthnClient;

  beforeAll(async () => {
    const { device: sim } = await createSimulatorDevice({ allowResetAnytime: true });
    device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim) }, { ctaphid: { timeoutMs: 10_000 } });
    closeSim = () => sim.close();
    await new ClientPin(device.ctap2, new PinUvAuthProtocolTwo()).setPin(PIN);
    await device.ctap2.getInfo();
    client = new WebAuthnClient({ ctap: device.ctap2, origin: ORIGIN, pin: PIN });
  });
  afterAll(async () => {
    await device?.close();
    closeSim?.();
  });

  it('answers /attestation/options with ServerPublicKeyCredentialCreationOptionsResponse', async () => {
    const { app } = createRpApp({ origin: ORIGIN });
    const s = new TestSession(app);
    const r = await s.post('/conformance/attestation/options', {
      username: 'johndoe@example.com',
      displayName: 'John Doe',
      authenticatorSelection: { requireResidentKey: false, authenticatorAttachment: 'cross-platform', userVerification: 'preferred' },
      attestation: 'direct',
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(
      ['status', 'errorMessage', 'rp', 'user', 'challenge', 'pubKeyCredParams', 'timeout', 'excludeCredentials', 'authenticatorSelection', 'attestation', 'extensions'].sort(),
    );
    expect(r.json.status).toBe('ok');
    expect(r.json.errorMessage).toBe('');
    expect(r.json.rp).toEqual({ name: 'fido-harness', id: 'localhost' });
    expect(r.json.user).toMatchObject({ name: 'johndoe@example.com', displayName: 'John Doe' });
    expect(r.json.user.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(r.json.challenge, 'base64url').length).toBe(32);
    expect(r.json.authenticatorSelection).toEqual({ residentKey: 'discouraged', requireResidentKey: false, userVerification: 'preferred', authenticatorAttachment: 'cross-platform' });
    expect(r.json.attestation).toBe('direct');
    expect(r.json.excludeCredentials).toEqual([]);
    expect(r.json.pubKeyCredParams).toEqual([
      { type: 'public-key', alg: -7 },
      { type: 'public-key', alg: -8 },
      { type: 'public-key', alg: -257 },
    ]);
  });

  it('answers "indirect" attestation as asked', async () => {
    const { app } = createRpApp({ origin: ORIGIN });
    const r = await new TestSession(app).post('/conformance/attestation/options', { username: 'x', displayName: 'x', attestation: 'indirect' });
    expect(r.json.attestation).toBe('indirect');
  });

  it('runs a full register/authenticate round trip with the harness client against the simulator', async () => {
    const { app, state } = createRpApp({ origin: ORIGIN });
    const s = new TestSession(app);
    const { status: _s, errorMessage: _e, ...creation } = (
      await s.post('/conformance/attestation/options', {
        username: 'conformance-user',
        displayName: 'Conformance User',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        attestation: 'direct',
      })
    ).json;
    const reg = await client.create(creation);
    expect(reg.userVerification).toBe('pinUvAuthToken');
    // the conformance tools send getClientExtensionResults rather than clientExtensionResults
    const { clientExtensionResults, ...credential } = reg.credential;
    const result = await s.post('/conformance/attestation/result', { ...credential, getClientExtensionResults: clientExtensionResults });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ status: 'ok', errorMessage: '' });
    expect(state.credentials.credentialsOf('conformance-user').map((c) => c.id)).toEqual([reg.credential.id]);

    const again = await s.post('/conformance/attestation/result', { ...credential, getClientExtensionResults: clientExtensionResults });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ status: 'failed', errorMessage: 'unknown or already used challenge: start the ceremony again' });
    expect(again.headers.get('x-error-code')).toBe('CEREMONY_UNKNOWN');

    const get = await s.post('/conformance/assertion/options', { username: 'conformance-user', userVerification: 'required' });
    expect(get.status).toBe(200);
    const { status: _s2, errorMessage: _e2, ...request } = get.json;
    expect(Object.keys(get.json).sort()).toEqual(['status', 'errorMessage', 'challenge', 'timeout', 'rpId', 'allowCredentials', 'userVerification'].sort());
    expect(get.json.allowCredentials).toEqual([{ id: reg.credential.id, type: 'public-key', transports: reg.credential.response.transports }]);
    expect(reg.credential.response.transports).toContain('usb');
    const auth = await client.get(request);
    const assertion = await s.post('/conformance/assertion/result', auth.credential);
    expect(assertion.json).toEqual({ status: 'ok', errorMessage: '' });
    expect(state.credentials.credential(reg.credential.id)!.counter).toBe(auth.authenticatorData.signCount);
    expect(state.credentials.credential(reg.credential.id)!.signIns).toBe(1);

    const replay = await s.post('/conformance/assertion/result', auth.credential);
    expect(replay.status).toBe(400);
    expect(replay.json.status).toBe('failed');
  });

  it('refuses an unknown user at /assertion/options and a cross-origin assertion at /assertion/result', async () => {
    const { app } = createRpApp({ origin: ORIGIN });
    const s = new TestSession(app);
    const unknown = await s.post('/conformance/assertion/options', { username: 'ghost' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ status: 'failed', errorMessage: 'no credentials registered for "ghost"' });

    const { status: _a, errorMessage: _b, ...creation } = (await s.post('/conformance/attestation/options', { username: 'eve', displayName: 'Eve', attestation: 'none' })).json;
    const reg = await client.create(creation);
    expect((await s.post('/conformance/attestation/result', reg.credential)).json.status).toBe('ok');
    const { status: _c, errorMessage: _d, ...request } = (await s.post('/conformance/assertion/options', { username: 'eve' })).json;
    const evil = new WebAuthnClient({ ctap: device.ctap2, origin: 'http://localhost:6666', pin: PIN });
    const auth = await evil.get(request);
    const r = await s.post('/conformance/assertion/result', auth.credential);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ status: 'failed', errorMessage: 'clientDataJSON.origin is "http://localhost:6666", expected "http://localhost:8080"' });
    expect(r.headers.get('x-error-code')).toBe('ORIGIN_MISMATCH');
  });

  it('is served at the root only with conformanceAtRoot', async () => {
    const body = { username: 'x', displayName: 'x' };
    const off = createRpApp({ origin: ORIGIN });
    const r1 = await new TestSession(off.app).post('/attestation/options', body);
    expect(r1.status).toBe(404);
    expect(r1.json.status).toBe('failed');
    const on = createRpApp({ origin: ORIGIN, conformanceAtRoot: true });
    const r2 = await new TestSession(on.app).post('/attestation/options', body);
    expect(r2.status).toBe(200);
    expect(r2.json.status).toBe('ok');
    const r3 = await new TestSession(on.app).get('/conformance/attestation/options');
    expect(r3.status).toBe(404);
    expect(r3.json.errorMessage).toMatch(/POST/);
  });
});
