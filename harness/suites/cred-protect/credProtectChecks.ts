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
import { poolMember } from '../credentialPool.ts';

const suite = 'cred-protect';
const EXT = CtapExtension.credProtect;
const needsCredProtect = (ctx: SuiteContext) => needsExtension(EXT)(ctx) ?? needsClientPin()(ctx);
const needsCredProtectRk = (ctx: SuiteContext) => needsCredProtect(ctx) ?? needsRk(ctx);

/**
 * credProtect (CTAP 2.1 §12.1): 1 userVerificationOptional, 2 userVerificationOptionalWithCredentialIDList
 * (a discoverable credential is found without an allowList only after UV), 3 userVerificationRequired (UV
 * always). UV is by PIN token, so the checks run with a PIN set; they share one credential per level
 * (`leveled`), each the only one on its RP ID.
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

/** Assertions are silent (up false, CTAP 2.1 §6.2.2 step 9): these checks are about finding credentials. */
const SILENT = () => new Map([['up', false]]);

async function plainAssertion(ctx: SuiteContext, rpId: string, allowList: Uint8Array | undefined, signal: AbortSignal) {
  const req = gaRequest(rpId, { ...(allowList ? { allowList: allowListOf(allowList) } : {}), options: SILENT() });
  return ctx.request(CtapRequest.getAssertion, req, signal);
}

/**
 * The run's credentials of levels 1, 2 and 3 (credentialPool.ts, `credProtect`, 3 touches): discoverable
 * where the device offers rk, each alone on an RP ID of its own.
 */
export function leveled(ctx: SuiteContext, signal: AbortSignal) {
  return poolMember(ctx, 'credProtect', async () => {
    const made = new Map<number, { rpId: string; made: MadeCredential }>();
    for (const level of [CredProtect.userVerificationOptional, CredProtect.userVerificationOptionalWithCredentialIDList, CredProtect.userVerificationRequired]) {
      const rpId = `pool-credprotect-${level}.fido-harness.test`;
      // Stryker disable next-line OptionalChaining: every check reading the pool requires the clientPin option, so getInfo has options here
      made.set(level, { rpId, made: await protectedCredential(ctx, rpId, level, signal, ctx.info.options?.rk === true) });
    }
    return made;
  });
}

const pooledLevels = { touches: 0, uses: ['credProtect'] } as const;

export const credProtectChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'CREDPROTECT-MC-001',
    title: 'each level 1-3 is reported back in the authData extensions',
    specRef: 'CTAP 2.1 §12.1 (authenticator extension output: the credProtect value set)',
    ...pooledLevels,
    requires: needsCredProtect,
    async run(ctx, signal) {
      for (const [level, { made }] of await leveled(ctx, signal)) {
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
    ...pooledLevels,
    async run(ctx, signal) {
      const { rpId } = (await leveled(ctx, signal)).get(CredProtect.userVerificationOptionalWithCredentialIDList)!;
      expectStatus(await plainAssertion(ctx, rpId, undefined, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion without allowList or UV');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L2-002',
    title: 'level 2: found with an allowList without UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationOptionalWithCredentialIDList)',
    requires: all(base.requires, needsAlwaysUvOff),
    ...pooledLevels,
    async run(ctx, signal) {
      const { rpId, made } = (await leveled(ctx, signal)).get(CredProtect.userVerificationOptionalWithCredentialIDList)!;
      const r = await plainAssertion(ctx, rpId, made.credentialId, signal);
      expectStatus(r, CtapStatus.CTAP2_OK, 'getAssertion with the credential in the allowList, no UV');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L2-003',
    title: 'level 2: found without an allowList after UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationOptionalWithCredentialIDList)',
    ...pooledLevels,
    async run(ctx, signal) {
      const { rpId, made } = (await leveled(ctx, signal)).get(CredProtect.userVerificationOptionalWithCredentialIDList)!;
      const got = await getAssertionUv(ctx, rpId, { options: SILENT() }, signal);
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
    ...pooledLevels,
    async run(ctx, signal) {
      const { rpId, made } = (await leveled(ctx, signal)).get(CredProtect.userVerificationRequired)!;
      expectStatus(await plainAssertion(ctx, rpId, made.credentialId, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion with allowList, no UV');
      expectStatus(await plainAssertion(ctx, rpId, undefined, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion without allowList, no UV');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L3-002',
    title: 'level 3: found after UV, with and without an allowList',
    specRef: 'CTAP 2.1 §12.1 (userVerificationRequired)',
    ...pooledLevels,
    async run(ctx, signal) {
      const { rpId, made } = (await leveled(ctx, signal)).get(CredProtect.userVerificationRequired)!;
      const found = await getAssertionUv(ctx, rpId, { options: SILENT() }, signal);
      ensure(hex(found.response.credential.id) === hex(made.credentialId), 'a different credential was returned without allowList');
      const listed = await getAssertionUv(ctx, rpId, { allowList: allowListOf(made.credentialId), options: SILENT() }, signal);
      ensure(listed.authData.uv, 'UV flag clear in an assertion with pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-L3-003',
    title: 'level 3 on a non-discoverable credential: not usable without UV',
    specRef: 'CTAP 2.1 §12.1 (userVerificationRequired applies to any credential)',
    requires: all(needsCredProtect, needsAlwaysUvOff),
    // its own non-discoverable level 3 credential
    touches: 1,
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('CREDPROTECT-L3-003');
      const made = await protectedCredential(ctx, rpId, CredProtect.userVerificationRequired, signal, false);
      expectStatus(await plainAssertion(ctx, rpId, made.credentialId, signal), CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion with allowList, no UV');
      await getAssertionUv(ctx, rpId, { allowList: allowListOf(made.credentialId), options: SILENT() }, signal);
    },
  },
  {
    ...base,
    id: 'CREDPROTECT-CM-001',
    title: 'credential management shows each credential\'s credProtect level',
    specRef: 'CTAP 2.1 §6.8.4 (enumerateCredentials response credProtect 0x0A), §12.1',
    ...pooledLevels,
    requires: (ctx) =>
      needsCredProtectRk(ctx) ?? (CredentialManagement.isSupported(ctx.info) ? undefined : 'credential management not offered'),
    async run(ctx, signal) {
      // the pooled level 2 and level 3 credentials, each alone on its RP
      const pool = await leveled(ctx, signal);
      for (const want of [CredProtect.userVerificationOptionalWithCredentialIDList, CredProtect.userVerificationRequired]) {
        const { rpId, made } = pool.get(want)!;
        const token = await pinToken(ctx, { permissions: PinUvAuthPermission.cm });
        const listed = await failOnStatus('enumerateCredentials', () => new CredentialManagement(ctx.ctap2, token, { signal }).enumerateCredentials(sha256(rpId)));
        ensure(listed.length === 1, `enumerateCredentials listed ${listed.length} credentials for an RP with one`);
        const c = listed[0]!;
        ensure(hex(c.credentialID.id) === hex(made.credentialId), `an unknown credential ${hex(c.credentialID.id)} was listed`);
        ensure(c.credProtect === want, `credential ${hex(c.credentialID.id).slice(0, 16)}… listed with credProtect ${c.credProtect ?? '(none)'}, made with ${want}`, {
          expected: String(want),
          actual: String(c.credProtect),
        });
      }
    },
  },
];
