import { ClientPinSubCommand, CtapStatus, formatCtapStatus, pinHash, PinUvAuthPermission } from '../../protocol/index.ts';
import { ensure } from '../expect.ts';
import { all, needsClientPin, needsPermissionsToken } from '../needs.ts';
import { unsupportedPermissions } from '../permissionSupport.ts';
import { openSession, pinCall, protocolVersion } from '../pinOps.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const needsUnsupportedPermission = (ctx: SuiteContext) =>
  unsupportedPermissions(ctx.info).length > 0 ? undefined : 'getInfo offers the feature of every pinUvAuthToken permission: none to refuse';

export const unauthorizedPermissionChecks: SuiteCheck[] = [
  {
    id: 'CLIENTPIN-UNAUTHPERM-001',
    suite: 'client-pin',
    title: 'a token asked for with a permission whose getInfo option is off (e.g. lbw without largeBlobs) is refused with CTAP2_ERR_UNAUTHORIZED_PERMISSION',
    specRef: 'CTAP 2.1 §6.5.5.7.2 step 4 (cm: credMgmt, be: bioEnroll, lbw: largeBlobs, acfg: authnrCfg, mc/ga: noMcGaPermissionsWithClientPin; CTAP 2.2 pcmr: perCredMgmtRO)',
    touches: 0,
    destructive: true,
    needs: { pin: 'set' },
    requires: all(needsClientPin(), needsPermissionsToken, needsUnsupportedPermission),
    async run(ctx, signal) {
      const v = protocolVersion(ctx);
      const granted: string[] = [];
      for (const p of unsupportedPermissions(ctx.info)) {
        // mc and ga go with an RP ID (§6.5.5.7.2 step 16); the others ignore it
        const rpId = p.bit === PinUvAuthPermission.mc || p.bit === PinUvAuthPermission.ga ? { rpId: ctx.rpIdFor('CLIENTPIN-UNAUTHPERM-001') } : {};
        // the request as sent, so that a key answering CTAP2_OK is judged on its status, token or not
        const session = await openSession(ctx, v, signal);
        const pinHashEnc = session.protocol.encrypt(session.sharedSecret, pinHash(ctx.pin));
        const request = { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions, keyAgreement: session.keyAgreement, pinHashEnc, permissions: p.bit, ...rpId };
        const result = await pinCall(ctx, request, signal);
        if (result.status !== CtapStatus.CTAP2_ERR_UNAUTHORIZED_PERMISSION) {
          granted.push(`${p.name} (0x${p.bit.toString(16).padStart(2, '0')}; ${p.statement}): ${formatCtapStatus(result.status)}`);
        }
      }
      ensure(granted.length === 0, `permissions getInfo rules out were not refused: ${granted.join('; ')}`, {
        expected: 'CTAP2_ERR_UNAUTHORIZED_PERMISSION for each',
        actual: granted.join('; '),
      });
      return { message: `refused ${unsupportedPermissions(ctx.info).map((p) => p.name).join(', ')}` };
    },
  },
];
