import { describe, expect, it } from 'vitest';
import {
  CtapCommand,
  CtapStatus as S,
  encodeGetAssertionRequest,
  parseAuthenticatorData,
  PinUvAuthPermission as P,
  type GetAssertionRequest,
} from '../../harness/protocol/index.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { tokenAuthenticate } from '../helpers/pinClient.ts';
import { CDH, PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';

const PIN = '1234';

const ga = (d: PinDriver, over: Partial<GetAssertionRequest> = {}) =>
  d.call(CtapCommand.authenticatorGetAssertion, encodeGetAssertionRequest({ rpId: 'example.com', clientDataHash: CDH, ...over }));
const authData = (r: { body: Map<unknown, unknown> | undefined }) => parseAuthenticatorData(r.body!.get(2) as Uint8Array);
const credentialId = (r: { body: Map<unknown, unknown> | undefined }) => Buffer.from((r.body!.get(1) as Map<string, Uint8Array>).get('id')!).toString('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function made(d: PinDriver, o: Parameters<PinDriver['makeCredential']>[0] = {}): Promise<Uint8Array> {
  const r = await d.makeCredential(o);
  expect(r.status).toBe(S.CTAP2_OK);
  return r.authData!.attestedCredentialData!.credentialId;
}

describe('authenticatorGetAssertion (CTAP 2.1 §6.2.2)', () => {
  it('a clientDataHash of 31 or 33 bytes is CTAP1_ERR_INVALID_PARAMETER; an allowList of 8 is accepted', async () => {
    const d = await PinDriver.create();
    const id = await made(d);
    expect((await ga(d, { clientDataHash: new Uint8Array(31) })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await ga(d, { clientDataHash: new Uint8Array(33) })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    const list = [...Array.from({ length: 7 }, (_, i) => ({ type: 'public-key', id: new Uint8Array(16).fill(i) })), { type: 'public-key', id }];
    const r = await ga(d, { allowList: list });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(credentialId(r)).toBe(hex(id));
  });

  it('step 7: with an allowList one credential is used, the first of ours; a deleted discoverable one is skipped', async () => {
    const d = await PinDriver.create();
    const first = await made(d, { userId: Uint8Array.of(1) });
    const second = await made(d, { userId: Uint8Array.of(2) });
    const r = await ga(d, { allowList: [{ type: 'public-key', id: second }, { type: 'public-key', id: first }] });
    expect(credentialId(r)).toBe(hex(second));
    expect(r.body!.has(5)).toBe(false);
    const rk = await made(d, { rk: true, userId: Uint8Array.of(3) });
    // discoverable, from the allowList: the stored user handle is returned
    const withUser = await ga(d, { allowList: [{ type: 'public-key', id: rk }] });
    expect(hex((withUser.body!.get(4) as Map<string, Uint8Array>).get('id')!)).toBe('03');
    d.a.state.credentials = [];
    expect((await ga(d, { allowList: [{ type: 'public-key', id: rk }] })).status).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
    const fallback = await ga(d, { allowList: [{ type: 'public-key', id: rk }, { type: 'public-key', id: first }] });
    expect(credentialId(fallback)).toBe(hex(first));
  });

  it('one discoverable credential: no numberOfCredentials and nothing pending for getNextAssertion', async () => {
    const d = await PinDriver.create();
    await made(d, { rk: true });
    const r = await ga(d);
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.body!.has(5)).toBe(false);
    expect((await d.call(CtapCommand.authenticatorGetNextAssertion)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
  });

  it('§6.3: getNextAssertion within 30 s of the last answer (30 000 ms is still within)', async () => {
    const d = await PinDriver.create();
    for (const u of [1, 2, 3]) await made(d, { rk: true, userId: Uint8Array.of(u) });
    expect((await ga(d)).body!.get(5)).toBe(3);
    d.clock.advance(30_000);
    expect((await d.call(CtapCommand.authenticatorGetNextAssertion)).status).toBe(S.CTAP2_OK);
    d.clock.advance(30_000);
    expect((await d.call(CtapCommand.authenticatorGetNextAssertion)).status).toBe(S.CTAP2_OK);
    expect((await d.call(CtapCommand.authenticatorGetNextAssertion)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
  });

  it('presence: a timeout is USER_ACTION_TIMEOUT, a refusal OPERATION_DENIED; nothing is counted', async () => {
    const d = await PinDriver.create();
    const id = await made(d);
    const count = d.a.state.signCount;
    d.touches.answers.push('timeout', 'denied');
    expect((await ga(d, { allowList: [{ type: 'public-key', id }] })).status).toBe(S.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect((await ga(d, { allowList: [{ type: 'public-key', id }] })).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    expect(d.a.state.signCount).toBe(count);
  });

  it.each(PROTOCOLS)('step 5: alwaysUv needs a token when "up" is true, not for a silent (up=false) assertion _v%i', async (v) => {
    const d = await PinDriver.create();
    const id = await made(d);
    d.a.state.alwaysUv = true;
    // not protected at all: the platform must set a PIN and send a token
    expect((await ga(d, { allowList: [{ type: 'public-key', id }] })).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    expect((await ga(d, { allowList: [{ type: 'public-key', id }] })).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const silent = await ga(d, { allowList: [{ type: 'public-key', id }], options: new Map([['up', false]]) });
    expect(silent.status).toBe(S.CTAP2_OK);
    expect(authData(silent).up).toBe(false);
    const t = (await d.token(v, PIN, P.ga, 'example.com')).token!;
    const r = await ga(d, { allowList: [{ type: 'public-key', id }], pinUvAuthParam: tokenAuthenticate(v, t.token, CDH), pinUvAuthProtocol: v });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(authData(r).uv).toBe(true);
    // step 9.4: spent (ga cleared) after an assertion with "up"
    expect(d.a.pinUvAuthToken.permissions).toBe(0);
    expect(d.a.pinUvAuthToken.userVerified).toBe(false);
  });

  it('alwaysUv with built-in UV and no token: built-in UV is used; its gesture is the presence (one UV, no touch)', async () => {
    const uv = new ScriptedBuiltInUv();
    const d = await PinDriver.create({ builtInUv: uv });
    const id = await made(d);
    d.a.state.alwaysUv = true;
    const touches = d.touches.requests.length;
    const r = await ga(d, { allowList: [{ type: 'public-key', id }] });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(authData(r).uv).toBe(true);
    expect(authData(r).up).toBe(true);
    expect(uv.attempts).toBe(1);
    expect(d.touches.requests.length).toBe(touches);
  });

  it('step 8: a built-in UV gesture sets UP even with up=false; a method without presence does not', async () => {
    const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv() });
    const id = await made(d);
    const r = await ga(d, { allowList: [{ type: 'public-key', id }], options: new Map([['up', false], ['uv', true]]) });
    expect(r.status).toBe(S.CTAP2_OK);
    expect([authData(r).up, authData(r).uv]).toEqual([true, true]);
    const k = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv({ establishesPresence: false }) });
    const kid = await made(k);
    const silent = await ga(k, { allowList: [{ type: 'public-key', id: kid }], options: new Map([['up', false], ['uv', true]]) });
    expect([authData(silent).up, authData(silent).uv]).toEqual([false, true]);
    // with "up" the method without presence asks for a touch as well
    const before = k.touches.requests.length;
    const loud = await ga(k, { allowList: [{ type: 'public-key', id: kid }], options: new Map([['uv', true]]) });
    expect([authData(loud).up, authData(loud).uv]).toEqual([true, true]);
    expect(k.touches.requests.slice(before).map((q) => q.reason)).toEqual(['getAssertion']);
  });

  it('built-in UV: a timeout is USER_ACTION_TIMEOUT and keeps uvRetries; a match restores them to 8; 0 retries is PIN_BLOCKED', async () => {
    const uv = new ScriptedBuiltInUv();
    const d = await PinDriver.create({ builtInUv: uv });
    const id = await made(d);
    const allowList = [{ type: 'public-key', id }];
    const uvOn = new Map([['uv', true]]);
    uv.queue.push('nomatch', 'timeout');
    expect((await ga(d, { allowList, options: uvOn })).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    expect(d.a.state.uvRetries).toBe(7);
    expect((await ga(d, { allowList, options: uvOn })).status).toBe(S.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect(d.a.state.uvRetries).toBe(7);
    expect((await ga(d, { allowList, options: uvOn })).status).toBe(S.CTAP2_OK);
    expect(d.a.state.uvRetries).toBe(8);
    d.a.state.uvRetries = 1;
    uv.queue.push('nomatch');
    expect((await ga(d, { allowList, options: uvOn })).status).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    expect(d.a.state.uvRetries).toBe(0);
    const attempts = uv.attempts;
    expect((await ga(d, { allowList, options: uvOn })).status).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    expect(uv.attempts).toBe(attempts);
    expect(d.storage.load()).toContain('"uvRetries":0');
  });

  it.each(PROTOCOLS)('a token without ga, or bound to another RP, is PIN_AUTH_INVALID; a be token with an rpId still works for its command _v%i', async (v) => {
    const d = await PinDriver.create();
    const id = await made(d);
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const param = (t: { token: Uint8Array }) => ({ pinUvAuthParam: tokenAuthenticate(v, t.token, CDH), pinUvAuthProtocol: v });
    const mcOnly = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    expect((await ga(d, { allowList: [{ type: 'public-key', id }], ...param(mcOnly) })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const other = (await d.token(v, PIN, P.ga, 'other.example')).token!;
    expect((await ga(d, { allowList: [{ type: 'public-key', id }], ...param(other) })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.pinUvAuthToken.rpId).toBe('other.example');
    const unbound = (await d.token(v, PIN, P.ga)).token!;
    expect((await ga(d, { allowList: [{ type: 'public-key', id }], options: new Map([['up', false]]), ...param(unbound) })).status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.rpId).toBe('example.com');
  });
});
