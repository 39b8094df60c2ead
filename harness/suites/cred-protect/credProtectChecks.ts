import { CtapRequest } from '../../ctap/index.ts';
import { CredentialManagement } from '../../client/index.ts';
import {
  CredProtect,
  CtapExtension,
  CtapStatus,
  PinUvAuthPermission,
  type CborValue,
} from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { type MadeCredential, allowListOf, gaRequest, getAssertionUv, makeCredentialUv, rkOption, sha256 } from '../ops.ts';
import { pinToken } from '../pinOps.ts';
import { needsClientPin, needsExtension, needsRk, needsAlwaysUvOff, all } from '../needs.ts';
import { failOnStatus } from '../failOnStatus.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'cred-protect';
const EXT = CtapExtension.credProtect;
const needsCredProtect = (ctx: SuiteContext) => needsExtension(EXT)(ctx) ?? needsClientPin()(ctx);
const needsCredProtectRk = (ctx: SuiteContext) => needsCredProtect(ctx) ?? needsRk(ctx);

/**
 * credProtect (CTAP 2.1 §12.1): 1 userVerificationOptional, 2 userVerificationOptionalWithCredentialIDList
 * (a discoverable credential is found without an allowList only after UV), 3 userVerificationRequired (UV
 * always). UV is by PIN token, so the checks run with a PIN set; each check uses its own RP ID, so the
 * credential it makes is the only one there.
 */
const base = { suite, needs: { pin: 'set' as const }, destructive: true, requires: needsCredProtectRk };

async function protectedCredential(ctx: SuiteContext, rpId: string, level: number, signal: AbortSignal, rk = true): Promise<MadeCredential> {
  return makeCredentialUv(
    ctx,
    rpId,
    { ...(rk ? { options: rkOption() } : {}), extensions: new Map<CborValue, CborValue>([[EXT, level]]) },
    signal,
  );
}

async function plainAssertion(ctx: SuiteContext, rpId: string, allowList: Uint8Array | undefined, signal: AbortSignal) {
  const req = gaRequest(rpId, allowList ? { allowList: allowListOf(allowList) } : {});
  return ctx.request(CtapRequest.getAssertion, req, signal);
}

export const credProtectChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'CREDPROTECT-MC-001',
    title: 'each level 1-3 is reported back in the authData extensions',
    specRef: 'CTAP 2.1 §12.1 (authenticator extension output: the credProtect value set)',
    requires: needsCredProtect,
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-MC-001');
      for (const level of [CredProtect.userVerificationOptional, CredProtect.userVerificationOptionalWithCredentialIDList, CredProtect.userVerificationRequired]) {
        const made = await protectedCredential(ctx, rpId, level, signal, ctx.info.options?.rk === true);
        const out = made.authData.extensions?.get(EXT);
        ensure(made.authData.ed && out === level, `credProtect ${level} requested; authData extensions credProtect is ${out === undefined ? 'missing' : JSON.stringify(out)}`, {
          expected: String(level),
          actual: String(out),
        });
      }
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L2-001',
    title: 'level 2: a discoverable credential is not found without an allowList and without UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationOptionalWithCredentialIDList), §6.2.2 step 7',
    requires: all(needsCredProtectRk, needsAlwaysUvOff),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L2-001');
      await protectedCredential(ctx, rpId, CredProtect.userVerificationOptionalWithCredentialIDList, signal);
      expectStatus(await plainAssertion(ctx, rpId, undefined, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion without allowList or UV');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L2-002',
    title: 'level 2: found with an allowList without UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationOptionalWithCredentialIDList)',
    requires: all(base.requires, needsAlwaysUvOff),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L2-002');
      const made = await protectedCredential(ctx, rpId, CredProtect.userVerificationOptionalWithCredentialIDList, signal);
      const r = await plainAssertion(ctx, rpId, made.credentialId, signal);
      expectStatus(r, CtapStatus.CTAP2_OK, 'getAssertion with the credential in the allowList, no UV');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L2-003',
    title: 'level 2: found without an allowList after UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationOptionalWithCredentialIDList)',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L2-003');
      const made = await protectedCredential(ctx, rpId, CredProtect.userVerificationOptionalWithCredentialIDList, signal);
      const got = await getAssertionUv(ctx, rpId, {}, signal);
      ensure(hex(got.response.credential.id) === hex(made.credentialId), 'a different credential was returned');
      ensure(got.authData.uv, 'UV flag clear in an assertion with pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L3-001',
    title: 'level 3: not found without UV even with an allowList',
    specRef: 'CTAP 2.1 §12.1 (userVerificationRequired), §6.2.2 step 7',
    requires: all(needsCredProtectRk, needsAlwaysUvOff),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L3-001');
      const made = await protectedCredential(ctx, rpId, CredProtect.userVerificationRequired, signal);
      expectStatus(await plainAssertion(ctx, rpId, made.credentialId, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion with allowList, no UV');
      expectStatus(await plainAssertion(ctx, rpId, undefined, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion without allowList, no UV');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L3-002',
    title: 'level 3: found after UV, with and without an allowList',
    specRef: 'CTAP 2.1 §12.1 (userVerificationRequired)',
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L3-002');
      const made = await protectedCredential(ctx, rpId, CredProtect.userVerificationRequired, signal);
      const found = await getAssertionUv(ctx, rpId, {}, signal);
      ensure(hex(found.response.credential.id) === hex(made.credentialId), 'a different credential was returned without allowList');
      const listed = await getAssertionUv(ctx, rpId, { allowList: allowListOf(made.credentialId) }, signal);
      ensure(listed.authData.uv, 'UV flag clear in an assertion with pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L3-003',
    title: 'level 3 on a non-discoverable credential: not usable without UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationRequired applies to any credential)',
    requires: all(needsCredProtect, needsAlwaysUvOff),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L3-003');
      const made = await protectedCredential(ctx, rpId, CredProtect.userVerificationRequired, signal, false);
      expectStatus(await plainAssertion(ctx, rpId, made.credentialId, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion with allowList, no UV');
      await getAssertionUv(ctx, rpId, { allowList: allowListOf(made.credentialId) }, signal);
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-CM-001',
    title: 'credential management shows each credential\'s credProtect level',
    specRef: 'CTAP 2.1 §6.8.4 (enumerateCredentials response credProtect 0x0A), §12.1',
    requires: (ctx) =>
      needsCredProtectRk(ctx) ?? (CredentialManagement.isSupported(ctx.info) ? undefined : 'credential management not offered'),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-CM-001');
      const levels = new Map<string, number>();
      for (const level of [CredProtect.userVerificationOptionalWithCredentialIDList, CredProtect.userVerificationRequired]) {
        const made = await protectedCredential(ctx, rpId, level, signal);
        levels.set(hex(made.credentialId), level);
      }
      const token = await pinToken(ctx, { permissions: PinUvAuthPermission.cm });
      const listed = await failOnStatus('enumerateCredentials', () => new CredentialManagement(ctx.ctap2, token, { signal }).enumerateCredentials(sha256(rpId)));
      ensure(listed.length === 2, `enumerateCredentials listed ${listed.length} credentials, expected 2`);
      for (const c of listed) {
        const want = levels.get(hex(c.credentialID.id));
        ensure(want !== undefined, `an unknown credential ${hex(c.credentialID.id)} was listed`);
        ensure(c.credProtect === want, `credential ${hex(c.credentialID.id).slice(0, 16)}… listed with credProtect ${c.credProtect ?? '(none)'}, made with ${want}`, {
          expected: String(want),
          actual: String(c.credProtect),
        });
      }
    },
  },
];
