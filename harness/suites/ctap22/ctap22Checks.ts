import { randomBytes } from 'node:crypto';
import { hmacSecretInput } from '../../client/index.ts';
import {
  CredentialManagementSubCommand,
  CtapExtension,
  CtapStatus,
  CtapVersion,
  decryptPersistentInfo,
  PinUvAuthPermission,
  type CborValue,
} from '../../protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../runner/Check.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { failOnStatus } from '../failOnStatus.ts';
import { needsClientPin, needsExtension, needsRk, type Need } from '../needs.ts';
import { allowListOf, gaRequest, getAssertion, makeCredentialUv, rkOption, sha256, uvParams } from '../ops.ts';
import { attestationFalseness } from '../attestationFalseness.ts';
import { clientPin, pinToken } from '../pinOps.ts';
import { cm, credParams, idOf, listCredentials } from '../cred-mgmt/cmOps.ts';
import { poolMember } from '../credentialPool.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'ctap22';

/** CTAP 2.2 checks skip on a CTAP 2.1 key, saying so. */
const needsCtap22: Need = (ctx) =>
  ctx.info.versions.includes(CtapVersion.FIDO_2_2) ? undefined : 'device does not claim FIDO_2_2 (CTAP 2.2 §6.4 versions): a CTAP 2.1 key';
const base = { suite, destructive: true, needs: { pin: 'set' as const }, requires: (ctx: SuiteContext) => needsCtap22(ctx) ?? needsClientPin()(ctx) };
const needsPersistentToken: Need = (ctx) =>
  ctx.info.options?.perCredMgmtRO === true ? undefined : 'perCredMgmtRO option not true (no persistent pinUvAuthToken)';

/**
 * CTAP 2.2 additions that a roaming key can be asked for over HID/UDP: the new getInfo members,
 * attestationFormatsPreference, hmac-secret-mc, thirdPartyPayment, and the persistent pinUvAuthToken
 * (pcmr: read-only credential management, encIdentifier, encCredStoreState).
 */
/**
 * The run's two discoverable credentials on one RP (credentialPool.ts, `tppPair`, 2 touches): one made with
 * thirdPartyPayment, one without (CTAP 2.2 §12); the thirdPartyPayment checks read them.
 */
function tppPair(ctx: SuiteContext, signal: AbortSignal) {
  return poolMember(ctx, 'tppPair', async () => {
    const rpId = 'pool-tpp.fido-harness.test';
    const pay = await makeCredentialUv(ctx, rpId, { options: rkOption(), extensions: tpp(), user: user(1) }, signal);
    const plain = await makeCredentialUv(ctx, rpId, { options: rkOption(), user: user(2) }, signal);
    return { rpId, pay, plain };
  });
}

