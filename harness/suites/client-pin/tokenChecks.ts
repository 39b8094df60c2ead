import { CtapRequest } from '../../ctap/index.ts';
import {
  ClientPinSubCommand,
  CtapStatus,
  decodeGetAssertionResponse,
  decodeMakeCredentialResponse,
  parseAuthenticatorData,
  PinUvAuthPermission,
  type AuthenticatorData,
  pinHash,
} from '../../protocol/index.ts';
import { ensure, expectStatus } from '../expect.ts';
import { allowListOf, decodeOrFail, gaRequest, gaWithToken, mcRequest, mcWithToken } from '../ops.ts';
import { type PinProtocolVersion, openSession, pinCall, pinRetries, pinToken } from '../pinOps.ts';
import { all, needsClientPin, needsCtap21, needsPermissionsToken, needsAlwaysUvOff } from '../needs.ts';
import type { CallResult, SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { poolMember } from '../credentialPool.ts';
import { countPresenceWaits } from '../presenceCount.ts';

const suite = 'client-pin';
const { mc, ga } = PinUvAuthPermission;

/** authenticatorData of a makeCredential / getAssertion answer that must be CTAP2_OK. */
export function authDataOf(result: CallResult<unknown>, command: string): AuthenticatorData {
  expectStatus(result, CtapStatus.CTAP2_OK, command);
  const raw =
    command === 'makeCredential'
      ? decodeOrFail(() => decodeMakeCredentialResponse(result.value), 'makeCredential response').authData
      : decodeOrFail(() => decodeGetAssertionResponse(result.value), 'getAssertion response').authData;
  return decodeOrFail(() => parseAuthenticatorData(raw, { canonical: 'report' }), 'authenticatorData');
}

export function credentialIdOf(authData: AuthenticatorData): Uint8Array {
  ensure(authData.attestedCredentialData, 'makeCredential authenticatorData has no attested credential data');
  return authData.attestedCredentialData.credentialId;
}

/** A token for mc|ga on `rpId`: with permissions where the device has them, else getPINToken (CTAP 2.0; pinToken chooses). */
export function mcGaToken(ctx: SuiteContext, v: PinProtocolVersion, rpId: string, signal: AbortSignal) {
  return pinToken(ctx, { v, permissions: mc | ga, rpId }, signal);
}

/** Silent assertions (up false, CTAP 2.1 §6.2.2 step 9): these checks are about the token, not presence. */
const SILENT = () => new Map([['up', false]]);

/**
 * The run's makeCredential with a token for protocol `v` (credentialPool.ts, `tokenMc1`/`tokenMc2`, one
 * touch): an mc|ga token bound to an RP ID of its own (getPINToken on a CTAP 2.0 device), the authData of
 * the credential made with it, the waits for a touch it took (presenceCount.ts), and what a second
 * makeCredential with the same token answered (§6.1.2 step 14.4: refused before any touch).
 */
export function tokenMc(ctx: SuiteContext, v: PinProtocolVersion, signal: AbortSignal) {
  return poolMember(ctx, `tokenMc${v}`, async () => {
    const rpId = `pool-token-v${v}.fido-harness.test`;
    const token = await mcGaToken(ctx, v, rpId, signal);
    const { value, waits } = await countPresenceWaits(ctx, () => mcWithToken(ctx, token, rpId, {}, signal));
    const authData = authDataOf(value, 'makeCredential');
    const second = await mcWithToken(ctx, token, rpId, {}, signal);
    return { rpId, authData, waits, credentialId: credentialIdOf(authData), secondStatus: second.status };
  });
}

/**
 * The same with a getPINToken token (CTAP 2.0 style, `legacyMc1`/`legacyMc2`, one touch), and what a
 * makeCredential on a second RP with that token answered (§6.1.2 step 11.1.3: refused before any touch).
 */
function legacyMc(ctx: SuiteContext, v: PinProtocolVersion, signal: AbortSignal) {
  return poolMember(ctx, `legacyMc${v}`, async () => {
    const rpId = `pool-legacy-v${v}.fido-harness.test`;
    const token = await pinToken(ctx, { v, legacy: true }, signal);
    const authData = authDataOf(await mcWithToken(ctx, token, rpId, {}, signal), 'makeCredential');
    const second = await mcWithToken(ctx, token, `second.${rpId}`, {}, signal);
    return { rpId, authData, secondStatus: second.status };
  });
}

/** pinUvAuthTokens: permissions, RP ID binding, getPINToken, the UV flag (CTAP 2.1 §6.5.5.7, §6.1.2, §6.2.2). */
export function tokenChecksFor(v: PinProtocolVersion): SuiteCheck[] {
  const id = (rest: string) => `CLIENTPIN-V${v}-${rest}`;
  const base = { suite, destructive: true, needs: { pin: 'set' as const } };
  const withPerms = all(needsClientPin(v), needsPermissionsToken);
  const pooledMc = { touches: 0, uses: [`tokenMc${v}` as const] };
  const pooledLegacy = { touches: 0, uses: [`legacyMc${v}` as const] };
  return [
    {
      ...base,
      id: id('PERM-001'),
      title: `a token with only the mc permission (protocol ${v}) is refused by getAssertion with CTAP2_ERR_PIN_AUTH_INVALID`,
      specRef: 'CTAP 2.1 §6.2.2 step 6.1.3 (ga permission), §6.5.5.7',
      ...pooledMc,
      requires: withPerms,
      async run(ctx, signal) {
        const { rpId, credentialId } = await tokenMc(ctx, v, signal);
        const token = await pinToken(ctx, { v, permissions: mc, rpId }, signal);
        const r = await gaWithToken(ctx, token, rpId, { allowList: allowListOf(credentialId), options: SILENT() }, signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'getAssertion with an mc-only token');
      },
    },
    {
      ...base,
      id: id('PERM-002'),
      title: `a token with only the ga permission (protocol ${v}) is refused by makeCredential with CTAP2_ERR_PIN_AUTH_INVALID`,
      specRef: 'CTAP 2.1 §6.1.2 step 11.1.2 (mc permission)',
      touches: 0,
      requires: withPerms,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('PERM-002'));
        const token = await pinToken(ctx, { v, permissions: ga, rpId }, signal);
        expectStatus(await mcWithToken(ctx, token, rpId, {}, signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'makeCredential with a ga-only token');
      },
    },
    {
      ...base,
      id: id('PERM-003'),
      title: `a token bound to one RP ID (protocol ${v}) is refused for another with CTAP2_ERR_PIN_AUTH_INVALID`,
      specRef: 'CTAP 2.1 §6.1.2 step 11.1.3 (permissions RP ID), §6.5.5.7.2 step 16',
      touches: 0,
      requires: withPerms,
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('PERM-003'));
        const token = await pinToken(ctx, { v, permissions: mc | ga, rpId }, signal);
        const other = `other.${rpId}`;
        expectStatus(await mcWithToken(ctx, token, other, {}, signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, `makeCredential on ${other} with a token for ${rpId}`);
      },
    },
    {
      ...base,
      id: id('PERM-004'),
      title: `a token request with permissions 0 (protocol ${v}) answers CTAP1_ERR_INVALID_PARAMETER and costs no retry`,
      specRef: 'CTAP 2.1 §6.5.5.7.2 step 3',
      touches: 0,
      requires: withPerms,
      async run(ctx, signal) {
        const before = (await pinRetries(ctx, signal)).pinRetries;
        const s = await openSession(ctx, v, signal);
        const r = await pinCall(
          ctx,
          {
            pinUvAuthProtocol: v,
            subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions,
            keyAgreement: s.keyAgreement,
            pinHashEnc: s.protocol.encrypt(s.sharedSecret, pinHash(ctx.pin)),
            permissions: 0,
            rpId: ctx.rpIdFor(id('PERM-004')),
          },
          signal,
        );
        expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'token request with permissions 0');
        const after = (await pinRetries(ctx, signal)).pinRetries;
        ensure(after === before, `pinRetries went from ${before} to ${after}`);
      },
    },
    {
      ...base,
      id: id('PERM-005'),
      title: `a token with mc|ga bound to an RP ID (protocol ${v}) works for makeCredential and getAssertion on that RP`,
      specRef: 'CTAP 2.1 §6.5.5.7.2 steps 15-16, §6.1.2 step 11.1, §6.2.2 step 6.1',
      ...pooledMc,
      requires: withPerms,
      async run(ctx, signal) {
        // the pooled credential was made with an mc|ga token bound to its RP; a fresh one asserts with it
        const { rpId, credentialId } = await tokenMc(ctx, v, signal);
        const token = await pinToken(ctx, { v, permissions: mc | ga, rpId }, signal);
        authDataOf(await gaWithToken(ctx, token, rpId, { allowList: allowListOf(credentialId), options: SILENT() }, signal), 'getAssertion');
      },
    },
    {
      ...base,
      id: id('ONCE-001'),
      title: `a token that makeCredential used with user presence (protocol ${v}) is refused by a second makeCredential`,
      specRef: 'CTAP 2.1 §6.1.2 step 14.4 (clearUserPresentFlag, clearUserVerifiedFlag, clearPinUvAuthTokenPermissionsExceptLbw)',
      ...pooledMc,
      requires: all(needsClientPin(v), needsPermissionsToken, needsCtap21),
      async run(ctx, signal) {
        const { secondStatus } = await tokenMc(ctx, v, signal);
        expectStatus({ status: secondStatus }, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'second makeCredential with the same token');
      },
    },
    {
      ...base,
      id: id('LEGACY-001'),
      title: `getPINToken (protocol ${v}, CTAP 2.0 style) gives a token that makeCredential accepts`,
      specRef: 'CTAP 2.1 §6.5.5.7.1 (default permissions mc and ga)',
      ...pooledLegacy,
      requires: needsClientPin(v),
      async run(ctx, signal) {
        const { authData } = await legacyMc(ctx, v, signal);
        ensure(authData.uv, 'UV flag clear on makeCredential with a getPINToken token');
      },
    },
    {
      ...base,
      id: id('LEGACY-002'),
      title: `getPINToken (protocol ${v}) with a permissions parameter answers CTAP1_ERR_INVALID_PARAMETER`,
      specRef: 'CTAP 2.1 §6.5.5.7.1 step 3',
      touches: 0,
      requires: all(needsClientPin(v), needsCtap21),
      async run(ctx, signal) {
        const s = await openSession(ctx, v, signal);
        const r = await pinCall(
          ctx,
          {
            pinUvAuthProtocol: v,
            subCommand: ClientPinSubCommand.getPINToken,
            keyAgreement: s.keyAgreement,
            pinHashEnc: s.protocol.encrypt(s.sharedSecret, pinHash(ctx.pin)),
            permissions: mc | ga,
          },
          signal,
        );
        expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'getPINToken with permissions');
      },
    },
    {
      ...base,
      id: id('LEGACY-003'),
      title: `a getPINToken token (protocol ${v}) is bound to the first RP it is used for`,
      specRef: 'CTAP 2.1 §6.1.2 steps 11.1.3 and 11.1.7 (associate rp.id when the token has none)',
      ...pooledLegacy,
      requires: all(needsClientPin(v), needsCtap21),
      async run(ctx, signal) {
        const { secondStatus } = await legacyMc(ctx, v, signal);
        expectStatus({ status: secondStatus }, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'makeCredential on a second RP with the same getPINToken token');
      },
    },
    {
      ...base,
      id: id('UVFLAG-001'),
      title: `makeCredential with a pinUvAuthToken (protocol ${v}) sets the UV and UP flags`,
      specRef: 'CTAP 2.1 §6.1.2 step 11.1.6 (uv bit), WebAuthn L3 §6.1 flags',
      ...pooledMc,
      requires: needsClientPin(v),
      async run(ctx, signal) {
        const { authData } = await tokenMc(ctx, v, signal);
        ensure(authData.uv, 'UV flag clear on makeCredential with a token');
        ensure(authData.up, 'UP flag clear on makeCredential');
      },
    },
    {
      ...base,
      id: id('UVFLAG-002'),
      title: `getAssertion with a pinUvAuthToken (protocol ${v}) sets the UV flag`,
      specRef: 'CTAP 2.1 §6.2.2 step 6.1.6 (uv bit)',
      ...pooledMc,
      requires: needsClientPin(v),
      async run(ctx, signal) {
        const { rpId, credentialId } = await tokenMc(ctx, v, signal);
        const token = await mcGaToken(ctx, v, rpId, signal);
        const authData = authDataOf(await gaWithToken(ctx, token, rpId, { allowList: allowListOf(credentialId), options: SILENT() }, signal), 'getAssertion');
        ensure(authData.uv, 'UV flag clear on getAssertion with a token');
      },
    },
    {
      ...base,
      id: id('PARAM-001'),
      title: `a truncated pinUvAuthParam (protocol ${v}: a prefix of the right MAC) is refused with CTAP2_ERR_PIN_AUTH_INVALID`,
      specRef: `CTAP 2.1 §6.1.2 step 11.1.1, ${v === 1 ? '§6.5.6 (16-byte MAC)' : '§6.5.7 (32-byte MAC)'}`,
      touches: 0,
      requires: needsClientPin(v),
      async run(ctx, signal) {
        const rpId = ctx.rpIdFor(id('PARAM-001'));
        const token = await mcGaToken(ctx, v, rpId, signal);
        const req = mcRequest(rpId);
        const full = token.protocol.authenticate(token.token, req.clientDataHash);
        // A device that compares only as many bytes as were sent accepts a prefix.
        const short = full.subarray(0, full.length / 2);
        const r = await mcWithToken(ctx, token, rpId, { clientDataHash: req.clientDataHash, pinUvAuthParam: short }, signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, `makeCredential with a ${short.length}-byte pinUvAuthParam`);
        const long = new Uint8Array(full.length + 16);
        long.set(full);
        const r2 = await mcWithToken(ctx, token, rpId, { clientDataHash: req.clientDataHash, pinUvAuthParam: long }, signal);
        expectStatus(r2, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, `makeCredential with a ${long.length}-byte pinUvAuthParam`);
      },
    },
    {
      ...base,
      id: id('PROBE-001'),
      title: `makeCredential with a zero-length pinUvAuthParam (protocol ${v}) and a PIN set answers CTAP2_ERR_PIN_INVALID`,
      specRef: 'CTAP 2.1 §6.1.2 step 1 (touch-to-select probe)',
      // a zero-length pinUvAuthParam asks for a touch first (CTAP 2.1 §6.1.2 step 1.1)
      touches: 1,
      requires: all(needsClientPin(v), needsCtap21),
      async run(ctx, signal) {
        const req = mcRequest(ctx.rpIdFor(id('PROBE-001')), { pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: v });
        const r = await ctx.request(CtapRequest.makeCredential, req, signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PIN_INVALID, 'makeCredential with an empty pinUvAuthParam');
      },
    },
    {
      ...base,
      id: id('PROBE-002'),
      title: `getAssertion with a zero-length pinUvAuthParam (protocol ${v}) and a PIN set answers CTAP2_ERR_PIN_INVALID`,
      specRef: 'CTAP 2.1 §6.2.2 step 1 (touch-to-select probe)',
      // a zero-length pinUvAuthParam asks for a touch first (CTAP 2.1 §6.2.2 step 1.1)
      touches: 1,
      requires: all(needsClientPin(v), needsCtap21),
      async run(ctx, signal) {
        const req = gaRequest(ctx.rpIdFor(id('PROBE-002')), { pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: v });
        const r = await ctx.request(CtapRequest.getAssertion, req, signal);
        expectStatus(r, CtapStatus.CTAP2_ERR_PIN_INVALID, 'getAssertion with an empty pinUvAuthParam');
      },
    },
  ];
}

/** Other checks on what a set PIN demands of makeCredential. */
export const pinRequirementChecks: SuiteCheck[] = [
  {
    suite,
    id: 'CLIENTPIN-PUAT-001',
    title: 'with a PIN set, a discoverable makeCredential without pinUvAuthParam answers CTAP2_ERR_PUAT_REQUIRED',
    specRef: 'CTAP 2.1 §6.1.2 step 6 (protected by user verification, rk requested)',
    touches: 0,
    destructive: true,
    needs: { pin: 'set' },
    // Stryker disable next-line OptionalChaining: needsClientPin answered first, so getInfo has options
    requires: all((ctx) => needsClientPin()(ctx) ?? needsCtap21(ctx) ?? (ctx.info.options?.rk === true ? undefined : 'rk option not true'), needsAlwaysUvOff),
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('CLIENTPIN-PUAT-001'), { options: new Map([['rk', true]]) });
      const r = await ctx.request(CtapRequest.makeCredential, req, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'rk makeCredential without a token while a PIN is set');
    },
  },
];
