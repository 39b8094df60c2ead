import { CtapRequest } from '../../ctap/index.ts';
import { randomBytes } from 'node:crypto';
import { hmacSecretInput, type ClientPinUvAuthProtocol } from '../../client/index.ts';
import { CtapExtension, CtapStatus, type CborMap, type CborValue } from '../../protocol/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import { ensure, expectStatus, expectStatusIn, hex } from '../expect.ts';
import { type GotAssertion, allowListOf, decodeAssertion, gaRequest, makeCredentialUv, uvParams } from '../ops.ts';
import { clientPin } from '../pinOps.ts';
import { all, needsClientPin, needsExtension, needsAlwaysUvOff } from '../needs.ts';
import { failOnStatus } from '../failOnStatus.ts';
import type { CallResult, SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { poolMember } from '../credentialPool.ts';

const suite = 'hmac-secret';
const EXT = CtapExtension.hmacSecret;
// The checks compare outputs with and without user verification; under alwaysUv there is no without.
const needsHmac = (ctx: SuiteContext) => needsExtension(EXT)(ctx) ?? needsClientPin()(ctx) ?? needsAlwaysUvOff(ctx);

/**
 * hmac-secret (CTAP 2.1 §12.5). The checks run with a PIN set: user verification is by a PIN token, so
 * the with-UV / without-UV split can be observed. They share one credential (`hmacMade`).
 */
const base = { suite, needs: { pin: 'set' as const }, destructive: true, requires: needsHmac };

const salt = () => new Uint8Array(randomBytes(32));

interface Salts {
  salt1: Uint8Array;
  salt2?: Uint8Array;
}

interface HmacAssertion {
  result: CallResult<unknown>;
  protocol: ClientPinUvAuthProtocol;
  sharedSecret: Uint8Array;
  got?: GotAssertion;
}

/**
 * The run's non-discoverable credential made with hmac-secret: true, user verified by PIN token
 * (credentialPool.ts, `hmacSecret`): every check reads it; its RP ID is its own.
 */
function hmacMade(ctx: SuiteContext, signal: AbortSignal) {
  return poolMember(ctx, 'hmacSecret', () => makeCredentialUv(ctx, HMAC_RP_ID, { extensions: new Map<CborValue, CborValue>([[EXT, true]]) }, signal));
}

const HMAC_RP_ID = 'pool-hmac.fido-harness.test';

async function hmacCredential(ctx: SuiteContext, signal: AbortSignal) {
  return { rpId: HMAC_RP_ID, cred: (await hmacMade(ctx, signal)).credentialId };
}

/** Every check reads the pooled credential, and asserts silently: no touch of its own. */
const pooledHmac = { touches: 0, uses: ['hmacSecret'] } as const;

/**
 * getAssertion with the hmac-secret input {1: keyAgreement, 2: saltEnc, 3: saltAuth, 4: pinUvAuthProtocol}
 * (§12.5) under a fresh key agreement; `uv` adds a pinUvAuthParam; `tamper` changes the input map.
 */
async function hmacAssertion(
  ctx: SuiteContext,
  rpId: string,
  credentialId: Uint8Array,
  salts: Salts,
  opts: { version?: 1 | 2; uv?: boolean; tamper?: (input: CborMap) => void },
  signal: AbortSignal,
): Promise<HmacAssertion> {
  // silent (up false, CTAP 2.1 §6.2.2 step 9): hmac-secret is computed without presence (§12.5)
  let req = gaRequest(rpId, { allowList: allowListOf(credentialId), options: new Map([['up', false]]) });
  if (opts.uv) req = await uvParams(ctx, req);
  const pin = clientPin(ctx, opts.version);
  const { keyAgreement, sharedSecret } = await failOnStatus('getKeyAgreement', () => pin.sharedSecret());
  const input = hmacSecretInput(pin.protocol, keyAgreement, sharedSecret, salts);
  // The client helper sends pinUvAuthProtocol (4) for protocol two and leaves it out for protocol one,
  // where §12.5 lets it default to 1.
  opts.tamper?.(input);
  req = { ...req, extensions: new Map<CborValue, CborValue>([[EXT, input]]) };
  const result = await ctx.request(CtapRequest.getAssertion, req, signal);
  const out: HmacAssertion = { result, protocol: pin.protocol, sharedSecret };
  if (result.status === CtapStatus.CTAP2_OK) out.got = decodeAssertion(result);
  return out;
}

/** The decrypted output(s) of a successful hmac-secret assertion, with the lengths §12.5 fixes. */
function outputsOf(a: HmacAssertion, two: boolean): { output1: Uint8Array; output2?: Uint8Array; uv: boolean } {
  expectStatus(a.result, CtapStatus.CTAP2_OK, 'getAssertion with hmac-secret');
  const got = a.got!;
  const enc = got.authData.extensions?.get(EXT);
  ensure(got.authData.ed, 'the ED flag is clear: no extension outputs in authenticatorData');
  ensure(enc instanceof Uint8Array, `authenticatorData extensions have no hmac-secret byte string (got ${enc === undefined ? 'none' : typeof enc})`);
  // encrypt(shared secret, output1 [|| output2]): protocol one is bare AES-CBC, protocol two prepends a 16-byte IV.
  const plainLength = two ? 64 : 32;
  const expected = plainLength + (a.protocol.version === 2 ? 16 : 0);
  ensure(enc.length === expected, `hmac-secret output is ${enc.length} bytes; protocol ${a.protocol.version} with ${two ? 'two salts' : 'one salt'} gives ${expected}`, {
    expected: String(expected),
    actual: String(enc.length),
  });
  // A whole number of AES blocks (and the IV): it decrypts, to plainLength bytes.
  const plain = a.protocol.decrypt(a.sharedSecret, enc);
  const output1 = plain.slice(0, 32);
  return two ? { output1, output2: plain.slice(32), uv: got.authData.uv } : { output1, uv: got.authData.uv };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

function outputCheck(id: string, version: 1 | 2, two: boolean): SuiteCheck {
  return {
    ...base,
    id,
    title: `getAssertion with ${two ? 'salt1 and salt2' : 'salt1'} over PIN/UV auth protocol ${version}: ${two ? 64 : 32}-byte output${version === 2 ? ' (+16-byte IV)' : ''} that decrypts`,
    specRef: 'CTAP 2.1 §12.5 (getAssertion authenticator processing), §6.5.6/§6.5.7 encrypt',
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const salts: Salts = two ? { salt1: salt(), salt2: salt() } : { salt1: salt() };
      const out = outputsOf(await hmacAssertion(ctx, rpId, cred, salts, { version }, signal), two);
      if (two) {
        ensure(!same(out.output1, out.output2!), 'output1 equals output2 for two different salts');
        // output1 depends on salt1 alone: a one-salt assertion with salt1 gives the same output1.
        const single = outputsOf(await hmacAssertion(ctx, rpId, cred, { salt1: salts.salt1 }, { version }, signal), false);
        ensure(same(single.output1, out.output1), 'output1 with salt1 alone differs from output1 with salt1 and salt2', {
          expected: hex(single.output1),
          actual: hex(out.output1),
        });
      }
    },
  };
}

export const hmacSecretChecks: SuiteCheck[] = [
  {
    id: 'HMAC-SUPPORT-001',
    suite,
    title: 'getInfo lists the hmac-secret extension (Microsoft-compatible keys need it)',
    specRef: 'CTAP 2.1 §6.4 extensions, §12.5; Microsoft S1/S2 (hmac-secret for Windows offline unlock)',
    touches: 0,
    async run(ctx) {
      const exts = ctx.info.extensions ?? [];
      ensure(exts.includes(EXT), `getInfo extensions ${JSON.stringify(exts)} have no "${EXT}"`, { expected: EXT, actual: JSON.stringify(exts) });
    },
  },
  {
    ...base,
    id: 'HMAC-MC-001',
    title: 'makeCredential with hmac-secret: true answers hmac-secret: true in the authData extensions',
    specRef: 'CTAP 2.1 §12.5 (makeCredential authenticator extension output)',
    ...pooledHmac,
    async run(ctx, signal) {
      const made = await hmacMade(ctx, signal);
      ensure(made.authData.ed, 'the ED flag is clear: no extension outputs');
      const v = made.authData.extensions?.get(EXT);
      ensure(v === true, `authData extensions hmac-secret is ${v === undefined ? 'missing' : JSON.stringify(v)}, expected true`);
    },
  },
  outputCheck('HMAC-GA-001', 1, false),
  outputCheck('HMAC-GA-002', 1, true),
  outputCheck('HMAC-GA-003', 2, false),
  outputCheck('HMAC-GA-004', 2, true),
  {
    ...base,
    id: 'HMAC-STABLE-001',
    title: 'the same salt gives the same output in two assertions (fresh key agreements)',
    specRef: 'CTAP 2.1 §12.5 (output1 = HMAC-SHA-256(CredRandom, salt1)); Microsoft S1/S2',
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const s = { salt1: salt() };
      const first = outputsOf(await hmacAssertion(ctx, rpId, cred, s, {}, signal), false);
      const second = outputsOf(await hmacAssertion(ctx, rpId, cred, s, {}, signal), false);
      ensure(same(first.output1, second.output1), 'the output for one salt changed between assertions', {
        expected: hex(first.output1),
        actual: hex(second.output1),
      });
      const other = outputsOf(await hmacAssertion(ctx, rpId, cred, { salt1: salt() }, {}, signal), false);
      ensure(!same(first.output1, other.output1), 'a different salt gave the same output');
    },
  },
  {
    ...base,
    id: 'HMAC-STABLE-002',
    title: 'the output does not depend on the PIN/UV auth protocol (protocol 1 and 2 agree)',
    specRef: 'CTAP 2.1 §12.5 (the protocol only encrypts the output)',
    ...pooledHmac,
    requires: (ctx) =>
      needsHmac(ctx) ?? ([1, 2].every((p) => ctx.info.pinUvAuthProtocols?.includes(p)) ? undefined : 'needs PIN/UV auth protocols 1 and 2'),
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const s = { salt1: salt() };
      const one = outputsOf(await hmacAssertion(ctx, rpId, cred, s, { version: 1 }, signal), false);
      const two = outputsOf(await hmacAssertion(ctx, rpId, cred, s, { version: 2 }, signal), false);
      ensure(same(one.output1, two.output1), 'protocol 1 and protocol 2 give different outputs for one salt', {
        expected: hex(one.output1),
        actual: hex(two.output1),
      });
    },
  },
  {
    ...base,
    id: 'HMAC-UVSPLIT-001',
    title: 'the output with user verification differs from the output without (CredRandomWithUV / WithoutUV)',
    specRef: 'CTAP 2.1 §12.5 (CredRandomWithUV, CredRandomWithoutUV); Microsoft S1/S2',
    requires: needsHmac,
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const s = { salt1: salt() };
      const plain = outputsOf(await hmacAssertion(ctx, rpId, cred, s, {}, signal), false);
      const verified = outputsOf(await hmacAssertion(ctx, rpId, cred, s, { uv: true }, signal), false);
      const verifiedAgain = outputsOf(await hmacAssertion(ctx, rpId, cred, s, { uv: true }, signal), false);
      ensure(!plain.uv, 'the assertion without pinUvAuthParam has the UV flag set');
      ensure(verified.uv, 'the assertion with pinUvAuthParam has the UV flag clear');
      ensure(!same(plain.output1, verified.output1), 'the output with UV equals the output without UV', { actual: hex(plain.output1) });
      ensure(same(verified.output1, verifiedAgain.output1), 'the output with UV is not stable across assertions', {
        expected: hex(verified.output1),
        actual: hex(verifiedAgain.output1),
      });
    },
  },
  {
    ...base,
    id: 'HMAC-SALTAUTH-001',
    title: 'a wrong saltAuth is refused with CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §12.5 (verify(shared secret, saltEnc, saltAuth) fails: CTAP2_ERR_PIN_AUTH_INVALID)',
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const a = await hmacAssertion(
        ctx,
        rpId,
        cred,
        { salt1: salt() },
        {
          tamper: (input) => {
            const auth = Uint8Array.from(input.get(3) as Uint8Array);
            auth[0]! ^= 0x01;
            input.set(3, auth);
          },
        },
        signal,
      );
      expectStatus(a.result, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'getAssertion with a flipped saltAuth bit');
    },
  },
  {
    ...base,
    id: 'HMAC-SALT-001',
    title: 'salts of 48 bytes (neither 32 nor 64) are refused',
    specRef: 'CTAP 2.1 §12.5 (the decrypted salts must be 32 or 64 bytes)',
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const a = await hmacAssertion(ctx, rpId, cred, { salt1: salt(), salt2: salt().subarray(0, 16) }, {}, signal);
      if (a.result.status === CtapStatus.CTAP2_OK) throw new CheckFailed('getAssertion with 48 bytes of salt succeeded');
    },
  },
  {
    ...base,
    id: 'HMAC-SALT-002',
    title: 'salts of 48 bytes are refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §12.5 ("if the result is not 32 or 64 bytes long, return CTAP1_ERR_INVALID_PARAMETER")',
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const a = await hmacAssertion(ctx, rpId, cred, { salt1: salt(), salt2: salt().subarray(0, 16) }, { version: 2 }, signal);
      expectStatus(a.result, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'getAssertion with 48 bytes of salt');
    },
  },
  {
    ...base,
    id: 'HMAC-PARAM-001',
    title: 'an hmac-secret input without saltAuth is refused',
    specRef: 'CTAP 2.1 §12.5 (keyAgreement, saltEnc and saltAuth are required), §8.2',
    ...pooledHmac,
    async run(ctx, signal) {
      const { rpId, cred } = await hmacCredential(ctx, signal);
      const a = await hmacAssertion(ctx, rpId, cred, { salt1: salt() }, { tamper: (input) => input.delete(3) }, signal);
      // The spec names no code for a missing member here; §8.2's CTAP2_ERR_MISSING_PARAMETER fits, and a
      // refusal as CTAP1_ERR_INVALID_PARAMETER or CTAP2_ERR_PIN_AUTH_INVALID (saltAuth cannot verify) is accepted.
      expectStatusIn(
        a.result,
        [CtapStatus.CTAP2_ERR_MISSING_PARAMETER, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID],
        'getAssertion with hmac-secret lacking saltAuth',
      );
    },
  },
];