export const ctap22Checks: SuiteCheck[] = [
  {
    ...base,
    id: 'CTAP22-INFO-001',
    touches: 0,
    title: "CTAP 2.2 getInfo members are well formed: attestationFormats, transportsForReset within transports, maxPINLength within 4..63 and not below minPINLength",
    specRef: 'CTAP 2.2 §6.4 (attestationFormats, transportsForReset, maxPINLength, pinComplexityPolicy)',
    async run(ctx) {
      const info = await ctx.refreshInfo();
      const formats = info.attestationFormats;
      ensure(Array.isArray(formats) && formats.length > 0 && formats.every((f) => typeof f === 'string' && f.length > 0), `attestationFormats is ${JSON.stringify(formats)}: a non-empty list of format names`);
      if (info.transportsForReset !== undefined) {
        const all = info.transports ?? [];
        const extra = info.transportsForReset.filter((t) => typeof t !== 'string' || !all.includes(t));
        ensure(extra.length === 0, `transportsForReset names ${JSON.stringify(extra)}, not among transports ${JSON.stringify(all)}`);
      }
      if (info.maxPINLength !== undefined) {
        const min = info.minPINLength ?? 4;
        ensure(info.maxPINLength >= Math.max(4, min) && info.maxPINLength <= 63, `maxPINLength ${info.maxPINLength} outside ${Math.max(4, min)}..63`);
      }
      return { message: `attestationFormats ${formats.join(', ')}${info.maxPINLength !== undefined ? `, maxPINLength ${info.maxPINLength}` : ''}` };
    },
  },
  {
    ...base,
    id: 'CTAP22-ATTFMT-001',
    // one makeCredential per format listed
    touches: (ctx) => ctx.info.attestationFormats?.length ?? 0,
    title: 'each format getInfo attestationFormats lists, asked for alone in attestationFormatsPreference, is the format answered and verifies',
    specRef: 'CTAP 2.2 §6.1.2 (attestationFormatsPreference), §6.4 attestationFormats; WebAuthn L3 §8',
    async run(ctx, signal) {
      const formats = ctx.info.attestationFormats ?? [];
      if (formats.length === 0) throw new CheckSkipped('getInfo lists no attestationFormats');
      for (const fmt of formats) {
        const made = await makeCredentialUv(ctx, ctx.rpIdFor('CTAP22-ATTFMT-001'), { attestationFormatsPreference: [fmt] }, signal);
        ensure(made.response.fmt === fmt, `attestationFormatsPreference ["${fmt}"] was answered with format "${made.response.fmt}"`, { expected: fmt, actual: made.response.fmt });
        if (fmt !== 'none') {
          const falseness = await attestationFalseness(ctx, made);
          ensure(falseness === undefined, `the ${fmt} attestation does not verify: ${falseness}`);
        }
        else ensure(made.response.attStmt.size === 0, 'a none attestation with a non-empty attStmt');
      }
      return { message: `formats ${formats.join(', ')} each answered and verified` };
    },
  },
  {
    ...base,
    id: 'CTAP22-ATTFMT-002',
    touches: 1,
    title: 'attestationFormatsPreference: a format the key does not make is passed over for the next one it does',
    specRef: 'CTAP 2.2 §6.1.2 (attestationFormatsPreference: the first supported format)',
    async run(ctx, signal) {
      const formats = ctx.info.attestationFormats ?? [];
      const wanted = formats.find((f) => f !== 'packed') ?? formats[0];
      if (!wanted) throw new CheckSkipped('getInfo lists no attestationFormats');
      const made = await makeCredentialUv(ctx, ctx.rpIdFor('CTAP22-ATTFMT-002'), { attestationFormatsPreference: ['x-fido-harness-unknown', wanted] }, signal);
      ensure(made.response.fmt === wanted, `["x-fido-harness-unknown", "${wanted}"] was answered with "${made.response.fmt}"`, { expected: wanted, actual: made.response.fmt });
    },
  },
  {
    ...base,
    id: 'CTAP22-HMACMC-001',
    // the makeCredential; the assertion is silent (up false, CTAP 2.1 §6.2.2 step 9)
    touches: 1,
    title: 'hmac-secret-mc returns, at makeCredential, the output a later getAssertion gives for the same salt',
    specRef: 'CTAP 2.2 §12 hmac-secret-mc (same CredRandom and salt processing as §12.5 hmac-secret)',
    requires: (ctx) => base.requires(ctx) ?? needsExtension(CtapExtension.hmacSecretMc)(ctx),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CTAP22-HMACMC-001');
      const salt1 = new Uint8Array(randomBytes(32));
      const pin = clientPin(ctx, undefined, signal);
      const mcSecret = await failOnStatus('getKeyAgreement', () => pin.sharedSecret());
      const extensions = new Map<CborValue, CborValue>([
        [CtapExtension.hmacSecret, true],
        [CtapExtension.hmacSecretMc, hmacSecretInput(pin.protocol, mcSecret.keyAgreement, mcSecret.sharedSecret, { salt1 })],
      ]);
      const made = await makeCredentialUv(ctx, rpId, { extensions }, signal);
      const mcOut = made.authData.extensions?.get(CtapExtension.hmacSecretMc);
      ensure(mcOut instanceof Uint8Array, 'no hmac-secret-mc output in authenticatorData extensions');
      const atCreation = decrypt(pin.protocol, mcSecret.sharedSecret, mcOut, 'hmac-secret-mc');
      const gaSecret = await failOnStatus('getKeyAgreement', () => pin.sharedSecret());
      const req = await uvParams(ctx, gaRequest(rpId, { allowList: allowListOf(made.credentialId), options: new Map([['up', false]]) }), undefined, signal);
      const got = await getAssertion(
        ctx,
        { ...req, extensions: new Map<CborValue, CborValue>([[CtapExtension.hmacSecret, hmacSecretInput(pin.protocol, gaSecret.keyAgreement, gaSecret.sharedSecret, { salt1 })]]) },
        signal,
      );
      const gaOut = got.authData.extensions?.get(CtapExtension.hmacSecret);
      ensure(gaOut instanceof Uint8Array, 'no hmac-secret output at getAssertion');
      const later = decrypt(pin.protocol, gaSecret.sharedSecret, gaOut, 'hmac-secret');
      ensure(hex(atCreation) === hex(later), 'hmac-secret-mc output differs from the getAssertion output for the same salt and user verification');
    },
  },
  {
    ...base,
    id: 'CTAP22-TPP-001',
    // the run's payment and plain credentials (tppPair), asserted silently
    touches: 0,
    uses: ['tppPair'],
    title: 'thirdPartyPayment: getAssertion reports true for a credential made with it and false for one made without',
    specRef: 'CTAP 2.2 §12 thirdPartyPayment',
    requires: (ctx) => base.requires(ctx) ?? needsExtension(CtapExtension.thirdPartyPayment)(ctx),
    async run(ctx, signal) {
      const { rpId, pay, plain } = await tppPair(ctx, signal);
      for (const [made, expected] of [[pay, true], [plain, false]] as const) {
        const req = await uvParams(ctx, gaRequest(rpId, { allowList: allowListOf(made.credentialId), extensions: tpp(), options: new Map([['up', false]]) }), undefined, signal);
        const out = (await getAssertion(ctx, req, signal)).authData.extensions?.get(CtapExtension.thirdPartyPayment);
        ensure(out === expected, `thirdPartyPayment output is ${String(out)} for a credential made ${expected ? 'with' : 'without'} it`, { expected: String(expected), actual: String(out) });
      }
    },
  },
  {
    ...base,
    id: 'CTAP22-TPP-002',
    touches: 0,
    uses: ['tppPair'],
    title: 'credential management lists thirdPartyPayment true for a payment credential and false for another',
    specRef: 'CTAP 2.2 §6.8 enumerateCredentials (thirdPartyPayment, 0x0C), §12 thirdPartyPayment',
    requires: (ctx) => base.requires(ctx) ?? needsExtension(CtapExtension.thirdPartyPayment)(ctx) ?? needsRk(ctx),
    async run(ctx, signal) {
      const { rpId, pay, plain } = await tppPair(ctx, signal);
      const token = await pinToken(ctx, { permissions: PinUvAuthPermission.cm }, signal);
      const listed = await listCredentials(ctx, rpId, token, signal);
      for (const [made, expected] of [[pay, true], [plain, false]] as const) {
        const l = listed.find((r) => idOf(r) === hex(made.credentialId));
        ensure(l, `credential ${hex(made.credentialId).slice(0, 16)}… not listed`);
        ensure(l.thirdPartyPayment === expected, `thirdPartyPayment listed as ${String(l.thirdPartyPayment)}, expected ${expected}`);
      }
    },
  },
  {
    ...base,
    id: 'CTAP22-PPUAT-001',
    // the credential it must not delete is the plain one of tppPair (an unknown extension is ignored, so it
    // is made on any key)
    touches: 0,
    uses: ['tppPair'],
    title: 'a persistent token (pcmr) reads credential metadata, still after a power cycle, and cannot delete a credential',
    specRef: 'CTAP 2.2 §6.5.5.7 (pcmr permission, persistent pinUvAuthToken), §6.8 (read-only subcommands)',
    requires: (ctx) => base.requires(ctx) ?? needsPersistentToken(ctx) ?? needsRk(ctx),
    async run(ctx, signal) {
      const made = (await tppPair(ctx, signal)).plain;
      const ppuat = await pinToken(ctx, { permissions: PinUvAuthPermission.pcmr }, signal);
      expectStatus(await cm(ctx, CredentialManagementSubCommand.getCredsMetadata, { token: ppuat }, signal), CtapStatus.CTAP2_OK, 'getCredsMetadata with the persistent token');
      if (ctx.options.powerCycle) {
        await ctx.options.powerCycle();
        expectStatus(await cm(ctx, CredentialManagementSubCommand.getCredsMetadata, { token: ppuat }, signal), CtapStatus.CTAP2_OK, 'getCredsMetadata with the persistent token after a power cycle');
      }
      const del = await cm(ctx, CredentialManagementSubCommand.deleteCredential, { token: ppuat, params: credParams(made.credentialId) }, signal);
      expectStatus(del, CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'deleteCredential with the read-only persistent token');
      return { message: ctx.options.powerCycle ? 'used before and after a power cycle' : 'used (no power cycle from here)' };
    },
  },
  {
    ...base,
    id: 'CTAP22-ENC-001',
    touches: 1,
    title: 'encIdentifier decrypts with the persistent token to the same identifier across a power cycle; encCredStoreState changes when a credential is made',
    specRef: 'CTAP 2.2 §6.4 (encIdentifier, encCredStoreState)',
    requires: (ctx) => base.requires(ctx) ?? needsPersistentToken(ctx) ?? needsRk(ctx),
    async run(ctx, signal) {
      const ppuat = await pinToken(ctx, { permissions: PinUvAuthPermission.pcmr }, signal);
      const read = async () => {
        const info = await ctx.refreshInfo();
        if (!info.encIdentifier) throw new CheckFailed('getInfo has no encIdentifier while a persistent token exists');
        const id = decryptPersistentInfo(ppuat.token, 'encIdentifier', info.encIdentifier);
        ensure(id?.length === 16, `encIdentifier of ${info.encIdentifier.length} bytes does not decrypt to 16`);
        const state = info.encCredStoreState ? decryptPersistentInfo(ppuat.token, 'encCredStoreState', info.encCredStoreState) : undefined;
        return { id: hex(id), state: state ? hex(state) : undefined };
      };
      const first = await read();
      await makeCredentialUv(ctx, ctx.rpIdFor('CTAP22-ENC-001'), { options: rkOption() }, signal);
      if (ctx.options.powerCycle) await ctx.options.powerCycle();
      const second = await read();
      ensure(second.id === first.id, 'encIdentifier decrypts to another identifier after a power cycle');
      if (first.state !== undefined) ensure(second.state !== first.state, 'encCredStoreState unchanged after a new discoverable credential');
    },
  },
];

const tpp = () => new Map<CborValue, CborValue>([[CtapExtension.thirdPartyPayment, true]]);
const user = (n: number) => ({ id: sha256(`ctap22-user-${n}`).subarray(0, 16), name: `payer${n}@fido-harness.test`, displayName: `Payer ${n}` });

function decrypt(protocol: { decrypt(key: Uint8Array, c: Uint8Array): Uint8Array }, key: Uint8Array, enc: Uint8Array, what: string): Uint8Array {
  let plain: Uint8Array;
  try {
    plain = protocol.decrypt(key, enc);
  } catch (err) {
    throw new CheckFailed(`${what} output does not decrypt: ${(err as Error).message}`);
  }
  ensure(plain.length === 32, `${what} output decrypts to ${plain.length} bytes, expected 32`);
  return plain;
}
