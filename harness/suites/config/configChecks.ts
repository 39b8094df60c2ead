import { all, needsAlwaysUvOff } from '../needs.ts';
import { CtapRequest } from '../../ctap/index.ts';
import { CtapStatus, PinUvAuthPermission, paddedPin } from '../../protocol/index.ts';
import { mcRequest } from '../ops.ts';
import { changePinRaw, flipFirstBit, otherPin, pinToken, requestPinToken, setPinRaw, thenReset } from '../pinOps.ts';
import { ensure, expectStatus } from '../expect.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { acfgToken, configCall, configProtocol, ConfigSubCommand, digitPin, needsAuthnrCfg, needsSetMinPinLength, setMinPinLengthParams } from './configOps.ts';

const suite = 'config';
const base = { suite, destructive: true, needs: { pin: 'set' as const } };
const needsAlwaysUv = (ctx: SuiteContext) => needsAuthnrCfg(ctx) ?? (ctx.info.options?.alwaysUv === undefined ? 'alwaysUv option absent (toggleAlwaysUv not supported)' : undefined);

/** A harmless subcommand to probe authorization with: setMinPINLength with no parameters changes nothing. */
function probe(ctx: SuiteContext): { sub: number; params?: ReturnType<typeof setMinPinLengthParams> } {
  return ctx.info.options?.setMinPINLength === true
    ? { sub: ConfigSubCommand.setMinPINLength, params: setMinPinLengthParams({}) }
    : { sub: ConfigSubCommand.toggleAlwaysUv };
}

