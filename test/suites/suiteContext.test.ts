import { describe, expect, it } from 'vitest';
import { Authenticator } from '../../authenticator-sim/index.ts';
import { Ctap2, CtapRequest, DirectAuthenticatorChannel } from '../../harness/ctap/index.ts';
import { CtapStatus } from '../../harness/protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../harness/runner/Check.ts';
import { gaRequest, mcRequest } from '../../harness/suites/ops.ts';
import { SuiteContext, type SuiteContextOptions } from '../../harness/suites/SuiteContext.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

const RESET = 0x07;
type Answer = { status: number; payload: Uint8Array };

/**
 * A SuiteContext on a fresh simulator; `intercept` may answer a command in the simulator's place (undefined:
 * the simulator answers).
 */
async function context(options: Partial<SuiteContextOptions> = {}, intercept?: (command: number, payload: Uint8Array) => Answer | undefined, minPINLength?: number) {
  const sim = await Authenticator.create({ allowResetAnytime: true, attestationMaterial: await sharedAttestationMaterial() });
  const handler = {
    handleCbor: async (command: number, payload: Uint8Array) => {
      const mine = intercept?.(command, payload);
      if (mine) return mine;
      const r = await sim.handleCbor(command, payload);
      if (command !== 0x04 || minPINLength === undefined) return r;
      // getInfo minPINLength (0x0D) as given: the byte after the key 0x0d in canonical CBOR (a small uint)
      const p = Uint8Array.from(r.payload);
      const at = p.findIndex((b, i) => b === 0x0d && p[i + 1] === 0x04);
      p[at + 1] = minPINLength;
      return { status: r.status, payload: p };
    },
  };
  const ctap2 = await Ctap2.open(new DirectAuthenticatorChannel(handler));
  return { sim, ctx: new SuiteContext({ ctap2, kind: 'sim' }, { allowDestructive: true, pin: '1234', ...options }) };
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
});
