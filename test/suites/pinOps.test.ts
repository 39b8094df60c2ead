import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtapStatus as S, paddedPin, pinHash, type AuthenticatorInfo, type CborMap } from '../../harness/protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../harness/runner/Check.ts';
import {
  adoptPin,
  changePinRaw,
  clientPin,
  flipFirstBit,
  openSession,
  otherPin,
  pinCall,
  pinRetries,
  pinToken,
  protocolVersion,
  requestPinToken,
  requestUvToken,
  restorePinEntry,
  setPinRaw,
  thenReset,
  tokenOpts,
} from '../../harness/suites/pinOps.ts';
import { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { editResponse, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

/** What these helpers read of the context: getInfo and the run's PIN. */
const ctxWith = (info: Partial<AuthenticatorInfo>, pin = '1234') => ({ info: { versions: ['FIDO_2_1'], aaguid: new Uint8Array(16), ...info }, pin }) as unknown as SuiteContext;

describe('pinOps', () => {
  it("should use the device's first PIN/UV auth protocol it knows, protocol one for a device that lists none (CTAP 2.1 §6.4)", () => {
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [2, 1] }))).toBe(2);
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [1, 2] }))).toBe(1);
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [3, 2] }))).toBe(2);
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [3] }))).toBe(1);
    expect(protocolVersion(ctxWith({}))).toBe(1);
  });

  it('should use the protocol a check asks for when offered, and skip the check, naming the list, when not', () => {
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [2, 1] }), 1)).toBe(1);
    expect(protocolVersion(ctxWith({}), 1)).toBe(1);
    const skipped = (() => {
      try {
        protocolVersion(ctxWith({ pinUvAuthProtocols: [1] }), 2);
      } catch (err) {
        return err;
      }
    })();
    expect(skipped).toBeInstanceOf(CheckSkipped);
    expect((skipped as Error).message).toBe('PIN/UV auth protocol 2 is not offered (pinUvAuthProtocols [1])');
    expect(() => protocolVersion(ctxWith({}), 2)).toThrow('PIN/UV auth protocol 2 is not offered (pinUvAuthProtocols [1])');
  });

  it("should make another PIN of at least 8 digits and the key's minimum, never the run's PIN", () => {
    expect(otherPin(ctxWith({}))).toBe('97531864');
    expect(otherPin(ctxWith({ minPINLength: 2 }))).toBe('97531864');
    expect(otherPin(ctxWith({ minPINLength: 10 }))).toBe('9753186497');
    expect(otherPin(ctxWith({ minPINLength: 17 }))).toBe('97531864975318649');
    expect(otherPin(ctxWith({}, '97531864'))).toBe('975318640');
  });

  it('should flip the first bit of a copy', () => {
    const b = Uint8Array.of(0x10, 0x20);
    expect([...flipFirstBit(b)]).toEqual([0x11, 0x20]);
    expect([...b]).toEqual([0x10, 0x20]);
  });
});

/** Records the clientPIN requests the simulator gets (subCommand, pinUvAuthProtocol, permissions, rpId present). */
function recorder(inner?: Tamper) {
  const requests: Array<{ sub: unknown; v: unknown; permissions: unknown; rpId: unknown }> = [];
  const tamper: Tamper = (c, req, res) => {
    if (c === PIN) requests.push({ sub: req?.get(2), v: req?.get(1), permissions: req?.get(9), rpId: req?.get(10) });
    return inner ? inner(c, req, res) : res;
  };
  return { requests, tamper };
}

const PIN = 0x06;
const KEY_AGREEMENT = 2;
const refusedKeyAgreement = swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(KEY_AGREEMENT));
const retriesAnswer = (edit: (m: CborMap) => void): Tamper => (c, req, res) => (c === PIN && subCommandIs(1)(req) ? editResponse(res, edit) : res);

/** The check's failure `promise` ends in: its class, message and evidence. */
async function failure(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckFailed);
  return { message: (err as CheckFailed).message, actual: (err as CheckFailed).evidence?.actual };
}