/** authenticatorConfig (CTAP 2.1 §6.11): authorization by an acfg token, and each subcommand's effect. */
export const configChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'CONFIG-AUTH-001',
    title: 'with a PIN set, authenticatorConfig without pinUvAuthParam answers CTAP2_ERR_PUAT_REQUIRED',
    specRef: 'CTAP 2.1 §6.11 (protected by user verification: pinUvAuthParam required)',
    touches: 0,
    requires: needsAuthnrCfg,
    async run(ctx, signal) {
      const p = probe(ctx);
      const r = await thenResetIfOk(ctx, () => configCall(ctx, undefined, p.sub, p.params, signal));
      expectStatus(r, CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'authenticatorConfig without pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'CONFIG-AUTH-002',
    title: 'authenticatorConfig with a token lacking the acfg permission answers CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.11 (the pinUvAuthToken must have the acfg permission)',
    touches: 0,
    requires: needsAuthnrCfg,
    async run(ctx, signal) {
      const token = await pinToken(ctx, { v: configProtocol(ctx), permissions: PinUvAuthPermission.mc, rpId: ctx.rpIdFor('CONFIG-AUTH-002') }, signal);
      const p = probe(ctx);
      const r = await thenResetIfOk(ctx, () => configCall(ctx, token, p.sub, p.params, signal));
      expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'authenticatorConfig with an mc-only token');
    },
  },
  {
    ...base,
    id: 'CONFIG-AUTH-003',
    title: 'authenticatorConfig with a pinUvAuthParam that does not verify answers CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.11 (verify over 32×0xff || 0x0d || uint8(subCommand) || subCommandParams)',
    touches: 0,
    requires: needsAuthnrCfg,
    async run(ctx, signal) {
      const token = await acfgToken(ctx, signal);
      const p = probe(ctx);
      const r = await thenResetIfOk(ctx, () => configCall(ctx, token, p.sub, p.params, signal, flipFirstBit));
      expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'authenticatorConfig with a wrong pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'CONFIG-SUBCMD-001',
    title: 'an unknown authenticatorConfig subCommand answers CTAP2_ERR_INVALID_SUBCOMMAND',
    specRef: 'CTAP 2.1 §6.11 (subCommand not supported)',
    touches: 0,
    requires: needsAuthnrCfg,
    async run(ctx, signal) {
      const token = await acfgToken(ctx, signal);
      expectStatus(await configCall(ctx, token, 0x7e, undefined, signal), CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, 'authenticatorConfig subCommand 0x7e');
    },
  },
  {
    ...base,
    id: 'CONFIG-ALWAYSUV-001',
    title: 'toggleAlwaysUv flips getInfo alwaysUv, and a second toggle flips it back',
    specRef: 'CTAP 2.1 §6.11.2',
    touches: 0,
    requires: needsAlwaysUv,
    async run(ctx, signal) {
      const before = ctx.info.options?.alwaysUv === true;
      // two toggles leave alwaysUv as it was: a reset only if they did not (a touch saved, CTAP 2.1 §6.6)
      await thenRestore(ctx, async () => (await ctx.refreshInfo()).options?.alwaysUv === before, async () => {
        expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.toggleAlwaysUv, undefined, signal), CtapStatus.CTAP2_OK, 'toggleAlwaysUv');
        const mid = (await ctx.refreshInfo()).options?.alwaysUv === true;
        ensure(mid !== before, `alwaysUv is still ${before} after toggleAlwaysUv`);
        expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.toggleAlwaysUv, undefined, signal), CtapStatus.CTAP2_OK, 'second toggleAlwaysUv');
        const after = (await ctx.refreshInfo()).options?.alwaysUv === true;
        ensure(after === before, `alwaysUv is ${after} after two toggles, was ${before}`);
      });
    },
  },
  {
    ...base,
    id: 'CONFIG-ALWAYSUV-002',
    title: 'with alwaysUv on, makeCredUvNotRqd is reported false and makeCredential without a token answers CTAP2_ERR_PUAT_REQUIRED',
    specRef: 'CTAP 2.1 §6.11.2, §6.4 alwaysUv, §6.1.2 step 6',
    touches: 0,
    // With built-in UV enrolled the key verifies the user by itself instead (§6.1.2 step 6.3).
    requires: (ctx) => needsAlwaysUv(ctx) ?? (ctx.info.options?.uv === true ? 'built-in user verification is enrolled: under alwaysUv the key uses it by itself (CTAP 2.1 §6.1.2 step 6)' : undefined),
    async run(ctx, signal) {
      // toggled back off afterwards (alwaysUv needs a token then, §6.11): a reset only if that fails
      const off = async () => {
        if ((await ctx.refreshInfo()).options?.alwaysUv === true) {
          expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.toggleAlwaysUv, undefined, signal), CtapStatus.CTAP2_OK, 'toggleAlwaysUv back');
        }
        return (await ctx.refreshInfo()).options?.alwaysUv !== true;
      };
      await thenRestore(ctx, off, async () => {
        if (ctx.info.options?.alwaysUv !== true) {
          expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.toggleAlwaysUv, undefined, signal), CtapStatus.CTAP2_OK, 'toggleAlwaysUv');
        }
        const info = await ctx.refreshInfo();
        ensure(info.options?.alwaysUv === true, 'alwaysUv not true after toggleAlwaysUv');
        ensure(info.options?.makeCredUvNotRqd !== true, 'makeCredUvNotRqd still true while alwaysUv is on');
        const r = await ctx.request(CtapRequest.makeCredential, mcRequest(ctx.rpIdFor('CONFIG-ALWAYSUV-002')), signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'non-discoverable makeCredential without a token under alwaysUv');
      });
    },
  },
  {
    ...base,
    id: 'CONFIG-EP-001',
    title: 'enableEnterpriseAttestation turns getInfo ep to true',
    specRef: 'CTAP 2.1 §6.11.1, §6.4 ep',
    touches: 0,
    requires: (ctx) => needsAuthnrCfg(ctx) ?? (ctx.info.options?.ep === undefined ? 'ep option absent (no enterprise attestation)' : undefined),
    async run(ctx, signal) {
      // left on: only a reset turns it off (§6.11.1), and nothing later depends on it being off
      expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.enableEnterpriseAttestation, undefined, signal), CtapStatus.CTAP2_OK, 'enableEnterpriseAttestation');
      ensure((await ctx.refreshInfo()).options?.ep === true, 'getInfo ep is not true after enableEnterpriseAttestation');
    },
  },
  {
    ...base,
    id: 'CONFIG-MINPIN-001',
    title: 'setMinPINLength raises getInfo minPINLength, and a current PIN below it sets forcePINChange',
    specRef: 'CTAP 2.1 §6.11.4 (new minimum; PINCodePointLength below it sets forcePINChange)',
    // what it changed only a reset undoes (a touch, CTAP 2.1 §6.6)
    touches: 1,
    resets: 1,
    requires: needsSetMinPinLength,
    async run(ctx, signal) {
      await thenReset(ctx, async () => {
        const target = Math.max([...ctx.pin].length + 2, (ctx.info.minPINLength ?? 4) + 1);
        expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: target }), signal), CtapStatus.CTAP2_OK, `setMinPINLength ${target}`);
        const info = await ctx.refreshInfo();
        ensure(info.minPINLength === target, `getInfo minPINLength is ${info.minPINLength}, expected ${target}`);
        ensure(info.forcePINChange === true, `forcePINChange is ${String(info.forcePINChange)} with a PIN of ${[...ctx.pin].length} code points under a minimum of ${target}`);
      });
    },
  },
  {
    ...base,
    id: 'CONFIG-MINPIN-002',
    title: 'setMinPINLength below the current minimum answers CTAP2_ERR_PIN_POLICY_VIOLATION',
    specRef: 'CTAP 2.1 §6.11.4 (the minimum PIN length cannot decrease)',
    // what it changed only a reset undoes (a touch, CTAP 2.1 §6.6)
    touches: 1,
    resets: 1,
    requires: needsSetMinPinLength,
    async run(ctx, signal) {
      await thenReset(ctx, async () => {
        const current = ctx.info.minPINLength ?? 4;
        expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: current + 2 }), signal), CtapStatus.CTAP2_OK, 'raise');
        // the PIN is now below the minimum (forcePINChange): change it to one that meets the new minimum first
        const longer = digitPin(Math.max(current + 2, 8));
        expectStatus(await changePinRaw(ctx, configProtocol(ctx), ctx.pin, paddedPin(longer), signal), CtapStatus.CTAP2_OK, 'changePIN to a longer PIN');
        const r = await configCall(ctx, await acfgToken(ctx, signal, longer), ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: current + 1 }), signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, `setMinPINLength ${current + 1} after ${current + 2}`);
      });
    },
  },
  {
    ...base,
    id: 'CONFIG-MINPIN-003',
    title: 'after setMinPINLength forceChangePin, getInfo forcePINChange is true and a PIN token request answers CTAP2_ERR_PIN_POLICY_VIOLATION',
    specRef: 'CTAP 2.1 §6.11.4 (forceChangePin), §6.5.5.7.2 step 11',
    // forcePINChange is undone by changing the PIN away and back, without a reset
    touches: 0,
    requires: (ctx) => needsSetMinPinLength(ctx) ?? (ctx.info.options?.pinUvAuthToken === true ? undefined : 'pinUvAuthToken option absent'),
    async run(ctx, signal) {
      await thenUnforced(ctx, signal, async () => {
        expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ forceChangePin: true }), signal), CtapStatus.CTAP2_OK, 'setMinPINLength forceChangePin');
        ensure((await ctx.refreshInfo()).forcePINChange === true, 'getInfo forcePINChange is not true');
        const r = await requestPinToken(ctx, configProtocol(ctx), ctx.pin, { permissions: PinUvAuthPermission.mc, rpId: ctx.rpIdFor('CONFIG-MINPIN-003') }, signal);
        expectStatus(r.result, CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'getPinUvAuthTokenUsingPinWithPermissions while forcePINChange is true');
      });
    },
  },
  {
    ...base,
    id: 'CONFIG-MINPIN-004',
    title: 'while forcePINChange is true, changePIN to the same PIN is refused and to a new PIN clears forcePINChange',
    specRef: 'CTAP 2.1 §6.5.5.6 steps 13 and 16, §6.11.4',
    touches: 0,
    requires: needsSetMinPinLength,
    async run(ctx, signal) {
      const v = configProtocol(ctx);
      let changed = false;
      try {
        expectStatus(await configCall(ctx, await acfgToken(ctx, signal), ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ forceChangePin: true }), signal), CtapStatus.CTAP2_OK, 'setMinPINLength forceChangePin');
        expectStatus(await changePinRaw(ctx, v, ctx.pin, paddedPin(ctx.pin), signal), CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'changePIN to the same PIN under forcePINChange');
        expectStatus(await changePinRaw(ctx, v, ctx.pin, paddedPin(otherPin(ctx)), signal), CtapStatus.CTAP2_OK, 'changePIN to a new PIN');
        changed = true;
        ensure((await ctx.refreshInfo()).forcePINChange !== true, 'forcePINChange still true after changePIN');
      } finally {
        // back to ctx.pin (nothing is forced any more): no reset needed; a reset if that fails
        const back = changed ? await changePinRaw(ctx, v, otherPin(ctx), paddedPin(ctx.pin), signal).catch(() => undefined) : undefined;
        if (!changed || back?.status !== CtapStatus.CTAP2_OK || (await ctx.refreshInfo()).forcePINChange === true) await ctx.reset();
      }
    },
  },
  {
    suite,
    id: 'CONFIG-MINPIN-005',
    title: 'after setMinPINLength on a device without a PIN, setPIN below the new minimum answers CTAP2_ERR_PIN_POLICY_VIOLATION',
    specRef: 'CTAP 2.1 §6.11.4, §6.5.5.5 step 9 (the current minimum PIN length)',
    // what it changed only a reset undoes (a touch, CTAP 2.1 §6.6)
    touches: 1,
    resets: 1,
    destructive: true,
    needs: { pin: 'unset' },
    requires: all(needsSetMinPinLength, needsAlwaysUvOff),
    async run(ctx, signal) {
      await thenReset(ctx, async () => {
        const target = Math.max((ctx.info.minPINLength ?? 4) + 2, 6);
        // not protected by user verification: no pinUvAuthParam needed (§6.11)
        expectStatus(await configCall(ctx, undefined, ConfigSubCommand.setMinPINLength, setMinPinLengthParams({ newMinPINLength: target }), signal), CtapStatus.CTAP2_OK, `setMinPINLength ${target} without a PIN`);
        const r = await setPinRaw(ctx, configProtocol(ctx), paddedPin(digitPin(target - 1)), signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, `setPIN with ${target - 1} digits under a minimum of ${target}`);
      });
    },
  },
];

