import { CtapStatus, paddedPin } from '../../protocol/index.ts';
import { ensure, expectStatus } from '../expect.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { mcWithToken } from '../ops.ts';
import { type PinProtocolVersion, adoptPin, changePinRaw, flipFirstBit, otherPin, pinRetries, pinToken, requestPinToken, restorePinEntry, setPinRaw, tokenOpts } from '../pinOps.ts';
import { all, needsClientPin, needsCtap21 } from '../needs.ts';

const suite = 'client-pin';

/**
 * After a check that tried to set a PIN on a PIN-less device: when the device took a PIN the check did not
 * mean it to take, reset, so the next check does not inherit an unknown PIN.
 */
async function settleUnset(ctx: SuiteContext): Promise<void> {
  await ctx.refreshInfo();
  if (ctx.knownPinState === 'unset' && ctx.info.options?.clientPin === true) await ctx.reset();
}

async function withUnsetGuard(ctx: SuiteContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await settleUnset(ctx);
  }
}

/** setPIN, the PIN policy, and changePIN (CTAP 2.1 §6.5.5.5, §6.5.5.6, §6.5.1) for one protocol. */
export function setPinChecksFor(v: PinProtocolVersion): SuiteCheck[] {
  const id = (rest: string) => `CLIENTPIN-V${v}-${rest}`;
  const unset = { suite, destructive: true, needs: { pin: 'unset' as const }, requires: needsClientPin(v) };
  const set = { suite, destructive: true, needs: { pin: 'set' as const }, requires: needsClientPin(v) };
  return [
    {
      ...unset,
      id: id('SETPIN-001'),
      title: `setPIN (protocol ${v}) sets the PIN: clientPin becomes true, pinRetries is at its maximum, a token follows`,
      specRef: 'CTAP 2.1 §6.5.5.5 steps 11-12, §6.4 clientPin',
      touches: 0,
      leaves: { pin: 'set' },
      async run(ctx, signal) {
        await withUnsetGuard(ctx, async () => {
          expectStatus(await setPinRaw(ctx, v, paddedPin(ctx.pin), signal), CtapStatus.CTAP2_OK, 'setPIN on a device without a PIN');
          await adoptPin(ctx);
          ensure(ctx.info.options?.clientPin === true, 'getInfo clientPin is not true after setPIN');
          const { pinRetries: n } = await pinRetries(ctx, signal);
          // §6.5.2: at most 8 retries.
          ensure(n > 0 && n <= 8, `pinRetries after setPIN is ${n}, expected the maximum (1..8)`);
          await pinToken(ctx, { v, ...tokenOpts(ctx.rpIdFor(id('SETPIN-001'))) }, signal);
        });
      },
    },
    {
      ...set,
      id: id('SETPIN-002'),
      title: `setPIN (protocol ${v}) when a PIN is already set is refused with CTAP2_ERR_PIN_AUTH_INVALID and the PIN is kept`,
      specRef: 'CTAP 2.1 §6.5.5.5 step 3',
      touches: 0,
      async run(ctx, signal) {
        const r = await setPinRaw(ctx, v, paddedPin(otherPin(ctx)), signal);
        try {
          // §6.5.5.5 step 3: "If a PIN has already been set, authenticator returns CTAP2_ERR_PIN_AUTH_INVALID error."
          expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'setPIN with a PIN already set');
        } finally {
          if (r.status === CtapStatus.CTAP2_OK) await ctx.reset();
        }
        await pinToken(ctx, { v, ...tokenOpts(ctx.rpIdFor(id('SETPIN-002'))) }, signal);
      },
    },
    {
      ...unset,
      id: id('SETPIN-003'),
      title: `setPIN (protocol ${v}) with a pinUvAuthParam that does not verify is refused and no PIN is set`,
      specRef: 'CTAP 2.1 §6.5.5.5 step 5',
      touches: 0,
      async run(ctx, signal) {
        await withUnsetGuard(ctx, async () => {
          const r = await setPinRaw(ctx, v, paddedPin(ctx.pin), signal, flipFirstBit);
          expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'setPIN with a wrong pinUvAuthParam');
          ensure((await ctx.refreshInfo()).options?.clientPin === false, 'clientPin is not false after a refused setPIN');
        });
      },
    },
    {
      ...unset,
      id: id('POLICY-001'),
      title: `setPIN (protocol ${v}) with a PIN shorter than minPINLength is refused with CTAP2_ERR_PIN_POLICY_VIOLATION`,
      specRef: 'CTAP 2.1 §6.5.5.5 step 9, §6.5.1',
      touches: 0,
      async run(ctx, signal) {
        await withUnsetGuard(ctx, async () => {
          const min = Math.max(ctx.info.minPINLength ?? 4, 4);
          const short = '1234567890123456789012345678901234567890123456789012345678901'.slice(0, min - 1);
          expectStatus(await setPinRaw(ctx, v, paddedPin(short), signal), CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, `setPIN with ${min - 1} digits (minPINLength ${min})`);
        });
      },
    },
    {
      ...unset,
      id: id('POLICY-002'),
      title: `PIN length is counted in Unicode code points: ${'three two-byte characters'} (6 bytes) are below a minimum of 4`,
      specRef: 'CTAP 2.1 §6.5.1 (minimum length in Unicode code points), §6.5.5.5 step 9',
      touches: 0,
      async run(ctx, signal) {
        await withUnsetGuard(ctx, async () => {
          // "äöü": 3 code points, 6 bytes of UTF-8. A device that counts bytes would take it.
          const r = await setPinRaw(ctx, v, paddedPin('\u00e4\u00f6\u00fc'), signal);
          expectStatus(r, CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'setPIN with 3 code points / 6 bytes');
        });
      },
    },
    {
      ...unset,
      id: id('POLICY-003'),
      title: `setPIN (protocol ${v}) with a 64-byte PIN (no padding left) is refused with CTAP2_ERR_PIN_POLICY_VIOLATION`,
      specRef: 'CTAP 2.1 §6.5.1 (maximum PIN length 63 bytes), §6.5.5.5 steps 8-10',
      touches: 0,
      async run(ctx, signal) {
        await withUnsetGuard(ctx, async () => {
          const long = new Uint8Array(64).fill(0x35); // 64 × "5"
          expectStatus(await setPinRaw(ctx, v, long, signal), CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'setPIN with a 64-byte PIN');
        });
      },
    },
    {
      ...unset,
      id: id('POLICY-004'),
      title: `setPIN (protocol ${v}) accepts a 63-byte PIN, and that PIN gives a token`,
      specRef: 'CTAP 2.1 §6.5.1 (maximum PIN length 63 bytes)',
      // the 63-byte PIN is changed to ctx.pin afterwards (§6.5.5.6): the key is left with the run's PIN, no
      // reset (a touch and a replug on a real key, CTAP 2.1 §6.6) unless that change fails
      touches: 0,
      leaves: { pin: 'set' },
      async run(ctx, signal) {
        const pin = '7'.repeat(63);
        let adopted = false;
        try {
          expectStatus(await setPinRaw(ctx, v, paddedPin(pin), signal), CtapStatus.CTAP2_OK, 'setPIN with a 63-byte PIN');
          await ctx.refreshInfo();
          await pinToken(ctx, { v, pin, ...tokenOpts(ctx.rpIdFor(id('POLICY-004'))) }, signal);
          const back = await changePinRaw(ctx, v, pin, paddedPin(ctx.pin), signal);
          if (back.status === CtapStatus.CTAP2_OK) {
            await adoptPin(ctx);
            // Stryker disable next-line BooleanLiteral: after adoptPin the PIN state is 'set', so settleUnset does nothing
            adopted = true;
          }
        } finally {
          // Stryker disable next-line ConditionalExpression: after adoptPin the PIN state is 'set', so settleUnset does nothing
          if (!adopted) await settleUnset(ctx);
        }
      },
    },
    {
      ...unset,
      id: id('PAD-001'),
      title: `setPIN (protocol ${v}) with a PIN padded to 128 bytes instead of 64 is refused with CTAP1_ERR_INVALID_PARAMETER`,
      specRef: 'CTAP 2.1 §6.5.5.5 step 7 ("If paddedNewPin is NOT 64 bytes long")',
      touches: 0,
      requires: all(needsClientPin(v), needsCtap21),
      async run(ctx, signal) {
        await withUnsetGuard(ctx, async () => {
          const r = await setPinRaw(ctx, v, paddedPin(ctx.pin, 128), signal);
          expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'setPIN with 128 bytes of padded PIN');
        });
      },
    },
    {
      ...set,
      id: id('CHANGE-001'),
      title: `changePIN (protocol ${v}): the new PIN gives a token, the old one is refused with CTAP2_ERR_PIN_INVALID`,
      specRef: 'CTAP 2.1 §6.5.5.6 steps 17-21',
      touches: 0,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('CHANGE-001'));
        const next = otherPin(ctx);
        // from the first changePIN until the change back succeeds the PIN on the key may not be ctx.pin (a
        // key that changed it and answered an error all the same): reset then, so the next check finds the PIN
        let unsure = true;
        try {
          expectStatus(await changePinRaw(ctx, v, ctx.pin, paddedPin(next), signal), CtapStatus.CTAP2_OK, 'changePIN with the right current PIN');
          await pinToken(ctx, { v, pin: next, ...tokenOpts(rpId) }, signal);
          const old = await requestPinToken(ctx, v, ctx.pin, tokenOpts(rpId), signal);
          expectStatus(old.result, CtapStatus.CTAP2_ERR_PIN_INVALID, 'token request with the old PIN');
          // a correct PIN restores the retries lowered by the old one (§6.5.5.7.2 step 10)
          expectStatus(await changePinRaw(ctx, v, next, paddedPin(ctx.pin), signal), CtapStatus.CTAP2_OK, 'changePIN back');
          unsure = false;
        } finally {
          if (unsure) await ctx.reset();
        }
      },
    },
    {
      ...set,
      id: id('CHANGE-002'),
      title: `changePIN (protocol ${v}) with a wrong current PIN answers CTAP2_ERR_PIN_INVALID and keeps the PIN`,
      specRef: 'CTAP 2.1 §6.5.5.6 step 7',
      touches: 0,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('CHANGE-002'));
        const r = await changePinRaw(ctx, v, otherPin(ctx), paddedPin(`${otherPin(ctx)}1`), signal);
        if (r.status === CtapStatus.CTAP2_OK) await ctx.reset();
        try {
          expectStatus(r, CtapStatus.CTAP2_ERR_PIN_INVALID, 'changePIN with a wrong current PIN');
        } catch (err) {
          // refused with another status, the wrong PIN may still have cost a retry: the right one restores it
          if (r.status !== CtapStatus.CTAP2_OK) await restorePinEntry(ctx, v, rpId, signal);
          throw err;
        }
        // the right PIN still works (and brings pinRetries back to the maximum)
        await pinToken(ctx, { v, ...tokenOpts(rpId) }, signal);
      },
    },
    {
      ...set,
      id: id('CHANGE-003'),
      title: `changePIN (protocol ${v}) invalidates the tokens issued before it`,
      specRef: 'CTAP 2.1 §6.5.5.6 step 19 (resetPinUvAuthToken for all protocols)',
      touches: 0,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('CHANGE-003'));
        const token = await pinToken(ctx, { v, ...tokenOpts(rpId) }, signal);
        const next = otherPin(ctx);
        try {
          // inside the try: a key that changed the PIN and answered an error still gets it changed back
          expectStatus(await changePinRaw(ctx, v, ctx.pin, paddedPin(next), signal), CtapStatus.CTAP2_OK, 'changePIN');
          const r = await mcWithToken(ctx, token, rpId, {}, signal);
          expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'makeCredential with a token issued before changePIN');
        } finally {
          const back = await changePinRaw(ctx, v, next, paddedPin(ctx.pin), signal);
          if (back.status !== CtapStatus.CTAP2_OK) await ctx.reset();
        }
      },
    },
  ];
}
