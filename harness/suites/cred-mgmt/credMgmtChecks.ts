import { CtapRequest } from '../../ctap/index.ts';
import { randomBytes } from 'node:crypto';
import {
  CredentialManagementSubCommand as Sub,
  CtapCommand,
  CtapStatus,
  CtapVersion,
  decodeRpEntity,
  decodeUserEntity,
  encodeCanonicalCbor,
  PinUvAuthPermission,
} from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { type MadeCredential, allowListOf, decodeOrFail, gaRequest, getAssertion, makeCredentialUv, rkOption, sha256 } from '../ops.ts';
import { pinToken } from '../pinOps.ts';
import { grantedPermissionOtherThan } from '../permissionSupport.ts';
import { CheckSkipped } from '../../runner/Check.ts';
import { all, needsAlwaysUvOff, needsClientPin, needsPermissionsToken, needsRk } from '../needs.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';
import { cm, credParams, decoded, idOf, listCredentials, rpParams } from './cmOps.ts';
import { poolMember } from '../credentialPool.ts';

const suite = 'cred-mgmt';

const offered = (ctx: SuiteContext) => ctx.info.options?.credMgmt === true || ctx.info.options?.credentialMgmtPreview === true;
const needsCredMgmt = (ctx: SuiteContext) =>
  (offered(ctx) ? undefined : 'credential management not offered (credMgmt / credentialMgmtPreview)') ?? needsRk(ctx) ?? needsClientPin()(ctx);

/**
 * authenticatorCredentialManagement (CTAP 2.1 §6.8) on 0x0A, or 0x41 when getInfo offers only the
 * FIDO_2_1_PRE credentialMgmtPreview. The checks share two discoverable accounts on an RP ID of their own
 * (`cmAccounts`; deleteCredential makes its own) and check what the device lists against them. A token with the cm permission needs a PIN.
 */
const base = { suite, needs: { pin: 'set' as const }, destructive: true, requires: needsCredMgmt };

const cmToken = (ctx: SuiteContext) => pinToken(ctx, { permissions: PinUvAuthPermission.cm });
async function makeAccounts(ctx: SuiteContext, rpId: string, n: number, signal: AbortSignal): Promise<MadeCredential[]> {
  const out: MadeCredential[] = [];
  for (let i = 0; i < n; i++) {
    const user = { id: new Uint8Array(randomBytes(16)), name: `user${i}@${rpId}`, displayName: `User ${i}` };
    out.push(await makeCredentialUv(ctx, rpId, { options: rkOption(), user }, signal));
  }
  return out;
}

/**
 * The run's two accounts for credential management (credentialPool.ts, `cmAccounts`, 2 touches): made
 * with UV on an RP ID of their own, getCredsMetadata read before and after.
 */
function cmAccounts(ctx: SuiteContext, signal: AbortSignal) {
  return poolMember(ctx, 'cmAccounts', async () => {
    const rpId = 'pool-cm.fido-harness.test';
    const before = decoded(await cm(ctx, Sub.getCredsMetadata, { token: await cmToken(ctx) }, signal), 'getCredsMetadata');
    const made = await makeAccounts(ctx, rpId, 2, signal);
    const after = decoded(await cm(ctx, Sub.getCredsMetadata, { token: await cmToken(ctx) }, signal), 'getCredsMetadata');
    return { rpId, made, before, after };
  });
}

const pooledAccounts = { touches: 0, uses: ['cmAccounts'] } as const;

