import { describe, expect, it } from 'vitest';
import { Authenticator } from '../../authenticator-sim/index.ts';
import { ClientPin } from '../../harness/client/index.ts';
import { Ctap2, CtapProtocolError, CtapRequest, DirectAuthenticatorChannel } from '../../harness/ctap/index.ts';
import { CtapStatus, type AuthenticatorInfo } from '../../harness/protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../harness/runner/Check.ts';
import { gaRequest, mcRequest } from '../../harness/suites/ops.ts';
import { pinToken } from '../../harness/suites/pinOps.ts';
import { SuiteContext, type SuiteContextOptions } from '../../harness/suites/SuiteContext.ts';
import { TransportError } from '../../harness/transport/index.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';
import { simContext, type RawAnswer } from './contextSim.ts';

const RESET = 0x07;

/**
 * A SuiteContext on a fresh simulator; `intercept` may answer a command in the simulator's place (undefined:
 * the simulator answers); `minPINLength` rewrites getInfo's.
 */
function context(options: Partial<SuiteContextOptions> = {}, intercept?: (command: number, payload: Uint8Array) => RawAnswer | undefined, minPINLength?: number) {
  return simContext(options, async (command, payload, next) => {
    const mine = intercept?.(command, payload);
    if (mine) return mine;
    const r = await next();
    if (command !== 0x04 || minPINLength === undefined) return r;
    // getInfo minPINLength (0x0D) as given: the byte after the key 0x0d in canonical CBOR (a small uint)
    const p = Uint8Array.from(r.payload);
    const at = p.findIndex((b, i) => b === 0x0d && p[i + 1] === 0x04);
    p[at + 1] = minPINLength;
    return { status: r.status, payload: p };
  });
}

