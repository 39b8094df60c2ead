import { CtapRequest } from '../../ctap/index.ts';
import { randomBytes } from 'node:crypto';
import { pinUvAuthProtocol } from '../../client/index.ts';
import {
  CtapStatus,
  PinUvAuthPermission,
} from '../../protocol/index.ts';
import { authDataOf, credentialIdOf } from '../client-pin/tokenChecks.ts';
import { ensure, expectStatus } from '../expect.ts';
import { allowListOf, gaRequest, mcRequest, mcWithToken } from '../ops.ts';
import { all, needsCtap21, needsNoBuiltInUv, needsAlwaysUvOff } from '../needs.ts';
import { clientPin, requestUvToken } from '../pinOps.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'uv';
const uvOption = () => new Map([['uv', true]]);
const needsBuiltInUv = (ctx: SuiteContext) =>
  ctx.info.options?.uv === true ? undefined : `no built-in user verification (getInfo uv is ${String(ctx.info.options?.uv ?? 'absent')})`;
const needsUvToken = (ctx: SuiteContext) =>
  ctx.info.options?.pinUvAuthToken === true ? undefined : 'pinUvAuthToken option absent (no getPinUvAuthTokenUsingUvWithPermissions)';
const protocolOf = (ctx: SuiteContext): 1 | 2 => ((ctx.info.pinUvAuthProtocols ?? [1]).find((p) => p === 1 || p === 2) ?? 1) as 1 | 2;

/**
 * User verification: the UV flag is set only after a PIN token or built-in UV (the `uv-without-pin` quirk),
 * and the built-in method where getInfo advertises one (CTAP 2.1 §6.1.2 steps 5 and 11, §6.2.2, §6.5.5.7.3).
 */
