import { createECDH } from 'node:crypto';
import { ClientPinSubCommand, CoseAlgorithm, CtapStatus, pinHash } from '../../protocol/index.ts';
import { CheckSkipped } from '../../runner/Check.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { type PinProtocolVersion, openSession, otherPin, pinCall, pinRetries, pinToken, protocolVersion, requestPinToken, restorePinEntry, tokenOpts } from '../pinOps.ts';
import { needsClientPin } from '../needs.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'client-pin';

/** A token request that must work, to bring pinRetries back to the maximum after wrong PINs on purpose. */
async function recover(ctx: SuiteContext, v: PinProtocolVersion, rpId: string, signal: AbortSignal): Promise<void> {
  await pinToken(ctx, { v, ...tokenOpts(rpId) }, signal);
}

/** Key agreement, PIN entry, retries and blocking (CTAP 2.1 §6.5.5.2, §6.5.5.4, §6.5.5.7) for one protocol. */
export function pinEntryChecksFor(v: PinProtocolVersion): SuiteCheck[] {
  const id = (rest: string) => `CLIENTPIN-V${v}-${rest}`;
  const set = { suite, destructive: true, needs: { pin: 'set' as const }, requires: needsClientPin(v) };
  return [
    {
      suite,
      id: id('KA-001'),
      title: `getKeyAgreement (protocol ${v}) answers a COSE EC2 P-256 key with alg -25 that is on the curve`,
      specRef: 'CTAP 2.1 §6.5.5.4, §6.5.6 getPublicKey (COSE_Key kty 2, alg -25, crv 1)',
      touches: 0,
      requires: needsClientPin(v),
      async run(ctx, signal) {
        const r = await pinCall(ctx, { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getKeyAgreement }, signal);
        expectStatus(r, CtapStatus.CTAP2_OK, 'getKeyAgreement');
        // ctx.request decoded the answer (one that does not decode failed the check there)
        const key = r.ok ? r.response.keyAgreement : undefined;
        ensure(key, 'no keyAgreement (0x01) in the answer');
        ensure(key.get(1) === 2, `kty is ${String(key.get(1))}, expected 2 (EC2)`);
        ensure(key.get(3) === CoseAlgorithm.ECDH_ES_HKDF_256, `alg is ${String(key.get(3))}, expected -25 (ECDH-ES + HKDF-256)`);
        ensure(key.get(-1) === 1, `crv is ${String(key.get(-1))}, expected 1 (P-256)`);
        const x = key.get(-2);
        const y = key.get(-3);
        ensure(x instanceof Uint8Array && x.length === 32, 'x is not 32 bytes');
        ensure(y instanceof Uint8Array && y.length === 32, 'y is not 32 bytes');
        const me = createECDH('prime256v1');
        me.generateKeys();
        let onCurve = true;
        try {
          me.computeSecret(Buffer.concat([Buffer.of(4), x, y]));
        } catch {
          onCurve = false;
        }
        ensure(onCurve, `(x, y) = (${hex(x)}, ${hex(y)}) is not a point on P-256`);
      },
    },
    {
      ...set,
      id: id('WRONG-001'),
      title: `a wrong PIN (protocol ${v}) answers CTAP2_ERR_PIN_INVALID and lowers pinRetries by one; the right PIN restores it`,
      specRef: 'CTAP 2.1 §6.5.5.7.2 steps 8-10 (decrement before the check, persist, restore on success)',
      touches: 0,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('WRONG-001'));
        const before = (await pinRetries(ctx, signal)).pinRetries;
        try {
          const wrong = await requestPinToken(ctx, v, otherPin(ctx), tokenOpts(rpId), signal);
          expectStatus(wrong.result, CtapStatus.CTAP2_ERR_PIN_INVALID, 'token request with a wrong PIN');
          const after = (await pinRetries(ctx, signal)).pinRetries;
          ensure(after === before - 1, `pinRetries went from ${before} to ${after} after a wrong PIN, expected ${before - 1}`, {
            expected: String(before - 1),
            actual: String(after),
          });
          await recover(ctx, v, rpId, signal);
        } catch (err) {
          await restorePinEntry(ctx, v, rpId, signal);
          throw err;
        }
        const restored = (await pinRetries(ctx, signal)).pinRetries;
        ensure(restored === before, `pinRetries is ${restored} after the right PIN, expected ${before}`);
      },
    },
    {
      ...set,
      id: id('WRONG-002'),
      title: `after a wrong PIN (protocol ${v}) the key-agreement key is regenerated: the old shared secret no longer works`,
      specRef: 'CTAP 2.1 §6.5.5.7.2 step 9.1.1 (regenerate)',
      touches: 0,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('WRONG-002'));
        const s = await openSession(ctx, v, signal);
        const ask = (pin: string) =>
          pinCall(
            ctx,
            // Stryker disable next-line OptionalChaining: needsClientPin gates the check, so getInfo has options
            ctx.info.options?.pinUvAuthToken === true
              ? {
                  pinUvAuthProtocol: v,
                  subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions,
                  keyAgreement: s.keyAgreement,
                  pinHashEnc: s.protocol.encrypt(s.sharedSecret, pinHash(pin)),
                  permissions: 0x01,
                  rpId,
                }
              : { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPINToken, keyAgreement: s.keyAgreement, pinHashEnc: s.protocol.encrypt(s.sharedSecret, pinHash(pin)) },
            signal,
          );
        try {
          expectStatus(await ask(otherPin(ctx)), CtapStatus.CTAP2_ERR_PIN_INVALID, 'wrong PIN');
          const stale = await ask(ctx.pin);
          ensure(stale.status !== CtapStatus.CTAP2_OK, 'the right PIN under the pre-mismatch shared secret was accepted: the key-agreement key was not regenerated');
        } finally {
          await restorePinEntry(ctx, v, rpId, signal);
        }
      },
    },
    {
      ...set,
      id: id('BLOCK-001'),
      title: `three wrong PINs in a row (protocol ${v}) answer CTAP2_ERR_PIN_AUTH_BLOCKED until a power cycle`,
      specRef: 'CTAP 2.1 §6.5.5.7.2 step 9.1.2, §6.5.5.2 powerCycleState',
      touches: 0,
      timeoutMs: 20_000,
      async run(ctx, signal) {
        const powerCycle = ctx.options.powerCycle;
        if (!powerCycle) throw new CheckSkipped('the device cannot be power-cycled from here (the simulator can); the check would leave PIN entry blocked');
        const rpId = ctx.rpIdFor(id('BLOCK-001'));
        const answers: number[] = [];
        for (let i = 0; i < 3; i++) answers.push((await requestPinToken(ctx, v, otherPin(ctx), tokenOpts(rpId), signal)).result.status);
        try {
          const expected = [CtapStatus.CTAP2_ERR_PIN_INVALID, CtapStatus.CTAP2_ERR_PIN_INVALID, CtapStatus.CTAP2_ERR_PIN_AUTH_BLOCKED];
          expected.forEach((want, i) => expectStatus({ status: answers[i]! }, want, `wrong PIN number ${i + 1} in a row`));
          const right = await requestPinToken(ctx, v, ctx.pin, tokenOpts(rpId), signal);
          expectStatus(right.result, CtapStatus.CTAP2_ERR_PIN_AUTH_BLOCKED, 'the right PIN before a power cycle');
          const state = await pinRetries(ctx, signal);
          ensure(state.powerCycleState !== false, 'getPINRetries powerCycleState is false while PIN entry is blocked');
        } catch (err) {
          await powerCycle();
          await restorePinEntry(ctx, v, rpId, signal);
          throw err;
        }
        await powerCycle();
        await recover(ctx, v, rpId, signal);
        const state = await pinRetries(ctx, signal);
        ensure(state.powerCycleState !== true, 'powerCycleState still true after a power cycle and a right PIN');
      },
    },
    ...(
      [
        ['MISSING-001', 'keyAgreement'],
        ['MISSING-002', 'pinHashEnc'],
      ] as const
    ).map(
      ([check, member]): SuiteCheck => ({
        ...set,
        id: id(check),
        title: `a token request without ${member} (protocol ${v}) answers CTAP2_ERR_MISSING_PARAMETER and costs no retry`,
        specRef: 'CTAP 2.1 §6.5.5.7.2 step 1',
        touches: 0,
        async run(ctx, signal) {
          const before = (await pinRetries(ctx, signal)).pinRetries;
          const s = await openSession(ctx, v, signal);
          const pinHashEnc = s.protocol.encrypt(s.sharedSecret, pinHash(ctx.pin));
          // the complete request (permissions form, or getPINToken on a CTAP 2.0 device) less one member
          const request =
            // Stryker disable next-line OptionalChaining: needsClientPin gates the check, so getInfo has options
            ctx.info.options?.pinUvAuthToken === true
              ? { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions, keyAgreement: s.keyAgreement, pinHashEnc, permissions: 0x01, rpId: ctx.rpIdFor(id(check)) }
              : { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPINToken, keyAgreement: s.keyAgreement, pinHashEnc };
          delete request[member];
          const r = await pinCall(ctx, request, signal);
          expectStatus(r, CtapStatus.CTAP2_ERR_MISSING_PARAMETER, `token request without ${member}`);
          const after = (await pinRetries(ctx, signal)).pinRetries;
          ensure(after === before, `pinRetries went from ${before} to ${after} on a malformed request`);
        },
      }),
    ),
  ];
}

