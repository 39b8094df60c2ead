import { CtapRequest } from '../../ctap/index.ts';
import {
  CtapCommand,
  CtapStatus,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  verifyCoseSignature,
} from '../../protocol/index.ts';
import { CheckWarning } from '../../runner/Check.ts';
import { ensure, expectStatus, expectStatusIn, hex } from '../expect.ts';
import { allowListOf, gaRequest, gaWithToken, getAssertion, makeCredential, mcWithToken, outOfOrderRequest, sha256 } from '../ops.ts';
import { protocolVersion } from '../pinOps.ts';
import { mcGaToken, tokenMc } from '../client-pin/tokenChecks.ts';
import { countPresenceWaits, expectOneTouchWithUp, needsPresenceCount } from '../presenceCount.ts';
import { all, needsAlwaysUvOff, needsClientPin, needsNoBuiltInUv } from '../needs.ts';
import { pooled } from '../credentialPool.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { parameterChecks, type ParameterCase } from '../parameterChecks.ts';

const suite = 'get-assertion';
const GA = CtapCommand.authenticatorGetAssertion;

/** Options of a silent assertion (CTAP 2.1 §6.2.2 step 9: up false): no touch, for checks not about presence. */
export const SILENT = () => new Map([['up', false]]);

/**
 * The run's plain pooled credential (credentialPool.ts), then an assertion with it in the allowList:
 * silent unless the check is about presence (`options` given).
 */
async function registerAndAssert(ctx: SuiteContext, signal: AbortSignal, options: Map<string, boolean> = SILENT()) {
  const made = await pooled(ctx, 'plain', signal);
  const rpId = made.request.rp.id;
  const request = gaRequest(rpId, { allowList: allowListOf(made.credentialId), options });
  const got = await getAssertion(ctx, request, signal);
  return { rpId, made, request, got };
}

/** What every check reading the pooled credential declares: no touch of its own. */
const silent = { touches: 0, uses: ['plain'] } as const;

