import { ensure } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import type { PinProtocolVersion } from '../pinOps.ts';
import { all, needsClientPin, needsPermissionsToken } from '../needs.ts';
import { tokenMc } from './tokenChecks.ts';

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
    // the pooled makeCredential with an mc|ga token of this protocol (tokenChecks.ts)
    touches: 0,
    uses: [`tokenMc${v}`],
    async run(ctx, signal) {
      const { authData } = await tokenMc(ctx, v, signal);
      ensure(authData.uv, 'makeCredential with the token did not set the UV flag');
    },
  };
}

export const pinTokenChecks: SuiteCheck[] = [pinTokenCheck('PIN-TOKEN-001', 2), pinTokenCheck('PIN-TOKEN-002', 1)];
