import { describe, expect, it } from 'vitest';
import { Authenticator, DEFAULT_FEATURES, MemoryStorage } from '../../authenticator-sim/index.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { ClientPinSubCommand, CtapCommand, CtapStatus as S, PinUvAuthPermission as P } from '../../harness/protocol/index.ts';
import { padPin, pinHashLeft16 } from '../helpers/pinClient.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';

const PIN = '1234';
const MC_GA = P.mc | P.ga;

describe.each(PROTOCOLS)('authenticatorClientPIN, PIN/UV auth protocol %i', (v) => {
  const name = (s: string) => `${s} _v${v}`;

  it(name('getKeyAgreement answers an EC2 P-256 key with alg -25 (§6.5.6 getPublicKey)'), async () => {
    const d = await PinDriver.create();
    const r = await d.clientPin({ 1: v, 2: ClientPinSubCommand.getKeyAgreement });
    expect(r.status).toBe(S.CTAP2_OK);
    const key = r.body!.get(1) as Map<number, unknown>;
    expect([...key.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 1, 3]);
    expect(key.get(1)).toBe(2);
    expect(key.get(3)).toBe(-25);
    expect(key.get(-1)).toBe(1);
  });

  it(name('setPIN stores the PIN: clientPin option true, 8 retries, a token with the PIN works'), async () => {
    const d = await PinDriver.create();
    expect((await d.info()).get(4)).toBeInstanceOf(Map);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('clientPin')).toBe(false);
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('clientPin')).toBe(true);
    expect(await d.pinRetries()).toEqual({ retries: 8, powerCycleState: false });
    const t = await d.token(v, PIN, MC_GA, 'example.com');
    expect(t.status).toBe(S.CTAP2_OK);
    expect(t.token!.token.length).toBe(32);
  });

  it(name('setPIN errors: already set, bad pinUvAuthParam, policy, padding, missing members, bad key'), async () => {
    const d = await PinDriver.create();
    const s = await d.session(v);
    const enc = s.encrypt(padPin('12'));
    // Too short (minPINLength 4 code points): CTAP2_ERR_PIN_POLICY_VIOLATION.
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: s.authenticate(enc), 5: enc })).status).toBe(
      S.CTAP2_ERR_PIN_POLICY_VIOLATION,
    );
    // 64 bytes with no padding byte: longer than 63 bytes.
    const full = s.encrypt(new Uint8Array(64).fill(0x31));
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: s.authenticate(full), 5: full })).status).toBe(
      S.CTAP2_ERR_PIN_POLICY_VIOLATION,
    );
    // Four code points of three bytes each is long enough although only 12 bytes... and 3 code points of 4 bytes is not.
    const cjk = s.encrypt(padPin('漢字漢字'));
    const emoji = s.encrypt(padPin('😀😀😀'));
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: s.authenticate(emoji), 5: emoji })).status).toBe(
      S.CTAP2_ERR_PIN_POLICY_VIOLATION,
    );
    // Padded PIN of 32 bytes instead of 64: CTAP1_ERR_INVALID_PARAMETER (§6.5.5.5 step 7).
    const short = s.encrypt(new Uint8Array(32).fill(0x31).fill(0, 8));
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: s.authenticate(short), 5: short })).status).toBe(
      S.CTAP1_ERR_INVALID_PARAMETER,
    );
    // Wrong pinUvAuthParam, and one of the wrong length.
    const good = s.encrypt(padPin(PIN));
    const bad = s.authenticate(good).slice();
    bad[0]! ^= 1;
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: bad, 5: good })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: new Uint8Array(v === 1 ? 32 : 16), 5: good })).status).toBe(
      S.CTAP2_ERR_PIN_AUTH_INVALID,
    );
    // Missing members, unknown protocol, bad key agreement key.
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 5: good })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await d.clientPin({ 1: v, 2: 3, 4: s.authenticate(good), 5: good })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await d.clientPin({ 2: 3, 3: s.platformKey, 4: s.authenticate(good), 5: good })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await d.clientPin({ 1: 3, 2: 3, 3: s.platformKey, 4: s.authenticate(good), 5: good })).status).toBe(
      S.CTAP1_ERR_INVALID_PARAMETER,
    );
    const offCurve = new Map(s.platformKey);
    offCurve.set(-3, new Uint8Array(32).fill(7));
    expect((await d.clientPin({ 1: v, 2: 3, 3: offCurve, 4: s.authenticate(good), 5: good })).status).toBe(
      S.CTAP1_ERR_INVALID_PARAMETER,
    );
    // None of that set a PIN.
    expect(d.a.pinIsSet).toBe(false);
    expect((await d.clientPin({ 1: v, 2: 3, 3: s.platformKey, 4: s.authenticate(cjk), 5: cjk })).status).toBe(S.CTAP2_OK);
    // Already set: CTAP2_ERR_PIN_AUTH_INVALID (§6.5.5.5 step 3).
    expect(await d.setPin(v, '5678')).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.token(v, '漢字漢字', MC_GA, 'example.com')).status).toBe(S.CTAP2_OK);
  });

  it(name('a wrong PIN lowers the retries, persistently; three in a row block until power cycle'), async () => {
    const storage = new MemoryStorage();
    const d = await PinDriver.create({ storage });
    await d.setPin(v, PIN);
    expect((await d.token(v, '0000', MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    // The decrement is in storage already: a fresh simulator on the same storage sees 7.
    const reopened = await Authenticator.create({ storage });
    expect(reopened.state.pinRetries).toBe(7);
    expect((await d.token(v, '0000', MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.token(v, '0000', MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
    expect(await d.pinRetries()).toEqual({ retries: 5, powerCycleState: true });
    // Blocked: even the right PIN is refused, and nothing is decremented.
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
    expect((await d.pinRetries()).retries).toBe(5);
    d.a.powerCycle();
    expect((await d.pinRetries()).powerCycleState).toBe(false);
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_OK);
    expect((await d.pinRetries()).retries).toBe(8);
  });

  it(name('eight wrong PINs block the PIN for good (CTAP2_ERR_PIN_BLOCKED)'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      if (i > 0 && i % 3 === 0) d.a.powerCycle();
      seen.push((await d.token(v, '9999', MC_GA, 'example.com')).status);
    }
    expect(seen).toEqual([
      S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_AUTH_BLOCKED,
      S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_AUTH_BLOCKED,
      S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_BLOCKED,
    ]);
    d.a.powerCycle();
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    expect(await d.changePin(v, PIN, '4321')).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    expect((await d.pinRetries()).retries).toBe(0);
  });

  it(name('the pin-retries-not-decremented hook (Behaviour.decrementPinRetries) is respected'), async () => {
    const d = await PinDriver.create({ behaviour: { decrementPinRetries: false } });
    await d.setPin(v, PIN);
    expect((await d.token(v, '0000', MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.pinRetries()).retries).toBe(8);
  });

  it(name('a wrong PIN regenerates the key agreement key (§6.5.5.7.1)'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const before = (await d.clientPin({ 1: v, 2: 2 })).body!.get(1) as Map<number, Uint8Array>;
    await d.token(v, '0000', MC_GA, 'example.com');
    const after = (await d.clientPin({ 1: v, 2: 2 })).body!.get(1) as Map<number, Uint8Array>;
    expect(Buffer.compare(before.get(-2)!, after.get(-2)!)).not.toBe(0);
  });

  it(name('changePIN: the old PIN stops working, the new one works, tokens are invalidated'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, MC_GA, 'example.com')).token!;
    expect(await d.changePin(v, '0000', '5678')).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.pinRetries()).retries).toBe(7);
    expect(await d.changePin(v, PIN, '12')).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect(await d.changePin(v, PIN, '5678')).toBe(S.CTAP2_OK);
    expect((await d.pinRetries()).retries).toBe(8);
    expect((await d.makeCredential({ token: t })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.token(v, '5678', MC_GA, 'example.com')).status).toBe(S.CTAP2_OK);
    // Missing pinHashEnc; bad pinUvAuthParam (over newPinEnc only).
    const s = await d.session(v);
    const newPinEnc = s.encrypt(padPin('9999'));
    const pinHashEnc = s.encrypt(pinHashLeft16('5678'));
    expect((await d.clientPin({ 1: v, 2: 4, 3: s.platformKey, 4: s.authenticate(newPinEnc), 5: newPinEnc })).status).toBe(
      S.CTAP2_ERR_MISSING_PARAMETER,
    );
    expect(
      (await d.clientPin({ 1: v, 2: 4, 3: s.platformKey, 4: s.authenticate(newPinEnc), 5: newPinEnc, 6: pinHashEnc })).status,
    ).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.pinRetries()).retries).toBe(8);
  });

  it(name('changePIN without a PIN set is CTAP2_ERR_PIN_NOT_SET; getPinUvAuthToken too'), async () => {
    const d = await PinDriver.create();
    expect(await d.changePin(v, PIN, '5678')).toBe(S.CTAP2_ERR_PIN_NOT_SET);
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_NOT_SET);
  });

  it(name('getPINToken gives an mc+ga token without RP binding, and refuses permissions'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN)).token!;
    expect(d.a.pinUvAuthToken.permissions).toBe(MC_GA);
    expect(d.a.pinUvAuthToken.rpId).toBeUndefined();
    const mc = await d.makeCredential({ token: t });
    expect(mc.status).toBe(S.CTAP2_OK);
    expect(mc.authData!.uv).toBe(true);
    const s = await d.session(v);
    const r = await d.clientPin({ 1: v, 2: 5, 3: s.platformKey, 6: s.encrypt(pinHashLeft16(PIN)), 9: P.mc });
    expect(r.status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
  });

  it(name('permissions: 0, unsupported (be without a fingerprint sensor), undefined ones ignored (pcmr on a CTAP 2.1 key)'), async () => {
    const d = await PinDriver.create({ fingerprint: false, ctap22: false });
    await d.setPin(v, PIN);
    expect((await d.token(v, PIN, 0, 'example.com')).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.token(v, PIN, P.be, 'example.com')).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    // None of the refusals cost a retry.
    expect((await d.pinRetries()).retries).toBe(8);
    // §6.5.5.7.2 step 4: undefined permissions are ignored; pcmr is CTAP 2.2's, undefined to a 2.1 key
    expect((await d.token(v, PIN, P.pcmr | P.cm)).status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.permissions).toBe(P.cm);
    expect((await d.token(v, PIN, 0x80 | P.lbw)).status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.permissions).toBe(P.lbw);
  });

  it(name('a permission whose getInfo option is off is refused before the PIN is checked (§6.5.5.7.2 step 4)'), async () => {
    const d = await PinDriver.create({ fingerprint: false, features: { ...DEFAULT_FEATURES, credMgmt: false, largeBlobs: false, authnrCfg: false } });
    await d.setPin(v, PIN);
    for (const p of [P.cm, P.be, P.lbw, P.acfg, P.mc | P.lbw]) {
      expect((await d.token(v, PIN, p, 'example.com')).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
      // refused before the PIN: a wrong one costs no retry either
      expect((await d.token(v, '9999', p, 'example.com')).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    }
    expect((await d.pinRetries()).retries).toBe(8);
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_OK);
    // a 2.2 key without perCredMgmtRO would refuse pcmr; with it, pcmr goes alone
    const k = await PinDriver.create();
    await k.setPin(v, PIN);
    expect((await k.token(v, PIN, P.pcmr | P.cm)).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect((await k.token(v, PIN, P.pcmr)).status).toBe(S.CTAP2_OK);
  });

  it(name('noMcGaPermissionsWithClientPin: mc and ga are refused by PIN'), async () => {
    const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, staticOptions: { ...DEFAULT_FEATURES.staticOptions, noMcGaPermissionsWithClientPin: true } } });
    await d.setPin(v, PIN);
    expect((await d.token(v, PIN, P.mc, 'example.com')).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect((await d.token(v, PIN, P.ga, 'example.com')).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect((await d.token(v, PIN, P.cm)).status).toBe(S.CTAP2_OK);
  });

  it(name('mc/ga without rpId: the token is issued unbound and bound to the RP of its first use (§6.1.2 step 11.1.3)'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = await d.token(v, PIN, P.mc | P.ga);
    expect(t.status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.rpId).toBeUndefined();
    expect((await d.makeCredential({ token: t.token!, rpId: 'first.example' })).status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.rpId).toBe('first.example');
  });

  it(name('a token is used only within its permission and RP ID'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const ga = (await d.token(v, PIN, P.ga, 'example.com')).token!;
    expect((await d.makeCredential({ token: ga })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const mc = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    expect((await d.makeCredential({ token: mc, rpId: 'other.example' })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const ok = await d.makeCredential({ token: mc });
    expect(ok.status).toBe(S.CTAP2_OK);
    expect(ok.authData!.uv).toBe(true);
    // §6.1.2 step 14: after one use the mc permission (and the UV state) are gone.
    expect((await d.makeCredential({ token: mc })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it(name('a token unbound at issue is bound to the first RP ID it is used with'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, P.mc | P.cm, 'example.com')).token!;
    expect(d.a.pinUvAuthToken.rpId).toBe('example.com');
    const legacy = (await d.token(v, PIN)).token!;
    expect(d.a.pinUvAuthToken.rpId).toBeUndefined();
    expect((await d.makeCredential({ token: legacy, rpId: 'first.example' })).status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.rpId).toBe('first.example');
    expect(t.token).not.toEqual(legacy.token);
  });

  it(name('a token expires 30 s after its last use and 10 min after issue (§6.5.2.1)'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    let t = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    d.clock.advance(30_001);
    expect((await d.makeCredential({ token: t })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    t = (await d.token(v, PIN, P.lbw)).token!;
    d.clock.advance(29_000);
    expect(d.a.pinUvAuthToken.inUse).toBe(true);
    d.clock.advance(2_000);
    await d.info();
    expect(d.a.pinUvAuthToken.inUse).toBe(false);
  });

  it(name('a power cycle ends the token'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    d.a.powerCycle();
    expect((await d.makeCredential({ token: t })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it(name('unknown subCommand, and getUVRetries / UV token without built-in UV: CTAP2_ERR_INVALID_SUBCOMMAND'), async () => {
    const d = await PinDriver.create({ fingerprint: false });
    expect((await d.clientPin({ 1: v, 2: 0x08 })).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect((await d.clientPin({ 1: v, 2: 0x42 })).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect((await d.clientPin({ 2: ClientPinSubCommand.getUVRetries })).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    const s = await d.session(v);
    expect((await d.clientPin({ 1: v, 2: 6, 3: s.platformKey, 9: P.mc, 10: 'example.com' })).status).toBe(
      S.CTAP2_ERR_INVALID_SUBCOMMAND,
    );
    expect((await d.clientPin({ 1: v })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await d.clientPin({ 1: v, 2: 'x' })).status).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect((await d.clientPin({ 2: ClientPinSubCommand.getKeyAgreement })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
  });

  it(name('forcePINChange: no token until the PIN changes, and it must change to a different PIN'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    d.a.state.forcePinChange = true;
    expect((await d.info()).get(0x0c)).toBe(true);
    // §6.5.5.7.2 step 11: PIN_POLICY_VIOLATION with permissions; §6.5.5.7.1 step 11: PIN_INVALID for getPINToken
    expect((await d.token(v, PIN, MC_GA, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect((await d.token(v, PIN)).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect(await d.changePin(v, PIN, PIN)).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect(await d.changePin(v, PIN, '24680')).toBe(S.CTAP2_OK);
    expect((await d.info()).get(0x0c)).toBeUndefined();
    expect((await d.token(v, '24680', MC_GA, 'example.com')).status).toBe(S.CTAP2_OK);
  });

  describe('built-in user verification (AuthenticatorOptions.builtInUv)', () => {
    it(name('getInfo reports uv and uvModality; getUVRetries answers 8'), async () => {
      const uv = new ScriptedBuiltInUv();
      const d = await PinDriver.create({ builtInUv: uv });
      const info = await d.info();
      expect((info.get(4) as Map<string, boolean>).get('uv')).toBe(true);
      expect(info.get(0x12)).toBe(2);
      expect((await d.clientPin({ 2: ClientPinSubCommand.getUVRetries })).body!.get(5)).toBe(8);
    });

    it(name('getPinUvAuthTokenUsingUvWithPermissions issues a working token; failures count down to UV_BLOCKED'), async () => {
      const uv = new ScriptedBuiltInUv();
      const d = await PinDriver.create({ builtInUv: uv });
      const uvToken = async (permissions: number, rpId?: string) => {
        const s = await d.session(v);
        const r = await d.clientPin({ 1: v, 2: 6, 3: s.platformKey, 9: permissions, ...(rpId ? { 10: rpId } : {}) });
        return { status: r.status, token: r.status === 0 ? { version: v, token: s.decrypt(r.body!.get(2) as Uint8Array) } : undefined };
      };
      const ok = await uvToken(P.mc, 'example.com');
      expect(ok.status).toBe(S.CTAP2_OK);
      const before = d.touches.requests.length;
      const mc = await d.makeCredential({ token: ok.token! });
      expect(mc.status).toBe(S.CTAP2_OK);
      expect(mc.authData!.uv).toBe(true);
      // The fingerprint gesture counted as presence: no separate touch was asked for.
      expect(d.touches.requests.length).toBe(before);
      uv.queue.push('nomatch');
      expect((await uvToken(P.mc, 'example.com')).status).toBe(S.CTAP2_ERR_UV_INVALID);
      expect(d.a.state.uvRetries).toBe(7);
      uv.queue.push('timeout');
      expect((await uvToken(P.mc, 'example.com')).status).toBe(S.CTAP2_ERR_USER_ACTION_TIMEOUT);
      expect(d.a.state.uvRetries).toBe(7);
      uv.queue.push(...Array(7).fill('nomatch'));
      const statuses = [];
      for (let i = 0; i < 7; i++) statuses.push((await uvToken(P.ga, 'example.com')).status);
      expect(statuses.at(-1)).toBe(S.CTAP2_ERR_UV_BLOCKED);
      expect(statuses.slice(0, 6).every((s) => s === S.CTAP2_ERR_UV_INVALID)).toBe(true);
      expect((await uvToken(P.ga, 'example.com')).status).toBe(S.CTAP2_ERR_UV_BLOCKED);
      expect((await d.clientPin({ 2: ClientPinSubCommand.getUVRetries })).body!.get(5)).toBe(0);
      // A verified PIN unblocks built-in UV (the simulator's choice).
      await d.setPin(v, PIN);
      expect((await d.token(v, PIN, P.mc, 'example.com')).status).toBe(S.CTAP2_OK);
      expect(d.a.state.uvRetries).toBe(8);
    });

    it(name('UV token: not configured is CTAP2_ERR_NOT_ALLOWED; permission checks apply'), async () => {
      const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv({ configured: false }) });
      expect(((await d.info()).get(4) as Map<string, boolean>).get('uv')).toBe(false);
      const s = await d.session(v);
      expect((await d.clientPin({ 1: v, 2: 6, 3: s.platformKey, 9: P.mc, 10: 'example.com' })).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
      expect((await d.clientPin({ 1: v, 2: 6, 3: s.platformKey, 9: 0 })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
      expect((await d.clientPin({ 1: v, 2: 6, 3: s.platformKey })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      expect((await d.makeCredential({ uv: true })).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    });
  });
});

describe('clientPIN request decoding', () => {
  it('rejects a clientPIN payload that is not a map, and answers getPINRetries without a protocol', async () => {
    const d = await PinDriver.create();
    expect((await d.call(CtapCommand.authenticatorClientPIN, [1, 2])).status).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect((await d.clientPin({ 2: 1 })).status).toBe(S.CTAP2_OK);
  });
});
