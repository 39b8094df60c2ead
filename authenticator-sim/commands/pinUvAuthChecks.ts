import { CtapStatus, CtapStatusError } from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import type { UserPresenceRequest } from '../env.ts';
import type { PinUvAuthProtocol } from '../pinUvAuth/protocols.ts';

/**
 * The zero-length pinUvAuthParam "touch to select" probe (CTAP 2.1 §6.1.2 step 1, §6.2.2 step 1): the
 * platform asks which authenticator the user touches, before it has a PIN to send.
 */
export async function answerTouchProbe(
  a: Authenticator,
  reason: UserPresenceRequest['reason'],
  signal: AbortSignal | undefined,
): Promise<never> {
  const outcome = await a.requestUserPresence({ reason, signal });
  if (outcome !== 'approved') throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED, 'no touch');
  throw new CtapStatusError(a.pinIsSet ? CtapStatus.CTAP2_ERR_PIN_INVALID : CtapStatus.CTAP2_ERR_PIN_NOT_SET);
}

/** §6.1.2 step 2 / §6.2.2 step 2: the protocol must be given with the param, and be one we support. */
export function selectProtocol(a: Authenticator, version: number | undefined): PinUvAuthProtocol {
  if (version === undefined) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'pinUvAuthProtocol missing');
  }
  const protocol = a.protocols.get(version);
  if (!protocol) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, `pinUvAuthProtocol ${version}`);
  return protocol;
}

/**
 * Verifies pinUvAuthParam = authenticate(pinUvAuthToken, message) and the token's permission and RP ID
 * binding (CTAP 2.1 §6.1.2 step 11.1, §6.2.2 step 6.1). Binds an unbound token to `rpId`.
 */
export function verifyPinUvAuthParam(
  a: Authenticator,
  protocol: PinUvAuthProtocol,
  param: Uint8Array,
  message: Uint8Array,
  permission: number,
  rpId: string | undefined,
): void {
  const token = a.pinUvAuthToken;
  if (!token.inUse || !protocol.verify(token.token, message, param)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  if ((token.permissions & permission) === 0) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token lacks the permission');
  }
  if (rpId !== undefined && token.rpId !== undefined && token.rpId !== rpId) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token is bound to another RP ID');
  }
  if (rpId !== undefined && token.rpId === undefined) token.rpId = rpId;
  token.touch();
}
