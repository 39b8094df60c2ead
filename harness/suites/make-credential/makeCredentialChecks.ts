import { CtapRequest } from '../../ctap/index.ts';
import {
  AuthDataFlag,
  CoseKeyError,
  coseToPublicKey,
  CtapCommand,
  CtapStatus,
  encodeCanonicalCbor,
  encodeMakeCredentialRequest,
} from '../../protocol/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import { ensure, expectStatus, expectStatusIn, hex } from '../expect.ts';
import { allowListOf, makeCredential, mcRequest, outOfOrderRequest, sha256 } from '../ops.ts';
import { pooled } from '../credentialPool.ts';
import { tolerantCredential } from './tolerantCredential.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { parameterChecks, type ParameterCase } from '../parameterChecks.ts';
import { all, needsAlwaysUvOff, needsClientPin, needsNoBuiltInUv } from '../needs.ts';
import { protocolVersion } from '../pinOps.ts';
import { tokenMc } from '../client-pin/tokenChecks.ts';
import { needsPresenceCount } from '../presenceCount.ts';

const suite = 'make-credential';
const MC = CtapCommand.authenticatorMakeCredential;

const paramCases: ParameterCase[] = [
  ['MC-PARAM-001', 'clientDataHash missing', 0x01, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['MC-PARAM-002', 'rp missing', 0x02, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['MC-PARAM-003', 'user missing', 0x03, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['MC-PARAM-004', 'pubKeyCredParams missing', 0x04, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['MC-PARAM-005', 'clientDataHash is text', 0x01, 'not bytes', CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-006', 'rp is text', 0x02, 'example.com', CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-007', 'user is bytes', 0x03, new Uint8Array(8), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-008', 'pubKeyCredParams is a map', 0x04, new Map(), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-009', 'user.id is text', 0x03, new Map([['id', 'text id']]), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-010', 'rp.id missing', 0x02, new Map([['name', 'No Id']]), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['MC-PARAM-011', 'user.id missing', 0x03, new Map([['name', 'no id']]), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ['MC-PARAM-012', 'excludeList is a map', 0x05, new Map(), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-013', 'options is an array', 0x07, [], CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-014', 'option value is an integer', 0x07, new Map([['rk', 1]]), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-015', 'extensions is an array', 0x06, [], CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-016', 'pubKeyCredParams element is an integer', 0x04, [-7], CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ['MC-PARAM-017', 'pinUvAuthProtocol is text', 0x09, 'two', CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
];

const mcParameterChecks = parameterChecks(suite, MC, 'CTAP 2.1 §6.1 (parameters), §8.2 (status codes)', (ctx, id) =>
  encodeMakeCredentialRequest(mcRequest(ctx.rpIdFor(id))),
  paramCases,
);

export const makeCredentialChecks: SuiteCheck[] = [
  {
    id: 'MC-BASIC-001',
    suite,
    title: 'an ES256 credential is created with a well-formed response',
    specRef: 'CTAP 2.1 §6.1.2; WebAuthn L3 §6.1, §6.5.1',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const made = await pooled(ctx, 'plain', signal);
      // fmt is text: the response decoder refuses another type (CTAP 2.1 §6.1 response member 0x01)
      ensure(made.response.fmt.length > 0, 'fmt missing');
      // at most 1023 bytes (WebAuthn L3 §6.5.1): parseAuthenticatorData refuses a longer credentialIdLength
      ensure(made.credentialId.length > 0, `credentialId length ${made.credentialId.length}`);
      const max = ctx.info.maxCredentialIdLength;
      if (max !== undefined) ensure(made.credentialId.length <= max, `credentialId of ${made.credentialId.length} bytes exceeds maxCredentialIdLength ${max}`);
    },
  },
  {
    id: 'MC-FLAGS-001',
    suite,
    title: 'authData flags: UP and AT set, ED only with extensions, BS only with BE, RFU bits clear',
    specRef: 'WebAuthn L3 §6.1 (flags); CTAP 2.1 §6.1.2 step 17',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { authData } = await pooled(ctx, 'plain', signal);
      // AT: makeCredential (ops.ts) fails an answer without attested credential data before this runs
      ensure(authData.up, 'UP flag clear after a makeCredential that required presence');
      ensure(!authData.ed, 'ED flag set although no extension was requested');
      ensure(!authData.bs || authData.be, 'BS set without BE');
      ensure((authData.flags & (AuthDataFlag.RFU1 | AuthDataFlag.RFU2)) === 0, `reserved flag bits set: 0x${authData.flags.toString(16)}`);
    },
  },
  {
    id: 'MC-FLAGS-002',
    suite,
    title: 'UV flag is clear when no user verification was performed',
    specRef: 'WebAuthn L3 §6.1 (UV); CTAP 2.1 §6.1.2 step 11',
    touches: 0,
    uses: ['plain'],
    needs: { pin: 'unset' },
    destructive: true,
    requires: needsAlwaysUvOff,
    async run(ctx, signal) {
      // the pooled credential was made without a PIN, token or built-in verification
      const { authData } = await pooled(ctx, 'plain', signal);
      ensure(!authData.uv, 'UV flag set although no PIN, token or built-in verification was used');
    },
  },
  {
    id: 'MC-RPID-001',
    suite,
    title: 'rpIdHash is SHA-256 of rp.id',
    specRef: 'WebAuthn L3 §6.1 (rpIdHash)',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { authData, request } = await pooled(ctx, 'plain', signal);
      const rpId = request.rp.id;
      ensure(hex(authData.rpIdHash) === hex(sha256(rpId)), 'rpIdHash is not SHA-256(rp.id)', {
        expected: hex(sha256(rpId)),
        actual: hex(authData.rpIdHash),
      });
    },
  },
  {
    id: 'MC-COSE-001',
    suite,
    title: 'credentialPublicKey is a valid COSE key of the chosen algorithm',
    specRef: 'WebAuthn L3 §6.5.1.1; RFC 9053 §7',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { publicKey } = await pooled(ctx, 'plain', signal);
      ensure(publicKey.get(3) === -7, `COSE alg is ${String(publicKey.get(3))}, ES256 (-7) was requested`);
      try {
        coseToPublicKey(publicKey);
      } catch (err) {
        throw new CheckFailed(`credentialPublicKey is not usable: ${(err as CoseKeyError).message}`);
      }
    },
  },
  {
    id: 'MC-ALG-001',
    suite,
    title: 'the first supported algorithm of pubKeyCredParams is chosen; unknown ones are skipped',
    specRef: 'CTAP 2.1 §6.1.2 step 3',
    touches: 0,
    uses: ['plain', 'tolerant'],
    async run(ctx, signal) {
      const { publicKey } = await tolerantCredential(ctx, 'unknownAlgorithm', signal);
      ensure(publicKey.get(3) === -7, `chose alg ${String(publicKey.get(3))}`);
    },
  },
  {
    id: 'MC-ALG-002',
    suite,
    title: 'no supported algorithm is refused with CTAP2_ERR_UNSUPPORTED_ALGORITHM',
    specRef: 'CTAP 2.1 §6.1.2 step 3',
    touches: 0,
    async run(ctx, signal) {
      // Stryker disable next-line UnaryOperator: +65000 is as unassigned a COSE algorithm as -65000
      const req = mcRequest(ctx.rpIdFor('MC-ALG-002'), { pubKeyCredParams: [{ type: 'public-key', alg: -65000 }] });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM, 'alg -65000 only');
    },
  },
  {
    id: 'MC-ALG-003',
    suite,
    title: 'an element whose type is not "public-key" is ignored',
    specRef: 'CTAP 2.1 §6.1.2 step 3',
    touches: 0,
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-ALG-003'), {
        // Stryker disable next-line StringLiteral: any type but "public-key" is one the key must skip, the empty one too
        pubKeyCredParams: [{ type: 'other-type', alg: -7 }],
      });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM, 'ES256 with type "other-type"');
    },
  },
  {
    id: 'MC-ALG-004',
    suite,
    title: 'EdDSA credentials are created when algorithms offers EdDSA',
    specRef: 'CTAP 2.1 §6.4 algorithms; RFC 8037',
    touches: 1,
    requires: (ctx) => (ctx.info.algorithms?.some((a) => a.alg === -8) ? undefined : 'EdDSA not in algorithms'),
    async run(ctx, signal) {
      const { publicKey } = await makeCredential(ctx, ctx.rpIdFor('MC-ALG-004'), { pubKeyCredParams: [{ type: 'public-key', alg: -8 }] }, signal);
      ensure(publicKey.get(3) === -8 && publicKey.get(1) === 1 && publicKey.get(-1) === 6, 'not an OKP Ed25519 COSE key with alg -8');
      coseToPublicKey(publicKey);
    },
  },
  {
    id: 'MC-OPTION-001',
    suite,
    title: 'option up=false is refused with CTAP2_ERR_INVALID_OPTION',
    specRef: 'CTAP 2.1 §6.1.2 step 5',
    touches: 0,
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-OPTION-001'), { options: new Map([['up', false]]) });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_INVALID_OPTION, 'up=false');
    },
  },
  {
    id: 'MC-OPTION-002',
    suite,
    title: 'option uv=true without a built-in verification method is refused',
    specRef: 'CTAP 2.1 §6.1.2 step 5',
    touches: 0,
    requires: needsNoBuiltInUv,
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-OPTION-002'), { options: new Map([['uv', true]]) });
      expectStatusIn(
        await ctx.request(CtapRequest.makeCredential, req, signal),
        [CtapStatus.CTAP2_ERR_INVALID_OPTION, CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION],
        'uv=true',
      );
    },
  },
  {
    id: 'MC-OPTION-003',
    suite,
    title: 'an unknown option is ignored',
    specRef: 'CTAP 2.1 §6.1.2 step 5 (options the authenticator does not know are ignored)',
    touches: 0,
    uses: ['plain', 'tolerant'],
    async run(ctx, signal) {
      await tolerantCredential(ctx, 'unknownOption', signal);
    },
  },
  {
    id: 'MC-OPTION-004',
    suite,
    title: 'rk=true is refused with CTAP2_ERR_UNSUPPORTED_OPTION when rk is not offered',
    specRef: 'CTAP 2.1 §6.1.2 step 5',
    touches: 0,
    requires: (ctx) => (ctx.info.options?.rk === true ? 'device offers discoverable credentials' : undefined),
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-OPTION-004'), { options: new Map([['rk', true]]) });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION, 'rk=true');
    },
  },
  {
    id: 'MC-EXCLUDE-001',
    suite,
    title: 'a credential of this authenticator in excludeList ends with CTAP2_ERR_CREDENTIAL_EXCLUDED',
    specRef: 'CTAP 2.1 §6.1.2 step 11',
    // an excluded credential is answered after a touch (CTAP 2.1 §6.1.2 step 11)
    touches: 1,
    uses: ['plain'],
    async run(ctx, signal) {
      const first = await pooled(ctx, 'plain', signal);
      const req = mcRequest(first.request.rp.id, { excludeList: allowListOf(first.credentialId) });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_CREDENTIAL_EXCLUDED, 'excludeList with an existing credential');
    },
  },
  {
    id: 'MC-EXCLUDE-002',
    suite,
    title: 'excludeList entries the authenticator does not know are ignored',
    specRef: 'CTAP 2.1 §6.1.2 step 11',
    touches: 0,
    uses: ['plain', 'tolerant'],
    async run(ctx, signal) {
      await tolerantCredential(ctx, 'unknownExcluded', signal);
    },
  },
  {
    id: 'MC-EXCLUDE-003',
    suite,
    title: 'a credential of another RP in excludeList does not exclude',
    specRef: 'CTAP 2.1 §6.1.2 step 11 (credentials are scoped to the RP ID)',
    touches: 0,
    uses: ['plain', 'tolerant'],
    async run(ctx, signal) {
      await tolerantCredential(ctx, 'otherRpExcluded', signal);
    },
  },
  {
    id: 'MC-CBOR-001',
    suite,
    title: 'makeCredential response is CTAP2 canonical CBOR',
    specRef: 'CTAP 2.1 §8',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const made = await pooled(ctx, 'plain', signal);
      const problems = made.result.findings.map((f) => `${f.code} at byte ${f.offset}`);
      ensure(problems.length === 0, `response is not canonical: ${problems.join('; ')}`);
    },
  },
  {
    id: 'MC-CBOR-002',
    suite,
    title: 'malformed CBOR is refused with CTAP2_ERR_INVALID_CBOR',
    specRef: 'CTAP 2.1 §8 (message encoding), §8.2',
    touches: 0,
    async run(ctx, signal) {
      expectStatus(await ctx.callBytes(MC, Uint8Array.of(0xa5, 0x01), signal), CtapStatus.CTAP2_ERR_INVALID_CBOR, 'truncated map');
    },
  },
  {
    id: 'MC-CBOR-003',
    suite,
    title: 'a request that is not a CBOR map is refused',
    specRef: 'CTAP 2.1 §6.1, §8.2',
    touches: 0,
    async run(ctx, signal) {
      expectStatusIn(
        // Stryker disable next-line ArrayDeclaration: an empty array is as much not a map
        await ctx.callBytes(MC, encodeCanonicalCbor([1, 2, 3]), signal),
        [CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, CtapStatus.CTAP2_ERR_INVALID_CBOR],
        'an array instead of a map',
      );
    },
  },
  {
    id: 'MC-CBOR-004',
    suite,
    title: 'a request whose map keys are out of canonical order is refused with CTAP2_ERR_INVALID_CBOR',
    specRef: 'CTAP 2.1 §8 (requests are CTAP2 canonical CBOR: map keys sorted), §8.2',
    touches: 0,
    async run(ctx, signal) {
      const params = encodeMakeCredentialRequest(mcRequest(ctx.rpIdFor('MC-CBOR-004')));
      expectStatus(await ctx.callBytes(MC, outOfOrderRequest(params), signal), CtapStatus.CTAP2_ERR_INVALID_CBOR, 'makeCredential with its keys in descending order');
    },
  },
  {
    id: 'MC-UP-001',
    suite,
    title: 'makeCredential with a PIN token still asks for exactly one touch, and sets UP',
    specRef: 'CTAP 2.1 §6.5.5.7.2 (a PIN token starts with userPresent false), §6.1.2 step 14 (collect user presence), WebAuthn L3 §6.1 (UP)',
    destructive: true,
    needs: { pin: 'set' },
    // the makeCredential with a token the client-pin checks share (tokenChecks.ts; protocol two where
    // offered, which the plan assumes), its waits counted as it was made
    touches: 0,
    uses: ['tokenMc2'],
    requires: all(needsClientPin(), needsPresenceCount),
    async run(ctx, signal) {
      const { authData, waits } = await tokenMc(ctx, protocolVersion(ctx), signal);
      ensure(waits === 1, `makeCredential with a PIN token asked for ${waits} touches, not 1`, { expected: '1 presence wait', actual: String(waits) });
      ensure(authData.up, 'UP clear after makeCredential collected the touch');
    },
  },
  {
    id: 'MC-PINAUTH-001',
    suite,
    title: 'pinUvAuthParam without pinUvAuthProtocol is refused with CTAP2_ERR_MISSING_PARAMETER',
    specRef: 'CTAP 2.1 §6.1.2 step 2',
    touches: 0,
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-PINAUTH-001'), { pinUvAuthParam: new Uint8Array(32) });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'no pinUvAuthProtocol');
    },
  },
  {
    id: 'MC-PINAUTH-002',
    suite,
    title: 'an unsupported pinUvAuthProtocol is refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.1.2 step 2',
    touches: 0,
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-PINAUTH-002'), { pinUvAuthParam: new Uint8Array(32), pinUvAuthProtocol: 0xfe });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'pinUvAuthProtocol 254');
    },
  },
  {
    id: 'MC-PINAUTH-003',
    suite,
    title: 'a zero-length pinUvAuthParam is answered with CTAP2_ERR_PIN_NOT_SET when no PIN is set',
    specRef: 'CTAP 2.1 §6.1.2 step 1',
    // a zero-length pinUvAuthParam asks for a touch first (CTAP 2.1 §6.1.2 step 1.1)
    touches: 1,
    needs: { pin: 'unset' },
    destructive: true,
    requires: (ctx) => ('clientPin' in (ctx.info.options ?? {}) ? undefined : 'clientPin not offered'),
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-PINAUTH-003'), { pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: ctx.info.pinUvAuthProtocols?.[0] ?? 1 });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP2_ERR_PIN_NOT_SET, 'zero-length pinUvAuthParam');
    },
  },
  {
    id: 'MC-PINAUTH-004',
    suite,
    title: 'a pinUvAuthParam that does not verify is refused with CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.1.2 step 11.1',
    requires: all((ctx) => (ctx.info.pinUvAuthProtocols?.length ? undefined : 'no PIN/UV auth protocol'), needsAlwaysUvOff),
    touches: 0,
    async run(ctx, signal) {
      const protocol = ctx.info.pinUvAuthProtocols![0]!;
      const req = mcRequest(ctx.rpIdFor('MC-PINAUTH-004'), {
        pinUvAuthParam: new Uint8Array(protocol === 1 ? 16 : 32).fill(0x5a),
        pinUvAuthProtocol: protocol,
      });
      expectStatusIn(
        await ctx.request(CtapRequest.makeCredential, req, signal),
        [CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, CtapStatus.CTAP2_ERR_PIN_NOT_SET],
        'forged pinUvAuthParam',
      );
    },
  },
  {
    id: 'MC-USERID-001',
    suite,
    title: 'a 64-byte user.id is accepted',
    specRef: 'WebAuthn L3 §5.4.3 (user.id up to 64 bytes); CTAP 2.1 §6.1',
    touches: 0,
    uses: ['plain', 'tolerant'],
    async run(ctx, signal) {
      await tolerantCredential(ctx, 'longUserId', signal);
    },
  },
  {
    id: 'MC-EP-001',
    suite,
    title: 'enterpriseAttestation is refused with CTAP1_ERR_INVALID_PARAMETER when not enabled',
    specRef: 'CTAP 2.1 §6.1.2 step 9',
    requires: all((ctx) => (ctx.info.options?.ep === true ? 'enterprise attestation is enabled' : undefined), needsAlwaysUvOff),
    touches: 0,
    async run(ctx, signal) {
      const req = mcRequest(ctx.rpIdFor('MC-EP-001'), { enterpriseAttestation: 1 });
      expectStatus(await ctx.request(CtapRequest.makeCredential, req, signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'enterpriseAttestation 1');
    },
  },
  {
    id: 'MC-COUNTER-001',
    suite,
    title: 'the signature counter increases from one credential to the next',
    specRef: 'WebAuthn L3 §6.1.1 (signature counter); CTAP 2.1 §6.1.2 step 17',
    touches: 0,
    uses: ['plain', 'tolerant'],
    async run(ctx, signal) {
      // the tolerant credential is made after the plain one (it excludes it)
      const a = await pooled(ctx, 'plain', signal);
      const b = await tolerantCredential(ctx, 'unknownOption', signal);
      if (a.authData.signCount + b.authData.signCount === 0) return; // both 0: counters not implemented (allowed)
      ensure(b.authData.signCount > a.authData.signCount, `signCount went from ${a.authData.signCount} to ${b.authData.signCount}`);
    },
  },
  ...mcParameterChecks,
];