describe('SuiteContext', () => {
  it("should lengthen the default PIN to the key's minPINLength, and never a PIN given", async () => {
    expect((await context({ pinGiven: false }, undefined, 6)).ctx.pin).toBe('123456');
    expect((await context({ pinGiven: false }, undefined, 4)).ctx.pin).toBe('1234');
    expect((await context({ pinGiven: false, pin: '12345' }, undefined, 5)).ctx.pin).toBe('12345');
    expect((await context({ pinGiven: false, pin: '12' }, undefined, 11)).ctx.pin).toBe('12345678901');
    expect((await context({ pinGiven: true }, undefined, 6)).ctx.pin).toBe('1234');
    expect((await context({}, undefined, 6)).ctx.pin).toBe('1234');
  });

  it('should give each check an RP ID of its own', async () => {
    expect((await context()).ctx.rpIdFor('MC-ALG-002')).toBe('mc-alg-002.fido-harness.test');
  });

  it('should refuse to reset a device it may not change', async () => {
    const { ctx } = await context({ allowDestructive: false });
    await expect(ctx.reset()).rejects.toThrow('reset is not allowed on this device (use --allow-reset)');
  });

  it('should power-cycle a device that refuses reset after power-up, then reset it and forget the pool, the PIN and the epoch', async () => {
    let refusals = 1;
    let cycles = 0;
    const { ctx } = await context({ powerCycle: async () => void cycles++ }, (cmd) => (cmd === RESET && refusals-- > 0 ? { status: CtapStatus.CTAP2_ERR_NOT_ALLOWED, payload: new Uint8Array(0) } : undefined));
    ctx.shared.set('pool:plain', Promise.resolve(1));
    ctx.markPinSet();
    expect(ctx.knownPinState).toBe('set');
    ctx.signCounts.record(new Uint8Array(37), new Uint8Array(16));
    await ctx.reset();
    expect(cycles).toBe(1);
    expect(ctx.replugs).toBe(0);
    expect(ctx.shared.size).toBe(0);
    expect(ctx.knownPinState).toBe('unset');
    ctx.signCounts.record(new Uint8Array(37), new Uint8Array(16));
    expect(ctx.signCounts.seen.map((c) => c.epoch)).toEqual([0, 1]);
  });

  it('should ask for a replug where it cannot power-cycle, and count it', async () => {
    let refusals = 1;
    let asked = 0;
    const { ctx } = await context({ requestReplug: async () => void asked++ }, (cmd) => (cmd === RESET && refusals-- > 0 ? { status: CtapStatus.CTAP2_ERR_NOT_ALLOWED, payload: new Uint8Array(0) } : undefined));
    await ctx.reset();
    expect([asked, ctx.replugs]).toEqual([1, 1]);
  });

  it('should throw, naming the status, when reset is refused for good, and not count an epoch', async () => {
    const { ctx } = await context({ requestReplug: async () => undefined }, (cmd) => (cmd === RESET ? { status: CtapStatus.CTAP2_ERR_NOT_ALLOWED, payload: new Uint8Array(0) } : undefined));
    ctx.shared.set('x', Promise.resolve(1));
    await expect(ctx.reset()).rejects.toThrow('authenticatorReset answered 0x30 CTAP2_ERR_NOT_ALLOWED');
    expect(ctx.shared.size).toBe(0);
    ctx.signCounts.record(new Uint8Array(37), new Uint8Array(16));
    expect(ctx.signCounts.seen[0]!.epoch).toBe(0);
    // without a way to power-cycle or replug, the first refusal stands
    const bare = (await context({}, (cmd) => (cmd === RESET ? { status: CtapStatus.CTAP2_ERR_NOT_ALLOWED, payload: new Uint8Array(0) } : undefined))).ctx;
    await expect(bare.reset()).rejects.toThrow('authenticatorReset answered 0x30 CTAP2_ERR_NOT_ALLOWED');
  });

  it('should set the PIN for a check that needs one, and reset for one that needs none', async () => {
    const { ctx } = await context();
    expect(ctx.knownPinState).toBe('unset');
    await ctx.ensurePin('set');
    expect([ctx.knownPinState, ctx.info.options?.clientPin]).toEqual(['set', true]);
    await ctx.ensurePin('set'); // already set: nothing sent
    await ctx.ensurePin('unset');
    expect([ctx.knownPinState, ctx.info.options?.clientPin]).toEqual(['unset', false]);
  });

  it('should take a PIN it did not set as the one given, never guess a default one, and reset when it may', async () => {
    const withPin = async (options: Partial<SuiteContextOptions>) => {
      const sim = await Authenticator.create({ allowResetAnytime: true, attestationMaterial: await sharedAttestationMaterial() });
      const first = new SuiteContext({ ctap2: await Ctap2.open(new DirectAuthenticatorChannel(sim)), kind: 'sim' }, { allowDestructive: true, pin: '9999' });
      await first.ensurePin('set');
      return new SuiteContext({ ctap2: await Ctap2.open(new DirectAuthenticatorChannel(sim)), kind: 'sim' }, { allowDestructive: true, pin: '1234', ...options });
    };
    const given = await withPin({});
    expect(given.knownPinState).toBe('unknown');
    await given.ensurePin('set');
    expect(given.knownPinState).toBe('set');
    // nothing reset, nothing set: the key keeps its own PIN
    expect((await pinToken(given, { permissions: 0x01, pin: '9999' })).token.length).toBe(32);

    const readOnly = await withPin({ pinGiven: false, allowDestructive: false });
    const refused = await readOnly.ensurePin('set').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckSkipped);
    expect((refused as Error).message).toBe('the key already has a PIN: give it with --pin (or allow a reset with --allow-reset)');

    const resettable = await withPin({ pinGiven: false });
    await resettable.ensurePin('set');
    expect(resettable.knownPinState).toBe('set');
    // reset, then our PIN set
    expect(resettable.info.options?.clientPin).toBe(true);
  });

  it('should fail the check on an answer that does not decode, and log the counters of makeCredential and getAssertion answers', async () => {
    let garble = false;
    const { ctx } = await context({}, (cmd) => (garble && cmd === 0x01 ? { status: 0, payload: Uint8Array.of(0x01) } : undefined));
    const made = await ctx.request(CtapRequest.makeCredential, mcRequest('log.fido-harness.test'), undefined);
    expect(made.ok).toBe(true);
    const got = await ctx.request(CtapRequest.getAssertion, gaRequest('log.fido-harness.test', { options: new Map([['up', false]]) }), undefined);
    expect(got.status).toBe(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
    expect(ctx.signCounts.seen.map((c) => c.signCount)).toEqual([1]);
    garble = true;
    const err = await ctx.request(CtapRequest.makeCredential, mcRequest('log.fido-harness.test')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    expect((err as Error).message).toMatch(/^CTAP_MALFORMED_RESPONSE: /);
  });

  it("should give a check's last twelve exchanges as evidence, each with its label, bytes and status", async () => {
    const { ctx } = await context();
    // before any mark: everything since the device was opened (its getInfo), decoded for the reader
    const opened = ctx.evidence()!.exchanges!;
    expect(opened.map((e) => e.label)).toEqual(['authenticatorGetInfo (0x04)']);
    expect(opened[0]!.responseDiagnostic).toMatch(/^\{1: \["U2F_V2", "FIDO_2_0"/);
    ctx.markTrace();
    expect(ctx.evidence()).toBeUndefined();
    for (let i = 0; i < 13; i++) await ctx.call(0x04);
    await ctx.callBytes(0x01, Uint8Array.of(0xa5, 0x01));
    const exchanges = ctx.evidence()!.exchanges!;
    expect(exchanges).toHaveLength(12);
    const last = exchanges.at(-1)!;
    expect(last).toMatchObject({ label: 'authenticatorMakeCredential (0x01)', requestHex: '01a501', status: '0x12 CTAP2_ERR_INVALID_CBOR' });
    expect(last.responseHex).toBe('12');
    const info = exchanges[0]!;
    expect(info).toMatchObject({ label: 'authenticatorGetInfo (0x04)', requestHex: '04', status: '0x00 CTAP2_OK' });
    expect(info.responseHex!.startsWith('00')).toBe(true);
    expect(typeof info.durationMs).toBe('number');
  });
  it('should pass the check\'s signal with every command it sends, and none when the check has none', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const { ctx } = await simContext({}, (_c, _p, next, signal) => {
      seen.push(signal);
      return next();
    });
    const signal = new AbortController().signal;
    seen.length = 0;
    await ctx.request(CtapRequest.getInfo, undefined, signal);
    await ctx.call(0x04, undefined, signal);
    await ctx.callBytes(0x04, new Uint8Array(0), signal);
    await ctx.request(CtapRequest.getInfo, undefined);
    await ctx.call(0x04);
    await ctx.callBytes(0x04, new Uint8Array(0));
    expect(seen.map((s) => s === signal)).toEqual([true, true, true, false, false, false]);
    expect(seen.slice(3)).toEqual([undefined, undefined, undefined]);
  });

  it('should let a lost device or an answer that is not CBOR end the check as it is (not as a finding)', async () => {
    let mode: 'gone' | 'garbage' = 'gone';
    const { ctx } = await simContext({}, (cmd, _p, next) => {
      if (cmd !== 0x01) return next();
      if (mode === 'gone') throw new TransportError('TRANSPORT_DISCONNECTED', 'the key was pulled');
      return Promise.resolve({ status: 0, payload: Uint8Array.of(0xff) });
    });
    const gone = await ctx.request(CtapRequest.makeCredential, mcRequest('lost.fido-harness.test')).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(TransportError);
    mode = 'garbage';
    const garbage = await ctx.request(CtapRequest.makeCredential, mcRequest('lost.fido-harness.test')).catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(CtapProtocolError);
    expect((garbage as CtapProtocolError).code).toBe('CTAP_INVALID_CBOR');
    // an exchange that got no answer carries its error as its status in the evidence
    const [pulled, undecodable] = ctx.evidence()!.exchanges!.slice(-2);
    expect(pulled!.status).toBe('TRANSPORT_DISCONNECTED: the key was pulled');
    expect(Object.keys(pulled!)).not.toContain('responseHex');
    expect([undecodable!.status, undecodable!.responseHex]).toEqual(['0x00 CTAP2_OK', '00ff']);
  });

  it('should log the counters of getNextAssertion answers too, with the credential each names, and nothing of other commands', async () => {
    const { ctx } = await simContext();
    const rp = 'next.fido-harness.test';
    const options = new Map([['rk', true]]);
    await ctx.request(CtapRequest.makeCredential, mcRequest(rp, { options, user: { id: Uint8Array.of(1), name: 'a', displayName: 'A' } }));
    await ctx.request(CtapRequest.makeCredential, mcRequest(rp, { options, user: { id: Uint8Array.of(2), name: 'b', displayName: 'B' } }));
    const first = await ctx.request(CtapRequest.getAssertion, gaRequest(rp));
    const next = await ctx.request(CtapRequest.getNextAssertion, undefined);
    await ctx.request(CtapRequest.getInfo, undefined);
    expect(first.ok && next.ok).toBe(true);
    const ids = [first, next].map((r) => (r.ok ? Buffer.from(r.response.credential.id).toString('hex') : ''));
    const seen = ctx.signCounts.seen;
    expect(seen).toHaveLength(4);
    expect(seen.slice(2).map((c) => c.credential)).toEqual(ids);
    expect(new Set(seen.map((c) => c.credential)).size).toBe(2);
  });

  it('should reset a key whose PIN was set behind its back, and set the PIN again on a key reset behind its back', async () => {
    const { ctx } = await context();
    await new ClientPin(ctx.ctap2).setPin('4321');
    await ctx.refreshInfo();
    expect([ctx.knownPinState, ctx.info.options?.clientPin]).toEqual(['unset', true]);
    await ctx.ensurePin('unset');
    expect(ctx.info.options?.clientPin).toBe(false);

    await ctx.ensurePin('set');
    expect((await ctx.call(RESET)).status).toBe(0);
    expect(await ctx.refreshInfo()).toBe(ctx.info);
    expect([ctx.knownPinState, ctx.info.options?.clientPin]).toEqual(['set', false]);
    await ctx.ensurePin('set');
    expect(ctx.info.options?.clientPin).toBe(true);
    // the PIN set is ctx.pin: a token with it is granted
    expect((await pinToken(ctx, { permissions: 0x01 })).token.length).toBe(32);
  });

  it('should power-cycle rather than ask for a replug when it can, and neither for a refusal other than NOT_ALLOWED', async () => {
    let cycles = 0;
    let asked = 0;
    let refusals = 1;
    const both = { powerCycle: async () => void cycles++, requestReplug: async () => void asked++ };
    const once = (await context(both, (cmd) => (cmd === RESET && refusals-- > 0 ? { status: CtapStatus.CTAP2_ERR_NOT_ALLOWED, payload: new Uint8Array(0) } : undefined))).ctx;
    await once.reset();
    expect([cycles, asked, once.replugs]).toEqual([1, 0, 0]);
    const other = (await context(both, (cmd) => (cmd === RESET ? { status: CtapStatus.CTAP1_ERR_OTHER, payload: new Uint8Array(0) } : undefined))).ctx;
    await expect(other.reset()).rejects.toThrow('authenticatorReset answered 0x7f CTAP1_ERR_OTHER');
    expect([cycles, asked, other.replugs]).toEqual([1, 0, 0]);
  });

  it("should lengthen the default PIN to 4 digits when getInfo names no minPINLength, and take a key without clientPin as PIN-less", () => {
    const device = (info: Partial<AuthenticatorInfo>) => ({ ctap2: { info: { versions: ['FIDO_2_0'], aaguid: new Uint8Array(16), ...info } } as unknown as Ctap2, kind: 'sim' });
    const bare = new SuiteContext(device({}), { allowDestructive: false, pin: '12', pinGiven: false });
    expect([bare.pin, bare.knownPinState]).toEqual(['1234', 'unset']);
    const noPin = new SuiteContext(device({ options: { clientPin: false } }), { allowDestructive: false, pin: '12' });
    expect([noPin.pin, noPin.knownPinState]).toEqual(['12', 'unset']);
    expect(new SuiteContext(device({ options: { clientPin: true } }), { allowDestructive: false, pin: '1234' }).knownPinState).toBe('unknown');
  });

  it('should give the request and response of each exchange decoded for the reader, and leave out what an exchange has not', async () => {
    const { ctx } = await context();
    ctx.markTrace();
    await ctx.call(0x04);
    await ctx.call(0x01, new Map([[1, Uint8Array.of(1)]]));
    await ctx.callBytes(0x01, Uint8Array.of(0xa0));
    const [info, bad, empty] = ctx.evidence()!.exchanges!;
    expect(Object.keys(info!).sort()).toEqual(['durationMs', 'label', 'requestHex', 'responseDiagnostic', 'responseHex', 'status']);
    expect(bad).toMatchObject({ requestDiagnostic: "{1: h'01'}", requestHex: '01a1014101' });
    expect(Object.keys(bad!).sort()).toEqual(['durationMs', 'label', 'requestDiagnostic', 'requestHex', 'responseHex', 'status']);
    expect(Object.keys(empty!)).not.toContain('requestDiagnostic');
  });
});