/**
 * Runs `body`, which sets forcePINChange (§6.11.4), then undoes it as a person would: changePIN to another
 * PIN and back to ctx.pin (§6.5.5.6 clears forcePINChange); a reset only when that does not work.
 */
async function thenUnforced(ctx: SuiteContext, signal: AbortSignal, body: () => Promise<void>): Promise<void> {
  let ok = false;
  try {
    await body();
    ok = true;
  } finally {
    let back = false;
    if (ok) {
      const v = configProtocol(ctx);
      const away = await changePinRaw(ctx, v, ctx.pin, paddedPin(otherPin(ctx)), signal).catch(() => undefined);
      const home = away?.status === CtapStatus.CTAP2_OK ? await changePinRaw(ctx, v, otherPin(ctx), paddedPin(ctx.pin), signal).catch(() => undefined) : undefined;
      back = home?.status === CtapStatus.CTAP2_OK && (await ctx.refreshInfo()).forcePINChange !== true;
    }
    if (!back) await ctx.reset();
  }
}

/** Runs `body`, then `restored` (which may undo what body did); resets when either fails. */
async function thenRestore(ctx: SuiteContext, restored: () => Promise<boolean>, body: () => Promise<void>): Promise<void> {
  let ok = false;
  try {
    await body();
    ok = true;
  } finally {
    const back = await restored().catch(() => false);
    if (!ok || !back) await ctx.reset();
  }
}

/** For probes that must be refused: if the device accepted one, its state may have changed, so reset. */
async function thenResetIfOk<T extends { status: number }>(ctx: SuiteContext, call: () => Promise<T>): Promise<T> {
  const r = await call();
  if (r.status === CtapStatus.CTAP2_OK) await ctx.reset();
  return r;
}
