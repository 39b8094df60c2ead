import { PinUvAuthPermission } from '../../protocol/index.ts';
import { ensure } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { mcWithToken } from '../ops.ts';
import { type PinProtocolVersion, pinToken } from '../pinOps.ts';
import { all, needsClientPin, needsPermissionsToken } from '../needs.ts';
import { authDataOf } from './tokenChecks.ts';

/**
 * PIN-TOKEN-001 (protocol two) and PIN-TOKEN-002 (protocol one): the functional side of Microsoft's MS-UV
 * requirement (harness/compat maps it to these ids): a PIN is set, getPinUvAuthTokenUsingPinWithPermissions
 * issues a token, and makeCredential accepts it with user verification.
 */
function pinTokenCheck(id: string, v: PinProtocolVersion): SuiteCheck {
  return {
    id,
    suite: 'client-pin',
    title: `PIN set, getPinUvAuthTokenUsingPinWithPermissions works and makeCredential accepts the token (protocol ${v === 2 ? 'two' : 'one'})`,
    specRef: 'CTAP 2.1 §6.5.5.7.2, §6.1.2 step 11.1; Microsoft S1 (user verification by PIN)',
    destructive: true,
    needs: { pin: 'set' },
    requires: all(needsClientPin(v), needsPermissionsToken),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor(id);
      const token = await pinToken(ctx, { v, permissions: PinUvAuthPermission.mc | PinUvAuthPermission.ga, rpId }, signal);
      const authData = authDataOf(await mcWithToken(ctx, token, rpId, {}, signal), 'makeCredential');
      ensure(authData.uv, 'makeCredential with the token did not set the UV flag');
    },
  };
}

export const pinTokenChecks: SuiteCheck[] = [pinTokenCheck('PIN-TOKEN-001', 2), pinTokenCheck('PIN-TOKEN-002', 1)];
