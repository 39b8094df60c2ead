import { describe, expect, it } from 'vitest';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { CtapStatus as S, PinUvAuthPermission as P } from '../../harness/protocol/index.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';

const PIN = '1234';
const options = (info: Map<unknown, unknown>) => info.get(4) as Map<string, boolean>;

/** uv / pinUvAuthParam handling in makeCredential (CTAP 2.1 §6.1.2) and getAssertion (§6.2.2). */
describe.each(PROTOCOLS)('user verification in makeCredential / getAssertion, protocol %i', (v) => {
  const name = (s: string) => `${s} _v${v}`;

  it(name('a zero-length pinUvAuthParam is the touch probe: PIN_NOT_SET, then PIN_INVALID once a PIN is set'), async () => {
    const d = await PinDriver.create();
    expect((await d.makeCredential({ param: new Uint8Array(0), protocol: v })).status).toBe(S.CTAP2_ERR_PIN_NOT_SET);
    expect(d.touches.requests.at(-1)!.reason).toBe('pinUvAuthParam-probe');
    await d.setPin(v, PIN);
    expect((await d.getAssertion({ param: new Uint8Array(0), protocol: v })).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    d.touches.answers.push('denied');
    expect((await d.makeCredential({ param: new Uint8Array(0), protocol: v })).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
  });

  it(name('pinUvAuthParam without protocol is MISSING_PARAMETER; an unknown protocol INVALID_PARAMETER'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    expect((await d.makeCredential({ param: new Uint8Array(16) })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await d.makeCredential({ param: new Uint8Array(16), protocol: 7 })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.getAssertion({ param: new Uint8Array(16), protocol: 7 })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
  });

  it(name('with a PIN set: rk needs a token (PUAT_REQUIRED); non-rk does not (makeCredUvNotRqd) and has no UV flag'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    expect(options(await d.info()).get('makeCredUvNotRqd')).toBe(true);
    expect((await d.makeCredential({ rk: true })).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const plain = await d.makeCredential();
    expect(plain.status).toBe(S.CTAP2_OK);
    expect(plain.authData!.uv).toBe(false);
    const t = (await d.token(v, PIN, P.mc | P.ga, 'example.com')).token!;
    const rk = await d.makeCredential({ rk: true, token: t });
    expect(rk.status).toBe(S.CTAP2_OK);
    expect(rk.authData!.uv).toBe(true);
    // uv=true without built-in UV is INVALID_OPTION; with a pinUvAuthParam "uv" is ignored.
    expect((await d.makeCredential({ uv: true })).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    const t2 = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    expect((await d.makeCredential({ uv: true, token: t2 })).status).toBe(S.CTAP2_OK);
  });

  it(name('a wrong or wrong-length pinUvAuthParam is PIN_AUTH_INVALID and creates nothing'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, P.mc | P.ga, 'example.com')).token!;
    const bad = { version: v, token: new Uint8Array(32).fill(9) };
    expect((await d.makeCredential({ rk: true, token: bad })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const short = new Uint8Array(v === 1 ? 8 : 16);
    expect((await d.makeCredential({ rk: true, param: short, protocol: v })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.state.credentials).toHaveLength(0);
    expect((await d.makeCredential({ rk: true, token: t })).status).toBe(S.CTAP2_OK);
  });

  it(name('getAssertion with a ga token sets UV; the token is spent afterwards'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    await d.makeCredential({ rk: true, token: (await d.token(v, PIN, P.mc, 'example.com')).token! });
    const t = (await d.token(v, PIN, P.ga, 'example.com')).token!;
    const ga = await d.getAssertion({ token: t });
    expect(ga.status).toBe(S.CTAP2_OK);
    expect(ga.authData!.uv).toBe(true);
    expect((await d.getAssertion({ token: t })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const plain = await d.getAssertion();
    expect(plain.status).toBe(S.CTAP2_OK);
    expect(plain.authData!.uv).toBe(false);
  });

  it(name('alwaysUv: every makeCredential and getAssertion (up=true) needs user verification'), async () => {
    const d = await PinDriver.create();
    d.a.state.alwaysUv = true;
    const info = options(await d.info());
    expect(info.get('alwaysUv')).toBe(true);
    expect(info.get('makeCredUvNotRqd')).toBe(false);
    // Not protected at all: PUAT_REQUIRED (clientPin is supported), §6.1.2 step 6.2.
    expect((await d.makeCredential()).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    expect((await d.getAssertion()).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    await d.setPin(v, PIN);
    expect((await d.makeCredential()).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const mc = await d.makeCredential({ token: (await d.token(v, PIN, P.mc, 'example.com')).token! });
    expect(mc.status).toBe(S.CTAP2_OK);
    const id = mc.authData!.attestedCredentialData!.credentialId;
    expect((await d.getAssertion({ allowList: [{ type: 'public-key', id }] })).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    // up=false ("silent") assertions are exempt (§6.2.2 step 5 applies when up is true).
    const silent = await d.getAssertion({ allowList: [{ type: 'public-key', id }], up: false });
    expect(silent.status).toBe(S.CTAP2_OK);
    expect(silent.authData!.up).toBe(false);
  });

  it(name('built-in UV: "uv": true verifies, sets UV; a failure lowers uvRetries; blocked is PIN_BLOCKED'), async () => {
    const uv = new ScriptedBuiltInUv({ establishesPresence: false });
    const d = await PinDriver.create({ builtInUv: uv });
    // Protected by built-in UV only: rk without uv is OPERATION_DENIED (no PIN to get a token with).
    expect((await d.makeCredential({ rk: true })).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    const mc = await d.makeCredential({ rk: true, uv: true });
    expect(mc.status).toBe(S.CTAP2_OK);
    expect(mc.authData!.uv).toBe(true);
    expect(d.touches.requests.at(-1)!.reason).toBe('makeCredential');
    uv.queue.push('nomatch');
    expect((await d.getAssertion({ uv: true })).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    expect(d.a.state.uvRetries).toBe(7);
    const ga = await d.getAssertion({ uv: true });
    expect(ga.authData!.uv).toBe(true);
    expect(d.a.state.uvRetries).toBe(8);
    d.a.state.uvRetries = 1;
    uv.queue.push('nomatch');
    expect((await d.getAssertion({ uv: true })).status).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    expect((await d.getAssertion({ uv: true })).status).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    // With alwaysUv, built-in UV is used without the platform asking (§6.1.2 step 6.3).
    d.a.state.uvRetries = 8;
    d.a.state.alwaysUv = true;
    const auto = await d.makeCredential();
    expect(auth(auto)).toBe(true);
  });
});

function auth(r: { authData?: { uv: boolean } }): boolean | undefined {
  return r.authData?.uv;
}