describe('pinOps over the simulator (CTAP 2.1 §6.5.5)', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  it.each([1, 2] as const)('should open a protocol %i session: the request names the protocol, the shared secret has its length (§6.5.6, §6.5.7)', async (v) => {
    const rec = recorder();
    const ctx = await sim.context(rec.tamper);
    const session = await openSession(ctx, v);
    expect(session.protocol.version).toBe(v);
    expect(session.sharedSecret.length).toBe(v === 1 ? 32 : 64);
    expect(rec.requests).toEqual([{ sub: KEY_AGREEMENT, v, permissions: undefined, rpId: undefined }]);
  });

  it('should fail a check whose key agreement is refused, naming getKeyAgreement and its status, in every helper that opens a session', async () => {
    const ctx = await sim.context(refusedKeyAgreement);
    const want = { message: 'getKeyAgreement answered 0x7f CTAP1_ERR_OTHER', actual: '0x7f CTAP1_ERR_OTHER' };
    expect(await failure(openSession(ctx, 2))).toEqual(want);
    expect(await failure(setPinRaw(ctx, 2, paddedPin('1234')))).toEqual(want);
    expect(await failure(changePinRaw(ctx, 1, '1234', paddedPin('5678')))).toEqual(want);
    expect(await failure(requestPinToken(ctx, 2, '1234'))).toEqual(want);
    expect(await failure(requestUvToken(ctx, 2, 1))).toEqual(want);
    expect(await failure(pinToken(ctx))).toEqual(want);
  });

  it('should send setPIN with the padded PIN as given, and its pinUvAuthParam rewritten when asked (§6.5.5.5)', async () => {
    const ctx = await sim.context();
    expect((await setPinRaw(ctx, 2, paddedPin('1234'), undefined, flipFirstBit)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(sim.authenticator.state.pin).toBeUndefined();
    expect((await setPinRaw(ctx, 1, paddedPin('1234'))).status).toBe(S.CTAP2_OK);
    expect(ctx.knownPinState).toBe('unset');
    await adoptPin(ctx);
    expect(ctx.knownPinState).toBe('set');
    expect(ctx.info.options?.clientPin).toBe(true);
    expect((await changePinRaw(ctx, 2, '9999', paddedPin('5678'))).status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await changePinRaw(ctx, 2, '1234', paddedPin('5678'))).status).toBe(S.CTAP2_OK);
    expect((await requestPinToken(ctx, 2, '5678')).token).toBeDefined();
  });

  it('should ask for an mc|ga token with permissions by default, getPINToken when asked or when getInfo lacks pinUvAuthToken (§6.5.5.7)', async () => {
    const rec = recorder();
    const ctx = await sim.context(rec.tamper);
    await ctx.ensurePin('set');
    rec.requests.length = 0;
    const token = await pinToken(ctx, { v: 1 });
    expect(token.protocol.version).toBe(1);
    expect(token.permissions).toBe(0x03);
    expect((await pinToken(ctx, { permissions: 0x01, rpId: 'example.com' })).permissions).toBe(0x01);
    const legacy = await pinToken(ctx, { legacy: true, permissions: 0x01, rpId: 'example.com' });
    expect(legacy.permissions).toBe(0x03);
    expect(rec.requests.filter((r) => r.sub !== KEY_AGREEMENT)).toEqual([
      { sub: 9, v: 1, permissions: 0x03, rpId: undefined },
      { sub: 9, v: 2, permissions: 0x01, rpId: 'example.com' },
      { sub: 5, v: 2, permissions: undefined, rpId: undefined },
    ]);
    // a CTAP 2.0 key (no pinUvAuthToken option): getPINToken unless the check asks otherwise
    ctx.info = { ...ctx.info, options: { ...ctx.info.options, pinUvAuthToken: false } };
    rec.requests.length = 0;
    await pinToken(ctx, { rpId: 'example.com' });
    await requestPinToken(ctx, 2, '1234');
    await pinToken(ctx, { legacy: false, rpId: 'example.com' });
    expect(rec.requests.filter((r) => r.sub !== KEY_AGREEMENT).map((r) => r.sub)).toEqual([5, 5, 9]);
  });

  it('should ask with getPINToken on a key whose getInfo has no options at all', async () => {
    const rec = recorder();
    const ctx = await sim.context(rec.tamper);
    await ctx.ensurePin('set');
    ctx.info = { ...ctx.info, options: undefined };
    rec.requests.length = 0;
    await requestPinToken(ctx, 2, '1234', tokenOpts('example.com'));
    expect(rec.requests.filter((r) => r.sub !== KEY_AGREEMENT).map((r) => r.sub)).toEqual([5]);
  });

  it("should ask the PIN checks' tokens for mc on the check's RP ID", () => {
    expect(tokenOpts('x.example')).toStrictEqual({ permissions: 0x01, rpId: 'x.example' });
  });

  it('should end a streak of wrong PINs with the right one, restoring pinRetries (§6.5.5.7.2 step 10)', async () => {
    const base = await sim.context();
    let cycles = 0;
    const ctx = new SuiteContext(base.device, { allowDestructive: true, pin: '1234', powerCycle: async () => void (cycles++, sim.authenticator.powerCycle()) });
    await ctx.ensurePin('set');
    await requestPinToken(ctx, 2, '9999');
    expect(sim.authenticator.state.pinRetries).toBe(7);
    await restorePinEntry(ctx, 2, 'example.com');
    expect([sim.authenticator.state.pinRetries, sim.authenticator.consecutivePinFailures, ctx.knownPinState]).toEqual([8, 0, 'set']);
    // PIN entry was not blocked: no power cycle
    expect(cycles).toBe(0);
  });

  it('should power-cycle a key whose PIN entry is blocked before the right PIN (§6.5.5.7.2 step 9.1.2), and reset one it cannot power-cycle', async () => {
    const ctx = await sim.context();
    await ctx.ensurePin('set');
    for (let i = 0; i < 3; i++) await requestPinToken(ctx, 1, '9999');
    expect((await requestPinToken(ctx, 1, '1234')).result.status).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
    await restorePinEntry(ctx, 1, 'example.com');
    expect([sim.authenticator.state.pinRetries, sim.authenticator.consecutivePinFailures, ctx.knownPinState]).toEqual([8, 0, 'set']);
    // the same without a power cycle: the key is reset (the runner sets the PIN again)
    const noCycle = new SuiteContext(ctx.device, { allowDestructive: true, pin: '1234' });
    await noCycle.ensurePin('set');
    for (let i = 0; i < 3; i++) await requestPinToken(noCycle, 1, '9999');
    await restorePinEntry(noCycle, 1, 'example.com');
    expect(sim.authenticator.state.pin).toBeUndefined();
    expect(noCycle.knownPinState).toBe('unset');
  });

  it('should reset a key that refuses the right PIN, or whose key agreement fails, without throwing', async () => {
    const ctx = await sim.context();
    await ctx.ensurePin('set');
    // a PIN the run does not know
    sim.authenticator.state.pin = { hash: pinHash('97531864'), codePoints: 8 };
    await restorePinEntry(ctx, 2, 'example.com');
    expect(sim.authenticator.state.pin).toBeUndefined();
    const refused = await sim.context(refusedKeyAgreement);
    await refused.ensurePin('set').catch(() => undefined);
    sim.authenticator.state.pin = { hash: pinHash('1234'), codePoints: 4 };
    await expect(restorePinEntry(refused, 2, 'example.com')).resolves.toBeUndefined();
    expect(sim.authenticator.state.pin).toBeUndefined();
  });

  it('should fail a check whose token by the right PIN is refused, naming the subcommand and the status', async () => {
    const ctx = await sim.context();
    await ctx.ensurePin('set');
    expect(await failure(pinToken(ctx, { pin: '9999' }))).toEqual({
      message: 'getPinUvAuthTokenUsingPinWithPermissions with the correct PIN answered 0x31 CTAP2_ERR_PIN_INVALID',
      actual: '0x31 CTAP2_ERR_PIN_INVALID',
    });
    expect(await failure(pinToken(ctx, { pin: '9999', legacy: true }))).toEqual({
      message: 'getPINToken with the correct PIN answered 0x31 CTAP2_ERR_PIN_INVALID',
      actual: '0x31 CTAP2_ERR_PIN_INVALID',
    });
    // ctx.pin unless told: the right one still works
    expect((await pinToken(ctx)).token.length).toBe(32);
  });

  it('should ask for a token by built-in UV with the RP ID only when given (§6.5.5.7.3)', async () => {
    const rec = recorder();
    const ctx = await sim.context(rec.tamper);
    await ctx.ensurePin('set');
    rec.requests.length = 0;
    await requestUvToken(ctx, 2, 0x01, 'example.com');
    await requestUvToken(ctx, 1, 0x02);
    const asked = rec.requests.filter((r) => r.sub !== KEY_AGREEMENT);
    expect(asked).toEqual([
      { sub: 6, v: 2, permissions: 0x01, rpId: 'example.com' },
      { sub: 6, v: 1, permissions: 0x02, rpId: undefined },
    ]);
  });

  it('should read pinRetries without a protocol, with powerCycleState only when the key sent it (§6.5.5.2)', async () => {
    const rec = recorder();
    const ctx = await sim.context(rec.tamper);
    await ctx.ensurePin('set');
    rec.requests.length = 0;
    expect(await pinRetries(ctx)).toStrictEqual({ pinRetries: 8, powerCycleState: false });
    expect(rec.requests).toEqual([{ sub: 1, v: undefined, permissions: undefined, rpId: undefined }]);
    const without = await sim.context(retriesAnswer((m) => m.delete(4)));
    expect(await pinRetries(without)).toStrictEqual({ pinRetries: 8 });
  });

  it('should fail a check whose getPINRetries is refused or has no pinRetries', async () => {
    expect(await failure(pinRetries(await sim.context(swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(1)))))).toEqual({
      message: 'getPINRetries answered 0x7f CTAP1_ERR_OTHER',
      actual: undefined,
    });
    const noCount = { message: 'getPINRetries answer has no pinRetries (0x03)', actual: undefined };
    expect(await failure(pinRetries(await sim.context(retriesAnswer((m) => m.delete(3)))))).toEqual(noCount);
  });

  it('should reset the key after the body, whether it returned or threw', async () => {
    const ctx = await sim.context();
    await ctx.ensurePin('set');
    expect(await thenReset(ctx, async () => 'done')).toBe('done');
    expect(sim.authenticator.state.pin).toBeUndefined();
    expect(ctx.knownPinState).toBe('unset');
    await ctx.ensurePin('set');
    await expect(thenReset(ctx, async () => Promise.reject(new Error('body failed')))).rejects.toThrow('body failed');
    expect(sim.authenticator.state.pin).toBeUndefined();
  });

  it("should send the check's signal with every request (it cancels a wait for the user, CTAP 2.1 §11.2.9.1.5)", async () => {
    const ctx = await sim.context();
    await ctx.ensurePin('set');
    const signals: Array<AbortSignal | undefined> = [];
    const request = ctx.ctap2.request.bind(ctx.ctap2);
    ctx.ctap2.request = ((kind, req, options) => {
      signals.push(options?.signal);
      return request(kind, req, options);
    }) as typeof ctx.ctap2.request;
    try {
      const signal = new AbortController().signal;
      await openSession(ctx, 2, signal);
      await pinCall(ctx, { subCommand: 1 }, signal);
      await pinRetries(ctx, signal);
      await pinToken(ctx, {}, signal);
      await requestUvToken(ctx, 2, 1, undefined, signal);
      expect(signals.length).toBe(7);
      expect(signals.every((s) => s === signal)).toBe(true);
      signals.length = 0;
      await clientPin(ctx).requestRetries();
      expect(signals).toEqual([undefined]);
    } finally {
      ctx.ctap2.request = request;
    }
  });
});
