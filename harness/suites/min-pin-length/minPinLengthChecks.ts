import { CtapExtension, CtapStatus, PinUvAuthPermission, type CborMap, paddedPin } from '../../protocol/index.ts';
import { mcWithToken } from '../ops.ts';
import { changePinRaw, pinToken, thenReset } from '../pinOps.ts';
import { authDataOf } from '../client-pin/tokenChecks.ts';
import { acfgToken, configCall, configProtocol, ConfigSubCommand, needsSetMinPinLength, setMinPinLengthParams } from '../config/configOps.ts';
import { ensure, expectStatus } from '../expect.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'min-pin-length';
const ext = () => new Map<string, boolean>([[CtapExtension.minPinLength, true]]) as unknown as CborMap;

const requires = (ctx: SuiteContext) =>
  (ctx.info.extensions?.includes(CtapExtension.minPinLength) ? undefined : 'the minPinLength extension is not offered in getInfo') ?? needsSetMinPinLength(ctx);

/** Lists `rpId` for minPinLength with setMinPINLength (CTAP 2.1 §6.11.4), optionally raising the minimum. */
async function authorize(ctx: SuiteContext, rpId: string, signal: AbortSignal, newMinPINLength?: number, pin?: string): Promise<void> {
  const params = setMinPinLengthParams({ minPinLengthRPIDs: [rpId], ...(newMinPINLength ? { newMinPINLength } : {}) });
  const r = await configCall(ctx, await acfgToken(ctx, signal, pin), ConfigSubCommand.setMinPINLength, params, signal);
  expectStatus(r, CtapStatus.CTAP2_OK, `setMinPINLength minPinLengthRPIDs [${rpId}]`);
}

/** makeCredential with a fresh mc token; returns the minPinLength extension output (undefined when absent). */
async function registerWith(ctx: SuiteContext, rpId: string, signal: AbortSignal, withInput: boolean, pin?: string): Promise<unknown> {
  const v = configProtocol(ctx);
  const token = await pinToken(ctx, { v, permissions: PinUvAuthPermission.mc, rpId, ...(pin ? { pin } : {}) }, signal);
  const authData = authDataOf(await mcWithToken(ctx, token, rpId, withInput ? { extensions: ext() } : {}, signal), 'makeCredential');
  // extensions are parsed only with the ED flag set (WebAuthn L3 §6.1): an output here came with ED
  return authData.extensions?.get(CtapExtension.minPinLength);
}

/** The minPinLength extension (CTAP 2.1 §12.4) with the RP ID list set by authenticatorConfig (§6.11.4). */
export const minPinLengthChecks: SuiteCheck[] = [
  {
    suite,
    id: 'MINPIN-EXT-001',
    title: 'for an RP ID listed by setMinPINLength, makeCredential returns minPinLength equal to getInfo minPINLength',
    specRef: 'CTAP 2.1 §12.4 (authenticator extension output), §6.11.4 minPinLengthRPIDs',
    touches: 1,
    destructive: true,
    needs: { pin: 'set' },
    requires,
    async run(ctx, signal) {
      // listing one more RP ID changes nothing later checks see: no reset (§6.11.4 only adds to the list)
      const rpId = ctx.rpIdFor('MINPIN-EXT-001');
      await authorize(ctx, rpId, signal);
      const expected = (await ctx.refreshInfo()).minPINLength ?? 4;
      const got = await registerWith(ctx, rpId, signal, true);
      ensure(got === expected, `minPinLength output is ${String(got)}, expected ${expected}`, { expected: String(expected), actual: String(got) });
    },
  },
  {
    suite,
    id: 'MINPIN-EXT-002',
    title: 'for an RP ID not listed, makeCredential returns no minPinLength output',
    specRef: 'CTAP 2.1 §12.4 (only RP IDs authorized by the pre-configured list or setMinPINLength receive it)',
    touches: 1,
    destructive: true,
    needs: { pin: 'set' },
    requires,
    async run(ctx, signal) {
      // listing one more RP ID changes nothing later checks see: no reset (§6.11.4 only adds to the list)
      const listed = ctx.rpIdFor('MINPIN-EXT-002');
      await authorize(ctx, listed, signal);
      const got = await registerWith(ctx, `unlisted.${listed}`, signal, true);
      ensure(got === undefined, `an unlisted RP received minPinLength ${String(got)}`);
    },
  },
  {
    suite,
    id: 'MINPIN-EXT-003',
    title: 'after the minimum is raised, a listed RP receives the new minPinLength',
    specRef: 'CTAP 2.1 §12.4, §6.11.4 newMinPINLength',
    // a raised minimum stays until a reset (a touch, CTAP 2.1 §6.6)
    touches: 2,
    resets: 1,
    destructive: true,
    needs: { pin: 'set' },
    requires,
    async run(ctx, signal) {
      await thenReset(ctx, async () => {
        const rpId = ctx.rpIdFor('MINPIN-EXT-003');
        const target = (ctx.info.minPINLength ?? 4) + 2;
        // a PIN long enough for the new minimum first, so no PIN change is forced
        // Stryker disable next-line MethodExpression: any PIN of target to 63 digits serves (10 digits, or target digits, alike)
        const pin = '1357924680'.slice(0, Math.max(target, 8));
        expectStatus(await changePinRaw(ctx, configProtocol(ctx), ctx.pin, paddedPin(pin), signal), CtapStatus.CTAP2_OK, 'changePIN to a longer PIN');
        await authorize(ctx, rpId, signal, target, pin);
        const got = await registerWith(ctx, rpId, signal, true, pin);
        ensure(got === target, `minPinLength output is ${String(got)}, expected ${target}`, { expected: String(target), actual: String(got) });
      });
    },
  },
  {
    suite,
    id: 'MINPIN-EXT-004',
    title: 'for a listed RP ID, makeCredential without the extension input returns no minPinLength output',
    specRef: 'CTAP 2.1 §12.4 (output only when the RP asked with minPinLength: true)',
    touches: 1,
    destructive: true,
    needs: { pin: 'set' },
    requires,
    async run(ctx, signal) {
      // listing one more RP ID changes nothing later checks see: no reset (§6.11.4 only adds to the list)
      const rpId = ctx.rpIdFor('MINPIN-EXT-004');
      await authorize(ctx, rpId, signal);
      const got = await registerWith(ctx, rpId, signal, false);
      ensure(got === undefined, `minPinLength ${String(got)} returned without the extension input`);
    },
  },
];