/** Protocol-independent clientPIN checks. */
export const pinGeneralChecks: SuiteCheck[] = [
  {
    suite,
    id: 'CLIENTPIN-RETRIES-001',
    title: 'getPINRetries without pinUvAuthProtocol answers pinRetries between 1 and 8',
    specRef: 'CTAP 2.1 §6.5.5.2, §6.5.2 (at most 8 retries)',
    touches: 0,
    destructive: true,
    needs: { pin: 'set' },
    requires: needsClientPin(),
    async run(ctx, signal) {
      const { pinRetries: n } = await pinRetries(ctx, signal);
      ensure(Number.isInteger(n) && n >= 1 && n <= 8, `pinRetries is ${n}`);
    },
  },
  {
    suite,
    id: 'CLIENTPIN-SUBCMD-001',
    title: 'an unknown clientPIN subCommand answers CTAP2_ERR_INVALID_SUBCOMMAND',
    specRef: 'CTAP 2.1 §6.5.5 (subCommand), §8.2 status codes',
    touches: 0,
    requires: needsClientPin(),
    async run(ctx, signal) {
      const v = protocolVersion(ctx);
      // 0x08 was a preview subcommand; 0x1f is defined by no CTAP version.
      const r = await pinCall(ctx, { pinUvAuthProtocol: v, subCommand: 0x1f }, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, 'clientPIN subCommand 0x1f');
    },
  },
  {
    suite,
    id: 'CLIENTPIN-PROTO-001',
    title: 'getKeyAgreement with an unsupported pinUvAuthProtocol answers CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.5.5.4 step 4',
    touches: 0,
    requires: needsClientPin(),
    async run(ctx, signal) {
      const r = await pinCall(ctx, { pinUvAuthProtocol: 0x63, subCommand: ClientPinSubCommand.getKeyAgreement }, signal);
      expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'getKeyAgreement with pinUvAuthProtocol 99');
    },
  },
  {
    suite,
    id: 'CLIENTPIN-PROTO-002',
    title: 'getKeyAgreement without pinUvAuthProtocol answers CTAP2_ERR_MISSING_PARAMETER',
    specRef: 'CTAP 2.1 §6.5.5.4 step 3',
    touches: 0,
    requires: needsClientPin(),
    async run(ctx, signal) {
      const r = await pinCall(ctx, { subCommand: ClientPinSubCommand.getKeyAgreement }, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'getKeyAgreement without pinUvAuthProtocol');
    },
  },
];