export const uvChecks: SuiteCheck[] = [
  {
    suite,
    id: 'UV-FLAG-001',
    title: 'with no PIN and no uv option, makeCredential and getAssertion leave the UV flag clear',
    specRef: 'CTAP 2.1 §6.1.2 step 11 and §6.2.2 step 6 (uv bit only after verification), WebAuthn L3 §6.1',
    touches: 1,
    destructive: true,
    needs: { pin: 'unset' },
    requires: needsAlwaysUvOff,
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('UV-FLAG-001');
      const mc = await ctx.request(CtapRequest.makeCredential, mcRequest(rpId), signal);
      const made = authDataOf(mc, 'makeCredential');
      ensure(!made.uv, 'makeCredential set the UV flag although the user was never verified');
      // silent (up false, CTAP 2.1 §6.2.2 step 9): the UV flag is the point, not presence
      const ga = await ctx.request(CtapRequest.getAssertion, gaRequest(rpId, { allowList: allowListOf(credentialIdOf(made)), options: new Map([['up', false]]) }), signal);
      ensure(!authDataOf(ga, 'getAssertion').uv, 'getAssertion set the UV flag although the user was never verified');
    },
  },
  {
    suite,
    id: 'UV-FLAG-002',
    title: 'with a PIN set but no token, getAssertion leaves the UV flag clear',
    specRef: 'CTAP 2.1 §6.2.2 step 6 (uv bit only after verification)',
    touches: 1,
    destructive: true,
    needs: { pin: 'set' },
    requires: (ctx) => (ctx.info.options?.clientPin === undefined ? 'no clientPin' : ctx.info.options?.makeCredUvNotRqd === true ? undefined : 'makeCredUvNotRqd not true: a credential cannot be made without UV here'),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('UV-FLAG-002');
      // §6.1.2 step 6: makeCredUvNotRqd lets a non-discoverable credential be made without UV.
      const made = authDataOf(await ctx.request(CtapRequest.makeCredential, mcRequest(rpId), signal), 'makeCredential');
      ensure(!made.uv, 'makeCredential without a token set the UV flag');
      const ga = await ctx.request(CtapRequest.getAssertion, gaRequest(rpId, { allowList: allowListOf(credentialIdOf(made)), options: new Map([['up', false]]) }), signal);
      ensure(!authDataOf(ga, 'getAssertion').uv, 'getAssertion without a token set the UV flag');
    },
  },
  {
    suite,
    id: 'UV-OPT-001',
    title: 'the uv option without a configured built-in UV method is refused with CTAP2_ERR_INVALID_OPTION',
    specRef: 'CTAP 2.1 §6.1.2 step 5 (uv option, no built-in user verification)',
    touches: 0,
    destructive: true,
    needs: { pin: 'unset' },
    requires: (ctx) => needsCtap21(ctx) ?? needsNoBuiltInUv(ctx),
    async run(ctx, signal) {
      const r = await ctx.request(CtapRequest.makeCredential, mcRequest(ctx.rpIdFor('UV-OPT-001'), { options: uvOption() }), signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_INVALID_OPTION, 'makeCredential with uv=true on a device without built-in UV');
    },
  },
  {
    suite,
    id: 'UV-BUILTIN-001',
    title: 'makeCredential and getAssertion with the uv option verify the user: the UV flag is set',
    specRef: 'CTAP 2.1 §6.1.2 step 11.2, §6.2.2 step 6.2 (performBuiltInUv)',
    // the makeCredential and the getAssertion each wait for the user's gesture
    touches: 2,
    destructive: true,
    needs: { pin: 'unset' },
    requires: needsBuiltInUv,
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('UV-BUILTIN-001');
      const made = authDataOf(await ctx.request(CtapRequest.makeCredential, mcRequest(rpId, { options: uvOption() }), signal), 'makeCredential');
      ensure(made.uv, 'UV flag clear after makeCredential with uv=true');
      const ga = await ctx.request(CtapRequest.getAssertion, gaRequest(rpId, { allowList: allowListOf(credentialIdOf(made)), options: uvOption() }), signal);
      ensure(authDataOf(ga, 'getAssertion').uv, 'UV flag clear after getAssertion with uv=true');
    },
  },
  {
    suite,
    id: 'UV-TOKEN-001',
    title: 'getPinUvAuthTokenUsingUvWithPermissions issues a token that makeCredential accepts with the UV flag',
    specRef: 'CTAP 2.1 §6.5.5.7.3, §6.1.2 step 11.1',
    // the gesture that issues the token (a built-in method that shows presence serves makeCredential too, §6.5.5.7.3)
    touches: 1,
    destructive: true,
    needs: { pin: 'unset' },
    requires: all(needsBuiltInUv, needsUvToken),
    async run(ctx, signal) {
      const v = protocolOf(ctx);
      const rpId = ctx.rpIdFor('UV-TOKEN-001');
      const a = await requestUvToken(ctx, v, PinUvAuthPermission.mc, rpId, signal);
      expectStatus(a.result, CtapStatus.CTAP2_OK, 'getPinUvAuthTokenUsingUvWithPermissions');
      const made = authDataOf(await mcWithToken(ctx, a.token!, rpId, {}, signal), 'makeCredential');
      ensure(made.uv, 'UV flag clear after makeCredential with a UV token');
    },
  },
  {
    suite,
    id: 'UV-TOKEN-002',
    title: 'getPinUvAuthTokenUsingUvWithPermissions with permissions 0 answers CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.5.5.7.3 step 3',
    touches: 0,
    destructive: true,
    needs: { pin: 'unset' },
    requires: all(needsBuiltInUv, needsUvToken),
    async run(ctx, signal) {
      const v = protocolOf(ctx);
      const { result: r } = await requestUvToken(ctx, v, 0, ctx.rpIdFor('UV-TOKEN-002'), signal);
      expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'UV token request with permissions 0');
    },
  },
  {
    suite,
    id: 'UV-RETRIES-001',
    title: 'getUVRetries answers uvRetries (a positive count) where built-in UV is advertised',
    specRef: 'CTAP 2.1 §6.5.5.3',
    requires: all(needsBuiltInUv, needsUvToken),
    touches: 0,
    async run(ctx, signal) {
      const r = await clientPin(ctx, protocolOf(ctx), signal).requestUvRetries();
      expectStatus(r, CtapStatus.CTAP2_OK, 'getUVRetries');
      const n = r.response?.uvRetries;
      ensure((n ?? 0) > 0, `uvRetries is ${String(n)}`);
    },
  },
  {
    suite,
    id: 'UV-FLAG-003',
    title: 'a pinUvAuthParam made with a key that is not the token (a random one) is refused and sets no UV flag',
    specRef: 'CTAP 2.1 §6.1.2 step 11.1.1 (verify against the current pinUvAuthToken)',
    touches: 0,
    destructive: true,
    needs: { pin: 'set' },
    requires: (ctx) => (ctx.info.options?.clientPin === undefined ? 'no clientPin' : undefined),
    async run(ctx, signal) {
      const v = protocolOf(ctx);
      const forged = new Uint8Array(randomBytes(32));
      const req = mcRequest(ctx.rpIdFor('UV-FLAG-003'));
      req.pinUvAuthProtocol = v;
      req.pinUvAuthParam = pinUvAuthProtocol(v).authenticate(forged, req.clientDataHash);
      const r = await ctx.request(CtapRequest.makeCredential, req, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'makeCredential with a pinUvAuthParam under a random key');
    },
  },
];