export const credMgmtChecks: SuiteCheck[] = [
  {
    ...base,
    id: 'CM-META-001',
    title: 'getCredsMetadata: the existing count goes up by two after two discoverable credentials',
    specRef: 'CTAP 2.1 §6.8.2 getCredsMetadata',
    ...pooledAccounts,
    async run(ctx, signal) {
      // read around the making of the pooled accounts
      const { before, after } = await cmAccounts(ctx, signal);
      ensure(typeof before.existingResidentCredentialsCount === 'number', 'existingResidentCredentialsCount (0x01) missing');
      ensure(typeof before.maxPossibleRemainingResidentCredentialsCount === 'number', 'maxPossibleRemainingResidentCredentialsCount (0x02) missing');
      ensure(after.existingResidentCredentialsCount === before.existingResidentCredentialsCount + 2, `existing count went from ${before.existingResidentCredentialsCount} to ${after.existingResidentCredentialsCount}, expected +2`);
      // "maximum possible": it need not drop by exactly two (storage may be shared), but it must drop.
      ensure(
        after.maxPossibleRemainingResidentCredentialsCount! < before.maxPossibleRemainingResidentCredentialsCount,
        `remaining count went from ${before.maxPossibleRemainingResidentCredentialsCount} to ${after.maxPossibleRemainingResidentCredentialsCount} after two new credentials`,
      );
    },
  },
  {
    ...base,
    id: 'CM-RP-001',
    title: 'enumerateRPsBegin/GetNextRP list the check\'s RP with rpIDHash = SHA-256(rp.id), totalRPs items',
    specRef: 'CTAP 2.1 §6.8.3 enumerateRPs',
    ...pooledAccounts,
    async run(ctx, signal) {
      const { rpId } = await cmAccounts(ctx, signal);
      const head = decoded(await cm(ctx, Sub.enumerateRPsBegin, { token: await cmToken(ctx) }, signal), 'enumerateRPsBegin');
      const total = head.totalRPs ?? 0;
      ensure(total >= 1, `totalRPs is ${head.totalRPs ?? 'missing'}`);
      const all = [head];
      for (let i = 1; i < Math.min(total, 256); i++) all.push(decoded(await cm(ctx, Sub.enumerateRPsGetNextRP, {}, signal), `enumerateRPsGetNextRP #${i + 1}`));
      const ids = all.map((r) => {
        const rp = decodeOrFail(() => decodeRpEntity(r.rp), 'rp');
        ensure(r.rpIDHash && hex(r.rpIDHash) === hex(sha256(rp.id)), `rpIDHash of ${rp.id} is not SHA-256 of its id`);
        return rp.id;
      });
      ensure(ids.includes(rpId), `the RP ${rpId} is not listed (listed: ${ids.join(', ')})`);
      ensure(new Set(ids).size === ids.length, `an RP is listed twice: ${ids.join(', ')}`);
      expectStatus(await cm(ctx, Sub.enumerateRPsGetNextRP, {}, signal), CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'enumerateRPsGetNextRP past the last RP');
    },
  },
  {
    ...base,
    id: 'CM-CRED-001',
    title: 'enumerateCredentialsBegin/GetNextCredential list exactly the credentials made, with user, id and public key',
    specRef: 'CTAP 2.1 §6.8.4 enumerateCredentials',
    ...pooledAccounts,
    async run(ctx, signal) {
      const { rpId, made } = await cmAccounts(ctx, signal);
      const listed = await listCredentials(ctx, rpId, await cmToken(ctx), signal);
      // listCredentials lists totalCredentials of them: two listed is totalCredentials 2
      ensure(listed.length === 2, `listed ${listed.length} credentials (totalCredentials ${listed[0]?.totalCredentials}), expected 2`);
      for (const m of made) {
        const l = listed.find((r) => idOf(r) === hex(m.credentialId));
        ensure(l, `credential ${hex(m.credentialId).slice(0, 16)}… is not listed`);
        const user = decodeOrFail(() => decodeUserEntity(l.user), 'user');
        ensure(hex(user.id) === hex(m.request.user.id), 'listed user.id differs from the one made');
        ensure(l.publicKey && hex(encodeCanonicalCbor(l.publicKey)) === hex(encodeCanonicalCbor(m.publicKey)), 'listed publicKey differs from the attested one');
      }
    },
  },
  {
    ...base,
    id: 'CM-DEL-001',
    title: 'deleteCredential removes it: not listed, getAssertion with it answers CTAP2_ERR_NO_CREDENTIALS, the other stays',
    specRef: 'CTAP 2.1 §6.8.5 deleteCredential',
    requires: all(base.requires, needsAlwaysUvOff),
    // the first pooled account is deleted (the checks before it list both; the ones after use the second)
    ...pooledAccounts,
    async run(ctx, signal) {
      const { rpId, made } = await cmAccounts(ctx, signal);
      const [gone, kept] = made;
      expectStatus(await cm(ctx, Sub.deleteCredential, { params: credParams(gone!.credentialId), token: await cmToken(ctx) }, signal), CtapStatus.CTAP2_OK, 'deleteCredential');
      const listed = await listCredentials(ctx, rpId, await cmToken(ctx), signal);
      ensure(listed.length === 1 && idOf(listed[0]!) === hex(kept!.credentialId), `after deleting one of two, ${listed.length} listed`);
      // silent assertions (up false, CTAP 2.1 §6.2.2 step 9): what is checked is which credentials exist
      const r = await ctx.request(CtapRequest.getAssertion, gaRequest(rpId, { allowList: allowListOf(gone!.credentialId), options: new Map([['up', false]]) }), signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion with the deleted credential');
      const found = await getAssertion(ctx, gaRequest(rpId, { options: new Map([['up', false]]) }), signal);
      ensure(hex(found.response.credential.id) === hex(kept!.credentialId), 'the remaining credential is not the one found');
    },
  },
  {
    ...base,
    id: 'CM-UPD-001',
    title: 'updateUserInformation replaces name and displayName (listed afterwards)',
    specRef: 'CTAP 2.1 §6.8.6 updateUserInformation',
    ...pooledAccounts,
    async run(ctx, signal) {
      // the second pooled account (deleteCredential took the first): later checks compare ids, never names
      const { rpId, made } = await cmAccounts(ctx, signal);
      const m = made[1];
      const user = { id: m!.request.user.id, name: 'renamed@fido-harness.test', displayName: 'Renamed User' };
      expectStatus(await cm(ctx, Sub.updateUserInformation, { params: credParams(m!.credentialId, user), token: await cmToken(ctx) }, signal), CtapStatus.CTAP2_OK, 'updateUserInformation');
      const l = (await listCredentials(ctx, rpId, await cmToken(ctx), signal)).find((r) => idOf(r) === hex(m!.credentialId));
      ensure(l, 'the credential is no longer listed');
      const listedUser = decodeOrFail(() => decodeUserEntity(l.user), 'user');
      ensure(listedUser.name === user.name && listedUser.displayName === user.displayName, `listed user is ${JSON.stringify({ name: listedUser.name, displayName: listedUser.displayName })}`, {
        expected: JSON.stringify({ name: user.name, displayName: user.displayName }),
      });
    },
  },
  {
    ...base,
    id: 'CM-UPD-002',
    title: 'updateUserInformation with a different user.id is refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.8.6 (user.id must match the credential\'s)',
    ...pooledAccounts,
    async run(ctx, signal) {
      const m = (await cmAccounts(ctx, signal)).made[1];
      // Stryker disable next-line StringLiteral: any name: what the key must refuse is the other user.id
      const user = { id: new Uint8Array(randomBytes(16)), name: 'other' };
      const r = await cm(ctx, Sub.updateUserInformation, { params: credParams(m!.credentialId, user), token: await cmToken(ctx) }, signal);
      expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'updateUserInformation with another user.id');
    },
  },
  {
    ...base,
    id: 'CM-AUTH-001',
    title: 'a token without the cm permission is refused with CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.8.2 (cm permission)',
    requires: all(base.requires, needsPermissionsToken),
    touches: 0,
    async run(ctx, signal) {
      // a permission the key grants (§6.5.5.7.2 step 4): lbw only where getInfo offers largeBlobs
      const other = grantedPermissionOtherThan(ctx.info, PinUvAuthPermission.cm);
      if (other === undefined) throw new CheckSkipped('the key grants no permission but cm to a token by PIN');
      const token = await pinToken(ctx, { permissions: other });
      expectStatus(await cm(ctx, Sub.getCredsMetadata, { token }, signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, `getCredsMetadata with a token of permissions 0x${other.toString(16)} (no cm)`);
    },
  },
  {
    ...base,
    id: 'CM-AUTH-002',
    title: 'a wrong pinUvAuthParam is refused with CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.8.2 (verify pinUvAuthParam)',
    requires: all(base.requires, needsPermissionsToken),
    touches: 0,
    async run(ctx, signal) {
      const flip = (a: Uint8Array) => {
        const b = Uint8Array.from(a);
        b[0]! ^= 0x01;
        return b;
      };
      expectStatus(await cm(ctx, Sub.getCredsMetadata, { token: await cmToken(ctx), tamperAuth: flip }, signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'getCredsMetadata with a flipped pinUvAuthParam bit');
    },
  },
  {
    ...base,
    id: 'CM-AUTH-003',
    title: 'getCredsMetadata without pinUvAuthParam is refused with CTAP2_ERR_PUAT_REQUIRED',
    specRef: 'CTAP 2.1 §6.8.2 (pinUvAuthParam missing)',
    requires: all(base.requires, needsPermissionsToken),
    touches: 0,
    async run(ctx, signal) {
      expectStatus(await cm(ctx, Sub.getCredsMetadata, {}, signal), CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'getCredsMetadata without pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'CM-RPID-001',
    title: 'a cm token bound to another RP ID cannot enumerate this RP\'s credentials (CTAP2_ERR_PIN_AUTH_INVALID)',
    specRef: 'CTAP 2.1 §6.8.4 (permissions RP ID must match)',
    requires: all(base.requires, needsPermissionsToken),
    ...pooledAccounts,
    async run(ctx, signal) {
      const { rpId } = await cmAccounts(ctx, signal);
      const token = await pinToken(ctx, { permissions: PinUvAuthPermission.cm, rpId: `other.${rpId}` });
      expectStatus(await cm(ctx, Sub.enumerateCredentialsBegin, { params: rpParams(rpId), token }, signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'enumerateCredentialsBegin with a token for another RP');
      const own = await pinToken(ctx, { permissions: PinUvAuthPermission.cm, rpId: rpId });
      expectStatus(await cm(ctx, Sub.enumerateCredentialsBegin, { params: rpParams(rpId), token: own }, signal), CtapStatus.CTAP2_OK, 'enumerateCredentialsBegin with a token for this RP');
    },
  },
  {
    ...base,
    id: 'CM-PREVIEW-001',
    title: 'with FIDO_2_1_PRE advertised, both 0x0A and the preview 0x41 answer getCredsMetadata alike',
    specRef: 'CTAP 2.1 §6.8 (0x41 prototype command), §6.4 credentialMgmtPreview',
    ...pooledAccounts,
    requires: (ctx) =>
      needsCredMgmt(ctx) ??
      (ctx.info.versions.includes(CtapVersion.FIDO_2_1_PRE) ? undefined : 'FIDO_2_1_PRE not advertised') ??
      // Stryker disable next-line OptionalChaining: without options needsCredMgmt has already answered
      (ctx.info.options?.credMgmt === true ? undefined : 'credMgmt (0x0A) not offered'),
    async run(ctx, signal) {
      await cmAccounts(ctx, signal);
      const a = decoded(await cm(ctx, Sub.getCredsMetadata, { token: await cmToken(ctx), command: CtapCommand.authenticatorCredentialManagement }, signal), 'getCredsMetadata on 0x0A');
      const b = decoded(await cm(ctx, Sub.getCredsMetadata, { token: await cmToken(ctx), command: CtapCommand.prototypeCredentialManagement }, signal), 'getCredsMetadata on 0x41');
      ensure(a.existingResidentCredentialsCount === b.existingResidentCredentialsCount, `0x0A counts ${a.existingResidentCredentialsCount} credentials, 0x41 counts ${b.existingResidentCredentialsCount}`);
    },
  },
];
