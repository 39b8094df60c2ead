import { describe, expect, it } from 'vitest';
import { CtapStatus as S, PinUvAuthPermission as P } from '../../harness/protocol/index.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';

// Deviations from CTAP 2.1 found by driving the simulator with host stacks (test/interop/), each pinned here
// at the simulator's CTAP2 interface.

const PIN = '1234';

describe.each(PROTOCOLS)('getAssertion and the pinUvAuthToken, protocol %i', (v) => {
  it('a silent assertion (up=false) leaves the token usable: step 9 clears it only when "up" is true (CTAP 2.1 §6.2.2 step 9)', async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    await d.makeCredential({ rk: true, token: (await d.token(v, PIN, P.mc, 'example.com')).token! });
    const t = (await d.token(v, PIN, P.ga, 'example.com')).token!;
    const touchesBefore = d.touches.requests.length;
    // the platform's pre-flight: no presence, the token proves UV
    const silent = await d.getAssertion({ token: t, up: false });
    expect(silent.status).toBe(S.CTAP2_OK);
    expect(silent.authData!.up).toBe(false);
    expect(silent.authData!.uv).toBe(true);
    expect(d.touches.requests).toHaveLength(touchesBefore);
    // the assertion itself, with the same token: presence asked once, then the token is spent
    const real = await d.getAssertion({ token: t });
    expect(real.status).toBe(S.CTAP2_OK);
    expect(real.authData!.up && real.authData!.uv).toBe(true);
    expect(d.touches.requests.slice(touchesBefore).map((r) => r.reason)).toEqual(['getAssertion']);
    expect((await d.getAssertion({ token: t })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.getAssertion({ token: t, up: false })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });
});

describe('makeCredential excludeList and user presence (CTAP 2.1 §6.1.2, excludeList step)', () => {
  it('no second touch when built-in UV (a fingerprint) already showed presence; one touch with a PIN token', async () => {
    const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv({ establishesPresence: true }) });
    const made = await d.makeCredential({ uv: true });
    expect(made.status).toBe(S.CTAP2_OK);
    const id = made.authData!.attestedCredentialData!.credentialId;
    const before = d.touches.requests.length;
    const excluded = await d.makeCredential({ uv: true, excludeList: [{ type: 'public-key', id }] });
    expect(excluded.status).toBe(S.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    expect(d.touches.requests.slice(before)).toEqual([]);
    await d.setPin(2, PIN);
    const t = (await d.token(2, PIN, P.mc, 'example.com')).token!;
    expect((await d.makeCredential({ token: t, excludeList: [{ type: 'public-key', id }] })).status).toBe(S.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    expect(d.touches.requests.slice(before).map((r) => r.reason)).toEqual(['excluded']);
  });
});

describe('getAssertion with built-in UV and up=false (CTAP 2.1 §6.2.2 step 8)', () => {
  it.each([true, false])('a UV gesture that shows presence (%s) sets the UP flag without a touch request', async (presence) => {
    const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv({ establishesPresence: presence }) });
    expect((await d.makeCredential({ rk: true, uv: true })).status).toBe(S.CTAP2_OK);
    const before = d.touches.requests.length;
    const ga = await d.getAssertion({ uv: true, up: false });
    expect(ga.status).toBe(S.CTAP2_OK);
    expect(ga.authData!.uv).toBe(true);
    expect(ga.authData!.up).toBe(presence);
    expect(d.touches.requests).toHaveLength(before);
  });
});