const paramCases: ParameterCase[] = [
  ['GA-PARAM-001', 'rpId missing', 0x01, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['GA-PARAM-002', 'clientDataHash missing', 0x02, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['GA-PARAM-003', 'rpId is bytes', 0x01, new Uint8Array(4), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['GA-PARAM-004', 'clientDataHash is an integer', 0x02, 5, CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['GA-PARAM-005', 'allowList is a map', 0x03, new Map(), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['GA-PARAM-006', 'allowList element id is text', 0x03, [new Map([['type', 'public-key'], ['id', 'text']])], CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['GA-PARAM-007', 'options is text', 0x05, 'up', CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['GA-PARAM-008', 'allowList element without id', 0x03, [new Map([['type', 'public-key']])], CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
];

const gaParameterChecks = parameterChecks(suite, GA, 'CTAP 2.1 §6.2 (parameters), §8.2', (ctx, id) =>
  encodeGetAssertionRequest(gaRequest(ctx.rpIdFor(id), { allowList: allowListOf(new Uint8Array(32)) })),
  paramCases,
);

export const getAssertionChecks: SuiteCheck[] = [
  {
    id: 'GA-SIGNATURE-001',
    suite,
    title: 'the assertion signature verifies over authenticatorData || clientDataHash',
    specRef: 'CTAP 2.1 §6.2.2 step 12; WebAuthn L3 §6.3.3 step 11, §7.2 step 21',
    ...silent,
    async run(ctx, signal) {
      const { made, request, got } = await registerAndAssert(ctx, signal);
      const signed = new Uint8Array(Buffer.concat([got.response.authData, request.clientDataHash]));
      ensure(verifyCoseSignature(made.publicKey, signed, got.response.signature), 'assertion signature does not verify with the credential public key', {
        actual: hex(got.response.signature),
      });
    },
  },
  {
    id: 'GA-CREDENTIAL-001',
    suite,
    title: 'the credential returned is the one in the allowList',
    specRef: 'CTAP 2.1 §6.2.2 step 11 (credential)',
    ...silent,
    async run(ctx, signal) {
      const { made, got } = await registerAndAssert(ctx, signal);
      ensure(hex(got.response.credential.id) === hex(made.credentialId), 'credential.id differs from the allowList credential');
      ensure(got.response.credential.type === 'public-key', `credential.type is ${got.response.credential.type}`);
    },
  },
  {
    id: 'GA-FLAGS-001',
    suite,
    title: 'getAssertion with up asks for exactly one touch; authData flags: UP set, AT clear, ED clear without extensions',
    specRef: 'WebAuthn L3 §6.1; CTAP 2.1 §6.2.2 step 9 (collect user presence, once per operation), step 11',
    // the assertion about presence: up is asked for, and given by a touch
    touches: 1,
    uses: ['plain'],
    async run(ctx, signal) {
      // the pooled credential first, so that only the assertion's waits are counted (presenceCount.ts)
      await pooled(ctx, 'plain', signal);
      const { value: { got }, waits } = await countPresenceWaits(ctx, () => registerAndAssert(ctx, signal, new Map()));
      if (waits !== undefined) ensure(waits === 1, `getAssertion asked for ${waits} touches, not 1`, { expected: '1 presence wait', actual: String(waits) });
      ensure(got.authData.up, 'UP clear although presence was required');
      ensure(!got.authData.at, 'AT set in an assertion');
      ensure(!got.authData.ed, 'ED set although no extension was requested');
    },
  },
  {
    id: 'GA-FLAGS-002',
    suite,
    title: 'UV flag is clear when no user verification was performed',
    specRef: 'WebAuthn L3 §6.1 (UV)',
    ...silent,
    needs: { pin: 'unset' },
    destructive: true,
    requires: needsAlwaysUvOff,
    async run(ctx, signal) {
      const { got } = await registerAndAssert(ctx, signal);
      ensure(!got.authData.uv, 'UV flag set although no verification was performed');
    },
  },
  {
    id: 'GA-RPID-001',
    suite,
    title: 'rpIdHash is SHA-256 of the rpId',
    specRef: 'WebAuthn L3 §6.1 (rpIdHash)',
    ...silent,
    async run(ctx, signal) {
      const { rpId, got } = await registerAndAssert(ctx, signal);
      ensure(hex(got.authData.rpIdHash) === hex(sha256(rpId)), 'rpIdHash is not SHA-256(rpId)', {
        expected: hex(sha256(rpId)),
        actual: hex(got.authData.rpIdHash),
      });
    },
  },
  {
    id: 'GA-COUNTER-001',
    suite,
    title: 'the signature counter increases with every assertion',
    specRef: 'WebAuthn L3 §6.1.1 (signature counter)',
    ...silent,
    async run(ctx, signal) {
      const { request, got } = await registerAndAssert(ctx, signal);
      // Stryker disable next-line StringLiteral: any other clientDataHash makes a second assertion
      const again = await getAssertion(ctx, { ...request, clientDataHash: sha256('again') }, signal);
      const a = got.authData.signCount;
      const b = again.authData.signCount;
      if (a === 0 && b === 0) throw new CheckWarning('signCount is always 0: relying parties cannot detect clones');
      ensure(b > a, `signCount did not increase: ${a} then ${b}`, { expected: `> ${a}`, actual: String(b) });
    },
  },
  {
    id: 'GA-UP-001',
    suite,
    title: 'with up=false no touch is asked for and the UP flag is clear; makeCredential asks for exactly one',
    specRef: 'CTAP 2.1 §6.2.2 step 9 (up option), §6.1.2 step 14, WebAuthn L3 §6.1 (UP: the user was present)',
    touches: 1,
    // Under alwaysUv a makeCredential without a token is verified by built-in UV, whose gesture can be the
    // touch itself (§6.1.2 step 6): no separate presence wait to count.
    requires: needsAlwaysUvOff,
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('GA-UP-001');
      const made = await countPresenceWaits(ctx, () => makeCredential(ctx, rpId, {}, signal));
      if (made.waits !== undefined) ensure(made.waits === 1, `makeCredential asked for ${made.waits} touches, not 1`);
      const request = gaRequest(rpId, { allowList: allowListOf(made.value.credentialId), options: new Map([['up', false]]) });
      const { value: got, waits } = await countPresenceWaits(ctx, () => getAssertion(ctx, request, signal));
      if (waits !== undefined) ensure(waits === 0, `getAssertion with up=false asked for ${waits} touches`);
      ensure(!got.authData.up, 'UP set although up=false was requested and no touch was asked for');
    },
  },
  {
    id: 'GA-UP-002',
    suite,
    title: 'getAssertion with a PIN token still asks for exactly one touch, and sets UP',
    specRef: 'CTAP 2.1 §6.5.5.7.2 (a PIN token starts with userPresent false), §6.2.2 step 9 (collect user presence), WebAuthn L3 §6.1 (UP)',
    destructive: true,
    needs: { pin: 'set' },
    // the assertion's touch; the credential is the one the client-pin checks share (tokenChecks.ts; protocol
    // two where offered, which the plan assumes)
    touches: 1,
    uses: ['tokenMc2'],
    requires: all(needsClientPin(), needsPresenceCount),
    async run(ctx, signal) {
      const v = protocolVersion(ctx);
      const { rpId, credentialId } = await tokenMc(ctx, v, signal);
      // a fresh token: makeCredential used the first one up (§6.1.2 step 14.4)
      const token = await mcGaToken(ctx, v, rpId, signal);
      await expectOneTouchWithUp(ctx, 'getAssertion', () => gaWithToken(ctx, token, rpId, { allowList: allowListOf(credentialId) }, signal));
    },
  },
  {
    id: 'GA-NOCRED-001',
    suite,
    title: 'an allowList of unknown credentials is answered with CTAP2_ERR_NO_CREDENTIALS',
    specRef: 'CTAP 2.1 §6.2.2 step 7',
    requires: needsAlwaysUvOff,
    touches: 0,
    async run(ctx, signal) {
      const req = gaRequest(ctx.rpIdFor('GA-NOCRED-001'), { allowList: allowListOf(new Uint8Array(48).fill(3)) });
      expectStatus(await ctx.request(CtapRequest.getAssertion, req, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'unknown credential');
    },
  },
  {
    id: 'GA-NOCRED-002',
    suite,
    title: "another RP's credential is not usable",
    specRef: 'CTAP 2.1 §6.2.2 step 7 (credentials are scoped to their RP ID)',
    ...silent,
    async run(ctx, signal) {
      const made = await pooled(ctx, 'plain', signal);
      const req = gaRequest(ctx.rpIdFor('GA-NOCRED-002-OTHER'), { allowList: allowListOf(made.credentialId) });
      expectStatus(await ctx.request(CtapRequest.getAssertion, req, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, "another RP's credential");
    },
  },
  {
    id: 'GA-NOCRED-003',
    suite,
    title: 'no discoverable credential for the RP is answered with CTAP2_ERR_NO_CREDENTIALS',
    specRef: 'CTAP 2.1 §6.2.2 step 7',
    requires: needsAlwaysUvOff,
    touches: 0,
    async run(ctx, signal) {
      const req = gaRequest(ctx.rpIdFor('GA-NOCRED-003'));
      expectStatus(await ctx.request(CtapRequest.getAssertion, req, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'empty RP');
    },
  },
  {
    id: 'GA-ALLOWLIST-001',
    suite,
    title: 'unknown allowList entries are skipped and a known one is used',
    specRef: 'CTAP 2.1 §6.2.2 step 7',
    ...silent,
    async run(ctx, signal) {
      const made = await pooled(ctx, 'plain', signal);
      const got = await getAssertion(ctx, gaRequest(made.request.rp.id, { allowList: allowListOf(new Uint8Array(40).fill(9), made.credentialId), options: SILENT() }), signal);
      ensure(hex(got.response.credential.id) === hex(made.credentialId), 'the known credential was not used');
    },
  },
  {
    id: 'GA-ALLOWLIST-002',
    suite,
    title: 'an allowList as long as maxCredentialCountInList (and maxMsgSize) allows is accepted',
    specRef: 'CTAP 2.1 §6.4 maxCredentialCountInList, maxMsgSize',
    ...silent,
    requires: (ctx) => (ctx.info.maxCredentialCountInList ? undefined : 'maxCredentialCountInList not reported'),
    async run(ctx, signal) {
      const made = await pooled(ctx, 'plain', signal);
      const rpId = made.request.rp.id;
      // The list also has to fit the key's maxMsgSize (§6.4, default 1024): a platform splits by both.
      const maxMsgSize = ctx.info.maxMsgSize ?? 1024;
      let n = Math.min(ctx.info.maxCredentialCountInList!, 64);
      // unknown IDs first (all different), the known credential last
      // Stryker disable next-line ArithmeticOperator: fill(i - 1) gives IDs as different (0xff, 0x00, 0x01, …)
      const unknown = (count: number) => Array.from({ length: count - 1 }, (_, i) => new Uint8Array(32).fill(i + 1));
      const requestOf = (count: number) => gaRequest(rpId, { allowList: allowListOf(...unknown(count), made.credentialId), options: SILENT() });
      const fits = (count: number) => 1 + encodeCanonicalCbor(encodeGetAssertionRequest(requestOf(count))).length <= maxMsgSize;
      // One credential always fits: its request is shorter than the makeCredential that made it, which fit.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: n never reaches 1 unfitted (above); n >= 1 would stop at 0, whose list is the same one credential
      while (n > 1 && !fits(n)) n--;
      const got = await getAssertion(ctx, requestOf(n), signal);
      ensure(hex(got.response.credential.id) === hex(made.credentialId), 'the credential at the end of a full allowList was not used');
    },
  },
  {
    id: 'GA-OPTION-001',
    suite,
    title: 'the rk option is refused in getAssertion',
    specRef: 'CTAP 2.1 §6.2.2 step 4',
    touches: 0,
    async run(ctx, signal) {
      const req = gaRequest(ctx.rpIdFor('GA-OPTION-001'), { options: new Map([['rk', true]]) });
      expectStatusIn(
        await ctx.request(CtapRequest.getAssertion, req, signal),
        [CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION, CtapStatus.CTAP2_ERR_INVALID_OPTION],
        'rk in getAssertion',
      );
    },
  },
  {
    id: 'GA-OPTION-002',
    suite,
    title: 'option uv=true without a built-in verification method is refused',
    specRef: 'CTAP 2.1 §6.2.2 step 4',
    ...silent,
    requires: needsNoBuiltInUv,
    async run(ctx, signal) {
      const made = await pooled(ctx, 'plain', signal);
      const req = gaRequest(made.request.rp.id, { allowList: allowListOf(made.credentialId), options: new Map([['uv', true]]) });
      expectStatusIn(
        await ctx.request(CtapRequest.getAssertion, req, signal),
        [CtapStatus.CTAP2_ERR_INVALID_OPTION, CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION],
        'uv=true',
      );
    },
  },
  {
    id: 'GA-CBOR-001',
    suite,
    title: 'getAssertion response is CTAP2 canonical CBOR',
    specRef: 'CTAP 2.1 §8',
    ...silent,
    async run(ctx, signal) {
      const { got } = await registerAndAssert(ctx, signal);
      const problems = got.result.findings.map((f) => `${f.code} at byte ${f.offset}`);
      ensure(problems.length === 0, `response is not canonical: ${problems.join('; ')}`);
    },
  },
  {
    id: 'GA-CBOR-002',
    suite,
    title: 'a request whose map keys are out of canonical order is refused with CTAP2_ERR_INVALID_CBOR',
    specRef: 'CTAP 2.1 §8 (requests are CTAP2 canonical CBOR: map keys sorted), §8.2',
    touches: 0,
    async run(ctx, signal) {
      const params = encodeGetAssertionRequest(gaRequest(ctx.rpIdFor('GA-CBOR-002'), { allowList: allowListOf(new Uint8Array(32).fill(7)) }));
      expectStatus(await ctx.callBytes(GA, outOfOrderRequest(params), signal), CtapStatus.CTAP2_ERR_INVALID_CBOR, 'getAssertion with its keys in descending order');
    },
  },
  {
    id: 'GA-NEXT-001',
    suite,
    title: 'getNextAssertion with nothing pending is refused with CTAP2_ERR_NOT_ALLOWED',
    specRef: 'CTAP 2.1 §6.3 step 1',
    touches: 0,
    async run(ctx, signal) {
      await ctx.call(CtapCommand.authenticatorGetInfo, undefined, signal);
      expectStatus(await ctx.request(CtapRequest.getNextAssertion, undefined, signal), CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'getNextAssertion after getInfo');
    },
  },
  {
    id: 'GA-NEXT-002',
    suite,
    title: 'getNextAssertion after an allowList assertion is refused',
    specRef: 'CTAP 2.1 §6.2.2 (numberOfCredentials only without allowList), §6.3',
    ...silent,
    async run(ctx, signal) {
      await registerAndAssert(ctx, signal);
      expectStatus(await ctx.request(CtapRequest.getNextAssertion, undefined, signal), CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'getNextAssertion after an allowList assertion');
    },
  },
  {
    id: 'GA-SELECTION-001',
    suite,
    title: 'authenticatorSelection answers CTAP2_OK after a touch',
    specRef: 'CTAP 2.1 §6.9',
    // authenticatorSelection is a touch by definition (§6.9)
    touches: 1,
    requires: (ctx) => (ctx.info.versions.includes('FIDO_2_1') ? undefined : 'authenticatorSelection is a CTAP 2.1 command'),
    async run(ctx, signal) {
      expectStatus(await ctx.call(CtapCommand.authenticatorSelection, undefined, signal), CtapStatus.CTAP2_OK, 'authenticatorSelection');
    },
  },
  ...gaParameterChecks,
];

